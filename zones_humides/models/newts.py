"""Photo-identification of Great crested newts (Triturus cristatus): each capture keeps
a belly photo (the pattern of black spots is unique to an animal) and, once a person has
compared it with the candidates, the individual it shows. An individual's captures are
its capture history (capture–recapture)."""

import uuid

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.models import TrackedModel
from referentiel.models import Dataset, Site

from .fences import FenceCheck
from .pop import PopPassage

TRITURUS_CRISTATUS_CD_NOM = 139


class NewtSex(models.TextChoices):
    MALE = "male", _("Mâle")
    FEMALE = "female", _("Femelle")
    UNDETERMINED = "undetermined", _("Indéterminé")


def newt_photo_path(instance, filename: str) -> str:
    # The name sent by the browser is never used: a random one, the type's extension.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"zones_humides/tritons/{uuid.uuid4().hex}.{extension}"


def newt_thumbnail_path(instance, filename: str) -> str:
    return f"zones_humides/tritons/miniatures/{uuid.uuid4().hex}.jpg"


class NewtIndividual(TrackedModel):
    """A Great crested newt recognised by its belly pattern (code ``TC-<year>-<n>``)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    sex = models.CharField(
        _("sexe"), max_length=12, choices=NewtSex.choices, blank=True
    )
    first_seen = models.DateField(_("vu pour la première fois le"))
    first_site = models.ForeignKey(
        Site,
        verbose_name=_("site de première capture"),
        on_delete=models.PROTECT,
        related_name="newt_individuals",
    )
    dataset = models.ForeignKey(
        Dataset,
        verbose_name=_("jeu de données"),
        on_delete=models.PROTECT,
        related_name="newt_individuals",
    )
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("triton crêté identifié")
        verbose_name_plural = _("tritons crêtés identifiés")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class NewtCapture(TrackedModel):
    """A Great crested newt in hand, photographed: at a drift-fence check, a POP
    passage, or on its own."""

    date = models.DateField(_("date"))
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="newt_captures",
    )
    dataset = models.ForeignKey(
        Dataset,
        verbose_name=_("jeu de données"),
        on_delete=models.PROTECT,
        related_name="newt_captures",
    )
    fence_check = models.ForeignKey(
        FenceCheck,
        verbose_name=_("relevé de barrière"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="newt_captures",
    )
    passage = models.ForeignKey(
        PopPassage,
        verbose_name=_("passage POP"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="newt_captures",
    )
    individual = models.ForeignKey(
        NewtIndividual,
        verbose_name=_("individu"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="captures",
    )
    sex = models.CharField(
        _("sexe"), max_length=12, choices=NewtSex.choices, blank=True
    )
    photo = models.FileField(_("photo du ventre"), upload_to=newt_photo_path)
    thumbnail = models.FileField(
        _("miniature"), upload_to=newt_thumbnail_path, blank=True
    )
    comment = models.CharField(_("commentaire"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("capture de triton crêté")
        verbose_name_plural = _("captures de tritons crêtés")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["site", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fence_check__isnull=True)
                | models.Q(passage__isnull=True),
                name="zh_newt_capture_one_context",
            )
        ]

    def __str__(self) -> str:
        who = self.individual.code if self.individual_id else _("à identifier")
        return f"{who} – {self.site} ({self.date:%d/%m/%Y})"
