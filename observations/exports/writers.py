"""Writers of occurrence files from a ``values()`` queryset (observations.exports.columns):
CSV through PostgreSQL's own COPY (no Python per row), XLSX, GeoJSON and GeoPackage (one
layer per geometry type), each streamed with flat memory and reporting progress as rows
are written.

``progress(rows_done)`` is called every ``PROGRESS_EVERY`` rows or so, while the database
connection is busy (COPY): report through the cache, not through the database.
"""

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from django.db import connection, connections, transaction
from django.db.models import QuerySet

from cpie_naturaliste.core.replica import read_alias
from cpie_naturaliste.core.sql import queryset_sql
from cpie_naturaliste.core.workbooks import WorkbookWriter

# Often enough for the bar to move on an extract of a few thousand rows; each report is
# one cache write.
PROGRESS_EVERY = 2000
UTF8_BOM = b"\xef\xbb\xbf"
GEOMETRY_COLUMN = "geometrie"

Progress = Callable[[int], None] | None


def _reader():
    """The connection the writers read from: the replica inside ``replica_reads()``
    (an extract's task), else the primary (cpie_naturaliste/core/replica.py)."""
    return connections[read_alias()]


def bound_sql(queryset: QuerySet) -> str:
    """The queryset's SQL with its parameters bound (COPY takes no parameters)."""
    sql, params = queryset_sql(queryset)
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params)


def write_csv(
    queryset: QuerySet, out: BinaryIO, *, bom: bool = True, progress: Progress = None
) -> int:
    """Semicolon-separated UTF-8 (with a BOM, so that Excel reads the accents) written by
    ``COPY (…) TO STDOUT``; returns the number of rows."""
    if bom:
        out.write(UTF8_BOM)
    return _copy_csv(bound_sql(queryset), out, progress=progress)


def _copy_csv(query: str, out: BinaryIO, *, progress: Progress = None) -> int:
    copy_sql = f"COPY ({query}) TO STDOUT (FORMAT csv, HEADER true, DELIMITER ';')"
    lines = reported = 0
    with _reader().cursor() as cursor:
        with cursor.cursor.copy(copy_sql) as copy:
            for chunk in copy:
                out.write(chunk)
                if progress is not None:
                    lines += bytes(chunk).count(b"\n")
                    if lines - reported >= PROGRESS_EVERY:
                        progress(
                            lines - 1
                        )  # less the header (a guess: quoted newlines)
                        reported = lines
        return cursor.cursor.rowcount


def _rows(queryset: QuerySet, progress: Progress):
    """Rows as tuples through a server-side cursor (constant memory)."""
    done, alias = 0, read_alias()
    # A named cursor lives inside a transaction (of the database it reads).
    with transaction.atomic(using=alias):
        for row in (
            queryset.using(alias)
            .values_list(*column_names(queryset))
            .iterator(chunk_size=5000)
        ):
            yield row
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done)


def column_names(queryset: QuerySet) -> list[str]:
    return list(queryset.query.values_select) + list(queryset.query.annotation_select)


def write_xlsx(
    queryset: QuerySet, out: BinaryIO, *, sheet: str = "observations", progress=None
) -> int:
    """One sheet through the core workbook writer (text cells guarded against formulas),
    its rows streamed from a server-side cursor: flat memory however many rows."""
    workbook = WorkbookWriter()
    rows = workbook.sheet(sheet, column_names(queryset), _rows(queryset, progress))
    workbook.save(out)
    return rows


def write_geojson(queryset: QuerySet, out: BinaryIO, *, progress=None) -> int:
    """A FeatureCollection in WGS84; ``geometrie`` must be a geometry column (WGS84), the
    other columns become the properties, in the queryset's order."""
    query = bound_sql(queryset)
    names = [n for n in column_names(queryset) if n != GEOMETRY_COLUMN]
    properties = ", ".join(f"t.{connection.ops.quote_name(n)}" for n in names)
    out.write(b'{"type": "FeatureCollection", "features": [\n')
    rows = 0
    sql = (
        f"SELECT json_build_object('type', 'Feature', 'geometry',"
        f" ST_AsGeoJSON(t.{GEOMETRY_COLUMN}, 6)::json, 'properties', row_to_json(p))::text"
        f" FROM ({query}) t CROSS JOIN LATERAL (SELECT {properties}) p"
    )
    reader = _reader()
    with (
        transaction.atomic(using=reader.alias),
        reader.connection.cursor(name="geojson") as cursor,
    ):
        cursor.itersize = 5000
        cursor.execute(sql)
        for (feature,) in cursor:
            if rows:
                out.write(b",\n")
            out.write(feature.encode())
            rows += 1
            if progress is not None and rows % PROGRESS_EVERY == 0:
                progress(rows)
    out.write(b"\n]}\n")
    return rows


@dataclass(frozen=True)
class Layer:
    """A GeoPackage layer: one declared geometry type, the rows whose geometry is of its
    family (``condition`` on ``g``), their geometry cast to that type (``cast``)."""

    name: str
    geometry_type: str  # ogr2ogr's -nlt
    condition: str
    cast: str
    always: bool = True  # written even when empty (a stable set of layers)


# Points stay points (QGIS' $x, most scripts); a record made of several points (rare: an
# imported MULTIPOINT) gets its own layer. Lines and polygons are promoted to their
# multi type, so that a blurred commune (often a MultiPolygon) and a drawn polygon share
# one layer. A geometry collection goes by its highest dimension. A row without geometry
# is kept, in the points layer.
LAYERS = (
    Layer(
        "observations_points",
        "POINT",
        "g IS NULL OR (ST_Dimension(g) = 0 AND ST_NumGeometries(g) = 1)",
        "ST_GeometryN(ST_CollectionExtract(g, 1), 1)",
    ),
    Layer(
        "observations_lignes",
        "MULTILINESTRING",
        "ST_Dimension(g) = 1",
        "ST_Multi(ST_CollectionExtract(g, 2))",
    ),
    Layer(
        "observations_polygones",
        "MULTIPOLYGON",
        "ST_Dimension(g) = 2",
        "ST_Multi(ST_CollectionExtract(g, 3))",
    ),
    Layer(
        "observations_multipoints",
        "MULTIPOINT",
        "ST_Dimension(g) = 0 AND ST_NumGeometries(g) > 1",
        "ST_Multi(ST_CollectionExtract(g, 1))",
        always=False,
    ),
)


def _on_geometry(sql: str) -> str:
    return re.sub(r"\bg\b", f"t.{GEOMETRY_COLUMN}", sql)


def write_gpkg(
    queryset: QuerySet, path: Path, *, progress=None, date: datetime | None = None
) -> int:
    """A GeoPackage in WGS84 with one layer per geometry type (``LAYERS``), each with the
    queryset's columns in its order (``geometrie``, a geometry column in WGS84, becomes
    the layer's geometry) and their types: written by ``COPY`` to a CSV beside its
    ``.csvt``, converted by GDAL's ogr2ogr, so that QGIS and ``ogrinfo`` read it as GDAL
    itself wrote it. ``date``: the layers' last change (reproducible files)."""
    ogr2ogr = shutil.which("ogr2ogr")
    if ogr2ogr is None:
        raise RuntimeError("ogr2ogr (gdal-bin) est introuvable.")
    query = bound_sql(queryset)
    names = [n for n in column_names(queryset) if n != GEOMETRY_COLUMN]
    types = [_ogr_type(queryset, n) for n in names] + ["WKT"]
    quoted = ", ".join(f"t.{connection.ops.quote_name(n)}" for n in names)
    counts = _layer_counts(query)
    env = {
        **os.environ,
        "OGR_CURRENT_DATE": (date or datetime(2000, 1, 1)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        ),
    }
    path.unlink(missing_ok=True)
    written = 0
    with tempfile.TemporaryDirectory() as tmp:
        for layer in LAYERS:
            if not counts[layer.name] and not layer.always:
                continue
            source = Path(tmp) / f"{layer.name}.csv"
            source.with_suffix(".csvt").write_text(",".join(f'"{t}"' for t in types))
            sql = (
                f"SELECT {quoted}, ST_AsText({_on_geometry(layer.cast)}, 6)"
                f" AS {GEOMETRY_COLUMN} FROM ({query}) t"
                f" WHERE {_on_geometry(layer.condition)}"
            )
            done = written
            with source.open("wb") as handle:
                written += _copy_csv(
                    sql,
                    handle,
                    progress=None
                    if progress is None
                    else (lambda rows, done=done: progress(done + rows)),
                )
            subprocess.run(
                [
                    ogr2ogr,
                    *(["-update"] if path.exists() else ["-f", "GPKG"]),
                    str(path),
                    str(source),
                    "-oo",
                    "KEEP_GEOM_COLUMNS=NO",
                    "-nln",
                    layer.name,
                    "-nlt",
                    layer.geometry_type,
                    "-a_srs",
                    "EPSG:4326",
                    "-lco",
                    f"GEOMETRY_NAME={GEOMETRY_COLUMN}",
                ],
                check=True,
                capture_output=True,
                env=env,
            )
            source.unlink()
    return written


def _layer_counts(query: str) -> dict[str, int]:
    counts = ", ".join(
        f"count(*) FILTER (WHERE {_on_geometry(layer.condition)})" for layer in LAYERS
    )
    with _reader().cursor() as cursor:
        cursor.execute(f"SELECT {counts} FROM ({query}) t")
        row = cursor.fetchone()
    return {layer.name: n for layer, n in zip(LAYERS, row, strict=True)}


def _ogr_type(queryset: QuerySet, name: str) -> str:
    """The GDAL CSV type (``.csvt``) of a column, from its Django output field."""
    expression = queryset.query.annotation_select.get(name)
    field = (
        expression.output_field
        if expression is not None
        else queryset.model._meta.get_field(name)
    )
    if field.is_relation:
        field = field.target_field
    kind = field.get_internal_type()
    if kind == "BigIntegerField" or kind == "PositiveBigIntegerField":
        return "Integer64"
    if kind.endswith("IntegerField") or kind == "AutoField":
        return "Integer"
    if kind in ("FloatField", "DecimalField"):
        return "Real"
    if kind == "BooleanField":
        return "Integer(Boolean)"
    return "String"
