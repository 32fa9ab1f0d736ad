"""Who may use which observation page (the querysets say on which records)."""

from django.utils.translation import gettext_lazy as _

from observations.models import Occurrence, Source
from referentiel.permissions import can_enter

# Records of a protocol app (baguage, terrils…) are changed through that app, which keeps its
# own row and the occurrence in step; the observation pages only change these.
EDITABLE_SOURCES = {Source.SAISIE, Source.IMPORT}
PROTOCOL_NOTE = _(
    "Cette observation provient du module « %(source)s » : modifiez-la depuis ce module."
)


def _editable(user, occurrence: Occurrence) -> bool:
    return Occurrence.objects.editable_by(user).filter(pk=occurrence.pk).exists()


def occurrence_can_edit(user, occurrence: Occurrence) -> bool:
    return occurrence.source in EDITABLE_SOURCES and _editable(user, occurrence)


def occurrence_can_validate(user, occurrence: Occurrence) -> bool:
    return Occurrence.objects.validatable_by(user).filter(pk=occurrence.pk).exists()


def occurrence_can_add_media(user, occurrence: Occurrence) -> bool:
    """Who may add a photo or a sound to a record: who may change it (a record published
    by a protocol too: its photos are added from the record's page or the API)."""
    return can_enter(user) and _editable(user, occurrence)


def occurrence_changes(user, occurrence: Occurrence) -> tuple[bool, bool]:
    """``(occurrence_can_edit, occurrence_can_add_media)`` with one query (the record's
    page shows both)."""
    if not (occurrence.source in EDITABLE_SOURCES or can_enter(user)):
        return False, False
    editable = _editable(user, occurrence)
    return (
        editable and occurrence.source in EDITABLE_SOURCES,
        editable and can_enter(user),
    )
