"""Child steps of the indicator benchmark (bench/indicateurs.py), run with Django settings
pointing to ``cpie_bench_occ``; each step prints one JSON line prefixed ``BENCH-RESULT``.

- ``demos``: the referential demo if the demo sites are missing, then the demo loaders of
  baguage, terrils, zones_humides and sensibilisation (never the observations demo: the
  table already holds the benchmark's rows), each timed, and the volumes they leave.
- ``setup``: the regional coordinator of the benchmark and the year with the most rows.
- ``measure``: ``indicators_for_year`` cold (first call of the process) and warm, the page
  ``/indicateurs/<year>/`` and the API ``/api/v1/indicateurs/<year>/`` through the test
  clients (the first view computes the figures, the next ones read them from their
  snapshot, indicateurs.snapshots), the page after a change (stale figures shown, refresh
  planned) and the refresh itself, then one call with every part of
  ``indicateurs.services`` and ``indicateurs.selectors`` timed (queries captured) and
  ``EXPLAIN (ANALYZE, BUFFERS)`` of the slowest queries.
- ``page_cold``: the first request of a fresh process to the page (figures kept).
"""

import functools
import json
import statistics
import sys
import time

import django

RESULT_MARK = "BENCH-RESULT "
COORDINATOR = "bench-indic-regional"
STAFF_ORGANISATION = "CPIE Chaîne des Terrils"  # bench/occurrences_data.py
WARM = 5
# The parts of indicators_for_year, by module of indicateurs and name (each is looked up
# in its module's globals when called, so wrapping the attribute times every call).
PARTS = (
    ("services", "atlas_contributions_by_year"),
    ("selectors", "programmes_run"),
    ("selectors", "partners"),
    ("selectors", "exchanges"),
    ("selectors", "outreach"),
    ("selectors", "wetlands"),
    ("selectors", "pop"),
    ("selectors", "ringing"),
    ("selectors", "terrils"),
    ("selectors", "remarkable_finds"),
    ("selectors", "year_scan"),
    ("selectors", "atlas"),
    ("services", "figure_tables"),
)
EXPLAINED = 3


def _print(result: dict) -> None:
    print(RESULT_MARK + json.dumps(result, default=str))


def _volumes() -> dict[str, int]:
    from baguage.models import Capture, Session
    from observations.models import Occurrence
    from referentiel.models import Organisation, Programme, Site, User
    from sensibilisation.models import Action
    from terrils.models import Campaign, Score, Terril
    from zones_humides.models import ManagementOperation, PopAire

    models = {
        "occurrences": Occurrence,
        "sites": Site,
        "organisations": Organisation,
        "programmes": Programme,
        "users": User,
        "captures": Capture,
        "sessions": Session,
        "terrils": Terril,
        "terril_campaigns": Campaign,
        "terril_scores": Score,
        "pop_aires": PopAire,
        "operations": ManagementOperation,
        "actions": Action,
    }
    counts = {key: model.objects.count() for key, model in models.items()}
    try:
        from zones_humides.models import PopPassage

        counts["pop_passages"] = PopPassage.objects.count()
    except ImportError:
        pass
    return counts


def step_demos() -> dict:
    from baguage.demo import load_demo as baguage_demo
    from indicateurs.demo import load_demo as indicateurs_demo
    from referentiel.demo.loader import demo_load
    from referentiel.models import Site
    from sensibilisation.demo import load_demo as sensibilisation_demo
    from terrils.demo import load_demo as terrils_demo
    from zones_humides.demo import load_demo as zones_humides_demo

    before = _volumes()
    steps = []

    def run(name: str, loader) -> None:
        lines: list[str] = []
        started = time.perf_counter()
        loader(log=lines.append)
        steps.append(
            {"name": name, "seconds": time.perf_counter() - started, "log": lines}
        )

    if not Site.objects.exists():
        run("referentiel.demo.demo_load", demo_load)
    run("baguage.demo", baguage_demo)
    run("terrils.demo", terrils_demo)
    run("zones_humides.demo", zones_humides_demo)
    run("sensibilisation.demo", sensibilisation_demo)
    # Last, as in load_demo: the presence history of the finds over all of the above.
    run("indicateurs.demo", indicateurs_demo)
    return {"before": before, "after": _volumes(), "steps": steps}


def step_setup() -> dict:
    from django.contrib.auth.models import Group
    from django.db.models import Count
    from django.db.models.functions import ExtractYear

    from observations.models import Occurrence
    from referentiel.models import Organisation, Role, User

    organisation = Organisation.objects.filter(name=STAFF_ORGANISATION).first()
    user, _ = User.objects.get_or_create(
        username=COORDINATOR,
        defaults={"organisation": organisation, "is_regional": True},
    )
    if not user.is_regional:
        user.is_regional = True
        user.save(update_fields=["is_regional"])
    user.groups.set([Group.objects.get_or_create(name=Role.COORDINATEUR)[0]])
    years = list(
        Occurrence.objects.order_by()
        .annotate(year=ExtractYear("date_start"))
        .values("year")
        .annotate(n=Count("pk"))
        .order_by("-n", "-year")
        .values_list("year", "n")[:5]
    )
    return {
        "user": user.username,
        "organisation": organisation.name if organisation else None,
        "year": years[0][0],
        "top_years": years,
        "volumes": _volumes(),
    }


def _timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def _summary(seconds: list[float]) -> dict:
    return {
        "runs": seconds,
        "median": statistics.median(seconds),
        "min": min(seconds),
        "max": max(seconds),
    }


def _profile(year: int, user) -> dict:
    """One call with each part wrapped: seconds, queries and query time per part (summed
    over the year and the year before), and the slowest queries explained."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from indicateurs import selectors, services

    modules = {"services": services, "selectors": selectors}
    totals = {
        name: {
            "seconds": 0.0,
            "calls": 0,
            "queries": 0,
            "query_seconds": 0.0,
            "slowest_query": 0.0,
        }
        for _, name in PARTS
    }
    captured = CaptureQueriesContext(connection)

    def wrap(name: str, function):
        def timed(*args, **kwargs):
            first = len(captured.captured_queries)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                part = totals[name]
                part["seconds"] += time.perf_counter() - started
                part["calls"] += 1
                mine = captured.captured_queries[first:]
                part["queries"] += len(mine)
                part["query_seconds"] += sum(float(q["time"]) for q in mine)
                part["slowest_query"] = max(
                    [part["slowest_query"], *(float(q["time"]) for q in mine)]
                )

        return timed

    originals = {part: getattr(modules[part[0]], part[1]) for part in PARTS}
    for (module, name), function in originals.items():
        setattr(modules[module], name, wrap(name, function))
    try:
        with captured:
            seconds, _ = _timed(lambda: services.indicators_for_year(year, user))
    finally:
        for (module, name), function in originals.items():
            setattr(modules[module], name, function)
    queries = [
        {"sql": q["sql"], "seconds": float(q["time"])}
        for q in captured.captured_queries
    ]
    slowest = sorted(queries, key=lambda q: -q["seconds"])[:EXPLAINED]
    for query in slowest:
        try:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                query["explain"] = "\n".join(row[0] for row in cursor.fetchall())
        except Exception as exc:  # noqa: BLE001 - reported, not fatal
            query["explain"] = f"EXPLAIN impossible : {exc}"
    return {
        "seconds": seconds,
        "queries": len(queries),
        "query_seconds": sum(q["seconds"] for q in queries),
        "parts": totals,
        "slowest": slowest,
    }


def step_measure(year: int) -> dict:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from indicateurs.models import IndicatorSnapshot
    from indicateurs.services import indicators_for_year
    from referentiel.models import User

    user = User.objects.get(username=COORDINATOR)
    result: dict = {"year": year}
    with CaptureQueriesContext(connection) as captured:
        cold, indicators = _timed(lambda: indicators_for_year(year, user))
    result["service"] = {
        "cold": cold,
        "cold_queries": len(captured.captured_queries),
        "warm": _summary(
            [_timed(lambda: indicators_for_year(year, user))[0] for _ in range(WARM)]
        ),
        "figures": sum(len(s["figures"]) for s in indicators["sections"]),
        "json_bytes": len(json.dumps(indicators, default=str).encode()),
        "values": {
            f["key"]: [f["value"], f["previous"]]
            for s in indicators["sections"]
            for f in s["figures"]
        },
    }
    reset_queries()

    page = Client()
    page.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    for key, client, url in (
        ("page", page, f"/indicateurs/{year}/"),
        ("api", api, f"/api/v1/indicateurs/{year}/"),
    ):
        # The first view computes the figures (no snapshot yet), the others read them.
        IndicatorSnapshot.objects.filter(user=user, year=year).delete()
        runs, size, status = [], 0, None
        for _ in range(WARM + 1):
            seconds, response = _timed(
                functools.partial(client.get, url, HTTP_HOST="localhost")
            )
            status, size = response.status_code, len(response.content)
            if status != 200:
                raise RuntimeError(f"{url} : HTTP {status}")
            runs.append(seconds)
        result[key] = {
            "url": url,
            "status": status,
            "bytes": size,
            "first": runs[0],
            "warm": _summary(runs[1:]),
        }
    result["stale"] = _stale_measure(year, user, page)
    result["profile"] = _profile(year, user)
    return result


def _stale_measure(year: int, user, page) -> dict:
    """The page after a change (the last figures shown, their refresh planned), then the
    refresh the Celery task runs (snapshots_refresh), timed."""
    from django.db import connection

    from cpie_naturaliste.celery import app as celery_app
    from cpie_naturaliste.core.generation import generation
    from indicateurs.snapshots import snapshots_refresh

    runs = []
    for _ in range(WARM):
        before = generation()
        with connection.cursor() as cursor:  # a change, as any save makes one
            cursor.execute(
                "UPDATE referentiel_site SET name = name"
                " WHERE id = (SELECT min(id) FROM referentiel_site)"
            )
        assert generation() > before
        seconds, response = _timed(
            functools.partial(page.get, f"/indicateurs/{year}/", HTTP_HOST="localhost")
        )
        if b"data-fresh-url" not in response.content:
            raise RuntimeError("la page ne dit pas que les chiffres sont à recalculer")
        runs.append(seconds)
    refresh, done = _timed(snapshots_refresh)
    celery_app.control.purge()  # the refreshes the page planned: no worker here
    return {"page": _summary(runs), "refresh": refresh, "refreshed": done}


def step_page_cold(year: int) -> dict:
    """The first request of a fresh process to the page of a year whose figures are kept
    (what a restarted web worker answers first)."""
    from django.test import Client

    from referentiel.models import User

    page = Client()
    page.force_login(User.objects.get(username=COORDINATOR))
    seconds, response = _timed(
        functools.partial(page.get, f"/indicateurs/{year}/", HTTP_HOST="localhost")
    )
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code}")
    return {
        "year": year,
        "seconds": seconds,
        "kept": b"pour cet affichage" not in response.content,
    }


def main() -> None:
    django.setup()
    step, arguments = sys.argv[1], sys.argv[2:]
    if step == "demos":
        _print(step_demos())
    elif step == "setup":
        _print(step_setup())
    elif step == "measure":
        _print(step_measure(int(arguments[0])))
    elif step == "page_cold":
        _print(step_page_cold(int(arguments[0])))
    else:
        raise SystemExit(f"étape inconnue : {step}")


if __name__ == "__main__":
    main()
