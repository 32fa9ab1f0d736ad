"""The occurrence table of the occurrence benchmark, 1,000,000 or 10,000,000 rows (run in a
child process whose Django settings point to ``cpie_bench_occ`` or ``cpie_bench_occ_10m``).

- Reference rows: four organisations, 40 datasets (60 % public), two users.
- Points: 70 % in Gaussian clusters around 24 towns of the region, 30 % uniform inside the
  territory polygon (Hauts-de-France plus its margin), Lambert-93, to the metre.
- Taxa: the demo TAXREF (about 5,000 real names), Zipf-like (s = 0.9: the commonest taxon
  has about 7 % of the rows); dates 2000–2024, more in recent years.
- Drawn with numpy a chunk of 20,000 rows at a time and streamed into the COPY: memory stays
  flat whatever the size (15 µs a row, 2.5 min for 10 M, against 36 µs a row drawn one by
  one with ``random``).
- Load as STACK.md §4 measured fastest: secondary indexes, unique and foreign keys dropped,
  ``COPY … FROM STDIN (FORMAT csv)``, the derived fields computed by the real
  ``occurrences_refresh_derived()`` over every row, ``VACUUM FULL``, indexes and
  constraints re-created, ``ANALYZE``.
"""

import datetime as dt
import random
import time
import uuid
from itertools import accumulate

import numpy as np
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from cpie_naturaliste.core.geo import territory_polygon
from observations.models import Occurrence
from observations.models.summaries import SUMMARIES, summaries_rebuild
from observations.models.summaries import TRIGGERS as SUMMARY_TRIGGERS
from observations.services import occurrences_refresh_derived
from referentiel.models import Commune, Dataset, Organisation, Role, Taxon, User

TOWNS = (
    "Lille Amiens Roubaix Tourcoing Dunkerque Calais Villeneuve-d'Ascq Saint-Quentin "
    "Beauvais Valenciennes Boulogne-sur-Mer Arras Douai Lens Compiègne Béthune Laon "
    "Soissons Cambrai Maubeuge Abbeville Creil Liévin Hénin-Beaumont"
).split()
CLUSTERED_SHARE = 0.7
ZIPF_S = 0.9
YEARS = range(2000, 2025)
ORGANISATIONS = (
    "CPIE Chaîne des Terrils",
    "Eden 62",
    "CPIE Val d'Authie",
    "Groupe ornithologique et naturaliste",
)
DATASETS_PER_ORGANISATION = 10
STAFF_USER = "bench-staff"  # saisie in the first organisation: scope "my organisation"
REGIONAL_USER = "bench-regional"  # regional coordinator: sees everything
# Columns the generator fills; every other column gets the model default.
VARIABLE = {
    "uuid",
    "dataset",
    "taxon",
    "observation_status",
    "date_start",
    "date_end",
    "geom",
    "precision_m",
    "count_min",
    "count_max",
    "validation_status",
}
CHUNK_ROWS = 20_000
# Validation statuses 0–4: 10 % pending, 85 % validated (1 or 2), 5 % doubtful or invalid.
VALIDATION_CUMULATIVE = list(accumulate((10, 60, 25, 3, 2)))


def reference_rows() -> tuple[list[int], list[int]]:
    """Organisations, datasets and the two benchmark users; returns dataset ids and their
    weights (the staff user's organisation holds half of the data)."""
    organisations = [
        Organisation.objects.get_or_create(name=name)[0] for name in ORGANISATIONS
    ]
    rng = random.Random("datasets")
    ids, weights = [], []
    for index, organisation in enumerate(organisations):
        for number in range(DATASETS_PER_ORGANISATION):
            dataset, _ = Dataset.objects.get_or_create(
                title=f"Jeu {number + 1} – {organisation.name}",
                defaults={"producer": organisation, "is_public": rng.random() < 0.6},
            )
            ids.append(dataset.pk)
            weights.append((3 if index == 0 else 1) * rng.uniform(0.2, 1.0))
    staff, _ = User.objects.get_or_create(
        username=STAFF_USER, defaults={"organisation": organisations[0]}
    )
    regional, _ = User.objects.get_or_create(
        username=REGIONAL_USER,
        defaults={"organisation": organisations[0], "is_regional": True},
    )
    staff.groups.set([Group.objects.get_or_create(name=Role.SAISIE)[0]])
    regional.groups.set([Group.objects.get_or_create(name=Role.COORDINATEUR)[0]])
    return ids, weights


def _constant(field) -> str:
    """The CSV text of a column the generator does not fill."""
    if field.name in ("created_at", "updated_at"):
        return timezone.now().isoformat()
    if not field.has_default():
        # NULL is an unquoted empty field; a NOT NULL text column gets a quoted "".
        return "" if field.null else '""'
    value = field.get_default()
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list):
        return '"{}"'
    if value is None:
        return ""
    text = str(value)
    return f'"{text}"' if text == "" or "," in text else text


def _inside(ring, x, y):
    """Whether each point (x[i], y[i]) lies inside the polygon ``ring`` (closed list of
    vertices): even-odd ray casting, vectorised over the points."""
    inside = np.zeros(len(x), dtype=bool)
    for (x1, y1), (x2, y2) in zip(ring[:-1], ring[1:], strict=True):
        crosses = (y1 > y) != (y2 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (x < at)
    return inside


def rows_generate(rows: int, dataset_ids: list[int], dataset_weights: list[float]):
    """The column list, and a generator of CSV chunks of ``rows`` occurrences, drawn with
    numpy a chunk at a time (memory flat whatever ``rows``: 10 M rows are 500 chunks).

    Every database read happens here, before the generator runs: it is consumed inside
    the COPY, when the connection cannot run another query."""
    rng = np.random.default_rng(1_000_000)
    fields = [f for f in Occurrence._meta.concrete_fields if f.name != "id"]
    columns = [f.column for f in fields]
    constants = {f.name: _constant(f) for f in fields if f.name not in VARIABLE}
    taxa = np.array(Taxon.objects.order_by("cd_nom").values_list("cd_nom", flat=True))
    rng.shuffle(taxa)
    zipf = np.cumsum(1 / np.arange(1, len(taxa) + 1) ** ZIPF_S)
    datasets = np.array(dataset_ids)
    dataset_cumulative = np.cumsum(dataset_weights)
    territory = territory_polygon()
    ring = list(territory.exterior_ring.coords)
    towns = np.array(
        [
            (c.geom.centroid.x, c.geom.centroid.y, rng.uniform(3000, 8000))
            for c in Commune.objects.filter(name__in=TOWNS).order_by("insee")
        ]
    )
    years = np.array(list(YEARS))
    year_cumulative = np.cumsum(1 + 0.15 * (years - years[0]))
    xmin, ymin, xmax, ymax = territory.extent
    validation_cumulative = np.array(VALIDATION_CUMULATIVE, dtype=float)
    # Text of the 365 days of each year, so a row's date is a lookup, not a strftime.
    day_texts = {
        int(year): [
            (dt.date(int(year), 1, 1) + dt.timedelta(days=d)).isoformat()
            for d in range(365)
        ]
        for year in years
    }

    def draw(weights_cumulative, n):
        return np.searchsorted(
            weights_cumulative, rng.random(n) * weights_cumulative[-1], side="right"
        )

    def points(n: int):
        """``n`` points to the metre inside the territory: 70 % in Gaussian clusters
        around the towns, 30 % uniform (points outside are drawn again)."""
        xs, ys = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
        todo = np.arange(n)
        while len(todo):
            k = len(todo)
            clustered = rng.random(k) < CLUSTERED_SHARE
            town = towns[rng.integers(0, len(towns), k)]
            x = np.where(
                clustered,
                rng.normal(town[:, 0], town[:, 2]),
                rng.uniform(xmin, xmax, k),
            ).round()
            y = np.where(
                clustered,
                rng.normal(town[:, 1], town[:, 2]),
                rng.uniform(ymin, ymax, k),
            ).round()
            ok = _inside(ring, x, y)
            xs[todo[ok]], ys[todo[ok]] = x[ok], y[ok]
            todo = todo[~ok]
        return xs, ys

    def chunks():
        order = [f.name for f in fields]
        # One template per row: the constants in place, the drawn values as {} fields.
        template = ",".join(
            "{}"
            if name in VARIABLE
            else constants[name].replace("{", "{{").replace("}", "}}")
            for name in order
        )
        drawn = [name for name in order if name in VARIABLE]
        for first in range(0, rows, CHUNK_ROWS):
            n = min(CHUNK_ROWS, rows - first)
            xs, ys = points(n)
            row_years = years[draw(year_cumulative, n)]
            days = rng.integers(0, 365, n)
            absent = rng.random(n) < 0.03
            counts = np.where(absent, 0, rng.integers(1, 11, n))
            halves = rng.integers(0, 2**63, (n, 2), dtype=np.uint64, endpoint=False)
            values = {
                "dataset": datasets[draw(dataset_cumulative, n)].tolist(),
                "taxon": taxa[draw(zipf, n)].tolist(),
                "observation_status": np.where(absent, "No", "Pr").tolist(),
                "precision_m": rng.choice((5, 10, 25, 50, 100), n).tolist(),
                "count_min": counts.tolist(),
                "count_max": counts.tolist(),
                "validation_status": draw(validation_cumulative, n).tolist(),
            }
            dates = [
                day_texts[year][day]
                for year, day in zip(row_years.tolist(), days.tolist(), strict=True)
            ]
            values["date_start"] = values["date_end"] = dates
            values["geom"] = [
                f"SRID=2154;POINT({x} {y})"
                for x, y in zip(xs.tolist(), ys.tolist(), strict=True)
            ]
            values["uuid"] = [
                str(uuid.UUID(int=(high << 64) | low, version=4))
                for high, low in halves.tolist()
            ]
            columns_drawn = [values[name] for name in drawn]
            yield "".join(
                template.format(*row) + "\n" for row in zip(*columns_drawn, strict=True)
            )

    return columns, chunks()


def _sql(statement: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def occurrences_load(rows: int) -> dict[str, float]:
    """Fill ``observations_occurrence`` with ``rows`` generated occurrences; the seconds of
    each step."""
    table = Occurrence._meta.db_table
    timings: dict[str, float] = {}
    started = time.perf_counter()
    dataset_ids, dataset_weights = reference_rows()
    _sql(f"TRUNCATE {table} CASCADE")
    constraints = _sql(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
        [table],
    )
    for name, _definition in constraints:
        _sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    indexes = _sql(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
        "AND indexname <> %s",
        [table, f"{table}_pkey"],
    )
    for name, _definition in indexes:
        _sql(f'DROP INDEX "{name}"')
    # The summaries' triggers would count the COPY, then again the rewrite of every row
    # by the derived fields: counted once at the end instead.
    for trigger in SUMMARY_TRIGGERS:
        _sql(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    timings["préparation"] = time.perf_counter() - started

    started = time.perf_counter()
    columns, chunks = rows_generate(rows, dataset_ids, dataset_weights)
    generate = 0.0
    with connection.cursor() as cursor:
        copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT csv)"
        with cursor.copy(copy_sql) as copy:
            while True:
                tick = time.perf_counter()
                chunk = next(chunks, None)
                generate += time.perf_counter() - tick
                if chunk is None:
                    break
                copy.write(chunk)
    timings["génération (Python)"] = generate
    timings["COPY"] = time.perf_counter() - started - generate

    started = time.perf_counter()
    _sql(f"ANALYZE {table}")
    occurrences_refresh_derived()
    timings["champs dérivés (occurrences_refresh_derived, toutes les lignes)"] = (
        time.perf_counter() - started
    )

    started = time.perf_counter()
    _sql(f"VACUUM FULL {table}")
    for _name, definition in indexes:
        _sql(definition)
    for name, definition in constraints:
        _sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    _sql(f"VACUUM ANALYZE {table}")
    timings["VACUUM FULL, index et contraintes recréés, ANALYZE"] = (
        time.perf_counter() - started
    )

    started = time.perf_counter()
    summaries_rebuild()
    for trigger in SUMMARY_TRIGGERS:
        _sql(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
    for summary in SUMMARIES:
        _sql(f"VACUUM ANALYZE {summary.table}")
    timings["résumés (AtlasCount, CellCount) comptés"] = time.perf_counter() - started
    return timings


def table_figures() -> dict:
    table = Occurrence._meta.db_table
    ((size, indexes),) = _sql(
        "SELECT pg_table_size(%s), pg_indexes_size(%s)", [table, table]
    )
    summaries = {}
    for summary in SUMMARIES:
        ((count, bytes_),) = _sql(
            f"SELECT count(*), pg_total_relation_size(%s) FROM {summary.table}",
            [summary.table],
        )
        summaries[summary.table] = {"rows": count, "mb": bytes_ / 2**20}
    ((count, located, top),) = _sql(
        f"SELECT count(*), count(commune_id), (SELECT max(n) FROM (SELECT count(*) n "
        f"FROM {table} GROUP BY taxon_id) t) FROM {table}"
    )
    return {
        "rows": count,
        "with_commune": located,
        "top_taxon_rows": top,
        "table_mb": size / 2**20,
        "indexes_mb": indexes / 2**20,
        "summaries": summaries,
        "grid_cells": len(_sql(f"SELECT DISTINCT grid_10km FROM {table}")),
    }
