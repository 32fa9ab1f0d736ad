"""Darwin Core Archive (DwC-A) of a public dataset, for GBIF and any Darwin Core reader.

The archive is a ZIP of ``meta.xml`` (the descriptor), ``eml.xml`` (GBIF's EML 2.1.1 profile),
``multimedia.txt`` (the photos and sounds of the records published precisely:
``observations.exports.dwca_media``) and ``occurrence.txt`` (the occurrence core: tab-separated UTF-8, a header row, fields
enclosed in double quotes only when needed). The core is read for the public
(``Reader.public``): records of sensitivity 4 are left out, the other sensitive ones get their
blurred area's centroid as coordinates, with the radius that covers the area as uncertainty,
no locality, and ``informationWithheld``/``dataGeneralizations`` saying so. Only validated
records (certain or probable) are published.

Rows are written by PostgreSQL's ``COPY`` straight into the ZIP member (no Python per row, flat
memory), ordered by id; every ZIP member has a fixed date and the metadata is derived from
the data (``pubDate`` is the last update of a published row), so the same data gives the
same archive, byte for byte.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    CharField,
    F,
    FloatField,
    Func,
    IntegerField,
    QuerySet,
    Value,
)

from observations.blurring import Reader, blurred_columns
from observations.exports import dwca_media
from observations.exports.files import zip_info
from observations.exports.writers import bound_sql
from observations.models import Occurrence
from observations.models.occurrences import VALIDATION_CHOICES
from referentiel.models import Dataset

DWC = "http://rs.tdwg.org/dwc/terms/"
DCTERMS = "http://purl.org/dc/terms/"
CORE_FILE = "occurrence.txt"
# Validation statuses published: 1 "Certain - très probable", 2 "Probable".
PUBLISHED_STATUSES = (1, 2)
REGION = "Hauts-de-France"
REGION_DEPARTEMENTS = ("02", "59", "60", "62", "80")

LICENCES = {
    Dataset.Licence.CC_BY: (
        "http://creativecommons.org/licenses/by/4.0/legalcode",
        "Creative Commons Attribution (CC-BY) 4.0",
    ),
    Dataset.Licence.ETALAB: (
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        "Licence Ouverte / Open Licence 2.0 (Etalab)",
    ),
    Dataset.Licence.ODBL: (
        "https://opendatacommons.org/licenses/odbl/1-0/",
        "Open Data Commons Open Database License (ODbL) 1.0",
    ),
}

# TAXREF rank code → Darwin Core taxonRank (GBIF rank vocabulary).
RANKS = {
    "KD": "kingdom",
    "SSRG": "subkingdom",
    "PH": "phylum",
    "SBPH": "subphylum",
    "SPCL": "superclass",
    "CL": "class",
    "SBCL": "subclass",
    "IFCL": "infraclass",
    "SPOR": "superorder",
    "OR": "order",
    "SBOR": "suborder",
    "IFOR": "infraorder",
    "SPFM": "superfamily",
    "FM": "family",
    "SBFM": "subfamily",
    "TR": "tribe",
    "SSTR": "subtribe",
    "GN": "genus",
    "SSGN": "subgenus",
    "SC": "section",
    "SER": "series",
    "AGES": "speciesAggregate",
    "ES": "species",
    "SSES": "subspecies",
    "NAT": "natio",
    "VAR": "variety",
    "SVAR": "subvariety",
    "FO": "form",
    "SSFO": "subform",
    "CAR": "cultivar",
}
# SINP SEXE code → Darwin Core sex (GBIF vocabulary); unknown, mixed, not given: empty.
SEXES = {"2": "female", "3": "male", "4": "hermaphrodite"}
# SINP STADE_VIE code → Darwin Core lifeStage; "inconnu"/"indéterminé": empty.
LIFE_STAGES = {
    "2": "adult",
    "3": "juvenile",
    "4": "immature",
    "5": "subadult",
    "6": "larva",
    "7": "caterpillar",
    "8": "tadpole",
    "9": "egg",
    "10": "moult",
    "11": "exuviae",
    "12": "chrysalis",
    "13": "nymph",
    "14": "pupa",
    "15": "imago",
    "16": "subimago",
    "17": "fry",
    "18": "germination",
    "19": "withered",
    "20": "seed",
    "21": "thallus",
    "22": "tuber",
    "23": "bulb",
    "24": "rhizome",
    "25": "emergent",
    "26": "postlarva",
}
# SINP OBJ_DENBR code → Darwin Core organismQuantityType ("surface" has no unit: left out).
QUANTITY_TYPES = {
    "IND": "individuals",
    "CPL": "pairs",
    "COL": "colonies",
    "NID": "nests",
    "PON": "egg clutches",
    "HAM": "flowering stems",
    "TIGE": "stems",
    "TOUF": "tufts",
}


# Sensitivity level → the area its records are generalised to (observations.blurring).
GENERALISED_TO = {1: "à la commune", 2: "à la maille de 10 km", 3: "au département"}


class DwcaRefused(ValueError):
    """The dataset cannot be published as a Darwin Core Archive (message in French)."""


class Sql(Func):
    """An SQL snippet over expressions: ``{0}``, ``{1}``… stand for them (repeatable)."""

    def __init__(self, sql: str, *expressions, output_field=None):
        super().__init__(*expressions, output_field=output_field or CharField())
        self.sql = sql

    def as_sql(self, compiler, connection, **extra):
        compiled = [compiler.compile(expr) for expr in self.get_source_expressions()]
        pieces = re.split(r"\{(\d+)\}", self.sql)
        sql, params = [], []
        for position, piece in enumerate(pieces):
            if position % 2:
                part, part_params = compiled[int(piece)]
                sql.append(f"({part})")
                params.extend(part_params)
            else:
                sql.append(piece)
        return "".join(sql), params


def _mapping(expression, table: dict[str, str]) -> Sql:
    """``CASE expression WHEN code THEN value … END`` (NULL for any other code)."""
    whens = " ".join(
        f"WHEN '{code}' THEN '{value}'" for code, value in sorted(table.items())
    )
    return Sql(f"CASE {{0}} {whens} END", expression)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _terms(queryset: QuerySet, dataset: Dataset) -> dict[str, tuple[str, object]]:
    """Darwin Core term name → (term URI, expression), in the core file's column order."""
    b = blurred_columns(queryset)
    geom = b["shown_geom"]
    precise = F("is_precise")
    licence_url = LICENCES[dataset.licence][0]
    producer = dataset.producer
    validation = " ".join(
        f"WHEN {code} THEN {_literal(str(label))}"
        for code, label in VALIDATION_CHOICES
        if code in PUBLISHED_STATUSES
    )
    area_label = {
        level: _literal(
            f"Coordonnées généralisées {area} : centroïde de la zone, l'incertitude"
            " en est le rayon qui la couvre."
        )
        for level, area in GENERALISED_TO.items()
    }
    dwc = {
        "occurrenceID": Sql("'urn:uuid:' || {0}::text", F("uuid")),
        "basisOfRecord": Value("HumanObservation"),
        "modified": Sql(
            "to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
            F("updated_at"),
        ),
        "eventDate": Sql(
            "CASE WHEN {0} = {1} THEN {0}::text ELSE {0}::text || '/' || {1}::text END",
            F("date_start"),
            F("date_end"),
        ),
        "eventTime": Sql(
            "CASE WHEN {1} IS NULL THEN to_char({0}, 'HH24:MI:SS')"
            " ELSE to_char({0}, 'HH24:MI:SS') || '/' || to_char({1}, 'HH24:MI:SS') END",
            F("time_start"),
            F("time_end"),
        ),
        "year": Sql(
            "CASE WHEN date_trunc('year', {0}) = date_trunc('year', {1})"
            " THEN extract(year FROM {0})::integer END",
            F("date_start"),
            F("date_end"),
            output_field=IntegerField(),
        ),
        "month": Sql(
            "CASE WHEN date_trunc('month', {0}) = date_trunc('month', {1})"
            " THEN extract(month FROM {0})::integer END",
            F("date_start"),
            F("date_end"),
            output_field=IntegerField(),
        ),
        "day": Sql(
            "CASE WHEN {0} = {1} THEN extract(day FROM {0})::integer END",
            F("date_start"),
            F("date_end"),
            output_field=IntegerField(),
        ),
        "scientificName": Sql(
            "CASE WHEN {1} = '' THEN {0} ELSE {0} || ' ' || {1} END",
            F("taxon__scientific_name"),
            F("taxon__author"),
        ),
        "scientificNameAuthorship": F("taxon__author"),
        "taxonRank": _mapping(F("taxon__rank"), RANKS),
        "kingdom": F("taxon__kingdom"),
        "phylum": F("taxon__phylum"),
        "class": F("taxon__class_name"),
        "order": F("taxon__order_name"),
        "family": F("taxon__family"),
        "taxonID": Sql(
            "'https://inpn.mnhn.fr/espece/cd_nom/' || {0}::text", F("taxon_id")
        ),
        "nameAccordingTo": Sql(
            "CASE WHEN {0} <> '' THEN 'TAXREF v' || {0} END",
            F("taxon__taxref_version"),
        ),
        "vernacularName": Sql(
            "trim(split_part({0}, ',', 1))", F("taxon__vernacular_name")
        ),
        "occurrenceStatus": _mapping(
            F("observation_status"), {"Pr": "present", "No": "absent"}
        ),
        "individualCount": Sql(
            "CASE WHEN {0} = 'No' THEN 0 WHEN {1} = 'IND' THEN {2} END",
            F("observation_status"),
            F("count_object"),
            F("count_max"),
            output_field=IntegerField(),
        ),
        "organismQuantity": Sql(
            "CASE WHEN {0} = 'Pr' AND {1} IN ("
            + ", ".join(_literal(code) for code in sorted(QUANTITY_TYPES))
            + ") THEN {2} END",
            F("observation_status"),
            F("count_object"),
            F("count_max"),
            output_field=IntegerField(),
        ),
        "organismQuantityType": Sql(
            "CASE WHEN {0} = 'Pr' AND {2} IS NOT NULL THEN {1} END",
            F("observation_status"),
            _mapping(F("count_object"), QUANTITY_TYPES),
            F("count_max"),
        ),
        "sex": _mapping(F("sex"), SEXES),
        "lifeStage": _mapping(F("life_stage"), LIFE_STAGES),
        "recordedBy": F("observers_label"),
        "identifiedBy": Sql(
            "COALESCE(NULLIF({2}, ''),"
            " NULLIF(trim(upper({0}) || ' ' || coalesce({1}, '')), ''))",
            F("determiner__last_name"),
            F("determiner__first_name"),
            F("determiner_label"),
        ),
        "identificationVerificationStatus": Sql(
            f"CASE {{0}} {validation} END", F("validation_status")
        ),
        # The centroid of what is shown (the point itself, or the blurred area's centre) …
        "decimalLatitude": Sql(
            "round(ST_Y(ST_Transform(ST_Centroid({0}), 4326))::numeric, 6)",
            geom,
            output_field=FloatField(),
        ),
        "decimalLongitude": Sql(
            "round(ST_X(ST_Transform(ST_Centroid({0}), 4326))::numeric, 6)",
            geom,
            output_field=FloatField(),
        ),
        "geodeticDatum": Value("EPSG:4326"),
        # … and the radius around it that covers all of it (Darwin Core point-radius).
        "coordinateUncertaintyInMeters": Sql(
            "CASE WHEN GeometryType({0}) = 'POINT' THEN {1}"
            " ELSE ceil(ST_MaxDistance(ST_Centroid({0}), {0}))::integer"
            " + coalesce({1}, 0) END",
            geom,
            b["shown_precision_m"],
            output_field=IntegerField(),
        ),
        "footprintWKT": Sql(
            "CASE WHEN {1} AND GeometryType({0}) <> 'POINT'"
            " THEN ST_AsText(ST_Transform({0}, 4326), 6) END",
            geom,
            precise,
        ),
        "footprintSRS": Sql(
            "CASE WHEN {1} AND GeometryType({0}) <> 'POINT' THEN 'EPSG:4326' END",
            geom,
            precise,
        ),
        "minimumElevationInMeters": b["shown_altitude_min"],
        "maximumElevationInMeters": b["shown_altitude_max"],
        "countryCode": Sql("CASE WHEN {0} IS NOT NULL THEN 'FR' END", F("departement")),
        "stateProvince": Sql(
            "CASE WHEN {0} IN ("
            + ", ".join(_literal(code) for code in REGION_DEPARTEMENTS)
            + f") THEN {_literal(REGION)} END",
            b["shown_departement_id"],
        ),
        "county": Sql(
            "CASE WHEN {0} IS NOT NULL THEN {1} END",
            b["shown_departement_id"],
            F("departement__name"),
        ),
        "municipality": Sql(
            "CASE WHEN {0} IS NOT NULL THEN {1} END",
            b["shown_commune_id"],
            F("commune__name"),
        ),
        "locality": b["shown_place_name"],
        "informationWithheld": Sql(
            "CASE WHEN NOT {0} THEN 'Donnée sensible (niveau SINP ' || {1}::text"
            " || ') : localisation précise, lieu-dit, altitude et commentaire"
            " non diffusés.' END",
            precise,
            F("sensitivity_level"),
        ),
        "dataGeneralizations": Sql(
            "CASE WHEN {0} THEN NULL"
            f" WHEN {{1}} = 1 AND {{2}} IS NOT NULL THEN {area_label[1]}"
            f" WHEN {{1}} IN (1, 2) THEN {area_label[2]}"
            f" WHEN {{1}} = 3 THEN {area_label[3]} END",
            precise,
            F("sensitivity_level"),
            F("commune"),
        ),
        "occurrenceRemarks": b["shown_comment"],
        "datasetID": Value(str(dataset.uuid)),
        "datasetName": Value(dataset.title),
        "institutionCode": Value(producer.short_name or producer.name),
        "rightsHolder": Value(producer.name),
        "license": Value(licence_url),
    }
    namespaces = {"modified": DCTERMS, "rightsHolder": DCTERMS, "license": DCTERMS}
    return {
        name: (namespaces.get(name, DWC) + name, expression)
        for name, expression in dwc.items()
    }


def published_queryset(dataset: Dataset) -> QuerySet:
    """The records a DwC-A publishes: validated, read as the public reads them."""
    return Reader.public().restrict(
        Occurrence.objects.filter(
            dataset=dataset, validation_status__in=PUBLISHED_STATUSES
        ).order_by()
    )


def check_publishable(dataset: Dataset) -> None:
    if not dataset.is_public:
        raise DwcaRefused(
            f"Le jeu de données « {dataset.title} » n'est pas public (dSPublique = Pr) : "
            "il ne peut pas être publié en archive Darwin Core."
        )
    if dataset.licence not in LICENCES:
        raise DwcaRefused(
            f"Le jeu de données « {dataset.title} » est sous licence "
            f"« {dataset.get_licence_display()} » : il ne peut pas être publié en archive "
            "Darwin Core."
        )


def _inner_sql(dataset: Dataset) -> tuple[str, list[str], list[str]]:
    """The SQL of the published rows (columns ``c0``… plus ``sort_id``, ``d_start``,
    ``d_end``, ``upd``), the term names and their URIs, in column order."""
    queryset = published_queryset(dataset)
    terms = _terms(queryset, dataset)
    columns = {f"c{i}": expr for i, (_uri, expr) in enumerate(terms.values())}
    columns.update(
        sort_id=F("id"),
        d_start=F("date_start"),
        d_end=F("date_end"),
        upd=F("updated_at"),
    )
    sql = bound_sql(queryset.values(**columns))
    return sql, list(terms), [uri for uri, _expr in terms.values()]


def _copy_sql(inner: str, names: list[str]) -> str:
    # Tabs and line breaks inside a value would trouble line-based readers: spaces instead.
    # NULLIF: an empty text is written as an empty field, not as "".
    selected = ", ".join(
        f"NULLIF(translate(t.c{i}::text, E'\\t\\r\\n', '   '), '')"
        for i in range(len(names))
    )
    return (
        f"COPY (SELECT {selected} FROM ({inner}) t ORDER BY t.sort_id) TO STDOUT"
        " (FORMAT csv, DELIMITER E'\\t', QUOTE '\"', HEADER false)"
    )


def _summary(inner: str, names: list[str]) -> dict:
    lat, lon = names.index("decimalLatitude"), names.index("decimalLongitude")
    sql = (
        f"SELECT count(*), min(t.c{lat}), max(t.c{lat}), min(t.c{lon}), max(t.c{lon}),"
        f" min(t.d_start), max(t.d_end),"
        f" (max(t.upd) AT TIME ZONE {_literal(settings.TIME_ZONE)})::date"
        f" FROM ({inner}) t"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    keys = ("rows", "south", "north", "west", "east", "begin", "end", "updated")
    return dict(zip(keys, row, strict=True))


def meta_xml(names: list[str], uris: list[str], *, multimedia: bool = False) -> bytes:
    ET.register_namespace("", "http://rs.tdwg.org/dwc/text/")
    ns = "{http://rs.tdwg.org/dwc/text/}"
    archive = ET.Element(f"{ns}archive", {"metadata": "eml.xml"})
    core = ET.SubElement(
        archive,
        f"{ns}core",
        {
            "encoding": "UTF-8",
            "fieldsTerminatedBy": "\\t",
            "linesTerminatedBy": "\\n",
            "fieldsEnclosedBy": '"',
            "ignoreHeaderLines": "1",
            "rowType": DWC + "Occurrence",
        },
    )
    files = ET.SubElement(core, f"{ns}files")
    ET.SubElement(files, f"{ns}location").text = CORE_FILE
    ET.SubElement(core, f"{ns}id", {"index": str(names.index("occurrenceID"))})
    for index, uri in enumerate(uris):
        ET.SubElement(core, f"{ns}field", {"index": str(index), "term": uri})
    if multimedia:
        extension = ET.SubElement(
            archive,
            f"{ns}extension",
            {**core.attrib, "rowType": dwca_media.ROW_TYPE},
        )
        files = ET.SubElement(extension, f"{ns}files")
        ET.SubElement(files, f"{ns}location").text = dwca_media.MULTIMEDIA_FILE
        ET.SubElement(extension, f"{ns}coreid", {"index": "0"})
        for index, uri in enumerate(dwca_media.TERMS.values(), start=1):
            ET.SubElement(extension, f"{ns}field", {"index": str(index), "term": uri})
    ET.indent(archive)
    return ET.tostring(archive, encoding="UTF-8", xml_declaration=True) + b"\n"


def eml_xml(dataset: Dataset, summary: dict) -> bytes:
    """GBIF metadata profile (EML 2.1.1) of the dataset, derived from the data only."""
    eml_ns = "eml://ecoinformatics.org/eml-2.1.1"
    xsi = "http://www.w3.org/2001/XMLSchema-instance"
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    ET.register_namespace("eml", eml_ns)
    ET.register_namespace("xsi", xsi)
    root = ET.Element(
        f"{{{eml_ns}}}eml",
        {
            f"{{{xsi}}}schemaLocation": (
                f"{eml_ns} http://rs.gbif.org/schema/eml-gbif-profile/1.1/eml.xsd"
            ),
            "packageId": str(dataset.uuid),
            "system": "http://gbif.org",
            "scope": "system",
            xml_lang: "fr",
        },
    )
    ds = ET.SubElement(root, "dataset")
    ET.SubElement(ds, "alternateIdentifier").text = str(dataset.uuid)
    ET.SubElement(ds, "title", {xml_lang: "fr"}).text = dataset.title
    producer = dataset.producer

    def party(tag: str) -> None:
        element = ET.SubElement(ds, tag)
        ET.SubElement(element, "organizationName").text = producer.name
        if producer.website:
            ET.SubElement(element, "onlineUrl").text = producer.website

    party("creator")
    party("metadataProvider")
    updated = summary["updated"] or dataset.updated_at.date()
    ET.SubElement(ds, "pubDate").text = updated.isoformat()
    ET.SubElement(ds, "language").text = "fr"
    abstract = ET.SubElement(ds, "abstract")
    for paragraph in (dataset.description or dataset.title).split("\n\n"):
        if paragraph.strip():
            ET.SubElement(abstract, "para").text = paragraph.strip()
    url, name = LICENCES[dataset.licence]
    rights = ET.SubElement(ET.SubElement(ds, "intellectualRights"), "para")
    rights.text = f"{producer.name} publie ces données sous la licence "
    ulink = ET.SubElement(rights, "ulink", {"url": url})
    citetitle = ET.SubElement(ulink, "citetitle")
    citetitle.text = name
    ulink.tail = "."
    if summary["rows"]:
        coverage = ET.SubElement(ds, "coverage")
        geographic = ET.SubElement(coverage, "geographicCoverage")
        ET.SubElement(geographic, "geographicDescription").text = (
            f"{REGION} (France) et ses abords ; coordonnées des données sensibles "
            "généralisées."
        )
        box = ET.SubElement(geographic, "boundingCoordinates")
        for tag, key in (
            ("westBoundingCoordinate", "west"),
            ("eastBoundingCoordinate", "east"),
            ("northBoundingCoordinate", "north"),
            ("southBoundingCoordinate", "south"),
        ):
            ET.SubElement(box, tag).text = f"{summary[key]:.6f}"
        dates = ET.SubElement(
            ET.SubElement(coverage, "temporalCoverage"), "rangeOfDates"
        )
        for tag, key in (("beginDate", "begin"), ("endDate", "end")):
            ET.SubElement(ET.SubElement(dates, tag), "calendarDate").text = summary[
                key
            ].isoformat()
    party("contact")
    additional = ET.SubElement(ET.SubElement(root, "additionalMetadata"), "metadata")
    gbif = ET.SubElement(additional, "gbif")
    ET.SubElement(gbif, "dateStamp").text = updated.isoformat()
    ET.SubElement(gbif, "hierarchyLevel").text = "dataset"
    ET.indent(root)
    ulink.text, citetitle.tail = None, None  # mixed content: no indentation inside
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def _write_core(archive: zipfile.ZipFile, inner: str, names: list[str]) -> int:
    with archive.open(zip_info(CORE_FILE), "w", force_zip64=True) as member:
        member.write(("\t".join(names) + "\n").encode())
        with connection.cursor() as cursor:
            with cursor.cursor.copy(_copy_sql(inner, names)) as copy:
                for chunk in copy:
                    member.write(chunk)
            return cursor.cursor.rowcount


def dwca_export(*, dataset: Dataset, out_path) -> int:
    """Write the Darwin Core Archive of ``dataset`` to ``out_path``; returns the number of
    occurrences. Raises ``DwcaRefused`` for a dataset that is not public."""
    check_publishable(dataset)
    out_path = Path(out_path)
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            # One snapshot for the metadata and the rows.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
                )
        inner, names, uris = _inner_sql(dataset)
        summary = _summary(inner, names)
        multimedia = dwca_media.multimedia_table(
            published_queryset(dataset),
            licence=LICENCES[dataset.licence][0],
            holder=dataset.producer.name,
        )
        handle, tmp_name = tempfile.mkstemp(
            dir=out_path.parent, prefix=".dwca-", suffix=".zip"
        )
        try:
            with os.fdopen(handle, "wb") as raw:
                with zipfile.ZipFile(raw, "w") as archive:
                    archive.writestr(
                        zip_info("meta.xml"),
                        meta_xml(names, uris, multimedia=multimedia is not None),
                    )
                    archive.writestr(zip_info("eml.xml"), eml_xml(dataset, summary))
                    rows = _write_core(archive, inner, names)
                    if multimedia is not None:
                        archive.writestr(
                            zip_info(dwca_media.MULTIMEDIA_FILE), multimedia
                        )
            os.chmod(tmp_name, 0o644)
            os.replace(tmp_name, out_path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
    return rows
