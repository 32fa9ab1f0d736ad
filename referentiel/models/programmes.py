"""Monitoring programmes and SINP datasets (jeux de données)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.models import TimeStampedModel

from .accounts import Organisation, Scope


class ProgrammeQuerySet(models.QuerySet):
    def active_in(self, year: int) -> "ProgrammeQuerySet":
        return self.filter(
            models.Q(start_year__isnull=True) | models.Q(start_year__lte=year),
            models.Q(end_year__isnull=True) | models.Q(end_year__gte=year),
        )


class ReportLine(models.IntegerChoices):
    """The three actions of the annual report to the Region: a programme's, and an outreach
    action's (``sensibilisation.models.ActionLine`` is this one)."""

    KNOWLEDGE = 1, _("Action 1 – connaissance de la biodiversité « ordinaire »")
    WETLANDS = 2, _("Action 2 – zones humides du bassin minier")
    PARTICIPATORY = 3, _("Action 3 – biodiversité participative avec le public")


class Programme(TimeStampedModel):
    class Level(models.TextChoices):
        INTERNATIONAL = "international", _("International")
        NATIONAL = "national", _("National")
        REGIONAL = "regional", _("Régional")
        LOCAL = "local", _("Local")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    level = models.CharField(
        _("échelle"), max_length=20, choices=Level.choices, default=Level.LOCAL
    )
    protocol = models.TextField(_("protocole"), blank=True)
    description = models.TextField(_("description"), blank=True)
    taxon_groups = models.ManyToManyField(
        "referentiel.AtlasGroup",
        verbose_name=_("groupes taxonomiques"),
        blank=True,
        related_name="programmes",
    )
    coordinator = models.ForeignKey(
        Organisation,
        verbose_name=_("organisme coordinateur"),
        on_delete=models.PROTECT,
        related_name="coordinated_programmes",
    )
    partners = models.ManyToManyField(
        Organisation,
        verbose_name=_("partenaires"),
        blank=True,
        related_name="partner_programmes",
    )
    start_year = models.PositiveSmallIntegerField(
        _("année de début"), null=True, blank=True
    )
    end_year = models.PositiveSmallIntegerField(
        _("année de fin"), null=True, blank=True
    )
    report_line = models.PositiveSmallIntegerField(
        _("action du bilan"),
        choices=ReportLine.choices,
        null=True,
        blank=True,
        default=ReportLine.KNOWLEDGE,
        help_text=_(
            "Action du bilan annuel dont relève le programme : ses programmes de suivi "
            "et études sont comptés dans cette action. Vide pour l'inventaire général "
            "(données hors protocole), compté dans aucune."
        ),
    )

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__isnull=True)
                | models.Q(start_year__isnull=True)
                | models.Q(start_year__lte=models.F("end_year")),
                name="programme_years_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class DatasetQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DatasetQuerySet":
        """Datasets a user may read: public ones, their organisation's, or all for the network."""
        if not user.is_authenticated:
            return self.filter(is_public=True)
        if user.read_scope == Scope.ALL:
            return self
        return self.filter(
            models.Q(is_public=True) | models.Q(producer_id=user.organisation_id)
        )

    def writable_by(self, user) -> "DatasetQuerySet":
        """Datasets a user may enter data into: those of their organisation."""
        if not user.is_authenticated or user.write_scope is None:
            return self.none()
        if user.write_scope == Scope.ALL:
            return self
        return self.filter(producer_id=user.organisation_id)


class Dataset(TimeStampedModel):
    """A SINP "jeu de données" (idSINPJdd)."""

    class Licence(models.TextChoices):
        ETALAB = "etalab-2.0", _("Licence Ouverte / Open Licence 2.0")
        ODBL = "odbl", _("ODbL")
        CC_BY = "cc-by-4.0", _("CC-BY 4.0")
        RESTRICTED = "restreinte", _("Diffusion restreinte")

    uuid = models.UUIDField(
        _("identifiant SINP (idSINPJdd)"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
    )
    title = models.CharField(_("libellé"), max_length=255)
    short_title = models.CharField(_("libellé court"), max_length=50, blank=True)
    description = models.TextField(_("description"), blank=True)
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="datasets",
    )
    producer = models.ForeignKey(
        Organisation,
        verbose_name=_("organisme producteur"),
        on_delete=models.PROTECT,
        related_name="datasets",
    )
    licence = models.CharField(
        _("licence"), max_length=20, choices=Licence.choices, default=Licence.ETALAB
    )
    is_public = models.BooleanField(
        _("données publiques"),
        default=False,
        help_text=_("dSPublique : Pu (publiques) ou Pr (privées)."),
    )

    objects = DatasetQuerySet.as_manager()

    class Meta:
        verbose_name = _("jeu de données")
        verbose_name_plural = _("jeux de données")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
