"""Photos and sound recordings of an observation (issue 19): the proof validators ask for.

A media belongs to one occurrence. A POP Amphibien line or a drift-fence count publishes its
occurrence (``PublishedOccurrenceMixin``): its photos are those of that occurrence, so they
follow the occurrence's read rule everywhere (``observations.policy``) with no rule of
their own. Files live under ``MEDIA_ROOT/prive/`` (never served as static files: only the
view ``observations:media_file`` sends them, to readers who place the record).
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.media import PHOTO, SOUND, SOUND_TYPES
from cpie_naturaliste.core.models import TrackedModel

from .occurrences import Occurrence

PRIVATE_DIR = "prive/observations"
CONTENT_TYPES = [("image/jpeg", "JPEG"), *((t, t) for t in SOUND_TYPES)]


def media_path(instance, filename: str) -> str:
    # The name sent by the browser is never used: the media's uuid, the type's extension.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{PRIVATE_DIR}/{instance.uuid.hex[:2]}/{instance.uuid.hex}.{extension}"


def thumbnail_path(instance, filename: str) -> str:
    return f"{PRIVATE_DIR}/{instance.uuid.hex[:2]}/{instance.uuid.hex}-miniature.jpg"


class OccurrenceMedia(TrackedModel):
    class Kind(models.TextChoices):
        PHOTO = PHOTO, _("Photo")
        SOUND = SOUND, _("Enregistrement sonore")

    uuid = models.UUIDField(_("identifiant"), default=uuid.uuid4, unique=True)
    occurrence = models.ForeignKey(
        Occurrence,
        verbose_name=_("observation"),
        on_delete=models.CASCADE,
        related_name="media",
    )
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices)
    content_type = models.CharField(
        _("type de contenu"), max_length=20, choices=CONTENT_TYPES
    )
    file = models.FileField(_("fichier"), upload_to=media_path, max_length=200)
    thumbnail = models.FileField(
        _("miniature"), upload_to=thumbnail_path, max_length=200, blank=True
    )
    size = models.PositiveIntegerField(_("taille (octets)"))
    taken_at = models.DateTimeField(_("prise de vue (EXIF)"), null=True, blank=True)

    class Meta:
        verbose_name = _("média d'une observation")
        verbose_name_plural = _("médias des observations")
        ordering = ["occurrence_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.uuid}"

    @property
    def is_photo(self) -> bool:
        return self.kind == PHOTO
