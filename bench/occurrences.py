"""Occurrence benchmark at 1,000,000 rows: the list API and page with a taxon and a one-year
filter, the GeoJSON map layer by bbox, and the atlas table of a year.

It runs against its own database, ``cpie_bench_occ`` on the project-local cluster: fresh,
migrated, with the shipped communes and the demo TAXREF. The table is generated and loaded
by a child process (bench/occurrences_data.py) and measured by another
(bench/occurrences_measure.py), both with Django settings pointing to that database, so
``python -m bench`` can run other benchmarks on their own databases in the same run.

    .venv/bin/python -m bench occurrences
    .venv/bin/python -m bench occurrences --reuse-table   # measure again, no reload
    .venv/bin/python -m bench.occurrences load --rows 1000000   # child steps, by hand
    .venv/bin/python -m bench.occurrences measure --requests 60
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

from bench.db import OUT, ROOT, bench_env, database_url, psql

# The table the other benchmarks (exports, indicators, load) share by default, and the
# one of issue 21: the same targets at 10 M rows, in a database of its own.
ROWS = 1_000_000
ROWS_10M = 10_000_000


# Another database than db_name's (a copy of it, to run the export benchmark beside the
# occurrence one without either seeing the other's changes).
DATABASE_ENV = "BENCH_OCC_DATABASE"


def db_name(rows: int) -> str:
    """The database of a table of ``rows`` occurrences: ``cpie_bench_occ`` at 1 M, so the
    benchmarks sharing it keep it, ``cpie_bench_occ_10m`` at 10 M (and so on)."""
    if os.environ.get(DATABASE_ENV):
        return os.environ[DATABASE_ENV]
    if rows <= ROWS:
        return "cpie_bench_occ"
    if rows % 1_000_000 == 0:
        return f"cpie_bench_occ_{rows // 1_000_000}m"
    return f"cpie_bench_occ_{rows}"


def rows_suffix(rows: int) -> str:
    """What tells the table apart ("10m": files, sections, databases); empty at 1 M."""
    if rows <= ROWS:
        return ""
    return f"{rows // 1_000_000}m" if rows % 1_000_000 == 0 else str(rows)


def section_name(name: str, rows: int) -> str:
    """The RESULTS.md section of benchmark ``name`` on a table of ``rows`` occurrences:
    ``occurrences`` at 1 M, ``occurrences_10m`` at 10 M, so both stay side by side."""
    suffix = rows_suffix(rows)
    return f"{name}_{suffix}" if suffix else name


# The size of the table the benchmarks sharing it (exports, indicators) measure: the parent
# passes it to its child processes in this variable.
ROWS_ENV = "BENCH_OCC_ROWS"


def rows_current() -> int:
    return int(os.environ.get(ROWS_ENV) or ROWS)


DB_NAME = db_name(ROWS)
DATABASE_URL = database_url(DB_NAME)
REQUESTS = 60
TARGET_LIST_P95_MS = 150
TARGET_GEOJSON_P95_MS = 300
TARGET_TILE_P95_MS = 100  # issue 21: per tile, at every zoom
TARGET_ATLAS_MS = 500
COMMUNES = sorted((ROOT / "referentiel" / "data" / "communes").glob("*.geojson"))
TAXREF_DEMO = ROOT / "referentiel" / "data" / "taxa" / "taxref_demo.txt"
RESULT_MARK = "BENCH-RESULT "


def _env(rows: int = ROWS) -> dict[str, str]:
    # Production-like static files: the manifest storage needs collectstatic.
    return bench_env(
        database_url(db_name(rows)),
        STATIC_ROOT=str(OUT / "static"),
        **{ROWS_ENV: str(rows)},
    )


def _run(*command: str, rows: int = ROWS) -> str:
    result = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env=_env(rows),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(f"{' '.join(command)} a échoué :\n{result.stderr[-4000:]}")
    return result.stdout


def _child(step: str, *arguments: str, rows: int | None = None) -> dict:
    """A child step on the database of ``rows`` occurrences (by default the one a
    ``--rows`` among ``arguments`` names, else 1 M)."""
    if rows is None:
        rows = (
            int(arguments[arguments.index("--rows") + 1])
            if "--rows" in arguments
            else ROWS
        )
    if "--rows" not in arguments:
        arguments = (*arguments, "--rows", str(rows))
    output = _run("-m", "bench.occurrences", step, *arguments, rows=rows)
    line = next(row for row in output.splitlines() if row.startswith(RESULT_MARK))
    return json.loads(line.removeprefix(RESULT_MARK))


def database_prepare(rows: int = ROWS) -> dict[str, float]:
    """A fresh database for ``rows`` occurrences (``db_name``): extensions, migrations,
    communes, demo TAXREF."""
    name = db_name(rows)
    timings = {}
    started = time.perf_counter()
    subprocess.run([str(ROOT / "scripts" / "services.sh")], check=True, cwd=ROOT)
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(f"CREATE DATABASE {name}")
    psql(
        "CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS pg_trgm;"
        " CREATE EXTENSION IF NOT EXISTS unaccent;",
        database=name,
    )
    _run("manage.py", "migrate", "--noinput", "-v", "0", rows=rows)
    _run("manage.py", "collectstatic", "--noinput", "-v", "0", rows=rows)
    timings["base, migrations"] = time.perf_counter() - started
    started = time.perf_counter()
    departements = [p for p in COMMUNES if p.name.startswith("departement-")]
    communes = [p for p in COMMUNES if not p.name.startswith("departement-")]
    _run("manage.py", "import_communes", *map(str, departements + communes), rows=rows)
    _run("manage.py", "import_taxref", str(TAXREF_DEMO), "--version", "demo", rows=rows)
    timings["communes, TAXREF de démonstration"] = time.perf_counter() - started
    return timings


def bench_occurrences(
    *, rows: int = ROWS, requests: int = REQUESTS, reuse: bool = False
) -> dict:
    """Prepare the database, load the table, measure; returns the figures. With ``reuse``,
    measure again the table loaded by the previous run (its loading figures are kept in
    bench/out/)."""
    saved = OUT / f"occurrences-{rows}-load.json"
    if reuse and saved.exists():
        loaded = json.loads(saved.read_text(encoding="utf-8"))
        print(f"Table de {_int(rows)} lignes réutilisée ({saved.name})")
        # Sizes as they are now (migrations since the load may have added to them).
        loaded["table"] = _child("table", "--rows", str(rows))
    else:
        prepare = database_prepare(rows)
        print(f"Base {db_name(rows)} prête : {prepare}")
        loaded = {"prepare": prepare, **_child("load", "--rows", str(rows))}
        print(f"Table chargée : {loaded['timings']}")
        OUT.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps(loaded), encoding="utf-8")
    load_before = os.getloadavg()[0]
    figures = _child("measure", "--requests", str(requests), rows=rows)
    load = {"before": load_before, "after": os.getloadavg()[0], "cpus": os.cpu_count()}
    result = {"rows": rows, "requests": requests, **loaded, **figures, "load": load}
    # Kept, so that the section can be written again without measuring.
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"occurrences-{rows}-measure.json").write_text(
        json.dumps(result), encoding="utf-8"
    )
    return result


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _ms(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _int(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def reference_p95(results: str) -> dict[str, str]:
    """The p95 of each measure of the 1 M section of RESULTS.md (``results``, its text),
    by label, to set beside the 10 M figures; empty when there is no such section."""
    match = re.search(
        r"<!-- bench:occurrences -->\n(.*?)<!-- /bench:occurrences -->", results, re.S
    )
    if not match:
        return {}
    figures = {}
    for line in match.group(1).splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[2].replace(",", "").replace(" ", "").isdigit():
            figures[cells[0]] = cells[3]
    return figures


def _row_of(
    label: str,
    latencies: list[float],
    target: float,
    reference: dict[str, str] | None = None,
) -> str:
    p50, p95 = _percentile(latencies, 0.5), _percentile(latencies, 0.95)
    verdict = "✅" if p95 < target else "❌"
    # The same measure under its 1 M name (the atlas labels changed since).
    old_label = label.replace(" sur le résumé", "").replace("?year=", "?annee=")
    beside = (
        ""
        if reference is None
        else f" {reference.get(label) or reference.get(old_label, '—')} |"
    )
    return (
        f"| {label} | {len(latencies)} | {_ms(p50)} | {_ms(p95)} | "
        f"{_ms(max(latencies))} |{beside} < {target} ms | {verdict} |"
    )


def occurrences_report(
    figures: dict, *, when: str, reference: dict | None = None
) -> str:
    """The Markdown section of bench/RESULTS.md for this benchmark; above 1 M rows, with
    the p95 of the 1 M section (``reference``, by default read from RESULTS.md) beside."""
    table = figures["table"]
    if figures["rows"] > ROWS and reference is None:
        results = OUT.parent / "RESULTS.md"
        reference = reference_p95(
            results.read_text(encoding="utf-8") if results.exists() else ""
        )
    if figures["rows"] <= ROWS:
        reference = None
    header = [
        "| Mesure | Requêtes | p50 (ms) | p95 (ms) | max (ms) | Cible (p95) | |",
        "|---|---|---|---|---|---|---|",
    ]
    if reference is not None:
        header = [
            "| Mesure | Requêtes | p50 (ms) | p95 (ms) | max (ms) | p95 à 1 M (ms) | "
            "Cible (p95) | |",
            "|---|---|---|---|---|---|---|---|",
        ]

    def _row(label, latencies, target):
        return _row_of(label, latencies, target, reference)

    def _info(label, latencies):
        """A figure for comparison, without a target (not in the Synthèse)."""
        row = _row_of(label, latencies, 0, reference)
        return row.rsplit("|", 3)[0] + "| — | — |"

    lines = [
        f"## Observations — {_int(figures['rows'])} lignes synthétiques ({when})",
        "",
        f"Table : {_int(table['rows'])} observations ({_int(table['table_mb'])} Mo, "
        f"index {_int(table['indexes_mb'])} Mo), {_int(table['with_commune'])} dans une "
        f"commune des Hauts-de-France, {_int(table['grid_cells'])} mailles 10 km ; taxon "
        f"le plus fréquent : {_int(table['top_taxon_rows'])} lignes."
        + "".join(
            f" Résumé `{name}` : {_int(summary['rows'])} lignes "
            f"({_int(summary['mb'])} Mo avec ses index)."
            for name, summary in table.get("summaries", {}).items()
        ),
        "",
        *(
            [
                f"Machine partagée ({figures['load']['cpus']} cœurs) : charge moyenne "
                f"(1 min) {_ms(figures['load']['before'])} au début des mesures, "
                f"{_ms(figures['load']['after'])} à la fin.",
                "",
            ]
            if "load" in figures
            else []
        ),
        "Chargement :",
        "",
        *(
            f"- {step} : {_ms(seconds)} s"
            for step, seconds in figures["prepare"].items()
        ),
        *(
            f"- {step} : {_ms(seconds)} s"
            for step, seconds in figures["timings"].items()
        ),
        "",
        "### Liste filtrée par taxon et sur un an",
        "",
        *header,
    ]
    listing = figures["list"]
    for key, latencies in listing["api"].items():
        lines.append(_row(f"API `{key}`", latencies, TARGET_LIST_P95_MS))
    if listing["page"] is None:
        page_note = (
            "La page HTML `/observations/` n'existait pas encore lors de la mesure : "
            "non mesurée."
            if listing["page_status"] is None
            else f"La page HTML `/observations/` répondait HTTP {listing['page_status']} "
            "lors de la mesure : non mesurée."
        )
    else:
        page_note = ""
        for key, latencies in listing["page"].items():
            lines.append(_row(f"page `{key}`", latencies, TARGET_LIST_P95_MS))
    sizes = ", ".join(
        f"{label} ({len(rows)} taxons) {_int(min(rows))} à {_int(max(rows))} lignes"
        for label, rows in listing["taxa"].items()
    )
    lines += [
        "",
        f"`GET /api/v1/occurrences/?taxon=…&date_min=AAAA-01-01&date_max=AAAA-12-31` "
        f"(année tirée entre 2005 et 2024), page de 50. Taxons : {sizes}. {page_note}",
        "",
        "### Couche GeoJSON par emprise",
        "",
        *header,
    ]
    geojson = figures["geojson"]
    for label, latencies in geojson["points"].items():
        lines.append(_row(f"≤ 5 000 points, {label}", latencies, TARGET_GEOJSON_P95_MS))
    for label, latencies in geojson["region"].items():
        lines.append(
            _row(
                f"toute la région (mailles), {label}", latencies, TARGET_GEOJSON_P95_MS
            )
        )
    for label, latencies in geojson.get("region_records", {}).items():
        lines.append(
            _info(
                f"toute la région, mailles comptées sur les observations, {label}",
                latencies,
            )
        )
    features = geojson["features"]
    lines += [
        "",
        f"Emprises de 2 à 12 km autour des villes, gardées si elles contiennent de "
        f"{_int(geojson['low'])} à 5 000 observations (médiane "
        f"{_int(_percentile(features, 0.5))}) : une entité GeoJSON par observation. "
        f"Toute la région : {geojson['region_cells']} mailles agrégées.",
        "",
    ]
    tiles = figures.get("tiles")
    if tiles:
        lines += ["### Tuiles vectorielles (MVT)", "", *header]
        for key, latencies in tiles["zooms"].items():
            lines.append(_row(f"tuile {key}", latencies, TARGET_TILE_P95_MS))
        sizes = ", ".join(f"z{z} {_int(n)} o" for z, n in tiles["bytes"].items())
        lines += [
            "",
            "`GET /api/v1/occurrences/tiles/{z}/{x}/{y}.mvt`, tuiles tirées à moins de "
            "15 km des villes ; mailles jusqu'au zoom 11, une entité par observation "
            f"ensuite. Taille médiane d'une tuile : {sizes}.",
            "",
        ]
    lines += [
        "### Tableau des contributions aux atlas d'une année",
        "",
        *header,
    ]
    atlas = figures["atlas"]
    for user, latencies in atlas.get("selector_records", {}).items():
        lines.append(
            _info(
                f"sélecteur `atlas_contributions` sur les observations, {user}",
                latencies,
            )
        )
    for kind, label in (
        ("selector", "sélecteur `atlas_contributions` sur le résumé"),
        ("api", "API `/api/v1/atlas/?year=`"),
        ("page", "page `/observations/atlas/` (année et année précédente)"),
    ):
        for user, latencies in atlas[kind].items():
            lines.append(_row(f"{label}, {user}", latencies, TARGET_ATLAS_MS))
    lines += [
        "",
        "Années tirées entre 2005 et 2024. Client de test de Django (routage, "
        "middleware, authentification, filtres, sérialisation), à chaud. "
        "« coordinateur régional » lit tout ; « saisie » lit les jeux de son organisme "
        "et les jeux publics (jointure sur les jeux de données).",
    ]
    return "\n".join(lines) + "\n"


def _child_main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.occurrences")
    parser.add_argument("step", choices=["load", "measure", "table"])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--requests", type=int, default=REQUESTS)
    args = parser.parse_args()
    os.environ.update(_env(args.rows))
    # Models can only be imported once Django is set up on the benchmark database.
    import django

    django.setup()
    if args.step == "load":
        from bench.occurrences_data import occurrences_load, table_figures

        result = {"timings": occurrences_load(args.rows), "table": table_figures()}
    elif args.step == "table":
        from bench.occurrences_data import table_figures

        result = table_figures()
    else:
        from bench.occurrences_measure import measure

        result = measure(args.requests)
    print(RESULT_MARK + json.dumps(result))


if __name__ == "__main__":
    _child_main()
