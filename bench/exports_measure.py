"""Child steps of the export benchmark (bench/exports.py), run with Django settings pointing to
``cpie_bench_occ``: each step prints one JSON result, and each extract runs in its own process
so that its peak RSS is its own.

- ``setup``: the two readers (regional coordinator, partner with clearance 0), the bench
  datasets made public, ~100 sensitivity rules on common taxa (if there are none) and one
  ``occurrences_refresh_sensitivity()``; the levels, the visible rows and a filter of about
  100,000 rows.
- ``extract``: ``extract_create`` + ``extract_run`` (synchronously, no Celery), then the
  COPY baselines of the same SQL and of the raw columns.
- ``sensitivity``: the recomputation with no change, after adding level-2 rules that change
  10–20 % of the rows (one rule on a taxon group, else the commonest taxa), after deleting
  them, and the same with level 3.
- ``sinp``: a complete SINP export of a year for the faune pole, if the module exists.
- ``facts``: ``VACUUM FULL`` of the table, then what the blurred geometries weigh.
- ``restore``: the datasets' ``is_public`` as they were before ``setup``.
"""

import hashlib
import inspect
import json
import os
import random
import resource
import time

from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Count, F
from django.db.models.functions import ExtractYear

from bench.db import OUT
from bench.occurrences import DATABASE_ENV, rows_current, rows_suffix
from observations.exports import extracts
from observations.exports.columns import extract_values
from observations.models import Extract, Occurrence
from observations.services import occurrences_refresh_sensitivity
from referentiel.models import Dataset, Organisation, Role, SensitivityRule, Taxon, User

REGIONAL_USER = "bench-export-regional"
PARTNER_USER = "bench-export-partner"
PARTNER_ORGANISATION = "Partenaire (benchmark exports)"
STAFF_ORGANISATION = "CPIE Chaîne des Terrils"  # bench/occurrences_data.py
RULE_SOURCE = "bench-exports"
CHANGE_SOURCE = "bench-exports-changement"
RULES = 100
# Rules on the taxa ranked 10th to 109th by rows: common, but not the three or four taxa that
# hold a fifth of the table. Levels 1–4, some limited to a period or a département.
RULE_RANKS = range(10, 10 + RULES)
RULE_LEVELS = (1, 1, 1, 1, 2, 2, 2, 3, 3, 4)
SMALL_ROWS = 100_000
# Per database: the 1 M and 10 M tables each keep their own.
_SUFFIX = f"-{os.environ[DATABASE_ENV]}" if os.environ.get(DATABASE_ENV) else ""
_SUFFIX = _SUFFIX or (
    f"-{rows_suffix(rows_current())}" if rows_suffix(rows_current()) else ""
)
PUBLIC_SAVED = OUT / f"exports-datasets-public{_SUFFIX}.json"
RULES_SAVED = OUT / f"exports-rules-first-refresh{_SUFFIX}.json"
# The raw columns of the table behind the export's columns, without joins or blurring.
RAW_COLUMNS = (
    "uuid id dataset_id source_status date_start date_end time_start time_end taxon_id "
    "cited_name observation_status count_min count_max count_object count_type sex "
    "life_stage bio_condition bio_status behaviour obs_technique naturalness "
    "biogeo_status determination_method proof_exists proof_url proof_text "
    "observers_label determiner_id communes departement_id grid_10km place_name "
    "altitude_min altitude_max precision_m geo_object_nature geom comment "
    "validation_status sensitivity_level diffusion_level dee_blurring"
).split()


def rss_kb() -> int:
    """Peak resident memory of this process so far (KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _sql(statement: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def _readers() -> tuple[User, User]:
    staff_org = Organisation.objects.get(name=STAFF_ORGANISATION)
    partner_org, _ = Organisation.objects.get_or_create(name=PARTNER_ORGANISATION)
    if partner_org.sensitivity_clearance != 0:
        partner_org.sensitivity_clearance = 0
        partner_org.save()
    regional, _ = User.objects.get_or_create(
        username=REGIONAL_USER,
        defaults={"organisation": staff_org, "is_regional": True},
    )
    partner, _ = User.objects.get_or_create(
        username=PARTNER_USER, defaults={"organisation": partner_org}
    )
    regional.groups.set([Group.objects.get_or_create(name=Role.COORDINATEUR)[0]])
    partner.groups.set([Group.objects.get_or_create(name=Role.PARTENAIRE)[0]])
    return (
        User.objects.get(username=REGIONAL_USER),
        User.objects.get(username=PARTNER_USER),
    )


def _user(who: str) -> User:
    return User.objects.get(
        username=REGIONAL_USER if who == "regional" else PARTNER_USER
    )


def _levels() -> dict[str, int]:
    rows = _sql(
        "SELECT sensitivity_level, count(*), count(blurred_geom) FROM "
        f"{Occurrence._meta.db_table} GROUP BY 1 ORDER BY 1"
    )
    return {
        str(level): {"rows": count, "blurred_geom": blurred}
        for level, count, blurred in rows
    }


def _rules_create() -> int:
    """~100 rules on common taxa of the table, if it has none; returns how many."""
    if SensitivityRule.objects.exists():
        return 0
    common = list(
        Occurrence.objects.values("taxon__cd_ref")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("taxon__cd_ref", flat=True)[: RULE_RANKS.stop]
    )
    rng = random.Random("rules")
    created = 0
    for cd_ref in common[RULE_RANKS.start :]:
        period = {}
        if rng.random() < 0.3:  # breeding season only
            period = {"start_month": 3, "start_day": 15, "end_month": 7, "end_day": 31}
        SensitivityRule.objects.create(
            taxon_id=cd_ref,
            level=rng.choice(RULE_LEVELS),
            departement_id=rng.choice(["62", "80"]) if rng.random() < 0.2 else None,
            source=RULE_SOURCE,
            **period,
        )
        created += 1
    return created


def _small_filters() -> dict:
    """Recent years (validated or not) whose row count is the closest to 100,000."""
    by_year = dict(
        Occurrence.objects.annotate(y=ExtractYear("date_start"))
        .values("y")
        .annotate(n=Count("id"))
        .values_list("y", "n")
    )
    validated = dict(
        Occurrence.objects.validated()
        .annotate(y=ExtractYear("date_start"))
        .values("y")
        .annotate(n=Count("id"))
        .values_list("y", "n")
    )
    last = max(by_year)
    options = []
    for first in range(last, last - 5, -1):
        years = range(first, last + 1)
        options.append(
            (
                {"year_min": first, "year_max": last},
                sum(by_year.get(y, 0) for y in years),
            )
        )
        options.append(
            (
                {"year_min": first, "year_max": last, "validation": [1, 2]},
                sum(validated.get(y, 0) for y in years),
            )
        )
    filters, rows = min(options, key=lambda option: abs(option[1] - SMALL_ROWS))
    return {"filters": filters, "rows": rows}


def setup() -> dict:
    regional, partner = _readers()
    if not PUBLIC_SAVED.exists():
        PUBLIC_SAVED.parent.mkdir(parents=True, exist_ok=True)
        PUBLIC_SAVED.write_text(
            json.dumps(dict(Dataset.objects.values_list("pk", "is_public"))),
            encoding="utf-8",
        )
    made_public = Dataset.objects.filter(is_public=False).update(is_public=True)
    # A rule left behind by an interrupted run of the "sensitivity" step.
    SensitivityRule.objects.filter(source=CHANGE_SOURCE).delete()
    rules = _rules_create()
    started = time.perf_counter()
    changes = occurrences_refresh_sensitivity()
    refresh = time.perf_counter() - started
    # The first recomputation after the rules were created is the costly one: keep its
    # figures for the next runs, which find the rules in place.
    if rules:
        first = {"rules": rules, "seconds": refresh, "changed": sum(changes.values())}
        RULES_SAVED.write_text(json.dumps(first), encoding="utf-8")
    elif RULES_SAVED.exists():
        first = json.loads(RULES_SAVED.read_text(encoding="utf-8"))
    else:
        first = None
    return {
        "rules_created": rules,
        "rules": SensitivityRule.objects.count(),
        "datasets": Dataset.objects.count(),
        "datasets_made_public": made_public,
        "refresh_seconds": refresh,
        "refresh_changed": sum(changes.values()),
        "first_refresh": first,
        "levels": _levels(),
        "total": Occurrence.objects.count(),
        "visible": {
            "regional": Occurrence.objects.visible_to(regional).count(),
            "partner": Occurrence.objects.visible_to(partner).count(),
        },
        "clearance": {
            "regional": regional.sensitivity_clearance,
            "partner": partner.sensitivity_clearance,
        },
        "small": _small_filters(),
    }


def restore() -> dict:
    if not PUBLIC_SAVED.exists():
        return {"restored": 0}
    flags = json.loads(PUBLIC_SAVED.read_text(encoding="utf-8"))
    restored = 0
    for value in (True, False):
        ids = [int(pk) for pk, public in flags.items() if public is value]
        restored += (
            Dataset.objects.filter(pk__in=ids)
            .exclude(is_public=value)
            .update(is_public=value)
        )
    PUBLIC_SAVED.unlink()
    return {"restored": restored}


def _bound_sql(queryset) -> str:
    """The queryset's SQL with its parameters bound (as observations.exports.writers)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params)


def _copy_devnull(query: str) -> dict:
    """``COPY (query) TO STDOUT`` through psycopg, written to /dev/null."""
    copy_sql = f"COPY ({query}) TO STDOUT (FORMAT csv, HEADER true, DELIMITER ';')"
    size = 0
    started = time.perf_counter()
    with open(os.devnull, "wb") as out, connection.cursor() as cursor:
        with cursor.cursor.copy(copy_sql) as copy:
            for chunk in copy:
                out.write(chunk)
                size += len(chunk)
        rows = cursor.cursor.rowcount  # known once the COPY is over
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": rows, "bytes": size}


def extract(who: str, fmt: str, filters: dict, baselines: bool) -> dict:
    # Run in this process: never queue a Celery task (its broker may be read by a worker
    # attached to another database).
    extracts._enqueue = lambda extract_id: None
    user = _user(who)
    rss_start = rss_kb()
    started = time.perf_counter()
    record = extracts.extract_create(
        user=user,
        recipient=user.organisation,
        filters=filters,
        area=None,
        formats=[fmt],
    )
    create = time.perf_counter() - started
    started = time.perf_counter()
    record = extracts.extract_run(record.pk)
    run = time.perf_counter() - started
    rss_end = rss_kb()
    path = extracts.extract_path(record)
    result = {
        "who": who,
        "format": fmt,
        "filters": filters,
        "status": record.status,
        "error": record.error,
        "rows_expected": record.rows_expected,
        "rows": record.rows,
        "clearance": record.clearance,
        "create_seconds": create,
        "run_seconds": run,
        "rss_start_kb": rss_start,
        "rss_end_kb": rss_end,
        "size": record.size,
        "sha256": record.sha256,
    }
    if record.status == Extract.Status.DONE and fmt == "csv":
        # The file's own digest, read again, against the one the job logged.
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        result["sha256_checked"] = digest.hexdigest() == record.sha256
    path.unlink(missing_ok=True)  # hundreds of MB: the digest and size are kept
    if baselines:
        if filters:
            reader = extracts.extract_reader(user=user, recipient=user.organisation)
            records = extracts.extract_queryset(
                user=user, reader=reader, filters=filters
            )
        else:
            records = Occurrence.objects.visible_to(user)
        same = extract_values(records, spatial=False)
        result["copy_same"] = _copy_devnull(_bound_sql(same))
        if not filters:
            raw = f"SELECT {', '.join(RAW_COLUMNS)} FROM {Occurrence._meta.db_table}"
            result["copy_raw"] = _copy_devnull(raw)
        result["rss_after_baselines_kb"] = rss_kb()
    return result


def _group_candidates() -> list[dict]:
    """Taxa above the species (class, order, family, genus) with the rows their rule would
    reach and how many of them are below each level now."""
    candidates = []
    occ = Occurrence._meta.db_table
    taxon = Taxon._meta.db_table
    for group in Taxon.objects.filter(
        rank__in=["KD", "PH", "CL", "OR", "FM", "GN"], cd_nom=F("cd_ref")
    ):
        refs = Taxon.objects.descendant_refs(group.cd_ref)
        ((rows, below2, below3),) = _sql(
            f"SELECT count(*), count(*) FILTER (WHERE o.sensitivity_level < 2),"
            f" count(*) FILTER (WHERE o.sensitivity_level < 3)"
            f" FROM {occ} o JOIN {taxon} t ON t.cd_nom = o.taxon_id"
            f" WHERE t.cd_ref = ANY(%s)",
            [refs],
        )
        candidates.append(
            {
                "cd_nom": group.cd_nom,
                "name": group.scientific_name,
                "rank": group.rank,
                "rows": rows,
                "changes": {2: below2, 3: below3},
            }
        )
    return candidates


def _refresh() -> dict:
    started = time.perf_counter()
    changes = occurrences_refresh_sensitivity()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "changed": sum(changes.values()),
        "changes": {f"{old}→{new}": count for (old, new), count in changes.items()},
    }


def _frequent_taxa(level: int, share: float, total: int) -> list[dict]:
    """Fallback when no taxon group reaches 10 % of the rows (the demo TAXREF has no
    ``cd_sup`` links, so a rule on a class or an order covers only that name): the most
    frequent taxa without a rule, until the rows they would change reach ``share``."""
    covered = set()
    for refs in SensitivityRule.objects.values_list("taxon_refs", flat=True):
        covered.update(refs)
    rows = _sql(
        f"SELECT t.cd_ref, min(t.scientific_name), min(t.rank), count(*),"
        f" count(*) FILTER (WHERE o.sensitivity_level < %s)"
        f" FROM {Occurrence._meta.db_table} o"
        f" JOIN {Taxon._meta.db_table} t ON t.cd_nom = o.taxon_id"
        f" GROUP BY t.cd_ref ORDER BY 4 DESC LIMIT 50",
        [level],
    )
    chosen, expected = [], 0
    for cd_ref, name, rank, count, below in rows:
        if cd_ref in covered or not below:
            continue
        chosen.append(
            {
                "cd_nom": cd_ref,
                "name": name,
                "rank": rank,
                "rows": count,
                "expected": below,
            }
        )
        expected += below
        if expected >= share * total:
            break
    return chosen


def sensitivity() -> dict:
    SensitivityRule.objects.filter(source=CHANGE_SOURCE).delete()
    total = Occurrence.objects.count()
    candidates = _group_candidates()
    options = [
        (candidate, level)
        for candidate in candidates
        for level in (2, 3)
        if 0.10 <= candidate["changes"][level] / total <= 0.20
    ]
    if options:
        group, level = min(
            options, key=lambda o: abs(o[0]["changes"][o[1]] / total - 0.15)
        )
        mode = "group"
        rules = [{**group, "expected": group["changes"][level]}]
    else:
        mode, level = "frequent", 2
        rules = _frequent_taxa(level, 0.12, total)
    unchanged = _refresh()
    created = [
        SensitivityRule.objects.create(
            taxon_id=rule["cd_nom"], level=level, source=CHANGE_SOURCE
        )
        for rule in rules
    ]
    added = _refresh()
    SensitivityRule.objects.filter(pk__in=[rule.pk for rule in created]).delete()
    removed = _refresh()
    # The same taxa to level 3: each changed row then stores its département's polygon.
    created = [
        SensitivityRule.objects.create(
            taxon_id=rule["cd_nom"], level=3, source=CHANGE_SOURCE
        )
        for rule in rules
    ]
    added3 = _refresh()
    SensitivityRule.objects.filter(pk__in=[rule.pk for rule in created]).delete()
    removed3 = _refresh()
    return {
        "total": total,
        "mode": mode,
        "level": level,
        "rules": rules,
        "expected": sum(rule["expected"] for rule in rules),
        "largest_group": max(candidates, key=lambda c: c["rows"], default=None),
        "cases": {
            "unchanged": unchanged,
            "added": added,
            "removed": removed,
            "added3": added3,
            "removed3": removed3,
        },
    }


def sinp() -> dict:
    try:
        from observations.exports.sinp import sinp_export  # noqa: PLC0415
    except ImportError as exc:
        return {"skipped": f"observations.exports.sinp non importable : {exc}"}
    signature = str(inspect.signature(sinp_export))
    from observations.exports.sinp import pole_q  # noqa: PLC0415

    year, rows = (
        Occurrence.objects.validated()
        .filter(pole_q("faune"))
        .annotate(y=ExtractYear("date_start"))
        .values("y")
        .annotate(n=Count("id"))
        .order_by("-n", "-y")
        .values_list("y", "n")
        .first()
    )
    rss_start = rss_kb()
    started = time.perf_counter()
    export = sinp_export(year=year, pole="faune")
    seconds = time.perf_counter() - started
    size = 0
    if export.file:
        size = export.file.size
        export.file.storage.delete(export.file.name)  # the digest and size are kept
    return {
        "signature": signature,
        "year": year,
        "rows_expected": rows,
        "rows": export.rows_sent,
        "status": export.status,
        "seconds": seconds,
        "size": size,
        "sha256": export.sha256,
        "rss_start_kb": rss_start,
        "rss_end_kb": rss_kb(),
    }


def facts() -> dict:
    """What the blurred geometries weigh: per level, the stored size and points of
    ``blurred_geom`` and the length of its WKT in an export (on a sample); the table's
    size with its TOAST, once compacted (the sensitivity step leaves hundreds of MB of
    dead polygons behind, which the other benchmarks of this table would read)."""
    occ = Occurrence._meta.db_table
    _sql(f"VACUUM (FULL, ANALYZE) {occ}")
    levels = {}
    for level, rows, stored, largest, points, missing in _sql(
        "SELECT sensitivity_level, count(*), avg(pg_column_size(blurred_geom)),"
        " max(pg_column_size(blurred_geom)), avg(ST_NPoints(blurred_geom)),"
        " count(*) FILTER (WHERE blurred_geom IS NULL)"
        f" FROM {occ} GROUP BY 1 ORDER BY 1"
    ):
        ((wkt,),) = _sql(
            "SELECT avg(length(ST_AsText(ST_Transform(s.g, 4326), 6))) FROM ("
            f"SELECT blurred_geom AS g FROM {occ} WHERE sensitivity_level = %s"
            " AND blurred_geom IS NOT NULL LIMIT 1000) s",
            [level],
        )
        levels[str(level)] = {
            "rows": rows,
            "stored_bytes": float(stored or 0),
            "max_bytes": largest or 0,
            "points": float(points or 0),
            "missing": missing,
            "wkt_chars": float(wkt or 0),
        }
    ((table, toast, indexes),) = _sql(
        "SELECT pg_table_size(c.oid), COALESCE(pg_total_relation_size(c.reltoastrelid), 0),"
        " pg_indexes_size(c.oid) FROM pg_class c WHERE c.oid = %s::regclass",
        [occ],
    )
    ((outside,),) = _sql(
        f"SELECT count(*) FROM {occ} WHERE sensitivity_level BETWEEN 1 AND 3"
        " AND blurred_geom IS NULL"
    )
    kingdoms = dict(
        Occurrence.objects.values("taxon__kingdom")
        .annotate(n=Count("id"))
        .values_list("taxon__kingdom", "n")
    )
    return {
        "levels": levels,
        "kingdoms": kingdoms,
        "table_bytes": table,
        "toast_bytes": toast,
        "indexes_bytes": indexes,
        "blurred_without_geometry": outside,
    }
