"""Départements and communes from GeoJSON files (IGN Admin Express converted, WGS84).

Every file is read and checked before anything is written: a département is a feature whose
``code`` has 2 or 3 characters, a commune one with a 5-character INSEE code. Geometries are
moved to Lambert-93, repaired when invalid and stored as MultiPolygons.
"""

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.gis.gdal import CoordTransform, GDALException, SpatialReference
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Polygon
from django.db import connection, transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from cpie_naturaliste.core.tabular.errors import ErrorLog
from referentiel.models import Commune, Departement
from referentiel.services.territories import sites_refresh_communes

from .table import reference_errors

POLYGON_TYPES = {"Polygon", "MultiPolygon"}
CRS_EPSG_RE = re.compile(r"EPSG:+(\d+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Territory:
    """One checked feature, its geometry already in Lambert-93."""

    code: str
    name: str
    geom: MultiPolygon
    where: str  # "« file », entité n° 3", for messages


@dataclass(frozen=True)
class CommunesImportResult:
    files: int
    departements_created: int
    departements_updated: int
    communes_created: int
    communes_updated: int
    seconds: float

    def summary(self) -> str:
        return _(
            "%(files)d fichier(s) importé(s) en %(seconds)s s : départements "
            "%(dep_created)d créés, %(dep_updated)d mis à jour ; communes "
            "%(com_created)d créées, %(com_updated)d mises à jour. Communes des sites "
            "recalculées."
        ) % {
            "files": self.files,
            "seconds": number_format(self.seconds, 1),
            "dep_created": self.departements_created,
            "dep_updated": self.departements_updated,
            "com_created": self.communes_created,
            "com_updated": self.communes_updated,
        }


def departement_code_of(insee: str) -> str:
    """Département of a commune: 2 first characters, 3 overseas (97x)."""
    return insee[:3] if insee.startswith("97") else insee[:2]


def communes_import(*, paths: list[Path]) -> CommunesImportResult:
    """Upsert by code the départements and communes of GeoJSON files, then recompute the
    communes of every site.

    Raises ``ImportFileError`` naming the file and feature of every problem (not GeoJSON, a
    feature without ``code``/``nom``, a geometry that is not a polygon, a commune whose
    département is neither in the files nor in the database); then nothing is imported."""
    started = time.perf_counter()
    errors = reference_errors()
    departements: dict[str, Territory] = {}
    communes: dict[str, Territory] = {}
    for path in map(Path, paths):
        for territory in _territories_read(path=path, errors=errors):
            target = communes if len(territory.code) == 5 else departements
            if territory.code in target:
                errors.note(
                    _("%(where)s : code %(code)s déjà lu (%(first)s).")
                    % {
                        "where": territory.where,
                        "code": territory.code,
                        "first": target[territory.code].where,
                    }
                )
                continue
            target[territory.code] = territory
    needed = {departement_code_of(code) for code in communes} - set(departements)
    stored = set(
        Departement.objects.filter(code__in=needed).values_list("code", flat=True)
    )
    for commune in communes.values():
        code = departement_code_of(commune.code)
        if code not in departements and code not in stored:
            errors.note(
                _(
                    "%(where)s : la commune %(insee)s (%(name)s) appartient au département "
                    "%(dep)s, absent des fichiers importés et de la base ; importez aussi "
                    "son contour (departement-%(dep)s-….geojson)."
                )
                % {
                    "where": commune.where,
                    "insee": commune.code,
                    "name": commune.name,
                    "dep": code,
                }
            )
    errors.raise_if_any()
    counts = _territories_write(departements=departements, communes=communes)
    return CommunesImportResult(
        files=len(paths), seconds=time.perf_counter() - started, **counts
    )


@transaction.atomic
def _territories_write(
    *, departements: dict[str, Territory], communes: dict[str, Territory]
) -> dict[str, int]:
    existing = set(
        Departement.objects.filter(code__in=list(departements)).values_list(
            "code", flat=True
        )
    )
    Departement.objects.bulk_create(
        [
            Departement(code=t.code, name=t.name, geom=t.geom)
            for t in departements.values()
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "geom"],
        batch_size=200,
    )
    existing_communes = set(
        Commune.objects.filter(insee__in=list(communes)).values_list("insee", flat=True)
    )
    Commune.objects.bulk_create(
        [
            Commune(
                insee=t.code,
                name=t.name,
                departement_id=departement_code_of(t.code),
                geom=t.geom,
            )
            for t in communes.values()
        ],
        update_conflicts=True,
        unique_fields=["insee"],
        update_fields=["name", "departement", "geom"],
        batch_size=200,
    )
    territories_refresh_blur_geom(
        departements=list(departements), communes=list(communes)
    )
    sites_refresh_communes()
    return {
        "departements_created": len(departements) - len(existing),
        "departements_updated": len(existing),
        "communes_created": len(communes) - len(existing_communes),
        "communes_updated": len(existing_communes),
    }


# Simplification of the contours shown for blurred records: a sensitive record blurred to
# its département carries that contour in every row (observations.blurring), so it is kept
# light — about 150 vertices instead of 2,300 (1 km), 40 instead of 200 for a commune (10 m).
BLUR_TOLERANCE_M = {"departement": 1000, "commune": 10}


def territories_refresh_blur_geom(
    *, departements: list[str] | None = None, communes: list[str] | None = None
) -> None:
    """Recompute the simplified contours of the given territories (all with None)."""
    for model, key, codes in (
        (Departement, "departement", departements),
        (Commune, "commune", communes),
    ):
        column = model._meta.pk.column
        where, params = (
            ("", []) if codes is None else (f" WHERE {column} = ANY(%s)", [codes])
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {model._meta.db_table} SET blur_geom = ST_Multi("
                f"ST_SimplifyPreserveTopology(geom, {BLUR_TOLERANCE_M[key]})){where}",
                params,
            )


def _territories_read(*, path: Path, errors: ErrorLog) -> list[Territory]:
    """The checked features of one file; problems go to ``errors``."""
    not_geojson = _("« %s » n'est pas un fichier GeoJSON") % path.name
    try:
        data = json.loads(path.read_bytes())
    except OSError as error:
        errors.note(
            _("Impossible de lire « %(file)s » : %(error)s")
            % {"file": path.name, "error": error.strerror or error}
        )
        return []
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        detail = (
            _("JSON invalide ligne %(line)d, colonne %(col)d")
            % {"line": error.lineno, "col": error.colno}
            if isinstance(error, json.JSONDecodeError)
            else _("encodage invalide (UTF-8 attendu)")
        )
        errors.note(f"{not_geojson} : {detail}.")
        return []
    kind = data.get("type") if isinstance(data, dict) else None
    if kind == "FeatureCollection" and isinstance(data.get("features"), list):
        features = data["features"]
    elif kind == "Feature":
        features = [data]
    else:
        errors.note(
            _("%(prefix)s : un objet FeatureCollection ou Feature est attendu.")
            % {"prefix": not_geojson}
        )
        return []
    if not features:
        errors.note(_("« %s » ne contient aucune entité.") % path.name)
        return []
    srid = _crs_srid(data.get("crs"))
    try:
        # Built once per file: a CoordTransform costs milliseconds to set up, far more
        # than transforming one commune with it.
        to_storage = CoordTransform(
            SpatialReference(srid), SpatialReference(settings.SRID)
        )
    except (GDALException, TypeError):
        errors.note(
            _("« %s » : système de coordonnées (crs) non reconnu, EPSG attendu.")
            % path.name
        )
        return []
    territories = []
    for index, feature in enumerate(features, start=1):
        where = _("« %(file)s », entité n° %(index)d") % {
            "file": path.name,
            "index": index,
        }
        try:
            code, name = _feature_identity(feature)
        except ValueError as error:
            errors.note(f"{where} : {error}")
            continue
        where = f"{where} ({code})"
        try:
            geom = _feature_geometry(feature, srid=srid, to_storage=to_storage)
        except ValueError as error:
            errors.note(f"{where} : {error}")
            continue
        territories.append(Territory(code=code, name=name, geom=geom, where=where))
    return territories


def _crs_srid(crs) -> int | None:
    """SRID of a (pre-RFC 7946) ``crs`` member; WGS84 when there is none."""
    if crs is None:
        return settings.API_SRID
    name = (
        str((crs.get("properties") or {}).get("name", ""))
        if isinstance(crs, dict)
        else ""
    )
    if name.upper().endswith("CRS84"):
        return settings.API_SRID
    match = CRS_EPSG_RE.search(name)
    return int(match.group(1)) if match else None


def _feature_identity(feature) -> tuple[str, str]:
    """(code, name) of a feature; ValueError with a French message."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ValueError(_("objet « Feature » attendu."))
    properties = feature.get("properties") or {}
    code = str(properties.get("code") or "").strip().upper()
    name = str(properties.get("nom") or "").strip()
    if not code or not name:
        raise ValueError(_("les propriétés « code » et « nom » sont obligatoires."))
    if len(code) not in (2, 3, 5) or not code.isalnum():
        raise ValueError(
            _(
                "code « %s » : 2 ou 3 caractères pour un département, 5 (code INSEE) "
                "pour une commune."
            )
            % code
        )
    model = Commune if len(code) == 5 else Departement
    if len(name) > model._meta.get_field("name").max_length:
        raise ValueError(_("nom trop long."))
    return code, name


def _feature_geometry(feature: dict, *, srid: int, to_storage: CoordTransform):
    """The feature's polygon(s) as a valid Lambert-93 MultiPolygon; ValueError if not."""
    geometry = feature.get("geometry")
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in POLYGON_TYPES:
        raise ValueError(
            _("géométrie de type « %s » : Polygon ou MultiPolygon attendu.") % kind
        )
    try:
        geom = GEOSGeometry(json.dumps(geometry))
    except (GEOSException, GDALException, ValueError, TypeError) as error:
        raise ValueError(_("géométrie illisible (%s).") % error) from error
    geom.srid = srid
    if geom.empty:
        raise ValueError(_("géométrie vide."))
    if srid == settings.API_SRID:
        xmin, ymin, xmax, ymax = geom.extent
        if not (-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90):
            raise ValueError(
                _(
                    "coordonnées hors des bornes WGS84 (fichier en Lambert-93 sans membre "
                    "« crs » ?)."
                )
            )
    return _storage_multipolygon(geom, to_storage)


def _storage_multipolygon(
    geom: GEOSGeometry, to_storage: CoordTransform
) -> MultiPolygon:
    """Lambert-93, valid, as a MultiPolygon (make_valid may return a collection)."""
    try:
        geom = geom.transform(to_storage, clone=True)
        geom.srid = settings.SRID
    except (GDALException, GEOSException) as error:
        raise ValueError(_("reprojection impossible (%s).") % error) from error
    if not geom.valid:
        geom = geom.make_valid()
    polygons = _polygons(geom)
    if not polygons:
        raise ValueError(_("géométrie vide une fois corrigée."))
    multi = MultiPolygon(*polygons, srid=settings.SRID)
    if not multi.valid:  # repaired parts may overlap: merge them
        multi = MultiPolygon(*_polygons(multi.unary_union), srid=settings.SRID)
    return multi


def _polygons(geom: GEOSGeometry) -> list[Polygon]:
    if geom.geom_type == "Polygon":
        return [] if geom.empty else [geom]
    if geom.geom_type in ("MultiPolygon", "GeometryCollection"):
        return [polygon for part in geom for polygon in _polygons(part)]
    return []  # points and lines left by make_valid on degenerate rings
