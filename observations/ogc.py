"""The occurrences as OGC API – Features collections (``/ogc/collections/occurrences``,
and the same split by the geometry a reader sees: ``occurrences-points``,
``occurrences-zones``).

Read exactly as the REST API reads them (``observations.api.OccurrenceViewSet``): signed-in
users only, the records ``Occurrence.objects.visible_to`` gives, each shown with the
geometry and the fields ``observations.blurring`` leaves a reader who may not place it
(``display_geom``, ``blurred_columns``); the box filter is the API's ``in_bbox``
(``filters.occurrences_in_box``): a blurred record matches only through its blurred area.
"""

from django.conf import settings
from django.contrib.gis.db.models import GeometryField
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    ExpressionWrapper,
    Func,
    IntegerField,
    Q,
    Value,
    When,
)

from cpie_naturaliste.core.ogc.collections import Collection, Property, choice_label
from observations.blurring import (
    blurred_columns,
    display_geom,
    is_blurred_queryset,
    precise_condition,
)
from observations.filters import occurrences_in_box
from observations.models import VALIDATION_CHOICES, Occurrence
from referentiel.models import SensitivityLevel
from referentiel.permissions import signed_in


def occurrences_read(user):
    return Occurrence.objects.visible_to(user)


def _shown(name: str):
    def expression(queryset):
        return blurred_columns(queryset)[f"shown_{name}"]

    return expression


def _blurred(queryset):
    if not is_blurred_queryset(queryset):
        return Value(False)
    return ExpressionWrapper(
        ~Q(precise_condition(queryset)), output_field=BooleanField()
    )


def _blurred_to(queryset):
    """The blurred area's name (« commune »…) on a blurred record, as the API's
    ``blurred_to``; empty otherwise."""
    if not is_blurred_queryset(queryset):
        return Value("")
    return Case(
        *(
            When(
                ~Q(precise_condition(queryset)) & Q(sensitivity_level=level),
                then=Value(level.area),
            )
            for level in SensitivityLevel
            if level.area
        ),
        default=Value(""),
        output_field=CharField(),
    )


PROPERTIES = (
    Property("uuid", "uuid", "Identifiant SINP"),
    Property("taxon", "integer", "cd_nom TAXREF", "taxon_id"),
    Property("taxon_name", "string", "Nom scientifique", "taxon__scientific_name"),
    Property(
        "vernacular_name",
        "string",
        "Nom vernaculaire",
        "taxon__vernacular_name",
    ),
    Property("cited_name", "string", "Nom cité"),
    Property("date_start", "date", "Date de début"),
    Property("date_end", "date", "Date de fin"),
    Property("observation_status", "string", "Statut d'observation"),
    Property("count_min", "integer", "Dénombrement minimum"),
    Property("count_max", "integer", "Dénombrement maximum"),
    Property("observers_label", "string", "Observateurs"),
    Property("place_name", "string", "Lieu-dit", _shown("place_name")),
    Property("precision_m", "integer", "Précision (m)", _shown("precision_m")),
    Property("commune", "string", "Commune (INSEE)", _shown("commune_id")),
    Property("departement", "string", "Département", _shown("departement_id")),
    Property("grid_10km", "string", "Maille 10 km", _shown("grid_10km")),
    Property("comment", "string", "Commentaire", _shown("comment")),
    Property("dataset", "uuid", "Jeu de données", "dataset__uuid"),
    Property("dataset_title", "string", "Jeu de données (libellé)", "dataset__title"),
    Property("validation_status", "integer", "Statut de validation"),
    Property(
        "validation_label",
        "string",
        "Validation",
        lambda queryset: choice_label("validation_status", VALIDATION_CHOICES),
    ),
    Property("sensitivity_level", "integer", "Niveau de sensibilité"),
    Property(
        "diffusion_level",
        "integer",
        "Niveau de diffusion",
        _shown("diffusion_level"),
    ),
    Property("blurred", "boolean", "Localisation floutée pour vous", _blurred),
    Property("blurred_to", "string", "Zone de floutage", _blurred_to),
)


def _shown_dimension(queryset):
    """0 for a record shown as a point, 1 as a line, 2 as an area."""
    return Func(
        display_geom(queryset), function="ST_Dimension", output_field=IntegerField()
    )


def _of_dimension(dimension: int):
    def rows(user):
        queryset = occurrences_read(user)
        return queryset.alias(shown_dimension=_shown_dimension(queryset)).filter(
            shown_dimension=dimension
        )

    return rows


def _as_multipolygon(queryset):
    return Func(
        display_geom(queryset),
        function="ST_Multi",
        output_field=GeometryField(srid=settings.SRID),
    )


DESCRIPTION = (
    "Occurrences de taxons que vous pouvez lire, comme dans l'API : une donnée "
    "sensible que vous ne pouvez pas localiser précisément a la géométrie de sa "
    "zone de floutage (commune, maille 10 km ou département, « blurred » vaut "
    "true) et perd son lieu-dit, sa précision et son commentaire ; bbox la "
    "retient seulement si cette zone touche l'emprise. datetime porte sur les "
    "dates de début et de fin de l'observation."
)
COMMON = {
    "readable": signed_in,
    "in_box": occurrences_in_box,
    "dates": ("date_start", "date_end"),
    "keywords": ("observations", "occurrences de taxons", "SINP"),
    "properties": PROPERTIES,
}

COLLECTIONS = (
    Collection(
        id="occurrences",
        title="Observations",
        description=DESCRIPTION,
        rows=occurrences_read,
        geometry=display_geom,
        **COMMON,
    ),
    # The same records split by the geometry shown: a GIS layer holds one geometry type
    # (QGIS draws nothing of the polygons of a layer it typed as points).
    Collection(
        id="occurrences-points",
        title="Observations localisées (points)",
        description=(
            "Les observations de la collection « occurrences » que vous voyez comme un "
            "point : les données que vous pouvez localiser précisément. Même lecture, "
            "mêmes propriétés. Une observation saisie comme une ligne n'est que dans "
            "« occurrences »."
        ),
        rows=_of_dimension(0),
        geometry=display_geom,
        geometry_type="Point",
        **COMMON,
    ),
    Collection(
        id="occurrences-zones",
        title="Observations floutées ou surfaciques (polygones)",
        description=(
            "Les observations de la collection « occurrences » que vous voyez comme une "
            "surface : les données sensibles floutées pour vous, avec leur zone de "
            "floutage, et les observations saisies comme une surface. Même lecture, "
            "mêmes propriétés ; géométries en multipolygones."
        ),
        rows=_of_dimension(2),
        geometry=_as_multipolygon,
        geometry_type="MultiPolygon",
        **COMMON,
    ),
)
