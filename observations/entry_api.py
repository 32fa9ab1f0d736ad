"""``POST /api/v1/occurrences/saisie/``: the entry form's own fields, as the page sends
them (multipart), for the records a phone kept with no network (static/js/outbox.js).

The device sends what the form held when it was saved; the same form
(``observations.forms.OccurrenceForm``) reads it, so a record is checked exactly as the
page would have checked it, and a refusal names the form's fields with its French
messages (the outbox shows them and reopens the record in the form to correct it). The
record's ``uuid``, made on the device, makes a resend answer the record already created."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpie_naturaliste.core.resend import ENTRY_REQUEST, form_refusal
from cpie_naturaliste.core.schema import VALIDATION_SCHEMA
from observations.forms import OccurrenceForm
from observations.models import Occurrence, Source
from observations.services import occurrence_create_once, occurrence_media_add

ENTRY_DESCRIPTION = gettext_lazy(
    "Une saisie faite hors connexion, avec les champs du formulaire de la page "
    "« Nouvelle observation » (multipart) et « uuid », l'identifiant fabriqué par "
    "l'appareil, qui devient l'identifiant SINP. Un nouvel envoi du même « uuid » répond "
    "l'observation déjà créée (200). Refus (400) : les messages par champ du formulaire, "
    "et « labels », le libellé de chaque champ."
)
__all__ = ["ENTRY_DESCRIPTION", "ENTRY_ERRORS", "ENTRY_REQUEST", "entry_form_save"]
ENTRY_ERRORS = VALIDATION_SCHEMA


def entry_form_save(*, data, files=None, user) -> tuple[Occurrence, bool] | dict:
    """``(record, created)``, or the refusal: ``{field: [message]}`` and ``labels``. The
    photos and sounds the form held come with the record they were taken for, once."""
    form = OccurrenceForm(data, files, user=user)
    try:
        uuid = UUID(str(data.get("uuid", "")))
    except ValueError:
        form.is_valid()
        form.add_error(None, _("Identifiant de la saisie (uuid) absent ou invalide."))
    else:
        if form.is_valid():
            try:
                with transaction.atomic():
                    occurrence, created = occurrence_create_once(
                        uuid=uuid,
                        user=user,
                        source=Source.SAISIE,
                        observers=form.cleaned_data["observers"],
                        **form.occurrence_fields(),
                    )
                    if created:
                        occurrence_media_add(
                            occurrence=occurrence,
                            user=user,
                            media=form.cleaned_data["media"],
                        )
                return occurrence, created
            except ValidationError as error:
                form.add_service_errors(error)
    return form_refusal(
        form, labels={"geometry": _("Lieu")}, renamed={"taxon": "taxon_search"}
    )
