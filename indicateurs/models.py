"""The annual report files: one row per request (a coordinator's button, or the January
schedule), followed by its page while a Celery worker writes it. ``indicateurs`` owns no
field data (DESIGN §1): this is a job log."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.jobs.models import Job, job_status_field
from cpie_naturaliste.core.models import TimeStampedModel


class AnnualReport(Job):
    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Prêt")
        FAILED = "failed", _("Échec")

    year = models.PositiveSmallIntegerField(_("année"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="annual_reports",
        help_text=_("Vide : bilan lancé par le calendrier annuel."),
    )
    status = job_status_field(Status)
    file = models.FileField(_("fichier"), upload_to="rapports/", blank=True)

    class Meta:
        verbose_name = _("bilan annuel")
        verbose_name_plural = _("bilans annuels")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Bilan {self.year} ({self.get_status_display()})"

    @property
    def filename(self) -> str:
        return f"bilan-{self.year}.xlsx"


class RemarkableFind(TimeStampedModel):
    """A coordinator's decision on a detected find (indicateurs.finds): confirmed or set
    aside, commented, picked for the report. Detection stays live; this row only keeps
    what the coordinator said about it.

    One decision per organisation, year, taxon (its valid name, ``cd_ref``) and kind of
    find: a find names its taxon once whatever the départements or territory it is new
    to, and a structure's decision never overwrites another's (``organisation`` is the
    deciding coordinator's; empty for a reader of no organisation). ``occurrence`` is the
    record the find was shown with when decided (its first record of the year)."""

    class Kind(models.TextChoices):
        FIRST_DEPARTEMENT = "first_departement", _("Première mention départementale")
        FIRST_TERRITORY = "first_territory", _("Première mention sur le territoire")
        RETURN = "return", _("Retour après une longue absence")
        RARE = "rare", _("Espèce rare ou menacée")

    class Status(models.TextChoices):
        TO_CONFIRM = "a_confirmer", _("À confirmer")
        CONFIRMED = "confirmee", _("Confirmée")
        REJECTED = "ecartee", _("Écartée")

    occurrence = models.ForeignKey(
        "observations.Occurrence",
        verbose_name=_("observation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    organisation = models.ForeignKey(
        "referentiel.Organisation",
        verbose_name=_("organisme"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("année"))
    cd_ref = models.IntegerField(_("cd_ref du taxon"))
    status = models.CharField(
        _("statut"), max_length=12, choices=Status.choices, default=Status.TO_CONFIRM
    )
    in_report = models.BooleanField(_("retenue pour le bilan"), default=False)
    comment = models.TextField(_("commentaire"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidé par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("découverte remarquable")
        verbose_name_plural = _("découvertes remarquables")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "cd_ref", "kind"],
                name="indic_find_decided_once",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.cd_ref} ({self.year})"

    def save(self, *args, **kwargs):
        # By default, the taxon and year of the record the find was shown with.
        if self.year is None:
            self.year = self.occurrence.date_start.year
        if self.cd_ref is None:
            self.cd_ref = self.occurrence.taxon.cd_ref
        super().save(*args, **kwargs)


class TaxonPresence(models.Model):
    """The years with valid presence records of a taxon (its valid name, ``cd_ref``) in a
    zone: the history the finds are read against (indicateurs.finds). A zone is a
    département (``dep:62``) or an organisation's territory (``org:<id>``, referentiel
    Organisation.territory_communes, by the record's main commune).

    One row per taxon and zone (30,000 rows for 1,000,000 records, where a row per year
    made 280,000): the finds of a year read a few thousand of them.

    Derived data, rebuilt whole by :func:`indicateurs.summary.presence_summary_refresh`
    (a Celery task after imports and validations, every quarter of an hour, or a
    coordinator's button); :class:`SummaryRefresh` says when."""

    cd_ref = models.IntegerField(_("cd_ref"))
    zone = models.CharField(_("zone"), max_length=20)
    years = ArrayField(models.SmallIntegerField(), verbose_name=_("années"))
    # Valid records of each year of ``years`` (same order): the regional abundance that
    # keeps common taxa out of the finds (INDICATEURS_COMMON_RECORDS).
    counts = ArrayField(
        models.PositiveIntegerField(), verbose_name=_("données par année"), default=list
    )
    records = models.PositiveIntegerField(_("données"))

    class Meta:
        verbose_name = _("présence d'un taxon")
        verbose_name_plural = _("présences des taxons")
        constraints = [
            models.UniqueConstraint(
                fields=["cd_ref", "zone"], name="indic_presence_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cd_ref} {self.zone} ({self.records})"


class SummaryRefresh(models.Model):
    """When a summary table was last rebuilt, and what it cost."""

    name = models.CharField(_("table"), max_length=40, unique=True)
    refreshed_at = models.DateTimeField(_("recalculée le"))
    seconds = models.FloatField(_("durée (s)"))
    rows = models.PositiveIntegerField(_("lignes"))

    class Meta:
        verbose_name = _("recalcul de table de synthèse")
        verbose_name_plural = _("recalculs de tables de synthèse")

    def __str__(self) -> str:
        return f"{self.name} ({self.refreshed_at:%d/%m/%Y %H:%M})"


class IndicatorSnapshot(models.Model):
    """The indicators of a year as one coordinator reads them (the whole answer of
    :func:`indicateurs.services.indicators_for_year`), kept so that the dashboard answers
    in milliseconds instead of the seconds the computation takes on a million records.

    ``generation`` is the data generation read before the computation
    (:mod:`cpie_naturaliste.core.generation`: a PostgreSQL sequence advanced by every
    change to the field data): the snapshot is fresh while the sequence has not moved
    (:mod:`indicateurs.snapshots`). Derived data, recomputed by a Celery task after
    changes, every quarter of an hour, or on demand;
    the page says when it was computed and whether data changed since."""

    year = models.PositiveSmallIntegerField(_("année"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lecteur"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    generation = models.BigIntegerField(_("génération des données"))
    indicators = models.JSONField(_("indicateurs"))
    computed_at = models.DateTimeField(_("calculés le"))
    seconds = models.FloatField(_("durée du calcul (s)"))
    viewed_at = models.DateTimeField(_("consultés le"))

    class Meta:
        verbose_name = _("indicateurs calculés")
        verbose_name_plural = _("indicateurs calculés")
        constraints = [
            models.UniqueConstraint(fields=["year", "user"], name="indic_snapshot_once")
        ]

    def __str__(self) -> str:
        return f"{self.year} – {self.user_id} ({self.computed_at:%d/%m/%Y %H:%M})"
