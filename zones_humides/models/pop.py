"""POP Amphibien (Société herpétologique de France): aire → aquatic site → passage →
observation. Codes follow the GeoNature monitoring module of the protocol
(PnX-SI/protocoles_suivi POPAmphibien)."""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.functions import RandomUUID
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.models import TimeStampedModel, TrackedModel
from observations.models import PublishedOccurrenceMixin
from referentiel.models import Dataset, Person, Site, Taxon

# Passages expected per site and season, and years between two surveys of an aire.
PASSAGES_PER_SEASON = 3
REVISIT_YEARS = 2
# "Nothing found" is recorded on the class Amphibia with a count of 0 (SINP: STATUT_OBS No).
AMPHIBIA_CD_NOM = 914450


class LandscapeCategory(models.TextChoices):
    """CATEGORIE_PAYSAGERE (CORINE Land Cover, level 2)."""

    URBAIN = "1", _("Zones urbanisées")
    INDUSTRIEL = (
        "2",
        _("Zones industrielles ou commerciales et réseaux de communication"),
    )
    MINES = "3", _("Mines, décharges et chantiers")
    ESPACES_VERTS = "4", _("Espaces verts artificialisés, non agricoles")
    TERRES_ARABLES = "5", _("Terres arables")
    CULTURES_PERMANENTES = "6", _("Cultures permanentes")
    PRAIRIES = "7", _("Prairies")
    AGRICOLE_HETEROGENE = "8", _("Zones agricoles hétérogènes")
    FORETS = "9", _("Forêts")
    ARBUSTIF = "10", _("Milieux à végétation arbustive et/ou herbacée")
    OUVERT = "11", _("Espaces ouverts, sans ou avec peu de végétation")
    ZH_INTERIEURES = "12", _("Zones humides intérieures")
    ZH_COTIERES = "13", _("Zones humides côtières")
    EAUX_CONTINENTALES = "14", _("Eaux continentales")
    EAUX_MARITIMES = "15", _("Eaux maritimes")


class AquaticHabitat(models.TextChoices):
    """MILIEU_AQUATIQUE."""

    MARE = "1", _("Mare (< 50 m²)")
    ETANG = "2", _("Étang (50 à 450 m²)")
    PLAN_EAU = "3", _("Plan d'eau (> 450 m²)")
    FOSSE = "4", _("Fossé")
    RUISSEAU = "5", _("Ruisseau (< 3 m de large)")
    RIVIERE = "6", _("Rivière (> 3 m de large)")
    TOURBIERE = "7", _("Tourbière")
    PRAIRIE_HUMIDE = "8", _("Prairie humide")
    ORNIERE = "9", _("Ornière, flaque")
    BASSIN = "10", _("Bassin artificiel")
    CANAL = "11", _("Canal")
    SOURCE = "12", _("Source, suintement")
    AUTRE = "13", _("Autre")


class PopAire(TrackedModel):
    """A landscape unit (usually a grid cell) holding the aquatic sites of one observer,
    surveyed every two years."""

    number = models.PositiveSmallIntegerField(_("numéro"))
    name = models.CharField(_("nom"), max_length=200)
    grid_cell = models.CharField(
        _("maille"),
        max_length=30,
        blank=True,
        help_text=_("Code de maille INPN (ex. 1kmL93E684N7040)."),
    )
    geom = models.MultiPolygonField(_("contour"), srid=settings.SRID)
    landscape_category = models.CharField(
        _("catégorie paysagère"), max_length=2, choices=LandscapeCategory.choices
    )
    main_observer = models.ForeignKey(
        Person,
        verbose_name=_("observateur principal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pop_aires",
    )
    dataset = models.ForeignKey(
        Dataset,
        verbose_name=_("jeu de données"),
        on_delete=models.PROTECT,
        related_name="pop_aires",
    )
    first_year = models.PositiveSmallIntegerField(
        _("première année de suivi"),
        help_text=_("L'aire est ensuite revisitée tous les deux ans."),
    )
    communes_label = models.CharField(_("communes"), max_length=300, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("aire POP Amphibien")
        verbose_name_plural = _("aires POP Amphibien")
        ordering = ["number", "name"]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="zh_pop_aire_number"),
            models.CheckConstraint(
                condition=models.Q(geom__isvalid=True), name="zh_pop_aire_geom_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} – {self.name}"


class PopSite(TimeStampedModel):
    """A potential breeding site (water point) of an aire."""

    aire = models.ForeignKey(
        PopAire, verbose_name=_("aire"), on_delete=models.PROTECT, related_name="sites"
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("nom"), max_length=200)
    geom = models.PointField(_("position"), srid=settings.SRID)
    habitat = models.CharField(
        _("milieu aquatique"), max_length=2, choices=AquaticHabitat.choices
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("site du référentiel"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pop_sites",
        help_text=_("La zone humide suivie par ailleurs, s'il y en a une."),
    )
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("site POP Amphibien")
        verbose_name_plural = _("sites POP Amphibien")
        ordering = ["aire__number", "code"]
        constraints = [
            models.UniqueConstraint(fields=["aire", "code"], name="zh_pop_site_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PopPassage(TrackedModel):
    """One visit of a site in a season (passage 1, 2 or 3)."""

    class Expertise(models.TextChoices):
        DEBUTANT = "debutant", _("Débutant")
        EXPERIMENTE = "experimente", _("Assez expérimenté")
        CHEVRONNE = "chevronne", _("Chevronné")

    class Method(models.TextChoices):
        VISUEL = "1", _("Observation visuelle de jour")
        EPUISETTE = "2", _("Épuisette")
        NASSES = "3", _("Nasses")
        LAMPE = "4", _("Prospection nocturne à la lampe")
        ECOUTE = "5", _("Écoute des chants")

    class SiteState(models.TextChoices):
        EXISTANT = "existant", _("Existant")
        CREE = "cree", _("Créé")
        RESTAURE = "restaure", _("Restauré")
        DETRUIT = "detruit", _("Détruit")

    # Made by the device that entered it with no network (static/js/outbox.js): a
    # resend of the same passage answers the one saved (zones_humides/api.py).
    uuid = models.UUIDField(
        _("identifiant"), db_default=RandomUUID(), unique=True, editable=False
    )
    pop_site = models.ForeignKey(
        PopSite,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="passages",
    )
    year = models.PositiveSmallIntegerField(_("saison"), editable=False)
    number = models.PositiveSmallIntegerField(
        _("numéro de passage"),
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Trois passages par saison (1 à 3)."),
    )
    date = models.DateField(_("date"))
    time_start = models.TimeField(_("heure de début"), null=True, blank=True)
    time_end = models.TimeField(_("heure de fin"), null=True, blank=True)
    observers = models.ManyToManyField(
        Person, verbose_name=_("observateurs"), related_name="pop_passages"
    )
    expertise = models.CharField(
        _("expertise"), max_length=20, choices=Expertise.choices
    )
    methods = ArrayField(
        models.CharField(max_length=1, choices=Method.choices),
        verbose_name=_("méthodes de prospection"),
        default=list,
        blank=True,
    )
    accessible = models.BooleanField(_("site accessible"), default=True)
    site_state = models.CharField(
        _("état du site"),
        max_length=10,
        choices=SiteState.choices,
        blank=True,
        help_text=_("Au premier passage seulement."),
    )
    works_date = models.DateField(_("date des travaux"), null=True, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("passage POP Amphibien")
        verbose_name_plural = _("passages POP Amphibien")
        ordering = ["-date", "pop_site", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["pop_site", "year", "number"], name="zh_pop_passage_number"
            ),
            models.CheckConstraint(
                condition=models.Q(time_end__isnull=True)
                | models.Q(time_start__isnull=True)
                | models.Q(time_end__gte=models.F("time_start")),
                name="zh_pop_passage_times_ordered",
            ),
        ]
        indexes = [models.Index(fields=["year"])]

    def __str__(self) -> str:
        return f"{self.pop_site} – passage {self.number} ({self.date:%d/%m/%Y})"

    @property
    def nothing_found(self) -> bool:
        return not any(o.present for o in self.observations.all())


class PassageObservation(TimeStampedModel, PublishedOccurrenceMixin):
    """A species found at a passage, or the absence (taxon Amphibia, count 0) of a
    passage that found nothing. Each row publishes one occurrence."""

    class CountType(models.TextChoices):
        COMPTE = "Co", _("Compté")
        ESTIME = "Es", _("Estimé")

    passage = models.ForeignKey(
        PopPassage,
        verbose_name=_("passage"),
        on_delete=models.CASCADE,
        related_name="observations",
    )
    taxon = models.ForeignKey(
        Taxon,
        verbose_name=_("taxon"),
        on_delete=models.PROTECT,
        related_name="pop_observations",
    )
    present = models.BooleanField(_("présent"), default=True)
    count_type = models.CharField(
        _("type de dénombrement"),
        max_length=2,
        choices=CountType.choices,
        default=CountType.COMPTE,
    )
    count_min = models.PositiveIntegerField(_("effectif minimal"), default=0)
    count_max = models.PositiveIntegerField(_("effectif maximal"), default=0)
    life_stage = models.CharField(_("stade de vie (SINP)"), max_length=2, blank=True)

    class Meta:
        default_related_name = "pop_observation"
        verbose_name = _("observation POP Amphibien")
        verbose_name_plural = _("observations POP Amphibien")
        ordering = ["passage", "taxon__scientific_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["passage", "taxon"], name="zh_pop_observation_taxon"
            ),
            models.CheckConstraint(
                condition=models.Q(count_max__gte=models.F("count_min")),
                name="zh_pop_observation_counts_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(present=True) | models.Q(count_max=0),
                name="zh_pop_observation_absence_zero",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.taxon} ({'présent' if self.present else 'absent'})"
