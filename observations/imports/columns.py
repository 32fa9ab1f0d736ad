"""Target fields of an occurrence import, named as in the SINP standard (Occurrences de taxon v2),
and the column mapping: which file column feeds which target.

A mapping is ``{"columns": {target: file header}, "srid": 4326 | 2154}``. A file whose headers
carry the SINP names (accents, case, spaces and underscores ignored) needs no mapping step.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.tabular.cells import header_key
from observations.models import Occurrence

SRID_CHOICES = [(4326, _("WGS84 (degrés décimaux)")), (2154, _("Lambert-93 (mètres)"))]


@dataclass(frozen=True)
class Target:
    key: str  # SINP column name, also the key of a mapping
    kind: (
        str  # text, int, count, date, time, code, uuid, taxon, wkt, coord, person, jdd
    )
    field: str = ""  # Occurrence field fed ("" for geometry parts and checks)
    label: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def mnemonic(self) -> str:
        return Occurrence.NOMENCLATURES.get(self.field, "")


def _code(key: str, field: str, *aliases: str) -> Target:
    label = str(Occurrence._meta.get_field(field).verbose_name)
    return Target(key, "code", field, label[:1].upper() + label[1:], aliases)


TARGETS: tuple[Target, ...] = (
    Target(
        "cdNom",
        "taxon",
        "taxon",
        _("Taxon (cd_nom TAXREF)"),
        ("cd_nom", "cdnom", "taxonID"),
    ),
    Target("nomCite", "text", "cited_name", _("Nom cité"), ("nom_cite",)),
    Target(
        "dateDebut",
        "date",
        "date_start",
        _("Date de début"),
        ("date_debut", "date", "eventDate"),
    ),
    Target("dateFin", "date", "date_end", _("Date de fin"), ("date_fin",)),
    Target("heureDebut", "time", "time_start", _("Heure de début"), ("eventTime",)),
    Target("heureFin", "time", "time_end", _("Heure de fin")),
    Target(
        "observateur",
        "text",
        "observers_label",
        _("Observateurs"),
        ("observateurs", "recordedBy"),
    ),
    Target(
        "determinateur", "person", "determiner", _("Déterminateur"), ("identifiedBy",)
    ),
    Target(
        "geometrie",
        "wkt",
        "",
        _("Géométrie (WKT)"),
        ("geometrie_wkt_4326", "footprintWKT"),
    ),
    Target(
        "longitude",
        "coord",
        "",
        _("Longitude (WGS84)"),
        ("x_centroid_4326", "lon", "decimalLongitude"),
    ),
    Target(
        "latitude",
        "coord",
        "",
        _("Latitude (WGS84)"),
        ("y_centroid_4326", "lat", "decimalLatitude"),
    ),
    Target("x", "coord", "", _("X (Lambert-93)"), ("x_l93",)),
    Target("y", "coord", "", _("Y (Lambert-93)"), ("y_l93",)),
    Target(
        "precisionGeometrie",
        "int",
        "precision_m",
        _("Précision (m)"),
        ("precision_geographique", "precision", "coordinateUncertaintyInMeters"),
    ),
    Target(
        "nomLieu",
        "text",
        "place_name",
        _("Lieu-dit"),
        ("nom_lieu", "lieu_dit", "locality"),
    ),
    Target(
        "altitudeMin",
        "int",
        "altitude_min",
        _("Altitude minimale"),
        ("alti_min", "minimumElevationInMeters"),
    ),
    Target(
        "altitudeMax",
        "int",
        "altitude_max",
        _("Altitude maximale"),
        ("alti_max", "maximumElevationInMeters"),
    ),
    Target(
        "denombrementMin",
        "count",
        "count_min",
        _("Dénombrement min."),
        ("nombre_min", "nombre", "effectif"),
    ),
    Target(
        "denombrementMax",
        "count",
        "count_max",
        _("Dénombrement max."),
        ("nombre_max", "individualCount"),
    ),
    _code(
        "statutObservation",
        "observation_status",
        "statut_observation",
        "occurrenceStatus",
    ),
    _code("natureObjetGeo", "geo_object_nature"),
    _code("objetDenombrement", "count_object", "objet_denombrement"),
    _code("typeDenombrement", "count_type", "type_denombrement"),
    _code("occSexe", "sex", "sexe", "sex"),
    _code("occStadeDeVie", "life_stage", "stade_vie", "lifeStage"),
    _code("occEtatBiologique", "bio_condition", "etat_biologique"),
    _code("occStatutBiologique", "bio_status", "biologique_statut"),
    _code("occComportement", "behaviour", "comportement"),
    _code("obsTechnique", "obs_technique", "technique_observation"),
    _code("occNaturalite", "naturalness", "naturalite"),
    _code("occStatutBioGeographique", "biogeo_status", "biogeographique_statut"),
    _code("occMethodeDetermination", "determination_method", "methode_determination"),
    _code("preuveExistante", "proof_exists", "preuve_existante"),
    _code("statutSource", "source_status", "statut_source"),
    _code("dEEFloutage", "dee_blurring", "floutage_dee"),
    Target(
        "uRLPreuveNumerique",
        "text",
        "proof_url",
        _("URL de la preuve numérique"),
        ("preuve_numerique_url",),
    ),
    Target("preuveNonNumerique", "text", "proof_text", _("Preuve non numérique"), ()),
    Target(
        "commentaire",
        "text",
        "comment",
        _("Commentaire"),
        ("comment_occurrence", "commentaires", "remarques", "occurrenceRemarks"),
    ),
    Target(
        "idSINPOccTax",
        "uuid",
        "uuid",
        _("Identifiant SINP de l'observation"),
        ("uuid_perm_sinp", "identifiantPermanent", "occurrenceID"),
    ),
    Target("idOrigine", "text", "", _("Identifiant d'origine"), ("id_origine",)),
    Target("idSINPJdd", "jdd", "", _("Identifiant SINP du jeu de données"), ()),
)
TARGETS_BY_KEY = {target.key: target for target in TARGETS}
REQUIRED = ("cdNom", "dateDebut", "observateur")
GEOMETRY_OPTIONS = (("geometrie",), ("longitude", "latitude"), ("x", "y"))


_BY_NAME = {
    header_key(name): target.key
    for target in TARGETS
    for name in (target.key, *target.aliases)
}


# Columns only GeoNature's synthese export carries (its export and import test files,
# backend/geonature/tests/imports/files/synthese/): a file with most of them is one.
GEONATURE_SIGNATURE = frozenset(
    header_key(name)
    for name in (
        "id_synthese",
        "uuid_perm_sinp",
        "geometrie_wkt_4326",
        "x_centroid_4326",
        "y_centroid_4326",
        "jdd_uuid",
        "ca_uuid",
        "group1_inpn",
        "niveau_validation",
        "biologique_statut",
        "biogeographique_statut",
        "technique_observation",
        "methode_determination",
    )
)
GEONATURE = "geonature"
DWCA = "dwca"
# Darwin Core columns that feed two targets: an ISO interval (eventDate, eventTime) gives
# the start and the end, individualCount the minimum and the maximum.
SHARED_COLUMNS = (
    ("dateDebut", "dateFin"),
    ("heureDebut", "heureFin"),
    ("denombrementMax", "denombrementMin"),
)
DWC_SHARED = frozenset(
    header_key(name) for name in ("eventDate", "eventTime", "individualCount")
)
FORMAT_LABELS = {
    GEONATURE: _("export de synthèse GeoNature"),
    DWCA: _("archive Darwin Core"),
}


def file_format(headers: list[str], kind: str = "") -> str:
    """The format a file is recognised as: "geonature" for a GeoNature synthese export,
    "dwca" for a Darwin Core archive, else "" (SINP names or a mapping)."""
    if kind == DWCA:
        return DWCA
    found = GEONATURE_SIGNATURE & {header_key(h) for h in headers}
    return GEONATURE if len(found) >= 6 else ""


def mapping_guess(headers: list[str]) -> dict:
    """The mapping that standard (SINP) or GeoNature headers give, with the SRID their
    geometry implies."""
    columns: dict[str, str] = {}
    for header in headers:
        key = _BY_NAME.get(header_key(header))
        if key and key not in columns:
            columns[key] = header
    if "cdNom" not in columns:
        # No taxonID (a GBIF simple download): the scientific name gives the taxon.
        name = next((h for h in headers if header_key(h) == "scientificname"), None)
        if name:
            columns["cdNom"] = name
    for start, end in SHARED_COLUMNS:
        if header_key(columns.get(start, "")) in DWC_SHARED and end not in columns:
            columns[end] = columns[start]  # eventDate "début/fin", individualCount
    uses_xy = "x" in columns and not ({"geometrie", "longitude"} & columns.keys())
    return {"columns": columns, "srid": 2154 if uses_xy else 4326}


def mapping_problems(mapping: dict, headers: list[str]) -> list[str]:
    """What prevents ``mapping`` from importing a file with ``headers`` (French), if anything."""
    columns = mapping.get("columns", {})
    problems = []
    missing = [key for key in REQUIRED if not columns.get(key)]
    if missing:
        problems.append(
            _("Colonnes obligatoires non associées : %s.") % ", ".join(missing)
        )
    if not any(all(columns.get(k) for k in option) for option in GEOMETRY_OPTIONS):
        problems.append(
            _(
                "Localisation non associée : il faut « geometrie » (WKT), ou « longitude »"
                " et « latitude », ou « x » et « y »."
            )
        )
    absent = sorted({h for h in columns.values() if h and h not in headers})
    if absent:
        problems.append(
            _("Colonnes absentes du fichier : %s.")
            % ", ".join(f"« {h} »" for h in absent)
        )
    unknown = sorted(set(columns) - TARGETS_BY_KEY.keys())
    if unknown:
        problems.append(_("Champs cibles inconnus : %s.") % ", ".join(unknown))
    if mapping.get("srid", 4326) not in (4326, 2154):
        problems.append(_("Système de coordonnées inconnu (4326 ou 2154)."))
    return [str(p) for p in problems]


def mapping_clean(mapping: dict, headers: list[str]) -> dict:
    """Keep only the known targets whose column exists in the file."""
    columns = {
        key: header
        for key, header in mapping.get("columns", {}).items()
        if key in TARGETS_BY_KEY and header in headers
    }
    return {"columns": columns, "srid": int(mapping.get("srid", 4326))}


def template_headers() -> list[str]:
    """Columns of the downloadable CSV template, in a natural reading order."""
    skip = {"x", "y", "idSINPJdd"}
    return [target.key for target in TARGETS if target.key not in skip]
