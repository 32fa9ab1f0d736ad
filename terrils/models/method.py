"""The standardised evaluation method, as versioned data: groups and their protocol,
patrimonial species and habitat lists, and the scoring parameters (shared/domain/
protocols.md §6). A score always names the version it was computed with."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from referentiel.models import AtlasGroup, Rarity, RedList, Taxon

# Default points (protocols.md §6 proposal): rarer or more threatened = more points.
DEFAULT_RARITY_POINTS = {
    "E": 8,
    "RR": 7,
    "R": 6,
    "AR": 5,
    "PC": 4,
    "AC": 3,
    "C": 2,
    "CC": 1,
}
DEFAULT_THREAT_POINTS = {"CR": 8, "EN": 6, "VU": 4, "NT": 2}
# Total score → class, for the ranking map: (lower bound, label), from the top.
DEFAULT_SCORE_CLASSES = [
    [150, "Exceptionnel"],
    [100, "Très fort"],
    [60, "Fort"],
    [30, "Moyen"],
    [0, "Faible"],
]


def default_rarity_points() -> dict:
    return dict(DEFAULT_RARITY_POINTS)


def default_threat_points() -> dict:
    return dict(DEFAULT_THREAT_POINTS)


def default_score_classes() -> list:
    return [list(row) for row in DEFAULT_SCORE_CLASSES]


class GroupCode(models.TextChoices):
    AMPHIBIANS = "amphibiens", _("Amphibiens")
    REPTILES = "reptiles", _("Reptiles")
    BREEDING_BIRDS = "oiseaux_nicheurs", _("Oiseaux nicheurs")
    ORTHOPTERA = "orthopteres", _("Orthoptères")
    LADYBIRDS = "coccinelles", _("Coccinelles")
    FLORA = "flore", _("Flore")
    HABITATS = "habitats", _("Habitats patrimoniaux")


class MethodVersion(models.Model):
    class Combine(models.TextChoices):
        SUM = "somme", _("Rareté + menace + bonus")
        MAX = "max", _("Max(rareté, menace) + bonus")

    code = models.SlugField(_("code"), max_length=20, unique=True)
    date = models.DateField(_("date"))
    notes = models.TextField(_("notes"), blank=True)
    is_current = models.BooleanField(
        _("version en vigueur"),
        default=False,
        help_text=_("Version utilisée par défaut pour les classements."),
    )
    rarity_points = models.JSONField(
        _("points par classe de rareté"), default=default_rarity_points
    )
    threat_points = models.JSONField(
        _("points par catégorie de menace"), default=default_threat_points
    )
    protection_bonus = models.DecimalField(
        _("bonus espèce protégée"), max_digits=5, decimal_places=2, default=Decimal(1)
    )
    znieff_bonus = models.DecimalField(
        _("bonus déterminante ZNIEFF"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(1),
    )
    combine = models.CharField(
        _("règle de combinaison"),
        max_length=10,
        choices=Combine.choices,
        default=Combine.SUM,
        help_text=_(
            "Valeur d'une espèce ; la note du terril est la somme des notes de groupe "
            "pondérées."
        ),
    )
    score_classes = models.JSONField(
        _("classes de note"),
        default=default_score_classes,
        help_text=_("[[seuil, libellé], …] du plus haut au plus bas."),
    )

    class Meta:
        verbose_name = _("version de la méthode")
        verbose_name_plural = _("versions de la méthode")
        ordering = ["-date", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="terrils_one_current_method",
                violation_error_message=_("Une seule version peut être en vigueur."),
            )
        ]

    def __str__(self) -> str:
        return f"Méthode {self.code}"

    def clean(self) -> None:
        errors = {}
        if set(self.rarity_points) - set(Rarity.values):
            errors["rarity_points"] = _("Classes de rareté inconnues.")
        if set(self.threat_points) - set(RedList.values):
            errors["threat_points"] = _("Catégories de menace inconnues.")
        for name in ("rarity_points", "threat_points"):
            values = getattr(self, name).values()
            if not all(isinstance(v, int | float) and v >= 0 for v in values):
                errors[name] = _("Les points doivent être des nombres positifs.")
        if errors:
            raise ValidationError(errors)

    def score_class(self, total) -> str:
        for bound, label in self.score_classes:
            if total >= bound:
                return label
        return ""


class MethodGroup(models.Model):
    """A group surveyed by a method version, with its protocol and weight."""

    version = models.ForeignKey(
        MethodVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="groups",
    )
    code = models.CharField(_("groupe"), max_length=20, choices=GroupCode.choices)
    atlas_group = models.ForeignKey(
        AtlasGroup,
        verbose_name=_("groupe d'atlas"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="terril_method_groups",
    )
    visits = models.PositiveSmallIntegerField(_("nombre de passages"), default=3)
    period_start = models.PositiveSmallIntegerField(_("premier mois"), default=3)
    period_end = models.PositiveSmallIntegerField(_("dernier mois"), default=9)
    protocol = models.TextField(_("protocole"), blank=True)
    weight = models.DecimalField(
        _("pondération"), max_digits=5, decimal_places=2, default=Decimal(1)
    )

    class Meta:
        verbose_name = _("groupe évalué")
        verbose_name_plural = _("groupes évalués")
        ordering = ["version", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"], name="terrils_group_once_per_version"
            ),
            models.CheckConstraint(
                condition=Q(period_start__gte=1, period_start__lte=12)
                & Q(period_end__gte=1, period_end__lte=12),
                name="terrils_group_period_months",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} ({self.version.code})"


class PatrimonialSpecies(models.Model):
    group = models.ForeignKey(
        MethodGroup,
        verbose_name=_("groupe"),
        on_delete=models.CASCADE,
        related_name="species",
    )
    taxon = models.ForeignKey(
        Taxon,
        verbose_name=_("taxon"),
        on_delete=models.PROTECT,
        related_name="terril_patrimonial_entries",
    )
    rarity = models.CharField(
        _("rareté régionale"), max_length=2, choices=Rarity.choices
    )
    threat = models.CharField(
        _("menace (liste rouge)"), max_length=2, choices=RedList.choices, blank=True
    )
    is_protected = models.BooleanField(_("protégée"), default=False)
    is_znieff_determinant = models.BooleanField(_("déterminante ZNIEFF"), default=False)

    class Meta:
        verbose_name = _("espèce de la liste")
        verbose_name_plural = _("espèces des listes")
        ordering = ["group", "taxon__scientific_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "taxon"], name="terrils_species_once_per_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.taxon} ({self.rarity})"


class PatrimonialHabitat(models.Model):
    group = models.ForeignKey(
        MethodGroup,
        verbose_name=_("groupe"),
        on_delete=models.CASCADE,
        related_name="habitats",
    )
    code = models.CharField(_("code (EUNIS / Corine)"), max_length=20)
    name = models.CharField(_("intitulé"), max_length=200)
    rarity = models.CharField(
        _("rareté régionale"), max_length=2, choices=Rarity.choices
    )
    threat = models.CharField(
        _("menace"), max_length=2, choices=RedList.choices, blank=True
    )
    is_znieff_determinant = models.BooleanField(_("déterminant ZNIEFF"), default=False)

    class Meta:
        verbose_name = _("habitat patrimonial")
        verbose_name_plural = _("habitats patrimoniaux")
        ordering = ["group", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "code"], name="terrils_habitat_once_per_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
