"""SINP sensitivity rules as data: which occurrences are sensitive, where, when, how much.

A rule names a TAXREF taxon and applies to its synonyms and to every valid name below it
(``taxon_refs``, the expanded cd_ref list, kept up to date by the services). The level of an
occurrence is computed in SQL by ``observations.services.derived`` (highest matching level).
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .taxa import Taxon, descendant_refs_sql

MONTH = [MinValueValidator(1), MaxValueValidator(12)]
DAY = [MinValueValidator(1), MaxValueValidator(31)]
PERIOD_FIELDS = ("start_month", "start_day", "end_month", "end_day")

# Level → the area a record of that level is blurred to: its name and « à l'échelle … ».
BLURRED_AREAS = {
    1: ("commune", "de la commune"),
    2: ("maille 10 km", "de la maille 10 km"),
    3: ("département", "du département"),
}


class SensitivityLevel(models.IntegerChoices):
    """The SINP sensitivity levels. A reader not cleared for a record of level 1–3 sees it
    blurred to its commune, its 10 km cell or its département; level 4 is not shown."""

    PRECISE = 0, _("0 – diffusion précise")
    COMMUNE = 1, _("1 – commune")
    GRID_10KM = 2, _("2 – maille 10 km")
    DEPARTEMENT = 3, _("3 – département")
    WITHHELD = 4, _("4 – aucune diffusion")

    @property
    def area(self) -> str:
        """The blurred area (« commune », « maille 10 km », « département »); empty for
        levels 0 and 4."""
        return BLURRED_AREAS.get(self.value, ("", ""))[0]

    @property
    def area_scale(self) -> str:
        """The blurred area after « à l'échelle » (« de la commune »…)."""
        return BLURRED_AREAS.get(self.value, ("", ""))[1]

    @classmethod
    def areas_label(cls) -> str:
        """Every blurred area, for a sentence: « commune, maille 10 km ou département »."""
        *first, last = (area for area, _scale in BLURRED_AREAS.values())
        return f"{', '.join(first)} ou {last}"


class SensitivityRule(models.Model):
    """One row of a regional sensitivity référentiel (MNHN method, GeoNature's algorithm)."""

    taxon = models.ForeignKey(
        "referentiel.Taxon",
        verbose_name=_("taxon"),
        to_field="cd_nom",
        on_delete=models.PROTECT,
        related_name="sensitivity_rules",
        help_text=_("La règle s'applique au taxon, à ses synonymes et descendants."),
    )
    departement = models.ForeignKey(
        "referentiel.Departement",
        verbose_name=_("département"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sensitivity_rules",
        help_text=_("Vide : partout."),
    )
    start_month = models.PositiveSmallIntegerField(
        _("mois de début"), null=True, blank=True, validators=MONTH
    )
    start_day = models.PositiveSmallIntegerField(
        _("jour de début"), null=True, blank=True, validators=DAY
    )
    end_month = models.PositiveSmallIntegerField(
        _("mois de fin"), null=True, blank=True, validators=MONTH
    )
    end_day = models.PositiveSmallIntegerField(
        _("jour de fin"), null=True, blank=True, validators=DAY
    )
    bio_statuses = ArrayField(
        models.CharField(max_length=2),
        verbose_name=_("statuts biologiques (codes SINP)"),
        default=list,
        blank=True,
        help_text=_(
            "Vide : tout statut. « Inconnu » et « non renseigné » correspondent."
        ),
    )
    behaviours = ArrayField(
        models.CharField(max_length=2),
        verbose_name=_("comportements (codes SINP)"),
        default=list,
        blank=True,
        help_text=_(
            "Vide : tout comportement. « Inconnu » et « non renseigné » aussi."
        ),
    )
    duration_years = models.PositiveSmallIntegerField(
        _("durée (années)"),
        null=True,
        blank=True,
        help_text=_("Vide : sans limite. Sinon, données des N dernières années."),
    )
    level = models.PositiveSmallIntegerField(
        _("niveau de sensibilité"),
        validators=[MaxValueValidator(4)],
        choices=SensitivityLevel.choices,
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # cd_ref of the taxon and of every valid name below it (filled by the services).
    taxon_refs = ArrayField(
        models.IntegerField(),
        verbose_name=_("taxons couverts (cd_ref)"),
        default=list,
        editable=False,
    )

    class Meta:
        verbose_name = _("règle de sensibilité")
        verbose_name_plural = _("règles de sensibilité")
        ordering = ["taxon_id", "id"]
        indexes = [GinIndex(fields=["taxon_refs"], name="sensi_rule_taxon_refs")]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__lte=4),
                name="sensi_rule_level_0_4",
                violation_error_message=_("Niveau de sensibilité de 0 à 4."),
            ),
            models.CheckConstraint(
                condition=Q(
                    start_month__isnull=True,
                    start_day__isnull=True,
                    end_month__isnull=True,
                    end_day__isnull=True,
                )
                | Q(
                    start_month__gte=1,
                    start_month__lte=12,
                    end_month__gte=1,
                    end_month__lte=12,
                    start_day__gte=1,
                    start_day__lte=31,
                    end_day__gte=1,
                    end_day__lte=31,
                ),
                name="sensi_rule_period",
                violation_error_message=_(
                    "Période : renseigner début et fin (mois et jour), ou rien."
                ),
            ),
        ]

    def __str__(self) -> str:
        where = self.departement_id or _("partout")
        return f"{self.taxon_id} – {where} – {_('niveau')} {self.level}"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        # The expansion is what occurrence levels match on: never leave a saved rule without it.
        sensitivity_rules_refresh_taxa(ids=[self.pk])
        self.refresh_from_db(fields=["taxon_refs"])

    def clean(self) -> None:
        filled = [getattr(self, name) is not None for name in PERIOD_FIELDS]
        if any(filled) and not all(filled):
            raise ValidationError(
                _("Période : renseigner début et fin (mois et jour), ou rien.")
            )


def _refs_sql() -> str:
    """cd_ref of the rule's taxon (``r``) and of the valid names below it, sorted."""
    root = (
        f"(SELECT t.cd_ref FROM {Taxon._meta.db_table} t WHERE t.cd_nom = r.taxon_id)"
    )
    return (
        f"ARRAY(SELECT cd_nom FROM ({descendant_refs_sql(root)}) refs ORDER BY cd_nom)"
    )


def sensitivity_rules_refresh_taxa(*, ids: list[int] | None = None) -> int:
    """Recompute ``taxon_refs`` of the given rules (all if ``ids`` is None); returns how
    many changed."""
    where = "" if ids is None else " AND r.id = ANY(%s)"
    params = [] if ids is None else [list(ids)]
    refs = _refs_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {SensitivityRule._meta.db_table} r SET taxon_refs = {refs}"
            f" WHERE r.taxon_refs IS DISTINCT FROM {refs}{where}",
            params,
        )
        return cursor.rowcount
