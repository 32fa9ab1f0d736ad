"""The terril registry: every spoil heap with its HBNPC number, shape, owners and status."""

from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.models import TimeStampedModel
from referentiel.models import Commune, Organisation, Site


class Protection(models.TextChoices):
    ENS = "ENS", _("Espace naturel sensible (ENS)")
    ZNIEFF1 = "ZNIEFF1", _("ZNIEFF de type I")
    ZNIEFF2 = "ZNIEFF2", _("ZNIEFF de type II")
    APPB = "APPB", _("Arrêté de protection de biotope (APPB)")
    N2000 = "N2000", _("Natura 2000")
    RNR = "RNR", _("Réserve naturelle régionale")


class Terril(TimeStampedModel):
    """A spoil heap of the mining basin, identified by its HBNPC number (``94-94a``,
    ``123-141``, ``70A``): one number may cover twin heaps."""

    class Shape(models.TextChoices):
        CONICAL = "conique", _("Conique")
        FLAT = "plat", _("Plat (tabulaire)")
        LEVELLED = "arase", _("Arasé")
        RIDGE = "allonge", _("Allongé")
        MIXED = "mixte", _("Mixte")

    class Access(models.TextChoices):
        OPEN = "libre", _("Accès libre")
        PARTIAL = "partiel", _("Accès partiel ou encadré")
        CLOSED = "interdit", _("Accès interdit")

    number = models.CharField(
        _("numéro"),
        max_length=20,
        unique=True,
        help_text=_("Numéro officiel HBNPC, par ex. 94-94a, 123-141, 70A."),
    )
    name = models.CharField(_("nom"), max_length=200)
    communes = models.ManyToManyField(
        Commune, verbose_name=_("communes"), blank=True, related_name="terrils"
    )
    geom = models.MultiPolygonField(_("emprise"), srid=settings.SRID)
    shape = models.CharField(
        _("forme"), max_length=10, choices=Shape.choices, blank=True
    )
    surface_ha = models.DecimalField(
        _("surface (ha)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Calculée depuis l'emprise si elle n'est pas saisie."),
    )
    height_m = models.PositiveSmallIntegerField(_("hauteur (m)"), null=True, blank=True)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("propriétaire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_terrils",
    )
    manager = models.ForeignKey(
        Organisation,
        verbose_name=_("gestionnaire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_terrils",
    )
    protections = ArrayField(
        models.CharField(max_length=10, choices=Protection.choices),
        verbose_name=_("statuts de protection"),
        default=list,
        blank=True,
    )
    public_access = models.CharField(
        _("accès du public"), max_length=10, choices=Access.choices, blank=True
    )
    activities = models.TextField(
        _("activités"), blank=True, help_text=_("Randonnée, VTT, pâturage…")
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("site du référentiel"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="terrils",
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("terril")
        verbose_name_plural = _("terrils")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(geom__isvalid=True), name="terril_geom_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Terril n° {self.number} – {self.name}"

    @property
    def protection_labels(self) -> list[str]:
        return [Protection(code).label for code in self.protections]

    @property
    def computed_surface_ha(self) -> Decimal:
        return Decimal(self.geom.area / 10_000).quantize(Decimal("0.01"))
