"""Indicator benchmark (issue 10) on the database of the occurrence benchmark
(``cpie_bench_occ`` at 1,000,000 rows, ``cpie_bench_occ_10m`` at 10,000,000; built by
bench/occurrences.py if it is missing, else migrated and reused), with the demos of the other
apps loaded into it:

- the demo loaders of baguage, terrils, zones_humides and sensibilisation (and the
  referential demo first if its sites are missing; never the observations demo), timed;
- ``indicators_for_year(year, user)`` for the year with the most rows, as a regional
  coordinator: cold (first call of a process) and warm (median of 5), the page
  ``/indicateurs/<year>/`` and the API ``/api/v1/indicateurs/<year>/`` (server time through
  Django's test clients) — target < 1 s;
- ``manage.py rapport_annuel --year <year>`` (wall time of the command, file size) —
  target < 60 s;
- the cost of each part of ``indicateurs.services`` and ``indicateurs.selectors``, and
  EXPLAIN of the slowest queries.

Each step runs in a child process (bench/indicateurs_measure.py).

    .venv/bin/python -m bench indicateurs
    .venv/bin/python -m bench.indicateurs report     # rewrite the section from bench/out/
    .venv/bin/python -m bench.indicateurs report --rows 10000000   # the 10 M section
    .venv/bin/python -m bench.indicateurs run        # measure and print, no RESULTS.md
"""

import json
import os
import subprocess
import sys
import time

from bench.db import OUT, ROOT, bench_env, psql
from bench.occurrences import (
    ROWS,
    ROWS_ENV,
    database_prepare,
    db_name,
    rows_current,
    rows_suffix,
    section_name,
)
from bench.occurrences import _child as occurrences_child
from bench.occurrences import _env as occurrences_env

RESULT_MARK = "BENCH-RESULT "
TARGET_DASHBOARD_S = 1.0
TARGET_REPORT_S = 60.0


def _out(name: str, rows: int):
    """bench/out/indicateurs-<name>.json, with the table's size when not 1 M."""
    suffix = rows_suffix(rows)
    return OUT / (
        f"indicateurs-{name}-{suffix}.json" if suffix else f"indicateurs-{name}.json"
    )


def figures_path(rows: int):
    return _out("figures", rows)


def demos_first_path(rows: int):
    """The first load of the demos into the database (a later run creates nothing)."""
    return _out("demos-first", rows)


MEDIA = OUT / "media-indicateurs"
# The year of the other apps' demos (the 2020 activity report: ringing 2019–2021, terril
# campaigns, POP season and outreach actions of 2020), measured besides the busiest year.
DEMO_YEAR = 2020


def _env() -> dict[str, str]:
    rows = rows_current()
    return bench_env(
        occurrences_env(rows)["DATABASE_URL"],
        **{ROWS_ENV: str(rows)},
        STATIC_ROOT=str(OUT / "static"),
        MEDIA_ROOT=str(MEDIA),
        # Cache keys and any broker message stay away from the dev cache and queue.
        REDIS_URL="redis://127.0.0.1:63790/6",
    )


def _manage(*arguments: str) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(
            f"manage.py {' '.join(arguments)} a échoué :\n{result.stderr[-4000:]}"
        )
    return time.perf_counter() - started, result.stdout


def _child(step: str, *arguments: str) -> dict:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "bench.indicateurs_measure", step, *arguments],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(
            f"bench.indicateurs_measure {step} a échoué :\n{result.stderr[-4000:]}"
        )
    line = next(
        row for row in result.stdout.splitlines() if row.startswith(RESULT_MARK)
    )
    figures = json.loads(line.removeprefix(RESULT_MARK))
    figures["process_seconds"] = time.perf_counter() - started
    print(f"  {step} {' '.join(arguments)} : {figures['process_seconds']:.1f} s")
    return figures


def database_ensure(size: int) -> dict:
    """Reuse the occurrence benchmark's database of ``size`` rows (``db_name``) if it holds
    at least them (the demos add a few thousand), migrated to the current schema; else
    build it."""
    name = db_name(size)
    subprocess.run([str(ROOT / "scripts" / "services.sh")], check=True, cwd=ROOT)
    rows = None
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1":
        try:
            rows = int(
                psql("SELECT count(*) FROM observations_occurrence", database=name)
            )
        except subprocess.CalledProcessError:
            rows = None
    if rows is not None and rows >= size:
        seconds, _ = _manage("migrate", "--noinput", "-v", "0")
        return {"built": False, "rows": rows, "migrate_seconds": seconds}
    print(f"Base {name} absente ou incomplète ({rows} lignes) : construction")
    prepare = database_prepare(size)
    loaded = {"prepare": prepare, **occurrences_child("load", "--rows", str(size))}
    return {"built": True, "rows": size, "load": loaded}


def _year_measure(year: int, user: str) -> dict:
    measure = _child("measure", str(year))
    measure["page_cold"] = _child("page_cold", str(year))
    out = OUT / f"indicateurs-rapport-{year}.xlsx"
    out.unlink(missing_ok=True)
    seconds, stdout = _manage(
        "rapport_annuel", "--year", str(year), "--out", str(out), "--user", user
    )
    print(f"  rapport_annuel {year} : {seconds:.1f} s")
    return {
        "measure": measure,
        "report": {
            "seconds": seconds,
            "bytes": out.stat().st_size,
            "path": str(out.relative_to(ROOT)),
            "stdout": stdout.strip(),
        },
    }


def bench_indicateurs(rows: int = ROWS) -> dict:
    """Every measure on the occurrence benchmark's table of ``rows`` rows."""
    os.environ[ROWS_ENV] = str(rows)  # read by _env() for each child process
    started = time.perf_counter()
    figures: dict = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "load_average": os.getloadavg()[0],
        "cpus": os.cpu_count(),
        "generated_rows": rows,
        "database_name": db_name(rows),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    MEDIA.mkdir(parents=True, exist_ok=True)
    figures["database"] = database_ensure(rows)
    print(f"Base {db_name(rows)} prête : {figures['database']}")
    figures["collectstatic_seconds"] = _manage("collectstatic", "--noinput", "-v", "0")[
        0
    ]
    demos = _child("demos")
    demos_first = demos_first_path(rows)
    if not demos_first.exists() or figures["database"]["built"]:
        demos_first.write_text(json.dumps(demos, indent=1), encoding="utf-8")
    figures["demos_first"] = json.loads(demos_first.read_text(encoding="utf-8"))
    figures["demos"] = demos
    figures["setup"] = setup = _child("setup")
    figures["years"] = {}
    for measured in dict.fromkeys([setup["year"], DEMO_YEAR]):
        figures["years"][str(measured)] = _year_measure(measured, setup["user"])
    # What a bare Django command costs, to read the report's wall time.
    figures["startup_seconds"] = _manage("check", "-v", "0")[0]
    figures["load_average_end"] = os.getloadavg()[0]
    figures["seconds"] = time.perf_counter() - started
    figures_path(rows).write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return figures


# --- Report -----------------------------------------------------------------------------------


def _num(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")


def _int(value: float) -> str:
    return _num(value, 0)


def _s(value: float) -> str:
    return _num(value, 2)


def _ok(condition: bool) -> str:
    return "✅ OK" if condition else "❌ NON OK"


PART_LABELS = {
    "atlas_contributions_by_year": "contributions aux atlas (`observations.atlas`, "
    "les deux années en un appel)",
    "programmes_run": "programmes menés (`programmes_run`)",
    "partners": "partenaires (`partners`)",
    "exchanges": "échanges de données (`exchanges`)",
    "outreach": "sensibilisation (`sensibilisation.selectors.figures_for_year`)",
    "wetlands": "zones humides (`wetlands`)",
    "pop": "POP Amphibien (`zones_humides.selectors.pop.pop_results`)",
    "ringing": "baguage (`baguage.reports.annual_table`)",
    "terrils": "terrils (`terrils.selectors.ranking`)",
    "remarkable_finds": "découvertes remarquables (`indicateurs.finds`)",
    "year_scan": "passage sur l'année : mois, programmes, taxons des découvertes "
    "(`indicateurs.scan.year_scan`)",
    "atlas": "mise en forme de l'atlas (`atlas`)",
    "figure_tables": "tableaux d'indicateurs déclarés (`indicateurs.figures`)",
}
VOLUME_LABELS = {
    "occurrences": "observations",
    "sites": "sites",
    "organisations": "organismes",
    "programmes": "programmes",
    "users": "comptes",
    "captures": "captures (baguage)",
    "sessions": "sessions de baguage",
    "terrils": "terrils",
    "terril_campaigns": "campagnes terrils",
    "terril_scores": "notes de terrils",
    "pop_aires": "aires POP",
    "pop_passages": "passages POP",
    "operations": "opérations de gestion",
    "actions": "actions de sensibilisation",
}


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width] + " …"


def _explain_block(query: dict) -> list[str]:
    plan = "\n".join(_clip(line, 240) for line in query.get("explain", "").splitlines())
    return [
        f"Requête ({_s(query['seconds'])} s) :",
        "",
        "```sql",
        _clip(query["sql"], 1200),
        "```",
        "",
        "```",
        plan,
        "```",
        "",
    ]


def _verdicts(year: int, measured: dict) -> list[str]:
    measure, report = measured["measure"], measured["report"]
    page, api, stale = measure["page"], measure["api"], measure["stale"]
    cold = measure["page_cold"]
    return [
        f"| {year} : page `{page['url']}` (temps serveur, médiane, chiffres tenus à "
        f"jour) | < 1 s | {_s(page['warm']['median'])} s | "
        f"{_ok(page['warm']['median'] < TARGET_DASHBOARD_S)} |",
        f"| {year} : API `{api['url']}` (médiane, chiffres tenus à jour) | < 1 s | "
        f"{_s(api['warm']['median'])} s | "
        f"{_ok(api['warm']['median'] < TARGET_DASHBOARD_S)} |",
        f"| {year} : page juste après un changement de données (derniers chiffres "
        f"affichés, recalcul planifié ; médiane) | < 1 s | "
        f"{_s(stale['page']['median'])} s | "
        f"{_ok(stale['page']['median'] < TARGET_DASHBOARD_S)} |",
        f"| {year} : page, 1re requête d'un processus neuf | < 1 s | "
        f"{_s(cold['seconds'])} s | {_ok(cold['seconds'] < TARGET_DASHBOARD_S)} |",
        f"| {year} : bilan annuel `manage.py rapport_annuel --year {year}` (commande "
        f"entière) | < 60 s | {_num(report['seconds'])} s "
        f"({_num(report['bytes'] / 1024)} Kio) | "
        f"{_ok(report['seconds'] < TARGET_REPORT_S)} |",
    ]


def _measures(year: int, measured: dict, user: str, startup: float) -> list[str]:
    measure, report = measured["measure"], measured["report"]
    service, page, api = measure["service"], measure["page"], measure["api"]
    stale = measure["stale"]
    return [
        f"| {year} | `indicators_for_year` (le calcul, fait par la tâche Celery) | "
        f"{_s(service['cold'])} ({service['cold_queries']} requêtes) | "
        f"{_s(service['warm']['median'])} | "
        f"{_s(service['warm']['min'])}–{_s(service['warm']['max'])} | "
        f"{service['figures']} indicateurs, JSON {_num(service['json_bytes'] / 1024)} "
        "Kio |",
        f"| {year} | page `{page['url']}` (Client de test ; 1re vue : calcul pour la "
        f"requête) | {_s(page['first'])} | "
        f"{_s(page['warm']['median'])} | {_s(page['warm']['min'])}–"
        f"{_s(page['warm']['max'])} | HTML {_num(page['bytes'] / 1024)} Kio |",
        f"| {year} | API `{api['url']}` (APIClient ; idem) | {_s(api['first'])} | "
        f"{_s(api['warm']['median'])} | {_s(api['warm']['min'])}–"
        f"{_s(api['warm']['max'])} | JSON {_num(api['bytes'] / 1024)} Kio |",
        f"| {year} | page après un changement (chiffres périmés affichés) | — | "
        f"{_s(stale['page']['median'])} | {_s(stale['page']['min'])}–"
        f"{_s(stale['page']['max'])} | recalcul ensuite par la tâche : "
        f"{_s(stale['refresh'])} s ({stale['refreshed']['computed']} jeu(x) de "
        "chiffres) |",
        f"| {year} | `manage.py rapport_annuel --year {year} --user {user}` | "
        f"{_num(report['seconds'])} (dont ~{_num(startup)} de démarrage de Django) | "
        f"— | — | XLSX {_num(report['bytes'] / 1024)} Kio |",
    ]


def _profile(year: int, profile: dict, *, explain: bool) -> list[str]:
    lines = [
        f"#### {year} (et {year - 1})",
        "",
        f"Appel instrumenté : {_s(profile['seconds'])} s, {profile['queries']} requêtes "
        f"SQL pour {_s(profile['query_seconds'])} s de requêtes.",
        "",
        "| Partie | Appels | Secondes | Part | Requêtes | Temps SQL (s) | "
        "Requête la plus lente (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    parts = sorted(profile["parts"].items(), key=lambda item: -item[1]["seconds"])
    top = parts[:3]
    share = sum(part["seconds"] for _, part in top) / profile["seconds"]
    lines[2] += (
        " Les trois parties les plus coûteuses : "
        + ", ".join(
            f"{PART_LABELS.get(name, name)} {_s(part['seconds'])} s"
            for name, part in top
        )
        + f", soit {_num(100 * share)} % de l'appel."
    )
    for name, part in parts:
        lines.append(
            f"| {PART_LABELS.get(name, name)} | {part['calls']} | "
            f"{_s(part['seconds'])} | "
            f"{_num(100 * part['seconds'] / profile['seconds'])} % | "
            f"{part['queries']} | {_s(part.get('query_seconds', 0))} | "
            f"{_s(part.get('slowest_query', 0))} |"
        )
    lines.append("")
    if explain:
        lines += ["Requêtes les plus lentes (`EXPLAIN (ANALYZE, BUFFERS)`) :", ""]
        for query in profile["slowest"]:
            lines += _explain_block(query)
    return lines


KEY_FIGURES = (
    "records",
    "species",
    "programmes",
    "partners",
    "ringing_rings",
    "ringing_controls",
    "pop_records",
    "operations",
    "terrils_evaluated",
    "a1_actions",
    "finds_firsts",
    "finds_rare",
)


def indicateurs_report(figures: dict, *, when: str) -> str:
    """The Markdown section of bench/RESULTS.md for this benchmark."""
    database, setup = figures["database"], figures["setup"]
    years = {int(year): measured for year, measured in figures["years"].items()}
    busiest = setup["year"]
    first = figures["demos_first"]
    origin = (
        "construite pour ce benchmark par `bench.occurrences load --rows "
        f"{figures.get('generated_rows', ROWS)}`"
        if database["built"]
        else f"réutilisée (migrée en {_num(database['migrate_seconds'])} s)"
    )
    volumes = setup["volumes"]
    verdicts = [row for year, m in years.items() for row in _verdicts(year, m)]
    lines = [
        f"## Indicateurs (bilan annuel) — {_int(volumes['occurrences'])} observations "
        f"({when})",
        "",
        f"Base `{figures.get('database_name', db_name(ROWS))}` du benchmark des observations, {origin}, avec les "
        "démonstrations des autres applications chargées (baguage, terrils, zones "
        "humides, sensibilisation ; pas celle des observations). Années mesurées : "
        f"{busiest}, celle qui a le plus de lignes ("
        + ", ".join(f"{y} : {_int(n)}" for y, n in setup["top_years"][:3])
        + f"), et {DEMO_YEAR}, celle des démonstrations des autres applications "
        "(baguage, POP, terrils, sensibilisation : en "
        f"{busiest}, ces applications n'ont rien) ; chacune comparée à l'année d'avant "
        f"comme le fait le tableau de bord. Lecteur : coordinateur régional "
        f"`{setup['user']}` (groupe coordinateur, `is_regional`). Chaque mesure tourne "
        "dans un processus fils (Django sur cette base, `DEBUG` faux). Machine : "
        f"{figures['cpus']} cœurs, charge moyenne au départ "
        f"{_num(figures['load_average'])}"
        + (
            f", à la fin {_num(figures['load_average_end'])}"
            if "load_average_end" in figures
            else ""
        )
        + ". Durée totale : "
        f"{_num(figures['seconds'] / 60)} min.",
        "",
        "### Cibles (issue 10)",
        "",
        "| Cible | Seuil | Mesure | |",
        "|---|---|---|---|",
        *verdicts,
        "",
        "### Mesures",
        "",
        "| Année | Mesure | 1er appel (s) | Médiane (s) | Min–max (s) | Taille |",
        "|---|---|---|---|---|---|",
        *[
            row
            for year, m in years.items()
            for row in _measures(year, m, setup["user"], figures["startup_seconds"])
        ],
        "",
        "Le tableau de bord lit ses chiffres dans un instantané par année et lecteur "
        "(`indicateurs.snapshots`), juste tant que la génération des données (séquence "
        "avancée par un déclencheur sur chaque table des applications de terrain, posé "
        "par leurs migrations) n'a "
        "pas bougé ; après un changement, la page montre les derniers chiffres en le "
        "disant et une tâche Celery les recalcule (le coût de ce calcul est la ligne "
        "`indicators_for_year`). « 1er appel » de `indicators_for_year` : premier appel "
        "du processus fils (caches de PostgreSQL déjà chauds des étapes précédentes) ; "
        "la médiane porte sur les 5 appels suivants. Page et API : 6 requêtes chacune "
        "dans le même processus, la 1re sans instantané (calcul pour la requête), puis "
        "la médiane des 5 autres ; « après un changement » : 5 fois une mise à jour "
        "d'une ligne suivie de la page. Le bilan annuel est chronométré de "
        "l'extérieur (processus `manage.py` entier : démarrage, calcul des indicateurs, "
        "écriture du classeur) ; le démarrage de Django est mesuré par "
        "`manage.py check`.",
        "",
        "Quelques indicateurs calculés (année / année d'avant) :",
        "",
    ]
    for year, m in years.items():
        values = m["measure"]["service"]["values"]
        lines.append(
            f"- {year} : "
            + ", ".join(
                f"`{key}` {values[key][0]} / {values[key][1]}"
                for key in KEY_FIGURES
                if key in values
            )
        )
    lines += [
        "",
        "### Coût de chaque partie (un appel instrumenté par année)",
        "",
        "Chaque fonction appelée par `indicators_for_year` est enveloppée d'un "
        "chronomètre (attribut des modules `indicateurs.services` et "
        "`indicateurs.selectors` remplacé dans le "
        "processus fils ; le code produit n'est pas modifié), requêtes capturées par "
        "`CaptureQueriesContext` ; temps cumulés sur l'année et l'année d'avant.",
        "",
    ]
    for year, m in years.items():
        lines += _profile(year, m["measure"]["profile"], explain=year == busiest)
    demos = figures["demos"]
    lines += [
        "### Démonstrations chargées dans la base",
        "",
        "Premier chargement (ce qui a été créé) :",
        "",
        "| Chargeur | Secondes | Journal |",
        "|---|---|---|",
    ]
    for step in first["steps"]:
        log = " ; ".join(step["log"]).replace("|", "/")
        lines.append(f"| `{step['name']}` | {_num(step['seconds'])} | {log} |")
    total_first = sum(step["seconds"] for step in first["steps"])
    total_now = sum(step["seconds"] for step in demos["steps"])
    added = first["after"]["occurrences"] - first["before"]["occurrences"]
    lines += [
        "",
        f"Total du premier chargement : {_num(total_first)} s ; il ajoute "
        f"{_int(added)} observations à la table (captures baguées, relevés des "
        "terrils, données publiées des zones humides). À ce lancement (démonstrations "
        f"déjà là, rien n'est créé) : {_num(total_now)} s.",
        "",
        "| Volume | Avant le premier chargement | À la mesure |",
        "|---|---|---|",
    ]
    for key, label in VOLUME_LABELS.items():
        if key in volumes:
            lines.append(
                f"| {label} | {_int(first['before'].get(key, 0))} | "
                f"{_int(volumes[key])} |"
            )
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.indicateurs")
    parser.add_argument("step", choices=["run", "report"])
    parser.add_argument(
        "--rows",
        type=int,
        default=ROWS,
        help="table de N observations (1 M par défaut)",
    )
    args = parser.parse_args()
    if args.step == "run":
        figures = bench_indicateurs(args.rows)
        print(indicateurs_report(figures, when=figures["when"]))
        return
    from bench.__main__ import results_write

    figures = json.loads(figures_path(args.rows).read_text(encoding="utf-8"))
    section = indicateurs_report(figures, when=figures["when"])
    print(section)
    results_write(section_name("indicateurs", args.rows), section)


if __name__ == "__main__":
    main()
