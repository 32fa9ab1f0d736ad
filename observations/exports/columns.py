"""The columns of every occurrence file we hand out, named as in the SINP standard
("Occurrences de taxon" v2, DEE names of ``shared/domain/sinp.md`` §2b), as SQL expressions
over a queryset read through ``Occurrence.objects.visible_to`` (so blurred for its reader).

Partner extracts and the SINP/RAIN export share this table; a blurred record gets its blurred
values (observations.blurring.blurred_columns), so no export can forget a field. Nomenclature
columns carry the SINP code, as the standard's exchange format does.
"""

from django.conf import settings
from django.contrib.gis.db.models.functions import Transform
from django.db.models import Case, CharField, F, Func, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Upper
from django.urls import reverse

from observations.blurring import (
    blurred_columns,
    blurring_cell_columns,
    is_blurred_queryset,
    precise_condition,
)


class WktText(Func):
    """WKT with 6 decimals (about 0.1 m in degrees)."""

    template = "ST_AsText(%(expressions)s, 6)"
    output_field = CharField()


class ArrayToString(Func):
    function = "array_to_string"
    output_field = CharField()


def proof_url(b):
    """The record's own proof URL; else its first photo or sound as the site serves it
    (``observations:media_file``, to the readers who place the record), under
    ``SITE_URL``, where the reader sees the record precisely (``shown_first_media``)."""
    site = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    if not site:
        return b["shown_proof_url"]
    marker = "00000000-0000-0000-0000-000000000000"
    prefix, suffix = reverse("observations:media_file", args=[marker]).split(marker)
    # "||" gives NULL with no media (Concat would give the bare prefix).
    media = Func(
        Value(site + prefix),
        Cast(b["shown_first_media"], CharField()),
        Value(suffix),
        template="(%(expressions)s)",
        arg_joiner=" || ",
        output_field=CharField(),
    )
    return Coalesce(NullIf(b["shown_proof_url"], Value("")), media, Value(""))


# SINP name → builder(blurred) giving the expression; ``blurred`` maps "shown_<field>" to the
# expression of what the reader sees. The order is the file's column order.
COLUMNS = {
    "idSINPOccTax": lambda b: Cast("uuid", CharField()),
    "idOrigine": lambda b: Cast("id", CharField()),
    "idSINPJdd": lambda b: Cast("dataset__uuid", CharField()),
    "libelleJdd": lambda b: F("dataset__title"),
    "organismeGestionnaireDonnee": lambda b: F("dataset__producer__name"),
    "dSPublique": lambda b: Case(
        When(dataset__is_public=True, then=Value("Pu")),
        default=Value("Pr"),
        output_field=CharField(),
    ),
    "statutSource": lambda b: F("source_status"),
    "dateDebut": lambda b: Cast("date_start", CharField()),
    "dateFin": lambda b: Cast("date_end", CharField()),
    "heureDebut": lambda b: Cast("time_start", CharField()),
    "heureFin": lambda b: Cast("time_end", CharField()),
    "cdNom": lambda b: F("taxon_id"),
    "cdRef": lambda b: F("taxon__cd_ref"),
    "nomValide": lambda b: F("taxon__scientific_name"),
    "nomVernaculaire": lambda b: F("taxon__vernacular_name"),
    "nomCite": lambda b: F("cited_name"),
    "versionTAXREF": lambda b: F("taxon__taxref_version"),
    "statutObservation": lambda b: F("observation_status"),
    "denombrementMin": lambda b: F("count_min"),
    "denombrementMax": lambda b: F("count_max"),
    "objetDenombrement": lambda b: F("count_object"),
    "typeDenombrement": lambda b: F("count_type"),
    "occSexe": lambda b: F("sex"),
    "occStadeDeVie": lambda b: F("life_stage"),
    "occEtatBiologique": lambda b: F("bio_condition"),
    "occStatutBiologique": lambda b: F("bio_status"),
    "occComportement": lambda b: F("behaviour"),
    "obsTechnique": lambda b: F("obs_technique"),
    "occNaturalite": lambda b: F("naturalness"),
    "occStatutBiogeographique": lambda b: F("biogeo_status"),
    "occMethodeDetermination": lambda b: F("determination_method"),
    "preuveExistante": lambda b: F("proof_exists"),
    "uRLPreuveNumerique": lambda b: proof_url(b),
    "preuveNonNumerique": lambda b: b["shown_proof_text"],
    "observateur": lambda b: F("observers_label"),
    "determinateur": lambda b: Case(
        When(~Q(determiner_label=""), then=F("determiner_label")),
        When(determiner__isnull=True, then=Value("")),
        default=Concat(
            Upper("determiner__last_name"),
            Value(" "),
            "determiner__first_name",
            output_field=CharField(),
        ),
        output_field=CharField(),
    ),
    "codeCommune": lambda b: ArrayToString(b["shown_communes"], Value("|")),
    "codeDepartement": lambda b: b["shown_departement_id"],
    "codeMaille": lambda b: b["shown_grid_10km"],
    "nomLieu": lambda b: b["shown_place_name"],
    "altitudeMin": lambda b: b["shown_altitude_min"],
    "altitudeMax": lambda b: b["shown_altitude_max"],
    "precisionGeometrie": lambda b: b["shown_precision_m"],
    "natureObjetGeo": lambda b: F("geo_object_nature"),
    "geometrie": lambda b: WktText(Transform(b["shown_geom"], settings.API_SRID)),
    "commentaire": lambda b: b["shown_comment"],
    "statutValidation": lambda b: F("validation_status"),
    "sensiNiveau": lambda b: F("sensitivity_level"),
    "diffusionNiveauPrecision": lambda b: b["shown_diffusion_level"],
    "dEEFloutage": lambda b: F("dee_blurring"),
}


def export_values(queryset: QuerySet, names: list[str] | None = None) -> QuerySet:
    """``queryset.values(...)`` with the standard columns (all, or ``names``), in order,
    each blurred for the queryset's reader; ordered by id, so a file is reproducible.
    The geometry is WKT in WGS84: for a blurred row, its blurred area's outline."""
    blurred = blurred_columns(queryset)
    columns = {name: COLUMNS[name](blurred) for name in names or COLUMNS}
    return queryset.order_by("id").values(**columns)


# Partner extracts add, after ``geometrie``, how each row is placed: SINP TYP_INF_GEO
# (1 géoréférencement: the row's own geometry; 2 rattachement: a blurred row, attached to
# a cell) and that cell, named, as observations.blurring draws it.
PLACE_COLUMNS = {
    "typeInfoGeo": lambda b, keep: (
        Value("1")
        if keep is None
        else Case(When(keep, then=Value("1")), default=Value("2"))
    ),
    "typeZoneFloutage": lambda b, keep: b["shown_cell_type"],
    "codeZoneFloutage": lambda b, keep: b["shown_cell_code"],
    "nomZoneFloutage": lambda b, keep: b["shown_cell_name"],
}
EXTRACT_COLUMNS = [
    *list(COLUMNS)[: list(COLUMNS).index("geometrie") + 1],
    *PLACE_COLUMNS,
    *list(COLUMNS)[list(COLUMNS).index("geometrie") + 1 :],
]


def extract_values(queryset: QuerySet, *, spatial: bool) -> QuerySet:
    """The rows of a partner extract, ``EXTRACT_COLUMNS`` in order, blurred for the
    queryset's reader and ordered by id.

    ``spatial`` (GeoJSON, GeoPackage): ``geometrie`` is a geometry in WGS84, the blurred
    cell's for a blurred row. Otherwise (CSV, XLSX) it is WKT, given for the rows read
    precisely only: a blurred row is placed by its cell's code and name, without the
    outline of a commune (about 2 kB of text) on every line, nor a centroid that would
    read as a place where the species was seen."""
    blurred = {**blurred_columns(queryset), **blurring_cell_columns(queryset)}
    keep = precise_condition(queryset) if is_blurred_queryset(queryset) else None
    geometry = Transform(blurred["shown_geom"], settings.API_SRID)
    if not spatial:
        geometry = WktText(Transform("geom", settings.API_SRID))
        if keep is not None:
            geometry = Case(When(keep, then=geometry), default=None)
    columns = {}
    for name in EXTRACT_COLUMNS:
        if name == "geometrie":
            columns[name] = geometry
        elif name in PLACE_COLUMNS:
            columns[name] = PLACE_COLUMNS[name](blurred, keep)
        else:
            columns[name] = COLUMNS[name](blurred)
    return queryset.order_by("id").values(**columns)
