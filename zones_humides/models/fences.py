"""Drift fences (barrières-pièges): fence → buckets; daily checks → counts per species,
sex and alive/dead."""

from django.contrib.gis.db import models
from django.contrib.postgres.functions import RandomUUID
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.models import TimeStampedModel, TrackedModel
from observations.models import PublishedOccurrenceMixin
from referentiel.models import Dataset, Person, Site, Taxon


class Direction(models.TextChoices):
    ALLER = "aller", _("Aller (vers le point d'eau)")
    RETOUR = "retour", _("Retour (depuis le point d'eau)")


class DriftFence(TimeStampedModel):
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="drift_fences",
    )
    name = models.CharField(_("nom"), max_length=200)
    length_m = models.PositiveIntegerField(_("longueur (m)"), null=True, blank=True)
    direction = models.CharField(
        _("sens de migration suivi"),
        max_length=10,
        choices=Direction.choices,
        default=Direction.ALLER,
    )
    first_year = models.PositiveSmallIntegerField(_("installée en"))
    dataset = models.ForeignKey(
        Dataset,
        verbose_name=_("jeu de données"),
        on_delete=models.PROTECT,
        related_name="drift_fences",
    )
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("barrière-piège")
        verbose_name_plural = _("barrières-pièges")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Bucket(models.Model):
    fence = models.ForeignKey(
        DriftFence,
        verbose_name=_("barrière"),
        on_delete=models.CASCADE,
        related_name="buckets",
    )
    number = models.PositiveSmallIntegerField(_("numéro"))
    direction = models.CharField(
        _("côté"), max_length=10, choices=Direction.choices, default=Direction.ALLER
    )

    class Meta:
        verbose_name = _("seau")
        verbose_name_plural = _("seaux")
        ordering = ["fence", "number"]
        constraints = [
            models.UniqueConstraint(fields=["fence", "number"], name="zh_bucket_number")
        ]

    def __str__(self) -> str:
        return f"Seau {self.number} ({self.get_direction_display()})"


class FenceCheck(TrackedModel):
    """The morning round of a fence: every bucket emptied and counted."""

    class Rain(models.TextChoices):
        NONE = "0", _("Pas de pluie")
        LIGHT = "1", _("Pluie faible")
        HEAVY = "2", _("Pluie forte")

    # Made by the device that entered it with no network (static/js/outbox.js): a
    # resend of the same round answers the one saved (zones_humides/api.py). Saving the
    # day's round again takes the new save's identifier.
    uuid = models.UUIDField(
        _("identifiant"), db_default=RandomUUID(), unique=True, editable=False
    )
    fence = models.ForeignKey(
        DriftFence,
        verbose_name=_("barrière"),
        on_delete=models.PROTECT,
        related_name="checks",
    )
    date = models.DateField(_("date"))
    time = models.TimeField(_("heure"), null=True, blank=True)
    temperature_c = models.DecimalField(
        _("température (°C)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    rain = models.CharField(
        _("pluie de la nuit"), max_length=1, choices=Rain.choices, default=Rain.NONE
    )
    observers = models.ManyToManyField(
        Person, verbose_name=_("observateurs"), related_name="fence_checks", blank=True
    )
    # The name as written before observers were people (imports, the API): kept when no
    # person of the referential answers to it unambiguously.
    observer = models.CharField(
        _("observateur (texte libre)"), max_length=200, blank=True
    )
    comment = models.CharField(_("commentaire"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("relevé de barrière")
        verbose_name_plural = _("relevés de barrière")
        ordering = ["fence", "date"]
        constraints = [
            models.UniqueConstraint(fields=["fence", "date"], name="zh_check_day")
        ]

    def __str__(self) -> str:
        return f"{self.fence} {self.date:%d/%m/%Y}"


class FenceCount(PublishedOccurrenceMixin):
    class Sex(models.TextChoices):
        MALE = "male", _("Mâle")
        FEMALE = "female", _("Femelle")
        AMPLEXUS = "amplexus", _("Couple en amplexus")
        JUVENILE = "juvenile", _("Juvénile")
        UNDETERMINED = "undetermined", _("Indéterminé")

    check_round = models.ForeignKey(
        FenceCheck,
        verbose_name=_("relevé"),
        on_delete=models.CASCADE,
        related_name="counts",
    )
    taxon = models.ForeignKey(
        Taxon,
        verbose_name=_("espèce"),
        on_delete=models.PROTECT,
        related_name="fence_counts",
    )
    sex = models.CharField(_("sexe"), max_length=12, choices=Sex.choices)
    alive = models.BooleanField(_("vivant"), default=True)
    count = models.PositiveIntegerField(_("nombre"))

    class Meta:
        default_related_name = "fence_count"
        verbose_name = _("comptage de barrière")
        verbose_name_plural = _("comptages de barrière")
        constraints = [
            models.UniqueConstraint(
                fields=["check_round", "taxon", "sex", "alive"],
                name="zh_fence_count_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(count__gt=0), name="zh_fence_count_positive"
            ),
        ]

    @property
    def individuals(self) -> int:
        """A couple in amplexus is two animals."""
        return self.count * 2 if self.sex == self.Sex.AMPLEXUS else self.count
