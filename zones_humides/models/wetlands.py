"""Wetland sites (a profile on referentiel.Site), management works and water levels."""

from django.conf import settings
from django.contrib.gis.db import models
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.models import TimeStampedModel, TrackedModel
from referentiel.models import Organisation, Site


class WetlandProfile(TimeStampedModel):
    """What a wetland site sheet needs beyond the shared referential site."""

    class WetlandType(models.TextChoices):
        MARE_TEMPORAIRE = "mare_temporaire", _("Mare temporaire")
        MARE = "mare", _("Mare permanente")
        ETANG = "etang", _("Étang")
        ROSELIERE = "roseliere", _("Roselière")
        MARAIS = "marais", _("Marais")
        BAC_SCHLAMMS = "bac_schlamms", _("Bac à schlamms")
        NOUE = "noue", _("Noue")
        FOSSE = "fosse", _("Fossé")
        BASSIN_PLUVIAL = "bassin_pluvial", _("Bassin d'eaux pluviales")
        ZEC = "zec", _("Zone d'expansion de crues (ZEC)")
        PRAIRIE_HUMIDE = "prairie_humide", _("Prairie humide")
        AUTRE = "autre", _("Autre")

    class Status(models.TextChoices):
        SUIVI = "suivi", _("Suivi en cours")
        RESTAURATION = "restauration", _("En restauration")
        GESTION = "gestion", _("En gestion courante")
        DIAGNOSTIC = "diagnostic", _("Diagnostic à faire")
        ABANDON = "abandon", _("Suivi arrêté")

    site = models.OneToOneField(
        Site,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="wetland_profile",
    )
    wetland_type = models.CharField(
        _("type de zone humide"), max_length=20, choices=WetlandType.choices
    )
    surface_m2 = models.PositiveIntegerField(_("surface (m²)"), null=True, blank=True)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("propriétaire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_wetlands",
    )
    owner_label = models.CharField(
        _("propriétaire (texte)"),
        max_length=200,
        blank=True,
        help_text=_("Pour un particulier ou un propriétaire hors référentiel."),
    )
    manager_label = models.CharField(
        _("gestionnaire (texte)"),
        max_length=200,
        blank=True,
        help_text=_("Si le gestionnaire n'est pas un organisme du référentiel."),
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.SUIVI
    )
    monitoring = models.TextField(_("suivis menés"), blank=True)
    issues = models.TextField(_("enjeux et menaces"), blank=True)

    class Meta:
        verbose_name = _("profil de zone humide")
        verbose_name_plural = _("profils de zones humides")
        ordering = ["site__name"]

    def __str__(self) -> str:
        return f"{self.site} ({self.get_wetland_type_display()})"

    @property
    def owner_name(self) -> str:
        return str(self.owner) if self.owner_id else self.owner_label


class ManagementOperation(TrackedModel):
    """A management or restoration operation on a wetland site."""

    class Kind(models.TextChoices):
        FAUCHE = "fauche", _("Fauche")
        COUPE_SAULES = "coupe_saules", _("Coupe de saules")
        CREUSEMENT = "creusement", _("Creusement de mare")
        REPROFILAGE = "reprofilage", _("Reprofilage de berges")
        EEE = "eee", _("Lutte contre une espèce exotique envahissante")
        NIVEAUX = "niveaux", _("Gestion des niveaux d'eau")
        GABIONS = "gabions", _("Pose de gabions")
        CURAGE = "curage", _("Curage")
        PLANTATION = "plantation", _("Plantation")
        AUTRE = "autre", _("Autre")

    class PerformedBy(models.TextChoices):
        SALARIES = "salaries", _("Salariés")
        BENEVOLES = "benevoles", _("Bénévoles (chantier participatif)")
        PRESTATAIRE = "prestataire", _("Prestataire")
        MIXTE = "mixte", _("Salariés et bénévoles")

    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="management_operations",
    )
    kind = models.CharField(_("opération"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    geom = models.GeometryField(
        _("emprise"),
        srid=settings.SRID,
        null=True,
        blank=True,
        help_text=_("Tracée sur la carte ; à défaut, le site entier."),
    )
    date_start = models.DateField(_("date de début"))
    date_end = models.DateField(_("date de fin"), null=True, blank=True)
    performed_by = models.CharField(
        _("réalisée par"), max_length=20, choices=PerformedBy.choices
    )
    contractor = models.CharField(_("prestataire"), max_length=200, blank=True)
    beneficiary = models.ForeignKey(
        Organisation,
        verbose_name=_("pour le compte de"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wetland_operations",
    )
    cost_eur = models.DecimalField(
        _("coût (€)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    participants_count = models.PositiveSmallIntegerField(
        _("nombre de participants"), null=True, blank=True
    )
    # Work days' participants are kept as text until the sensibilisation app offers
    # them (zones_humides may not import it, DESIGN §1).
    participants = models.TextField(
        _("participants"), blank=True, help_text=_("Un nom par ligne.")
    )

    class Meta:
        verbose_name = _("opération de gestion")
        verbose_name_plural = _("opérations de gestion")
        ordering = ["-date_start", "id"]
        indexes = [models.Index(fields=["site", "date_start"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(geom__isnull=True) | models.Q(geom__isvalid=True),
                name="zh_operation_geom_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(date_end__isnull=True)
                | models.Q(date_end__gte=models.F("date_start")),
                name="zh_operation_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.site} ({self.date_start:%d/%m/%Y})"


def operation_photo_path(instance, filename: str) -> str:
    return f"zones_humides/operations/{filename}"


def site_photo_path(instance, filename: str) -> str:
    return f"zones_humides/sites/{filename}"


class OperationPhoto(TimeStampedModel):
    operation = models.ForeignKey(
        ManagementOperation,
        verbose_name=_("opération"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    image = models.FileField(_("photo"), upload_to=operation_photo_path)
    caption = models.CharField(_("légende"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("photo d'opération")
        verbose_name_plural = _("photos d'opérations")


class SitePhoto(TimeStampedModel):
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="wetland_photos",
    )
    image = models.FileField(_("photo"), upload_to=site_photo_path)
    caption = models.CharField(_("légende"), max_length=200, blank=True)
    taken_on = models.DateField(_("prise le"), null=True, blank=True)

    class Meta:
        verbose_name = _("photo de site")
        verbose_name_plural = _("photos de sites")
        ordering = ["-taken_on", "id"]


class WaterLevelReading(TrackedModel):
    """A reading of the water level at a site's gauge. Its author says whose it is: a
    correction (the same gauge and day) is a change of that author's row
    (``zones_humides.permissions.authored_write_q``)."""

    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="water_levels",
    )
    date = models.DateField(_("date"))
    level_cm = models.DecimalField(
        _("hauteur d'eau (cm)"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(-500)],
    )
    gauge = models.CharField(_("échelle"), max_length=50, blank=True)
    comment = models.CharField(_("commentaire"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("relevé de niveau d'eau")
        verbose_name_plural = _("relevés de niveau d'eau")
        ordering = ["site", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "gauge", "date"], name="zh_water_level_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.date:%d/%m/%Y} : {self.level_cm} cm"
