"""Citizen-science campaigns ("Un dragon dans mon jardin") and the public's reports.

A report is stored as soon as the form is accepted, but it only becomes an occurrence
(source "campagne", waiting for validation) once its author has confirmed their email
address through the signed link they receive: a report never confirmed stays here and is
never published."""

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.models import TimeStampedModel
from observations.models import PublishedOccurrenceMixin
from referentiel.models import Dataset, Organisation, Programme, Taxon


class Campaign(TimeStampedModel):
    slug = models.SlugField(_("identifiant d'URL"), max_length=80, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    summary = models.CharField(_("accroche"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="sensibilisation_campaigns",
    )
    dataset = models.ForeignKey(
        Dataset,
        verbose_name=_("jeu de données"),
        on_delete=models.PROTECT,
        related_name="sensibilisation_campaigns",
        help_text=_("Jeu de données où sont publiés les signalements confirmés."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisme"),
        on_delete=models.PROTECT,
        related_name="sensibilisation_campaigns",
    )
    date_start = models.DateField(_("début"))
    date_end = models.DateField(_("fin"), null=True, blank=True)
    is_open = models.BooleanField(
        _("ouverte au public"),
        default=True,
        help_text=_("Une campagne ouverte accepte les signalements du public."),
    )

    class Meta:
        verbose_name = _("campagne participative")
        verbose_name_plural = _("campagnes participatives")
        ordering = ["-date_start", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_end__isnull=True)
                | Q(date_start__lte=models.F("date_end")),
                name="campaign_dates_ordered",
                violation_error_message=_("La fin précède le début de la campagne."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class CampaignSpecies(models.Model):
    """A species the public may report in a campaign, with an optional picture."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campagne"),
        on_delete=models.CASCADE,
        related_name="species",
    )
    taxon = models.ForeignKey(
        Taxon,
        verbose_name=_("taxon"),
        on_delete=models.PROTECT,
        related_name="sensibilisation_campaign_species",
    )
    common_name = models.CharField(_("nom français"), max_length=150)
    hint = models.CharField(_("aide à l'identification"), max_length=300, blank=True)
    picture = models.FileField(
        _("illustration"),
        upload_to="sensibilisation/especes/",
        blank=True,
        help_text=_("Dessin SVG ou photo libre de droits (facultatif)."),
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("espèce de campagne")
        verbose_name_plural = _("espèces de campagne")
        ordering = ["campaign", "position", "common_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "taxon"], name="campaign_species_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.common_name} ({self.taxon.scientific_name})"


class Report(TimeStampedModel, PublishedOccurrenceMixin):
    """One sighting sent by a member of the public through a campaign form."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente de confirmation du courriel")
        CONFIRMED = "confirmed", _("Confirmé (observation créée)")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campagne"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    species = models.ForeignKey(
        CampaignSpecies,
        verbose_name=_("espèce"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    observed_on = models.DateField(_("date d'observation"))
    geom = models.PointField(_("lieu"), srid=settings.SRID)
    precision_m = models.PositiveIntegerField(_("précision (m)"), null=True)
    address = models.CharField(_("adresse ou lieu-dit"), max_length=200, blank=True)
    count = models.PositiveIntegerField(_("nombre d'individus"), default=1)
    comment = models.CharField(_("commentaire"), max_length=500, blank=True)
    photo = models.FileField(
        _("photo"), upload_to="sensibilisation/signalements/", blank=True
    )
    email = models.EmailField(_("courriel"), blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    confirmed_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)
    client_hash = models.CharField(
        _("empreinte de l'adresse IP"),
        max_length=64,
        blank=True,
        help_text=_("Empreinte (jamais l'adresse elle-même), pour repérer les abus."),
    )

    class Meta:
        default_related_name = "campaign_report"
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["campaign", "status"], name="report_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(count__gte=1) & Q(count__lte=10000),
                name="report_count_range",
                violation_error_message=_("Le nombre doit être entre 1 et 10 000."),
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(confirmed_at__isnull=False),
                name="report_confirmed_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.species.common_name} – {self.observed_on:%d/%m/%Y}"
