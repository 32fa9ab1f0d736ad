"""The 1,000,000-occurrence table of the occurrence benchmark (run in a child process whose
Django settings point to ``cpie_bench_occ``).

- Reference rows: four organisations, 40 datasets (60 % public), two users.
- Points: 70 % in Gaussian clusters around 24 towns of the region, 30 % uniform inside the
  territory polygon (Hauts-de-France plus its margin), Lambert-93, to the metre.
- Taxa: the demo TAXREF (about 5,000 real names), Zipf-like (s = 0.9: the commonest taxon
  has about 7 % of the rows); dates 2000–2024, more in recent years.
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

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point
from django.db import connection
from django.utils import timezone

from cpie_naturaliste.core.geo import territory_polygon
from observations.models import Occurrence
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


def rows_generate(rows: int, dataset_ids: list[int], dataset_weights: list[float]):
    """The column list, and a generator of CSV chunks of ``rows`` occurrences.

    Every database read happens here, before the generator runs: it is consumed inside
    the COPY, when the connection cannot run another query."""
    rng = random.Random(1_000_000)
    fields = [f for f in Occurrence._meta.concrete_fields if f.name != "id"]
    columns = [f.column for f in fields]
    constants = {f.name: _constant(f) for f in fields if f.name not in VARIABLE}
    taxa = list(Taxon.objects.order_by("cd_nom").values_list("cd_nom", flat=True))
    rng.shuffle(taxa)
    # Cumulative weights, computed once: random.choices would sum them on every call.
    zipf = list(accumulate(1 / (rank + 1) ** ZIPF_S for rank in range(len(taxa))))
    dataset_cumulative = list(accumulate(dataset_weights))
    territory = territory_polygon()
    towns = [
        (c.geom.centroid.x, c.geom.centroid.y, rng.uniform(3000, 8000))
        for c in Commune.objects.filter(name__in=TOWNS).order_by("insee")
    ]
    years = list(YEARS)
    year_weights = list(accumulate(1 + 0.15 * (year - years[0]) for year in years))
    prepared = territory.prepared
    xmin, ymin, xmax, ymax = territory.extent

    def point() -> tuple[int, int]:
        while True:
            if rng.random() < CLUSTERED_SHARE:
                x0, y0, sigma = rng.choice(towns)
                x, y = rng.gauss(x0, sigma), rng.gauss(y0, sigma)
            else:
                x, y = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
            x, y = round(x), round(y)
            if prepared.contains(Point(x, y, srid=settings.SRID)):
                return x, y

    def chunks():
        order = [f.name for f in fields]
        batch = []
        for done in range(rows):
            x, y = point()
            year = rng.choices(years, cum_weights=year_weights)[0]
            day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
            absent = rng.random() < 0.03
            count = 0 if absent else rng.randint(1, 10)
            values = {
                **constants,
                "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "dataset": str(
                    rng.choices(dataset_ids, cum_weights=dataset_cumulative)[0]
                ),
                "taxon": str(rng.choices(taxa, cum_weights=zipf)[0]),
                "observation_status": "No" if absent else "Pr",
                "date_start": day.isoformat(),
                "date_end": day.isoformat(),
                "geom": f"SRID=2154;POINT({x} {y})",
                "precision_m": str(rng.choice((5, 10, 25, 50, 100))),
                "count_min": str(count),
                "count_max": str(count),
                "validation_status": str(
                    rng.choices((0, 1, 2, 3, 4), cum_weights=VALIDATION_CUMULATIVE)[0]
                ),
            }
            batch.append(",".join(values[name] for name in order))
            if len(batch) == CHUNK_ROWS or done == rows - 1:
                yield "\n".join(batch) + "\n"
                batch = []

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
    return timings


def table_figures() -> dict:
    table = Occurrence._meta.db_table
    ((size, indexes),) = _sql(
        "SELECT pg_table_size(%s), pg_indexes_size(%s)", [table, table]
    )
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
        "grid_cells": len(_sql(f"SELECT DISTINCT grid_10km FROM {table}")),
    }
