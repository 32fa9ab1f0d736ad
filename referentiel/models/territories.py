"""Territories (départements, communes) and sites, stored in Lambert-93."""

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.models import TimeStampedModel

from .accounts import Organisation, Scope


class Departement(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    geom = models.MultiPolygonField(_("contour"), srid=settings.SRID)
    blur_geom = models.MultiPolygonField(
        _("contour simplifié"),
        srid=settings.SRID,
        null=True,
        blank=True,
        help_text=_(
            "Contour simplifié (1 km) montré à la place d'une donnée sensible floutée "
            "au département ; calculé à l'import."
        ),
    )

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Commune(models.Model):
    insee = models.CharField(_("code INSEE"), max_length=5, primary_key=True)
    name = models.CharField(_("nom"), max_length=150, db_index=True)
    departement = models.ForeignKey(
        Departement,
        verbose_name=_("département"),
        on_delete=models.PROTECT,
        related_name="communes",
    )
    geom = models.MultiPolygonField(_("contour"), srid=settings.SRID)
    blur_geom = models.MultiPolygonField(
        _("contour simplifié"),
        srid=settings.SRID,
        null=True,
        blank=True,
        help_text=_(
            "Contour simplifié (10 m) montré à la place d'une donnée sensible floutée "
            "à la commune ; calculé à l'import."
        ),
    )

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.insee})"


class SiteQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SiteQuerySet":
        """Sites are the network's shared referential: public ones for everybody. A site
        that is not public (a private garden, a roost, a pond to protect) is shown only to
        the organisation that manages it, to the organisations whose datasets hold records
        there (they survey it), and to the network-wide roles; for any other reader it
        does not exist: its name and point would place what it shelters."""
        if not user.is_authenticated:
            return self.filter(is_public=True)
        if user.read_scope == Scope.ALL:
            return self
        if user.organisation_id is None:
            return self.filter(is_public=True)
        # The occurrences recorded at a site, by their reverse name (the referential
        # imports no app above it).
        surveyed = self.model.objects.filter(
            occurrences__dataset__producer_id=user.organisation_id
        ).values("pk")
        return self.filter(
            models.Q(is_public=True)
            | models.Q(manager_id=user.organisation_id)
            | models.Q(pk__in=surveyed)
        )


class Site(TimeStampedModel):
    """Any place that is surveyed or managed (terril, wetland, garden, ringing station…)."""

    class Kind(models.TextChoices):
        TERRIL = "terril", _("Terril")
        ZONE_HUMIDE = "zone_humide", _("Zone humide")
        MARAIS = "marais", _("Marais")
        MARE = "mare", _("Mare")
        ETANG = "etang", _("Étang")
        JARDIN = "jardin", _("Jardin")
        PARCELLE_AGRICOLE = "parcelle_agricole", _("Parcelle agricole")
        ZEC = "zec", _("Zone d'expansion de crues")
        CARRIERE = "carriere", _("Carrière")
        GITE = "gite", _("Gîte à chiroptères")
        FRICHE = "friche", _("Friche industrielle")
        PARC = "parc", _("Parc urbain")
        AUTRE = "autre", _("Autre")

    name = models.CharField(_("nom"), max_length=200)
    code = models.CharField(
        _("code"),
        max_length=40,
        blank=True,
        help_text=_("Numéro officiel, ex. terril 94-94a."),
    )
    kind = models.CharField(
        _("type"), max_length=30, choices=Kind.choices, default=Kind.AUTRE
    )
    geom = models.GeometryField(_("géométrie"), srid=settings.SRID)
    communes = models.ManyToManyField(
        Commune,
        verbose_name=_("communes"),
        blank=True,
        related_name="sites",
        editable=False,
    )
    manager = models.ForeignKey(
        Organisation,
        verbose_name=_("gestionnaire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_sites",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("site parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(
        _("visible du public"),
        default=True,
        help_text=_("Décocher pour un jardin privé ou un lieu à protéger."),
    )

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(geom__isvalid=True), name="site_geom_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name
