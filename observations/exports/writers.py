"""Writers of occurrence files from a ``values()`` queryset (observations.exports.columns):
CSV through PostgreSQL's own COPY (no Python per row), XLSX, GeoJSON and GeoPackage, each
streamed with flat memory and reporting progress as rows are written.

``progress(rows_done)`` is called every ``PROGRESS_EVERY`` rows or so, while the database
connection is busy (COPY): report through the cache, not through the database.
"""

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from django.db import connection, transaction
from django.db.models import QuerySet

from cpie_naturaliste.core.sql import queryset_sql
from cpie_naturaliste.core.workbooks import WorkbookWriter

# Often enough for the bar to move on an extract of a few thousand rows; each report is
# one cache write.
PROGRESS_EVERY = 2000
UTF8_BOM = b"\xef\xbb\xbf"
GEOMETRY_COLUMN = "geometrie"

Progress = Callable[[int], None] | None


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
    query = bound_sql(queryset)
    copy_sql = f"COPY ({query}) TO STDOUT (FORMAT csv, HEADER true, DELIMITER ';')"
    lines = reported = 0
    with connection.cursor() as cursor:
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
    done = 0
    with transaction.atomic():  # a named cursor lives inside a transaction
        for row in queryset.values_list(*column_names(queryset)).iterator(
            chunk_size=5000
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
    """A FeatureCollection in WGS84; ``geometrie`` must be a GeoJSON text column."""
    query = bound_sql(queryset)
    out.write(b'{"type": "FeatureCollection", "features": [\n')
    rows = 0
    sql = (
        f"SELECT json_build_object('type', 'Feature', 'geometry',"
        f" t.{GEOMETRY_COLUMN}::json, 'properties', to_jsonb(t) - '{GEOMETRY_COLUMN}')::text"
        f" FROM ({query}) t"
    )
    with transaction.atomic(), connection.connection.cursor(name="geojson") as cursor:
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


def write_gpkg(queryset: QuerySet, path: Path, *, progress=None) -> int:
    """A GeoPackage (layer ``observations``, EPSG:4326) converted by GDAL's ogr2ogr from
    the GeoJSON, so that QGIS and ``ogrinfo`` read it as GDAL itself wrote it."""
    ogr2ogr = shutil.which("ogr2ogr")
    if ogr2ogr is None:
        raise RuntimeError("ogr2ogr (gdal-bin) est introuvable.")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "observations.geojson"
        with source.open("wb") as handle:
            rows = write_geojson(queryset, handle, progress=progress)
        path.unlink(missing_ok=True)
        subprocess.run(
            [
                ogr2ogr,
                "-f",
                "GPKG",
                str(path),
                str(source),
                "-nln",
                "observations",
                "-a_srs",
                "EPSG:4326",
            ],
            check=True,
            capture_output=True,
        )
    return rows
