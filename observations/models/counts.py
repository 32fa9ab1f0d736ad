"""Site counts: a count programme, its sites, one visit per site and season, and a count
per species or species group, zeros included (protocols §3–4). Each count publishes an
occurrence (source « comptage »); a zero count publishes an absence."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.models import TimeStampedModel
from referentiel.models import Dataset, Person, Programme, Site, Taxon

from .published import PublishedOccurrenceMixin


class CountProgrammeQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CountProgrammeQuerySet":
        return self.filter(dataset__in=Dataset.objects.visible_to(user))

    def writable_by(self, user) -> "CountProgrammeQuerySet":
        return self.filter(dataset__in=Dataset.objects.writable_by(user))


class CountProgramme(TimeStampedModel):
    """A site-count scheme (winter bat hibernacula, mid-January waterbird count…)."""

    class Kind(models.TextChoices):
        HIBERNACULA = "hibernacula", _("Gîtes d'hibernation à chiroptères")
        WATERBIRDS = "waterbirds", _("Oiseaux d'eau (Wetlands International)")
        OTHER = "other", _("Autre comptage de sites")

    programme = models.OneToOneField(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="count_programme",
    )
    kind = models.CharField(
        _("type de comptage"), max_length=20, choices=Kind.choices, default=Kind.OTHER
    )
    dataset = models.ForeignKey(
        Dataset,
        verbose_name=_("jeu de données"),
        on_delete=models.PROTECT,
        related_name="count_programmes",
        help_text=_("Jeu de données des observations publiées par les comptages."),
    )
    taxa = models.ManyToManyField(
        Taxon,
        verbose_name=_("espèces et groupes comptés"),
        related_name="count_programmes",
        help_text=_("Colonnes de la grille de saisie (ex. « Myotis sp. » : le genre)."),
    )
    season_start_month = models.PositiveSmallIntegerField(
        _("mois de début de saison"),
        default=7,
        help_text=_(
            "Une visite à partir de ce mois compte pour la saison de l'année suivante "
            "(7 : l'hiver 2019-2020 est la saison 2020)."
        ),
    )

    objects = CountProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme de comptage")
        verbose_name_plural = _("programmes de comptage")
        ordering = ["programme__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(season_start_month__gte=1, season_start_month__lte=12),
                name="count_programme_season_month",
            )
        ]

    def __str__(self) -> str:
        return str(self.programme)

    def season_of(self, date) -> int:
        return date.year + 1 if date.month >= self.season_start_month else date.year


class CountSite(TimeStampedModel):
    """A referential site as one programme counts it (its count-site profile)."""

    class Habitat(models.TextChoices):
        MINE = "mine", _("Mine")
        CAVE = "cave", _("Grotte")
        CELLAR = "cellar", _("Cave, cellier")
        TUNNEL = "tunnel", _("Tunnel")
        FORTIFICATION = "fortification", _("Fortification")
        BRIDGE = "bridge", _("Pont")
        BUILDING = "building", _("Bâtiment")
        WETLAND = "wetland", _("Zone humide")
        OTHER = "other", _("Autre")

    programme = models.ForeignKey(
        CountProgramme,
        verbose_name=_("programme de comptage"),
        on_delete=models.CASCADE,
        related_name="sites",
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="count_sites",
    )
    code = models.CharField(_("code du site"), max_length=40, blank=True)
    habitat = models.CharField(
        _("type de site"), max_length=20, choices=Habitat.choices, default=Habitat.OTHER
    )
    underground = models.BooleanField(_("hypogé"), default=True)
    active = models.BooleanField(_("suivi en cours"), default=True)

    class Meta:
        verbose_name = _("site de comptage")
        verbose_name_plural = _("sites de comptage")
        ordering = ["programme", "site__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "site"], name="count_site_unique"
            )
        ]

    def __str__(self) -> str:
        return self.site.name


class CountVisit(TimeStampedModel):
    """The count of one site for one season, with its coverage and conditions."""

    class Coverage(models.TextChoices):
        COMPLETE = "V", _("Complet")
        INCOMPLETE = "O", _("Incomplet")
        NOT_COUNTED = "N", _("Non compté")
        NOTHING_FOUND = "X", _("Rien trouvé")

    class Ice(models.TextChoices):
        NONE = "0", _("Pas de glace")
        UNDER_HALF = "1", _("Moins de 50 %")
        OVER_HALF = "2", _("Plus de 50 %")
        FROZEN = "3", _("Entièrement gelé")

    class WaterLevel(models.TextChoices):
        LOW = "low", _("Bas")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("Haut")

    count_site = models.ForeignKey(
        CountSite,
        verbose_name=_("site de comptage"),
        on_delete=models.CASCADE,
        related_name="visits",
    )
    season = models.PositiveSmallIntegerField(_("saison"), editable=False)
    date = models.DateField(_("date"))
    # The season grid last saved on it from a device's outbox (static/js/outbox.js):
    # a resend of that grid answers it, nothing rewritten (observations/counts/api.py).
    entry_uuid = models.UUIDField(
        _("identifiant du dernier envoi"), null=True, editable=False, db_index=True
    )
    observers = models.ManyToManyField(
        Person, verbose_name=_("observateurs"), blank=True, related_name="count_visits"
    )
    coverage = models.CharField(
        _("couverture"),
        max_length=1,
        choices=Coverage.choices,
        default=Coverage.COMPLETE,
    )
    temperature = models.DecimalField(
        _("température (°C)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    humidity = models.PositiveSmallIntegerField(
        _("humidité (%)"), null=True, blank=True
    )
    ice = models.CharField(_("glace"), max_length=1, choices=Ice.choices, blank=True)
    water_level = models.CharField(
        _("niveau d'eau"), max_length=10, choices=WaterLevel.choices, blank=True
    )
    disturbance = models.CharField(_("dérangement"), max_length=200, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisi par"),
        on_delete=models.PROTECT,
        related_name="count_visits",
    )

    class Meta:
        verbose_name = _("visite de comptage")
        verbose_name_plural = _("visites de comptage")
        ordering = ["-season", "count_site"]
        constraints = [
            models.UniqueConstraint(
                fields=["count_site", "season"], name="count_visit_one_per_season"
            ),
            models.CheckConstraint(
                condition=Q(humidity__isnull=True) | Q(humidity__lte=100),
                name="count_visit_humidity_pct",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count_site} – {self.season}"


class SiteCount(PublishedOccurrenceMixin):
    """The count of one species or species group at one visit (0 is a count)."""

    visit = models.ForeignKey(
        CountVisit,
        verbose_name=_("visite"),
        on_delete=models.CASCADE,
        related_name="counts",
    )
    taxon = models.ForeignKey(
        Taxon,
        verbose_name=_("taxon"),
        on_delete=models.PROTECT,
        related_name="site_counts",
    )
    count = models.PositiveIntegerField(_("effectif"))

    class Meta:
        default_related_name = "site_count"
        verbose_name = _("effectif compté")
        verbose_name_plural = _("effectifs comptés")
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "taxon"], name="site_count_unique_taxon"
            )
        ]

    def __str__(self) -> str:
        return f"{self.taxon} : {self.count}"
