"""Export benchmark on the database of the occurrence benchmark (``cpie_bench_occ`` at
1,000,000 rows, ``cpie_bench_occ_10m`` at 10,000,000; built by bench/occurrences.py if it is
missing, else migrated and reused):

- partner extracts to CSV (``extract_create`` + ``extract_run``, synchronously) for a regional
  coordinator and a partner without clearance, against PostgreSQL's own
  ``COPY (same SQL) TO STDOUT`` and a COPY of the raw columns, with the peak RSS of the child
  process on the whole table and on about 100,000 rows (issue 4 at 1 M: at most 3× COPY;
  issue 21 at 10 M: at most 1.5×; memory flat);
- XLSX, GeoJSON and GeoPackage extracts of about 100,000 rows (information);
- the sensitivity recomputation after a rule change (target < 60 s at 1 M, < 5 min at 10 M);
- a complete SINP export of a year for the faune pole, if observations/exports/sinp.py has one.

Each step runs in a child process (bench/exports_measure.py) with Django settings pointing to
that database, its own MEDIA_ROOT under bench/out/ and its own Redis database (no Celery task
is queued: the extract runs in the child).

    .venv/bin/python -m bench exports
    .venv/bin/python -m bench.exports setup          # child steps, by hand
    .venv/bin/python -m bench.exports extract --who partner --format csv --baselines
    .venv/bin/python -m bench.exports report         # rewrite the section from bench/out/
    .venv/bin/python -m bench.exports report --rows 10000000   # the 10 M section
"""

import argparse
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
from bench.occurrences import _run as occurrences_run

RESULT_MARK = "BENCH-RESULT "
# Issue 4 at 1 M rows; issue 21 at 10 M: an extract ≤ 1.5 × COPY, a refresh < 5 min.
TARGETS = {"copy_ratio": 3.0, "sensitivity_s": 60.0}
TARGETS_LARGE = {"copy_ratio": 1.5, "sensitivity_s": 300.0}
# "Memory flat": the peak RSS of a 1,000,000-row extract may exceed that of a 100,000-row
# one by at most this much (noise of the allocator, not rows held in memory).
FLAT_MARGIN_MB = 20.0


def targets(rows: int) -> dict[str, float]:
    return TARGETS if rows <= ROWS else TARGETS_LARGE


def figures_path(rows: int):
    suffix = rows_suffix(rows)
    return OUT / (
        f"exports-figures-{suffix}.json" if suffix else "exports-figures.json"
    )


def _env() -> dict[str, str]:
    rows = rows_current()
    return bench_env(
        occurrences_env(rows)["DATABASE_URL"],
        **{ROWS_ENV: str(rows)},
        STATIC_ROOT=str(OUT / "static"),
        MEDIA_ROOT=str(OUT / "media-exports"),
        # Progress keys and any broker message stay away from the dev cache and queue.
        REDIS_URL="redis://127.0.0.1:63790/5",
    )


def _child(step: str, *arguments: str) -> dict:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "bench.exports", step, *arguments],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(
            f"bench.exports {step} {' '.join(arguments)} a échoué :\n"
            f"{result.stderr[-4000:]}"
        )
    line = next(
        row for row in result.stdout.splitlines() if row.startswith(RESULT_MARK)
    )
    figures = json.loads(line.removeprefix(RESULT_MARK))
    print(f"  {step} {' '.join(arguments)} : {time.perf_counter() - started:.1f} s")
    return figures


def database_ensure(size: int) -> dict:
    """Reuse the occurrence benchmark's database of ``size`` rows (``db_name``) if it holds
    them (migrated to the current schema), else build it with that benchmark's own steps."""
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
    # At least the generated rows: other benchmarks (indicateurs) add the apps' demo
    # records on top.
    if rows is not None and rows >= size:
        started = time.perf_counter()
        occurrences_run("manage.py", "migrate", "--noinput", "-v", "0", rows=size)
        return {"built": False, "migrate_seconds": time.perf_counter() - started}
    print(f"Base {name} absente ou incomplète ({rows} lignes) : construction")
    prepare = database_prepare(size)
    loaded = {"prepare": prepare, **occurrences_child("load", "--rows", str(size))}
    OUT.mkdir(parents=True, exist_ok=True)
    saved = OUT / f"occurrences-{size}-load.json"
    saved.write_text(json.dumps(loaded), encoding="utf-8")
    return {"built": True, "load": loaded}


def bench_exports(rows: int = ROWS) -> dict:
    """Every measure on the occurrence benchmark's table of ``rows`` rows."""
    os.environ[ROWS_ENV] = str(rows)  # read by _env() for each child process
    started = time.perf_counter()
    figures: dict = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "load_average": os.getloadavg()[0],
        "cpus": os.cpu_count(),
        "generated_rows": rows,
        "database_name": db_name(rows),
        "targets": targets(rows),
    }
    figures["database"] = database_ensure(rows)
    print(f"Base {db_name(rows)} prête : {figures['database']}")
    figures["setup"] = setup = _child("setup")
    small = json.dumps(setup["small"]["filters"])
    csv = figures["csv"] = {}
    for who in ("regional", "partner"):
        csv[who] = {
            "full": _child("extract", "--who", who, "--format", "csv", "--baselines"),
            "small": _child(
                "extract",
                *("--who", who, "--format", "csv", "--filters", small, "--baselines"),
            ),
        }
    figures["formats"] = {
        fmt: _child("extract", "--who", "regional", "--format", fmt, "--filters", small)
        for fmt in ("xlsx", "geojson", "gpkg")
    }
    figures["sensitivity"] = _child("sensitivity")
    try:
        figures["sinp"] = _child("sinp")
    except RuntimeError as exc:
        figures["sinp"] = {"failed": str(exc)[-1500:]}
    figures["facts"] = _child("facts")
    figures["restore"] = _child("restore")
    figures["load_average_end"] = os.getloadavg()[0]
    figures["seconds"] = time.perf_counter() - started
    OUT.mkdir(parents=True, exist_ok=True)
    figures_path(rows).write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return figures


# --- Report -----------------------------------------------------------------------------------


def _num(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")


def _int(value: float) -> str:
    return _num(value, 0)


def _mb(kib: float) -> str:
    return _num(kib / 1024, 0)


def _ok(condition: bool) -> str:
    return "✅ OK" if condition else "❌ NON OK"


READERS = {
    "regional": "coordinateur régional (habilitation 4)",
    "partner": "partenaire (habilitation 0)",
}
FORMATS = {"xlsx": "XLSX", "geojson": "GeoJSON", "gpkg": "GeoPackage"}


def _product_seconds(extract: dict) -> float:
    return extract["create_seconds"] + extract["run_seconds"]


def _growth_kb(extract: dict) -> int:
    return extract["rss_end_kb"] - extract["rss_start_kb"]


def _filters_label(filters: dict) -> str:
    label = f"années {filters['year_min']}–{filters['year_max']}"
    if filters.get("validation"):
        label += ", statuts de validation 1 et 2"
    return label


def _seconds_label(seconds: float) -> str:
    """A duration target: "< 60 s", "< 5 min"."""
    if seconds >= 120 and seconds % 60 == 0:
        return f"< {seconds / 60:.0f} min"
    return f"< {seconds:.0f} s"


def exports_report(figures: dict, *, when: str) -> str:
    """The Markdown section of bench/RESULTS.md for this benchmark."""
    setup, csv = figures["setup"], figures["csv"]
    database = figures["database"]
    levels = setup["levels"]
    sensitive = sum(v["rows"] for k, v in levels.items() if k != "0")
    shown = sum(v["rows"] for k, v in levels.items() if k in ("1", "2", "3"))
    blurred = sum(v["blurred_geom"] for k, v in levels.items() if k in ("1", "2", "3"))
    small_filters = _filters_label(setup["small"]["filters"])
    sens = figures["sensitivity"]
    limits = figures.get("targets", TARGETS)
    copy_ratio, sens_s = limits["copy_ratio"], limits["sensitivity_s"]
    sens_label = _seconds_label(sens_s)
    database_name = figures.get("database_name", db_name(ROWS))
    verdicts = []
    for who, runs in csv.items():
        full = runs["full"]
        ratio = _product_seconds(full) / full["copy_same"]["seconds"]
        verdicts.append(
            f"| CSV de {_int(full['rows'])} lignes, {READERS[who]} | ≤ {_num(copy_ratio, 1).removesuffix(',0')} × COPY de la "
            f"même requête | {_num(ratio, 2)} × ({_num(_product_seconds(full))} s contre "
            f"{_num(full['copy_same']['seconds'])} s) | {_ok(ratio <= copy_ratio)} |"
        )
    for who, runs in csv.items():
        growth = _growth_kb(runs["full"]) - _growth_kb(runs["small"])
        verdicts.append(
            f"| Mémoire plate, {READERS[who]} | croissance de la RSS max à "
            f"{_int(runs['full']['rows'])} lignes ≤ celle à "
            f"{_int(runs['small']['rows'])} lignes + {_int(FLAT_MARGIN_MB)} Mo | "
            f"{_mb(runs['full']['rss_end_kb'])} Mo contre "
            f"{_mb(runs['small']['rss_end_kb'])} Mo (écart de croissance "
            f"{_num(growth / 1024)} Mo) | {_ok(growth / 1024 <= FLAT_MARGIN_MB)} |"
        )
    first = setup.get("first_refresh")
    if first:
        verdicts.append(
            f"| Recalcul de la sensibilité, premier calcul après l'ajout des "
            f"{first['rules']} règles | {sens_label} | {_num(first['seconds'])} s "
            f"({_int(first['changed'])} lignes modifiées) | "
            f"{_ok(first['seconds'] < sens_s)} |"
        )
    if "cases" in sens:
        for key, label in (
            ("unchanged", "sans changement"),
            ("added", f"après ajout de règle(s) de niveau {sens['level']}"),
            ("removed", "après leur suppression"),
            ("added3", "après ajout des mêmes règles au niveau 3"),
            ("removed3", "après leur suppression"),
        ):
            case = sens["cases"].get(key)
            if case is None:
                continue
            verdicts.append(
                f"| Recalcul de la sensibilité, {label} | {sens_label} | "
                f"{_num(case['seconds'])} s ({_int(case['changed'])} lignes modifiées) | "
                f"{_ok(case['seconds'] < sens_s)} |"
            )
    origin = (
        "construite pour ce benchmark par `bench.occurrences load --rows "
        f"{figures.get('generated_rows', ROWS)}`"
        if database["built"]
        else f"réutilisée (migrée en {_num(database['migrate_seconds'])} s)"
    )
    lines = [
        f"## Exports — {_int(setup['total'])} observations ({when})",
        "",
        f"Base `{database_name}` du benchmark des observations, {origin}. Chaque mesure tourne "
        "dans un processus fils (Django sur cette base, MEDIA_ROOT sous `bench/out/`, "
        "aucune tâche Celery : `extract_run` est appelé directement). Machine : "
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
        "### Cibles",
        "",
        "| Cible | Seuil | Mesure | |",
        "|---|---|---|---|",
        *verdicts,
        "",
        "### Données",
        "",
        f"- Règles de sensibilité : {setup['rules']} "
        + (
            f"({setup['rules_created']} créées par ce benchmark sur les taxons classés "
            "10ᵉ à 109ᵉ par nombre de lignes : niveaux 1 à 4, 30 % limitées à la période "
            "du 15 mars au 31 juillet, 20 % à un département)"
            if setup["rules_created"]
            else "(déjà présentes)"
        )
        + (
            f" ; premier `occurrences_refresh_sensitivity()` après leur création : "
            f"{_num(first['seconds'])} s, {_int(first['changed'])} lignes modifiées"
            if first
            else ""
        )
        + f" ; à ce lancement : {_num(setup['refresh_seconds'])} s, "
        f"{_int(setup['refresh_changed'])} lignes modifiées.",
        "- Niveaux de sensibilité : "
        + ", ".join(
            f"{level} : {_int(value['rows'])}" for level, value in levels.items()
        )
        + f" — {_int(sensitive)} lignes sensibles (niveau > 0, "
        f"{_num(100 * sensitive / setup['total'])} %) ; aux niveaux 1 à 3, "
        f"{_int(blurred)} géométries floutées pour {_int(shown)} lignes"
        + (f" ({_int(shown - blurred)} sans)." if shown > blurred else "."),
        f"- Jeux de données : {setup['datasets']}, tous publics pendant la mesure "
        "(pour que le partenaire lise toute la table), puis remis comme avant "
        f"({figures['restore']['restored']} redevenus privés).",
        f"- Lignes visibles : coordinateur régional "
        f"{_int(setup['visible']['regional'])}, partenaire "
        f"{_int(setup['visible']['partner'])} (les lignes de niveau 4 ne lui sont pas "
        "remises ; les autres lignes sensibles le sont floutées).",
        "",
        "### Extraction CSV contre `COPY … TO STDOUT`",
        "",
        "| Lecteur | Lignes | Extraction (s) | dont `extract_create` (s) | Lignes/s | "
        "COPY même requête (s) | COPY colonnes brutes (s) | Produit / COPY | "
        "RSS max début → fin (Mo) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for who, runs in csv.items():
        for size, run in runs.items():
            total = _product_seconds(run)
            same = run["copy_same"]["seconds"]
            raw = run.get("copy_raw")
            label = READERS[who] + ("" if size == "full" else f", {small_filters}")
            lines.append(
                f"| {label} | {_int(run['rows'])} | {_num(total)} | "
                f"{_num(run['create_seconds'])} | {_int(run['rows'] / total)} | "
                f"{_num(same)} ({_int(run['copy_same']['rows'] / same)} lignes/s) | "
                + (
                    f"{_num(raw['seconds'])} ({_int(raw['rows'] / raw['seconds'])} "
                    "lignes/s)"
                    if raw
                    else "—"
                )
                + f" | {_num(total / same, 2)} × | {_mb(run['rss_start_kb'])} → "
                f"{_mb(run['rss_end_kb'])} |"
            )
    lines += [
        "",
        "Extraction : `extract_create(user, recipient=son organisme, filters, area=None, "
        'formats=["csv"])` (qui compte les lignes) puis `extract_run(pk)` (COPY de la requête '
        "floutée vers le fichier, SHA-256, renommage). « COPY même requête » : "
        "`COPY (<SQL de extract_values(Occurrence.objects.visible_to(user), spatial=False)>) TO STDOUT "
        "(FORMAT csv, HEADER true, DELIMITER ';')` lu par psycopg dans le même processus "
        "et écrit dans /dev/null ; « colonnes brutes » : les colonnes correspondantes de "
        "`observations_occurrence`, sans jointure, sans CASE de floutage, sans tri ni "
        "reprojection. RSS : `getrusage(RUSAGE_SELF).ru_maxrss` du processus fils après "
        "le démarrage de Django, puis après l'extraction.",
        "",
        "Fichiers produits :",
        "",
    ]
    for who, runs in csv.items():
        for run in runs.values():
            checked = " (relu : identique)" if run.get("sha256_checked") else ""
            lines.append(
                f"- {READERS[who]}, {_int(run['rows'])} lignes : "
                f"{_num(run['size'] / 2**20)} Mo, sha256 `{run['sha256']}`{checked}"
            )
    lines += [
        "",
        f"### Autres formats ({small_filters}, coordinateur régional ; pour information)",
        "",
        "| Format | Lignes | Secondes | Lignes/s | Taille (Mo) | RSS max début → fin (Mo) |",
        "|---|---|---|---|---|---|",
    ]
    for fmt, run in figures["formats"].items():
        total = _product_seconds(run)
        if run["status"] != "done":
            lines.append(
                f"| {FORMATS[fmt]} | — | {_num(total)} | — | — | échec : "
                f"{run['error'][:200]} |"
            )
            continue
        lines.append(
            f"| {FORMATS[fmt]} | {_int(run['rows'])} | {_num(total)} | "
            f"{_int(run['rows'] / total)} | {_num(run['size'] / 2**20)} | "
            f"{_mb(run['rss_start_kb'])} → {_mb(run['rss_end_kb'])} |"
        )
    lines += [
        "",
        "GeoPackage : GeoJSON écrit par le processus puis converti par `ogr2ogr` (dont la "
        "mémoire n'est pas comptée dans la RSS du processus).",
        "",
        "### Recalcul de la sensibilité (`occurrences_refresh_sensitivity()`)",
        "",
    ]
    if "cases" in sens:
        rules = sens["rules"]
        names = ", ".join(
            f"*{rule['name']}* ({_int(rule['rows'])} lignes)" for rule in rules
        )
        added = (
            f"règle ajoutée : {names}, niveau {sens['level']}"
            if sens["mode"] == "group"
            else f"{len(rules)} règles ajoutées en une fois, niveau {sens['level']}"
        )
        lines += [
            "| Cas | Lignes modifiées | Détail (ancien → nouveau niveau) | Secondes | "
            "Cible | |",
            "|---|---|---|---|---|---|",
        ]
        for key, label in (
            ("unchanged", "aucune règle modifiée"),
            ("added", added),
            ("removed", "règle(s) supprimée(s) (retour à l'état initial)"),
            ("added3", "mêmes taxons, règle(s) de niveau 3 (département)"),
            ("removed3", "règle(s) supprimée(s) (retour à l'état initial)"),
        ):
            case = sens["cases"].get(key)
            if case is None:
                continue
            detail = ", ".join(f"{k} : {_int(v)}" for k, v in case["changes"].items())
            lines.append(
                f"| {label} | {_int(case['changed'])} "
                f"({_num(100 * case['changed'] / sens['total'])} %) | {detail or '—'} | "
                f"{_num(case['seconds'])} | {sens_label} | "
                f"{_ok(case['seconds'] < sens_s)} |"
            )
        lines.append("")
        if sens["mode"] == "frequent":
            group = sens["largest_group"]
            largest = (
                ""
                if group is None
                else f" (le plus fourni, *{group['name']}* ({group['rank']}), "
                f"{_int(group['rows'])} lignes)"
            )
            lines.append(
                "Le TAXREF de démonstration de la base n'a aucun lien `cd_sup` : une règle "
                "sur une classe, un ordre ou un genre n'y couvre que ce nom"
                f"{largest}. Le changement mesuré est donc l'ajout, en une fois, de "
                f"règles sur les taxons les plus fréquents sans règle : {names} ; "
                f"{_int(sens['expected'])} lignes attendues sous le niveau "
                f"{sens['level']}."
            )
        lines.append(
            "Chaque recalcul réévalue le niveau de toutes les lignes (statuts et règles) "
            "et ne réécrit (niveau, niveau de diffusion, géométrie floutée) que celles "
            "qui changent."
        )
    else:
        lines.append(f"Non mesuré : {sens['skipped']}.")
    lines += ["", "### Export SINP (pôle faune, export complet d'une année)", ""]
    sinp = figures["sinp"]
    if "skipped" in sinp:
        lines.append(f"Non mesuré : {sinp['skipped']}.")
    elif "failed" in sinp:
        lines.append(f"Échec de l'export :\n\n```\n{sinp['failed']}\n```")
    else:
        lines += [
            "| Année | Lignes | Secondes | Lignes/s | ZIP (Mo) | RSS max début → fin (Mo) |",
            "|---|---|---|---|---|---|",
            f"| {sinp['year']} | {_int(sinp['rows'])} | {_num(sinp['seconds'])} | "
            f"{_int(sinp['rows'] / sinp['seconds'])} | {_num(sinp['size'] / 2**20)} | "
            f"{_mb(sinp['rss_start_kb'])} → {_mb(sinp['rss_end_kb'])} |",
            "",
            f'`sinp_export(year={sinp["year"]}, pole="faune")` (signature '
            f"`sinp_export{sinp['signature']}`), tout le réseau, année la plus fournie en "
            "observations validées de la faune : fingerprints en table temporaire, journal "
            "des lignes envoyées, COPY du CSV, métadonnées des jeux, ZIP.",
        ]
        kingdoms = figures.get("facts", {}).get("kingdoms")
        if kingdoms:
            lines.append(
                f"Peu de lignes : la table ne compte que "
                f"{_int(kingdoms.get('Animalia', 0))} observations d'animaux sur "
                f"{_int(sum(kingdoms.values()))} (le TAXREF de démonstration est surtout "
                "végétal) ; l'export n'est donc pas mesuré ici à l'échelle."
            )
    lines += _findings(figures)
    return "\n".join(lines) + "\n"


def _findings(figures: dict) -> list[str]:
    """What the figures say about where the time and the bytes go."""
    facts = figures.get("facts")
    if not facts:
        return []
    csv = figures["csv"]
    per_row = {
        who: runs["full"]["size"] / max(runs["full"]["rows"], 1)
        for who, runs in csv.items()
    }
    level3 = facts["levels"].get("3")
    lines = ["", "### Constats", ""]
    if level3 and level3["rows"]:
        lines.append(
            f"- **Géométries floutées au département** : chacune des "
            f"{_int(level3['rows'] - level3['missing'])} lignes de niveau 3 porte dans "
            f"`blurred_geom` une copie du contour simplifié (1 km) de son département, "
            f"ou du territoire hors de tout département "
            f"({_int(level3['points'])} points, {_num(level3['stored_bytes'] / 1024)} Kio "
            f"stockés en moyenne) ; la table pèse {_int(facts['table_bytes'] / 2**20)} Mo "
            "après `VACUUM FULL` "
            f"dont {_int(facts['toast_bytes'] / 2**20)} Mo de TOAST. Dans un fichier, ce "
            f"polygone devient un WKT WGS84 de {_int(level3['wkt_chars'])} caractères par "
            f"ligne : le CSV du partenaire fait {_int(per_row['partner'])} octets par "
            f"ligne contre {_int(per_row['regional'])} pour le coordinateur régional, et "
            f"le COPY de sa requête prend {_num(csv['partner']['full']['copy_same']['seconds'])}"
            f" s contre {_num(csv['regional']['full']['copy_same']['seconds'])} s "
            "(reprojection, WKT et transfert de ces polygones à chaque ligne : `ST_Transform`, "
            "`ST_AsText` de la colonne `geometrie`, `observations/exports/columns.py`)."
        )
    first = figures["setup"].get("first_refresh")
    sens = figures["sensitivity"]
    cases = sens.get("cases")
    limit = figures.get("targets", TARGETS)["sensitivity_s"]
    if first and cases and first["seconds"] >= limit:
        lines.append(
            f"- **Premier recalcul de la sensibilité** ({_num(first['seconds'])} s pour "
            f"{_int(first['changed'])} lignes) : le calcul des niveaux de toutes les "
            f"lignes seul prend {_num(cases['unchanged']['seconds'])} s (cas sans "
            f"changement) et le passage de {_int(cases['added']['changed'])} lignes au "
            f"niveau {sens['level']} (maille) {_num(cases['added']['seconds'])} s"
            + (
                f", des mêmes lignes au niveau 3 {_num(cases['added3']['seconds'])} s"
                if "added3" in cases
                else ""
            )
            + " ; au niveau 3, l'`UPDATE` de `occurrences_refresh_sensitivity` "
            "(`blurred_geom_sql`, `observations/services/derived.py`) écrit dans "
            "`blurred_geom` une copie du polygone du département par ligne (TOAST et "
            "index GiST)."
        )
    if facts.get("blurred_without_geometry"):
        lines.append(
            f"- **Floutées sans géométrie** : {_int(facts['blurred_without_geometry'])} "
            "lignes de niveau 1 à 3 n'ont pas de `blurred_geom` : un lecteur sans "
            "habilitation les reçoit sans géométrie."
        )
    return lines


def report_rewrite(rows: int = ROWS) -> None:
    """Render the section again from the figures of the last run on ``rows`` rows
    (bench/out/) and write it to bench/RESULTS.md, without measuring anything."""
    from bench.__main__ import results_write

    path = figures_path(rows)
    figures = json.loads(path.read_text(encoding="utf-8"))
    when = figures.get("when") or time.strftime(
        "%Y-%m-%d %H:%M", time.localtime(path.stat().st_mtime)
    )
    section = exports_report(figures, when=when)
    print(section)
    results_write(section_name("exports", rows), section)


def _child_main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.exports")
    parser.add_argument(
        "step",
        choices=[
            "setup",
            "extract",
            "sensitivity",
            "sinp",
            "facts",
            "restore",
            "report",
        ],
    )
    parser.add_argument("--who", choices=["regional", "partner"], default="regional")
    parser.add_argument(
        "--format", choices=["csv", "xlsx", "geojson", "gpkg"], default="csv"
    )
    parser.add_argument("--filters", default="{}", help="filtres JSON de l'extraction")
    parser.add_argument("--baselines", action="store_true", help="mesurer aussi COPY")
    parser.add_argument(
        "--rows", type=int, default=None, help="report : table de N observations"
    )
    args = parser.parse_args()
    if args.step == "report":
        report_rewrite(args.rows or rows_current())
        return
    os.environ.update(_env())
    # Models can only be imported once Django is set up on the benchmark database.
    import django

    django.setup()
    from bench import exports_measure as measure

    if args.step == "extract":
        result = measure.extract(
            args.who, args.format, json.loads(args.filters), args.baselines
        )
    else:
        result = getattr(measure, args.step)()
    print(RESULT_MARK + json.dumps(result))


if __name__ == "__main__":
    _child_main()
