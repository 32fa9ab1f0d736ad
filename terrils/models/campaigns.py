"""Evaluation campaigns (a terril in a year, or its 2005–2012 "state zero"), their visits,
records and habitats, and the stored scores with their breakdown."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.models import TimeStampedModel
from observations.models import Occurrence, PublishedOccurrenceMixin
from referentiel.models import Dataset, Rarity, RedList, Taxon

from .method import GroupCode, MethodVersion
from .registry import Terril


class Campaign(TimeStampedModel):
    class Kind(models.TextChoices):
        EVALUATION = "evaluation", _("Évaluation")
        STATE_ZERO = "etat_zero", _("État zéro (2005–2012)")

    terril = models.ForeignKey(
        Terril,
        verbose_name=_("terril"),
        on_delete=models.CASCADE,
        related_name="campaigns",
    )
    kind = models.CharField(
        _("type"), max_length=10, choices=Kind.choices, default=Kind.EVALUATION
    )
    year = models.PositiveSmallIntegerField(_("année"))
    date_start = models.DateField(_("début"))
    date_end = models.DateField(_("fin"))
    dataset = models.ForeignKey(
        Dataset,
        verbose_name=_("jeu de données"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="terril_campaigns",
        help_text=_("Jeu des observations saisies depuis la campagne."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("campagne d'évaluation")
        verbose_name_plural = _("campagnes d'évaluation")
        ordering = ["terril", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["terril", "year"], name="terrils_campaign_once_a_year"
            ),
            models.UniqueConstraint(
                fields=["terril"],
                condition=Q(kind="etat_zero"),
                name="terrils_one_state_zero",
            ),
            models.CheckConstraint(
                condition=Q(date_end__gte=models.F("date_start")),
                name="terrils_campaign_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        label = "état zéro" if self.kind == self.Kind.STATE_ZERO else self.year
        return f"{self.terril.number} – {label}"

    @property
    def is_state_zero(self) -> bool:
        return self.kind == self.Kind.STATE_ZERO


class Visit(models.Model):
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campagne"),
        on_delete=models.CASCADE,
        related_name="visits",
    )
    group = models.CharField(_("groupe"), max_length=20, choices=GroupCode.choices)
    date = models.DateField(_("date"))
    observers = models.CharField(_("observateurs"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("passage")
        verbose_name_plural = _("passages")
        ordering = ["campaign", "group", "date"]

    def __str__(self) -> str:
        return f"{self.get_group_display()} {self.date:%d/%m/%Y}"


class CampaignRecord(PublishedOccurrenceMixin):
    """A record entered from the campaign page: the occurrence it published."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campagne"),
        on_delete=models.CASCADE,
        related_name="records",
    )
    group = models.CharField(_("groupe"), max_length=20, choices=GroupCode.choices)
    # A campaign record is its occurrence: deleted with it (the only required link).
    occurrence = models.OneToOneField(
        Occurrence,
        verbose_name=_("observation publiée"),
        on_delete=models.CASCADE,
        editable=False,
    )

    class Meta:
        default_related_name = "terril_record"
        verbose_name = _("donnée de campagne")
        verbose_name_plural = _("données de campagne")

    def __str__(self) -> str:
        return f"{self.campaign} : {self.occurrence_id}"


class StateZeroTaxon(models.Model):
    """A species of the 2005–2012 state zero, imported from its spreadsheet (no
    occurrence behind it: only the list survived)."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campagne"),
        on_delete=models.CASCADE,
        related_name="state_zero_taxa",
    )
    group = models.CharField(_("groupe"), max_length=20, choices=GroupCode.choices)
    taxon = models.ForeignKey(
        Taxon,
        verbose_name=_("taxon"),
        on_delete=models.PROTECT,
        related_name="terril_state_zero_entries",
    )

    class Meta:
        verbose_name = _("espèce de l'état zéro")
        verbose_name_plural = _("espèces de l'état zéro")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "group", "taxon"], name="terrils_state_zero_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} : {self.taxon_id}"


class HabitatObservation(models.Model):
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campagne"),
        on_delete=models.CASCADE,
        related_name="habitats",
    )
    code = models.CharField(_("code (EUNIS / Corine)"), max_length=20)
    name = models.CharField(_("intitulé"), max_length=200, blank=True)
    surface_m2 = models.PositiveIntegerField(_("surface (m²)"), null=True, blank=True)

    class Meta:
        verbose_name = _("habitat observé")
        verbose_name_plural = _("habitats observés")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "code"], name="terrils_habitat_once_per_campaign"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Score(models.Model):
    """The score of a campaign under one method version (recomputed, never edited)."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campagne"),
        on_delete=models.CASCADE,
        related_name="scores",
    )
    version = models.ForeignKey(
        MethodVersion,
        verbose_name=_("version de la méthode"),
        on_delete=models.PROTECT,
        related_name="scores",
    )
    total = models.DecimalField(_("note"), max_digits=9, decimal_places=2)
    species_count = models.PositiveIntegerField(_("espèces notées"), default=0)
    computed_at = models.DateTimeField(_("calculée le"), auto_now=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-total"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "version"], name="terrils_score_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} ({self.version.code}) : {self.total}"

    @property
    def score_class(self) -> str:
        return self.version.score_class(self.total)


class GroupScore(models.Model):
    score = models.ForeignKey(
        Score, on_delete=models.CASCADE, related_name="group_scores"
    )
    group = models.CharField(_("groupe"), max_length=20, choices=GroupCode.choices)
    raw = models.DecimalField(_("sous-note"), max_digits=9, decimal_places=2)
    weight = models.DecimalField(_("pondération"), max_digits=5, decimal_places=2)
    weighted = models.DecimalField(
        _("sous-note pondérée"), max_digits=9, decimal_places=2
    )

    class Meta:
        ordering = ["score", "id"]

    def __str__(self) -> str:
        return f"{self.group} : {self.weighted}"


class ScoreLine(models.Model):
    """One scored species or habitat: its class, points and bonus as applied."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="lines")
    group = models.CharField(_("groupe"), max_length=20, choices=GroupCode.choices)
    taxon = models.ForeignKey(
        Taxon, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    habitat_code = models.CharField(max_length=20, blank=True)
    label = models.CharField(_("espèce ou habitat"), max_length=300)
    rarity = models.CharField(_("rareté"), max_length=2, choices=Rarity.choices)
    threat = models.CharField(
        _("menace"), max_length=2, choices=RedList.choices, blank=True
    )
    rarity_points = models.DecimalField(max_digits=6, decimal_places=2)
    threat_points = models.DecimalField(max_digits=6, decimal_places=2)
    bonus = models.DecimalField(max_digits=6, decimal_places=2)
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2)

    class Meta:
        ordering = ["score", "id"]

    def __str__(self) -> str:
        return f"{self.label} : {self.points}"
