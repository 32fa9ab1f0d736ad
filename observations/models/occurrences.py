"""The occurrence: the synthesis of every naturalist fact (SINP "Occurrences de taxon" v2).

Nomenclature fields store the SINP code (``"Pr"``, ``"3"``…), checked against
``referentiel.Nomenclature`` by the services; exports then need no join to write them.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.geo import territory_polygon
from cpie_naturaliste.core.models import TrackedModel
from referentiel.models import (
    AtlasGroup,
    Commune,
    Dataset,
    Departement,
    Person,
    Programme,
    Site,
    Taxon,
)

from .querysets import OccurrenceQuerySet

TERRITORY = territory_polygon(with_srid=False)

VALIDATION_CHOICES = [
    (0, _("En attente de validation")),
    (1, _("Certain - très probable")),
    (2, _("Probable")),
    (3, _("Douteux")),
    (4, _("Invalide")),
    (5, _("Non réalisable")),
    (6, _("Inconnu")),
]


class Source(models.TextChoices):
    """Which part of the product produced the occurrence."""

    SAISIE = "saisie", _("Saisie")
    IMPORT = "import", _("Import de fichier")
    BAGUAGE = "baguage", _("Baguage")
    TERRILS = "terrils", _("Évaluation des terrils")
    ZONES_HUMIDES = "zones_humides", _("Zones humides")
    COMPTAGE = "comptage", _("Comptage de sites")
    CAMPAGNE = "campagne", _("Campagne participative")


class Occurrence(TrackedModel):
    # Field → SINP nomenclature type whose codes it stores.
    NOMENCLATURES = {
        "observation_status": "STATUT_OBS",
        "geo_object_nature": "NAT_OBJ_GEO",
        "count_object": "OBJ_DENBR",
        "count_type": "TYP_DENBR",
        "sex": "SEXE",
        "life_stage": "STADE_VIE",
        "bio_condition": "ETA_BIO",
        "bio_status": "STATUT_BIO",
        "behaviour": "OCC_COMPORTEMENT",
        "obs_technique": "METH_OBS",
        "naturalness": "NATURALITE",
        "biogeo_status": "STAT_BIOGEO",
        "determination_method": "METH_DETERMIN",
        "proof_exists": "PREUVE_EXIST",
        "source_status": "STATUT_SOURCE",
        "dee_blurring": "DEE_FLOU",
    }

    uuid = models.UUIDField(
        _("identifiant SINP (idSINPOccTax)"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
    )
    # No single-column index on a foreign key that leads a composite index (Meta.indexes
    # and occ_source_key_unique): the composite serves its lookups (migration 0024).
    dataset = models.ForeignKey(
        Dataset,
        verbose_name=_("jeu de données"),
        on_delete=models.PROTECT,
        related_name="occurrences",
        db_index=False,
    )
    taxon = models.ForeignKey(
        Taxon,
        verbose_name=_("taxon"),
        on_delete=models.PROTECT,
        related_name="occurrences",
        db_index=False,
    )
    cited_name = models.CharField(_("nom cité"), max_length=500, blank=True)
    observation_status = models.CharField(
        _("statut d'observation"),
        max_length=3,
        default="Pr",
        help_text=_("Pr : présent ; No : non observé (absence)."),
    )

    date_start = models.DateField(_("date de début"))
    date_end = models.DateField(_("date de fin"))
    time_start = models.TimeField(_("heure de début"), null=True, blank=True)
    time_end = models.TimeField(_("heure de fin"), null=True, blank=True)

    geom = models.GeometryField(_("géométrie"), srid=settings.SRID)
    precision_m = models.PositiveIntegerField(_("précision (m)"), null=True, blank=True)
    geo_object_nature = models.CharField(
        _("nature de l'objet géographique"), max_length=3, default="St"
    )
    place_name = models.CharField(_("lieu-dit"), max_length=255, blank=True)
    altitude_min = models.IntegerField(_("altitude minimale"), null=True, blank=True)
    altitude_max = models.IntegerField(_("altitude maximale"), null=True, blank=True)
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="occurrences",
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="occurrences",
    )

    observers = models.ManyToManyField(
        Person, verbose_name=_("observateurs"), related_name="observations"
    )
    observers_label = models.CharField(
        _("observateurs (texte)"),
        max_length=500,
        blank=True,
        help_text=_(
            "« NOM Prénom (Organisme) » séparés par des virgules, comme dans le standard."
        ),
    )
    determiner = models.ForeignKey(
        Person,
        verbose_name=_("déterminateur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="determinations",
    )
    determiner_label = models.CharField(
        _("déterminateur (texte)"),
        max_length=255,
        blank=True,
        help_text=_(
            "Le déterminateur tel qu'écrit dans la source (« Gil », « DUPONT Jean »), "
            "gardé même quand il n'est pas une personne du référentiel."
        ),
    )

    count_min = models.PositiveIntegerField(
        _("dénombrement minimal"), null=True, blank=True
    )
    count_max = models.PositiveIntegerField(
        _("dénombrement maximal"), null=True, blank=True
    )
    count_object = models.CharField(
        _("objet du dénombrement"), max_length=5, default="IND"
    )
    count_type = models.CharField(_("type de dénombrement"), max_length=3, default="Co")
    sex = models.CharField(_("sexe"), max_length=2, default="6")
    life_stage = models.CharField(_("stade de vie"), max_length=2, default="1")
    bio_condition = models.CharField(_("état biologique"), max_length=2, default="2")
    bio_status = models.CharField(_("statut biologique"), max_length=2, default="1")
    behaviour = models.CharField(_("comportement"), max_length=2, default="1")
    obs_technique = models.CharField(
        _("technique d'observation"), max_length=2, default="0"
    )
    naturalness = models.CharField(_("naturalité"), max_length=2, default="1")
    biogeo_status = models.CharField(
        _("statut biogéographique"), max_length=2, default="1"
    )
    determination_method = models.CharField(
        _("méthode de détermination"), max_length=2, default="1"
    )
    proof_exists = models.CharField(
        _("existence d'une preuve"), max_length=2, default="2"
    )
    proof_url = models.URLField(_("URL de la preuve numérique"), blank=True)
    proof_text = models.CharField(_("preuve non numérique"), max_length=255, blank=True)
    source_status = models.CharField(
        _("statut de la source"), max_length=3, default="Te"
    )
    comment = models.TextField(_("commentaire"), blank=True)

    validation_status = models.PositiveSmallIntegerField(
        _("statut de validation"), choices=VALIDATION_CHOICES, default=0
    )
    # Not indexed: no query looks records up by validator (migration 0024).
    validator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("validateur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="validated_occurrences",
        db_index=False,
    )
    validated_at = models.DateTimeField(_("date de validation"), null=True, blank=True)
    validation_comment = models.TextField(_("commentaire de validation"), blank=True)

    sensitivity_level = models.PositiveSmallIntegerField(
        _("niveau de sensibilité"), default=0
    )
    diffusion_level = models.PositiveSmallIntegerField(
        _("niveau de précision de diffusion"), default=5
    )
    dee_blurring = models.CharField(_("floutage DEE"), max_length=3, default="NON")
    blurred_geom = models.GeometryField(
        _("géométrie floutée"),
        srid=settings.SRID,
        null=True,
        blank=True,
        help_text=_(
            "Commune, maille 10 km ou département selon la sensibilité : ce que voit un "
            "lecteur non habilité (calculée, jamais saisie)."
        ),
    )

    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.SAISIE
    )
    source_key = models.CharField(
        _("clé de la source"),
        max_length=200,
        blank=True,
        help_text=_(
            "Identifiant stable de la ligne d'origine (fichier + ligne, empreinte…)."
        ),
    )
    import_batch = models.ForeignKey(
        "observations.ImportBatch",
        verbose_name=_("lot d'import"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="occurrences",
    )

    # Derived by observations.services from the geometry and the taxon, never typed: read
    # from the very tables they point to, so they need no foreign key checked row by row
    # (three checks per imported row at commit), and no query looks records up by their
    # main commune (the commune filter reads ``communes``) or by their atlas group alone
    # (occ_group_date leads with it): migration 0024.
    communes = ArrayField(
        models.CharField(max_length=5),
        verbose_name=_("communes (INSEE)"),
        default=list,
        blank=True,
    )
    commune = models.ForeignKey(
        Commune,
        verbose_name=_("commune principale"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # Indexed by occ_departement (Meta.indexes): the département filter.
    departement = models.ForeignKey(
        Departement,
        verbose_name=_("département"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # Indexed by occ_grid_cover (Meta.indexes).
    grid_10km = models.CharField(_("maille 10 km"), max_length=20, blank=True)
    atlas_group = models.ForeignKey(
        AtlasGroup,
        verbose_name=_("groupe d'atlas"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    # TrackedModel's authors: created_by leads occ_created_by_recent, and no query looks
    # records up by their last editor (migration 0024).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("modifié par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["-date_start", "-id"]
        indexes = [
            # A taxon's records over a period (the list's commonest filters): its count,
            # its last change (Last-Modified) and the reader's scope and blurring read
            # from the index alone, not from the table's pages (at 10,000,000 rows a
            # frequent taxon has 45,000 records a year; bench/RESULTS.md,
            # occurrences_10m).
            models.Index(
                fields=["taxon", "date_start"],
                include=["dataset", "sensitivity_level", "created_by", "updated_at"],
                name="occ_taxon_date",
            ),
            # Keyset pages by date, and index-only scans of a year for the yearly
            # figures (atlas, indicators): the columns they group or filter by ride
            # along, so a year is read from the index, not from pages all over the
            # table (0.4 s → 0.05 s for 65,000 rows of 1,000,000; bench/indicateurs).
            models.Index(
                fields=["date_start", "id"],
                include=[
                    "observation_status",
                    "validation_status",
                    "taxon",
                    "atlas_group",
                    "departement",
                    "commune",
                    "programme",
                    "dataset",
                    "site",
                    "sensitivity_level",
                    "created_by",
                ],
                name="occ_date_cover",
            ),
            # Map layers in 10 km cells (observations.selectors.occurrences_grid_cells):
            # counted from the index alone, with the columns the reader's scope and the
            # blurring read (whole region, 1,000,000 rows: 0.46 s → 0.12 s for a
            # regional coordinator, 0.9 s → 0.21 s for staff; bench/occurrences).
            models.Index(
                fields=["grid_10km"],
                include=[
                    "dataset",
                    "sensitivity_level",
                    "created_by",
                    "validation_status",
                ],
                name="occ_grid_cover",
            ),
            # The few sensitive records (the blurred ones are among them).
            models.Index(
                fields=["sensitivity_level"],
                condition=Q(sensitivity_level__gt=0),
                name="occ_sensitive",
            ),
            models.Index(fields=["atlas_group", "date_start"], name="occ_group_date"),
            models.Index(fields=["dataset", "date_start"], name="occ_dataset_date"),
            models.Index(
                fields=["validation_status", "atlas_group"], name="occ_validation"
            ),
            GinIndex(fields=["communes"], name="occ_communes_gin"),
            # Where a map draws a blurred record (observations.blurring.filter_map_box):
            # its blurred area's point on surface. A tile in a département then reads
            # the records blurred to a point in the tile, not all those of the
            # département (at 10,000,000 rows, bench/RESULTS.md occurrences_10m).
            GistIndex(
                PointOnSurface("blurred_geom"),
                condition=Q(blurred_geom__isnull=False),
                name="occ_blurred_point",
            ),
            # A user's own records, newest entered first: "Mes saisies" and the last
            # dataset used, which the entry form starts in.
            models.Index(
                fields=["created_by", "-created_at", "-id"],
                name="occ_created_by_recent",
            ),
            # Incremental sync: keyset pages by modification (observations.sync).
            models.Index(fields=["updated_at", "id"], name="occ_updated_keyset"),
            # The département filter (observations.filters): the index Django made for
            # the foreign key, renamed, without its varchar_pattern_ops twin.
            models.Index(fields=["departement"], name="occ_departement"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "source_key"],
                condition=~Q(source_key=""),
                name="occ_source_key_unique",
                violation_error_message=_(
                    "Cette ligne source a déjà été importée dans ce jeu de données."
                ),
            ),
            models.CheckConstraint(
                condition=Q(date_start__lte=F("date_end")),
                name="occ_dates_ordered",
                violation_error_message=_(
                    "La date de début doit précéder la date de fin."
                ),
            ),
            # One day of slack: the database clock is UTC, the field staff's day is Paris time.
            models.CheckConstraint(
                condition=Q(date_end__lte=Now() + timedelta(days=1)),
                name="occ_date_not_future",
                violation_error_message=_("La date ne peut pas être dans le futur."),
            ),
            models.CheckConstraint(
                condition=Q(count_min__isnull=True)
                | Q(count_max__isnull=True)
                | Q(count_min__lte=F("count_max")),
                name="occ_count_ordered",
                violation_error_message=_(
                    "Le dénombrement minimal dépasse le maximal."
                ),
            ),
            models.CheckConstraint(
                condition=Q(geom__isvalid=True),
                name="occ_geom_valid",
                violation_error_message=_(
                    "La géométrie n'est pas valide (auto-intersection ?)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(geom__coveredby=TERRITORY),
                name="occ_geom_in_territory",
                violation_error_message=_(
                    "La localisation est hors du territoire (Hauts-de-France et ses abords)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(validation_status__lte=6),
                name="occ_validation_0_6",
                violation_error_message=_("Statut de validation inconnu (0 à 6)."),
            ),
            models.CheckConstraint(
                condition=Q(sensitivity_level__lte=4),
                name="occ_sensitivity_0_4",
                violation_error_message=_("Niveau de sensibilité inconnu (0 à 4)."),
            ),
            models.CheckConstraint(
                condition=Q(diffusion_level__lte=5),
                name="occ_diffusion_0_5",
                violation_error_message=_("Niveau de diffusion inconnu (0 à 5)."),
            ),
            models.CheckConstraint(
                condition=Q(observation_status__in=["Pr", "No", "NSP"]),
                name="occ_observation_status",
                violation_error_message=_(
                    "Statut d'observation inconnu (Pr, No ou NSP)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.taxon} – {self.date_start:%d/%m/%Y}"

    @property
    def is_absence(self) -> bool:
        return self.observation_status == "No"

    @property
    def determiner_name(self) -> str:
        """The determiner as the source wrote them, else the linked person."""
        if self.determiner_label:
            return self.determiner_label
        return str(self.determiner) if self.determiner_id else ""

    def save(self, *args, **kwargs):
        if getattr(self, "is_blurred", False):
            raise RuntimeError("A record blurred for display cannot be saved.")
        super().save(*args, **kwargs)


class OccurrenceDeletion(models.Model):
    """A record that left some readers' view: deleted (for everyone), or withdrawn (still
    there, but read under other conditions: moved to another dataset, made too sensitive
    to be shown at all). The SINP export finds the dataset of a deleted record here; the
    sync API's deletions feed (``observations.sync``) tells each reader what to drop.

    A row keeps, besides the identity, what the read rule needs and nothing more: the
    columns ``readable_q`` and ``Reader.restrict`` read on an occurrence (dataset, author,
    validation status, sensitivity level), with the record's values *before* it left, so
    that the very same rule says who could read it. One record may leave several times
    (withdrawn, then deleted; deleted, imported again, deleted again): one row each."""

    class Reason(models.TextChoices):
        DELETED = "deleted", _("supprimée")
        WITHDRAWN = "withdrawn", _("retirée de la lecture")

    uuid = models.UUIDField(_("identifiant SINP"), db_index=True)
    reason = models.CharField(
        _("motif"), max_length=10, choices=Reason.choices, default=Reason.DELETED
    )
    dataset = models.ForeignKey(
        Dataset,
        verbose_name=_("jeu de données"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    taxon_id = models.IntegerField(_("cd_nom"))
    date_start = models.DateField(_("date de début"))
    validation_status = models.PositiveSmallIntegerField(_("statut de validation"))
    sensitivity_level = models.PositiveSmallIntegerField(
        _("niveau de sensibilité"), default=0
    )
    deleted_at = models.DateTimeField(_("supprimée le"), auto_now_add=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("observation supprimée")
        verbose_name_plural = _("observations supprimées")
        ordering = ["-deleted_at", "-id"]
        indexes = [
            # The deletions feed's keyset pages.
            models.Index(fields=["deleted_at", "id"], name="occ_deletion_keyset"),
        ]

    def __str__(self) -> str:
        return str(self.uuid)


class Validation(models.Model):
    """One validation decision; the occurrence keeps the latest, this table keeps them all."""

    occurrence = models.ForeignKey(
        Occurrence,
        verbose_name=_("observation"),
        on_delete=models.CASCADE,
        related_name="validations",
    )
    status = models.PositiveSmallIntegerField(_("statut"), choices=VALIDATION_CHOICES)
    validator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("validateur"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    comment = models.TextField(_("commentaire"), blank=True)
    validated_at = models.DateTimeField(_("date"), auto_now_add=True)
    is_automatic = models.BooleanField(_("automatique"), default=False)

    class Meta:
        verbose_name = _("validation")
        verbose_name_plural = _("validations")
        ordering = ["-validated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.validated_at:%d/%m/%Y})"


class OccurrenceChange(models.Model):
    """History of an occurrence: who changed which fields, from what to what."""

    class Action(models.TextChoices):
        CREATE = "create", _("Création")
        UPDATE = "update", _("Modification")
        VALIDATE = "validate", _("Validation")

    occurrence = models.ForeignKey(
        Occurrence,
        verbose_name=_("observation"),
        on_delete=models.CASCADE,
        related_name="changes",
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    changes = models.JSONField(_("modifications"), default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        verbose_name = _("modification d'observation")
        verbose_name_plural = _("historique des observations")
        ordering = ["-at", "-id"]
