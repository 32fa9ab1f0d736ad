"""The annual report files: one row per request (a coordinator's button, or the January
schedule), followed by its page while a Celery worker writes it. ``indicateurs`` owns no
field data (DESIGN §1): this is a job log."""

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.jobs.models import Job, job_status_field
from cpie_naturaliste.core.models import TimeStampedModel


def report_filename(year: int, structure: str | None, extension: str = "xlsx") -> str:
    """``bilan-2020-cpie-chaine-des-terrils.xlsx``: the year and the structure, slugified
    (``bilan-2020.xlsx`` for a network-wide reader with no structure)."""
    slug = slugify(structure or "")
    return f"bilan-{year}{f'-{slug}' if slug else ''}.{extension}"


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
    structure = models.ForeignKey(
        "referentiel.Organisation",
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "Le bilan d'une structure demandé par la coordination régionale ; vide : "
            "celui du périmètre du demandeur."
        ),
    )

    class Meta:
        verbose_name = _("bilan annuel")
        verbose_name_plural = _("bilans annuels")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Bilan {self.year} ({self.get_status_display()})"

    @property
    def structure_name(self) -> str | None:
        """The name of the structure the report is of (the one asked for, else its
        requester's), None for the network."""
        organisation = self.structure
        if organisation is None and self.requested_by is not None:
            organisation = self.requested_by.organisation
        return organisation.name if organisation is not None else None

    @property
    def filename(self) -> str:
        """``bilan-2020-cpie-chaine-des-terrils.xlsx``."""
        return report_filename(self.year, self.structure_name)


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
    structure = models.ForeignKey(
        "referentiel.Organisation",
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "Vide : le périmètre du lecteur ; sinon, les chiffres de cette structure "
            "lus par un coordinateur régional."
        ),
    )
    generation = models.BigIntegerField(_("génération des données"))
    indicators = models.JSONField(_("indicateurs"))
    figures = models.JSONField(
        _("chiffres clés"),
        default=dict,
        help_text=_(
            "Les chiffres des tableaux de l'année et de la précédente ({clé: valeur}) : "
            "les séries pluriannuelles du tableau de bord les lisent sans ouvrir les "
            "indicateurs entiers."
        ),
    )
    computed_at = models.DateTimeField(_("calculés le"))
    seconds = models.FloatField(_("durée du calcul (s)"))
    viewed_at = models.DateTimeField(_("consultés le"))

    class Meta:
        verbose_name = _("indicateurs calculés")
        verbose_name_plural = _("indicateurs calculés")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "user", "structure"],
                name="indic_snapshot_once",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} – {self.user_id} ({self.computed_at:%d/%m/%Y %H:%M})"


class ActionNarrative(TimeStampedModel):
    """The text a coordinator writes for one action of a structure's annual report (what
    the figures do not say: context, highlights, difficulties), shown on the dashboard
    and carried into the print page and the workbook. Limited Markdown (paragraphs,
    lists, bold, italics), rendered without HTML (:mod:`indicateurs.narratives`)."""

    class Action(models.IntegerChoices):
        ONE = 1, _("Action 1")
        TWO = 2, _("Action 2")
        THREE = 3, _("Action 3")

    organisation = models.ForeignKey(
        "referentiel.Organisation",
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("année"))
    action = models.PositiveSmallIntegerField(_("action"), choices=Action.choices)
    text = models.TextField(_("texte"), blank=True, max_length=20000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("modifié par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("récit d'une action")
        verbose_name_plural = _("récits des actions")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "action"], name="indic_narrative_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year} action {self.action}"


def share_expiry_default():
    from django.utils import timezone

    return timezone.now() + dt.timedelta(days=30)


class ShareLink(TimeStampedModel):
    """A read-only link to a structure's printable report of one year, for the Region's
    officer (no account): the URL carries a signed token (:mod:`indicateurs.sharing`),
    valid until ``expires_at`` unless revoked. Each creation, revocation and opening is
    written to :class:`ShareLinkEvent`."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "referentiel.Organisation",
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("année"))
    recipient = models.CharField(
        _("destinataire"),
        max_length=200,
        help_text=_("Ex. « Chargée de mission biodiversité, Région Hauts-de-France »."),
    )
    expires_at = models.DateTimeField(_("expire le"), default=share_expiry_default)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("lien de partage du bilan")
        verbose_name_plural = _("liens de partage du bilan")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Bilan {self.year} – {self.recipient}"


class ShareLinkEvent(models.Model):
    """The exchange log of the share links: who created or revoked a link, and each
    opening (when, from which address)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Lien créé")
        REVOKED = "revoked", _("Lien révoqué")
        OPENED = "opened", _("Bilan consulté")
        REFUSED = "refused", _("Ouverture refusée")

    link = models.ForeignKey(
        ShareLink,
        verbose_name=_("lien"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("événement"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("le"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    address = models.GenericIPAddressField(_("adresse"), null=True, blank=True)

    class Meta:
        verbose_name = _("journal d'un lien de partage")
        verbose_name_plural = _("journal des liens de partage")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.at:%d/%m/%Y %H:%M}"
