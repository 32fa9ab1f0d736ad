"""Keyboard entry of a ringing session in a real browser (issue 5: "Entering a session of
200 captures is keyboard-only, with no page reload between captures").

Its own database, ``cpie_bench_ringing`` on the project-local cluster: fresh, migrated, with
the demo (``manage.py load_demo``: stations, programmes, datasets, ringers, ring series,
EURING species, 2019–2021 captures). A child process (DATABASE_URL = that database) creates
a session of the demo account ``saisie`` at one of the demo stations and picks the birds:
species of the demo with a EURING row and rings in stock, and a few controls of rings ringed
there in the demo. The app is then served by gunicorn (production-like: DEBUG off,
WhiteNoise, collected static files in bench/out/static) on a free port of 127.0.0.1, and
Playwright drives Debian Chromium: it logs in, opens the session page and enters the
captures with the keyboard only (Tab between fields, Entrée saves), each B taking the ring
the grid proposes. The latency of each save is measured in the page (keydown of Entrée →
row added to the table), the server time from gunicorn's access log and the browser's
resource timings. A last child counts the captures and occurrences in the database.

    .venv/bin/python -m bench ringing_entry
    .venv/bin/python -m bench.ringing_entry_steps setup --captures 200     # child steps, by hand
    .venv/bin/python -m bench.ringing_entry_steps check --session 123

The browser session is in ``bench.ringing_entry_browser``, the child steps (Django) in
``bench.ringing_entry_steps``.
"""

import json
import re
import statistics
import subprocess
import sys
import time

from bench.db import OUT, ROOT, psql
from bench.ringing_entry_browser import (
    ACCESS_LOG,
    WORKERS,
    bench_ringing_env,
    browse,
    server_start,
    stats,
)
from bench.ringing_entry_steps import CAPTURES, DB_NAME, RESULT_MARK, USERNAME
from bench.server import free_port, server_stop


def _run(*command: str) -> str:
    result = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env=bench_ringing_env(),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(f"{' '.join(command)} a échoué :\n{result.stderr[-4000:]}")
    return result.stdout


def _child(step: str, *arguments: str) -> dict:
    output = _run("-m", "bench.ringing_entry_steps", step, *arguments)
    line = next(row for row in output.splitlines() if row.startswith(RESULT_MARK))
    return json.loads(line.removeprefix(RESULT_MARK))


def database_prepare() -> dict[str, float]:
    """A fresh ``cpie_bench_ringing``: extensions, migrations, static files, the demo."""
    timings = {}
    started = time.perf_counter()
    subprocess.run([str(ROOT / "scripts" / "services.sh")], check=True, cwd=ROOT)
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME}")
    psql(
        "CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS pg_trgm;"
        " CREATE EXTENSION IF NOT EXISTS unaccent;",
        database=DB_NAME,
    )
    _run("manage.py", "migrate", "--noinput", "-v", "0")
    _run("manage.py", "collectstatic", "--noinput", "-v", "0")
    timings["base, migrations, collectstatic"] = time.perf_counter() - started
    started = time.perf_counter()
    _run("manage.py", "load_demo")
    timings["démonstration (`load_demo`)"] = time.perf_counter() - started
    return timings


def access_log_times() -> dict[str, list[float]]:
    """Server time (ms) per kind of request, from gunicorn's access log."""
    kinds = {
        "capture_post": re.compile(r'"POST /api/v1/baguage/captures/ '),
        "session_get": re.compile(r'"GET /api/v1/baguage/sessions/\d+/ '),
        "next_ring": re.compile(r'"GET /baguage/bagues/suivante\.json'),
        "history": re.compile(r'"GET /baguage/bagues/historique\.json'),
        "taxa": re.compile(r'"GET /api/v1/taxa/'),
        "page": re.compile(r'"GET /baguage/sessions/\d+/ '),
    }
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    for line in ACCESS_LOG.read_text(encoding="utf-8").splitlines():
        micro, _, rest = line.partition(" ")
        for kind, pattern in kinds.items():
            if pattern.search(rest):
                times[kind].append(int(micro) / 1000)
    return times


def bench_ringing_entry(*, captures: int = CAPTURES) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    figures: dict = {"prepare": database_prepare()}
    plan = _child("setup", "--captures", str(captures))
    figures["plan"] = {key: value for key, value in plan.items() if key != "birds"}
    figures["planned"] = len(plan["birds"])
    port = free_port()
    server = server_start(port)
    try:
        figures.update(browse(port, plan))
    finally:
        server_stop(server)
    figures["server"] = access_log_times()
    figures["database"] = _child("check", "--session", str(plan["session"]))
    (OUT / "ringing-entry.json").write_text(json.dumps(figures), encoding="utf-8")
    return figures


def _fr(value: float, decimals: int = 0) -> str:
    """French number: narrow no-break space between thousands, decimal comma."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def _row(label: str, values: list[float]) -> str:
    figures = stats(values)
    return (
        f"| {label} | {figures['n']} | {_fr(figures['p50'])} | {_fr(figures['p95'])} "
        f"| {_fr(figures['max'])} |"
    )


def _yes(value: bool) -> str:
    return "✅" if value else "❌"


def ringing_entry_report(figures: dict, *, when: str) -> str:
    plan, database, server = figures["plan"], figures["database"], figures["server"]
    planned = figures["planned"]
    save, cycles = figures["save_ms"], figures["cycles_ms"]
    before, after = figures["navigation_entries"]
    no_reload = (
        figures["url_same"]
        and figures["marker_kept"]
        and figures["grid_marker_kept"]
        and before == after
        and not figures["navigations"]
    )
    complete = (
        figures["rows"] == planned
        and database["captures"] == planned
        and database["occurrences"] == planned
        and database["without_occurrence"] == 0
    )
    ok = no_reload and complete and not figures["problems"]
    verdict = "✅ OK" if ok else "❌"
    mean_cycle = statistics.fmean(cycles) if cycles else 0
    head, tail = save[:20], save[-20:]
    fetches = figures["fetches"]
    failed = [
        fetch for fetch in fetches if fetch["status"] >= 400 or not fetch["status"]
    ]
    actions = database["actions"]
    lines = [
        "## Saisie d'une session de baguage au clavier (navigateur)",
        "",
        f"Mesuré le {when} sur `{DB_NAME}` (migrée, démonstration chargée : "
        + ", ".join(f"{step} {_fr(s, 1)} s" for step, s in figures["prepare"].items())
        + f"). Session du {plan['date']} à la station « {plan['station']} » "
        f"({plan['programme']}), créée en base pour le compte de démonstration "
        f"`{USERNAME}` ; application servie par gunicorn ({WORKERS} workers, DEBUG off, "
        "WhiteNoise, fichiers statiques collectés), Chromium Debian sans interface piloté "
        "par Playwright.",
        "",
        f"{planned} captures saisies **au clavier uniquement** (`keyboard.type(…, delay=0)`, "
        f"Tab, ↓, Entrée) : {actions.get('B', 0)} B sur la bague proposée par la grille "
        f"après le choix de l'espèce ({plan['species']} espèces, tailles A/B/C/E), "
        f"{actions.get('C', 0)} contrôles C de bagues posées à la station dans la "
        "démonstration ; âge, sexe et méthode, aile, masse (virgule décimale), "
        "adiposité une ligne sur trois, quelques ailes hors de l'intervalle habituel "
        "(avertissement, ligne enregistrée). Chaque ligne attend l'accusé de la grille "
        "(nouvelle ligne du tableau, statut « Ligne n enregistrée ») et la proposition de "
        "la bague suivante avant la saisie de l'oiseau suivant.",
        "",
        "| Contrôle | Résultat | |",
        "|---|---|---|",
        f"| Pas de rechargement (même URL, marqueur `window` conservé, entrées "
        f"`navigation` {before} → {after}, {len(figures['navigations'])} navigation) "
        f"| {'aucun' if no_reload else 'rechargement !'} | {_yes(no_reload)} |",
        f"| Lignes dans le tableau / compteur affiché | {figures['rows']} / "
        f"{figures['count_shown']} | {_yes(figures['rows'] == planned)} |",
        f"| Captures en base (lignes 1…n continues) | {database['captures']} "
        f"({'oui' if database['lines_contiguous'] else 'non'}) "
        f"| {_yes(database['captures'] == planned and database['lines_contiguous'])} |",
        f"| Observations publiées (source baguage) | {database['occurrences']} "
        f"| {_yes(database['occurrences'] == planned)} |",
        f"| Bagues B distinctes, de la taille de l'espèce | {database['rings_distinct']}"
        f"/{database['ringed']}, {database['wrong_size']} de mauvaise taille "
        f"| {_yes(database['rings_distinct'] == database['ringed'] and not database['wrong_size'])} |",
        f"| Erreurs JS / réponses HTTP ≥ 400 / anomalies de la grille "
        f"| {len(figures['errors'])} / {len(failed)} / {len(figures['problems'])} "
        f"| {_yes(not figures['errors'] and not failed and not figures['problems'])} |",
        "",
        "| Mesure (ms) | n | p50 | p95 | max |",
        "|---|---|---|---|---|",
        _row("Enregistrement : Entrée → ligne dans le tableau (navigateur)", save),
        _row("… lignes 1–20", head),
        _row(f"… lignes {max(1, len(save) - 19)}–{len(save)}", tail),
        _row("POST capture : temps serveur (gunicorn `%(D)s`)", server["capture_post"]),
        _row(
            "POST capture : attente de la 1re octet (Resource Timing)",
            figures["capture_ttfb_ms"],
        ),
        _row("Bague suivante `suivante.json` : temps serveur", server["next_ring"]),
        _row(
            "Session (contrôles STOC) après chaque ligne : temps serveur",
            server["session_get"],
        ),
        _row("Recherche d'espèce `/api/v1/taxa/` : temps serveur", server["taxa"]),
        _row("Historique de bague (C) : temps serveur", server["history"]),
        _row(
            "Espèce : frappe → proposition choisie (dont 200 ms d'attente du champ)",
            figures["species_ms"],
        ),
        _row("Bague proposée après le choix de l'espèce (B)", figures["ring_ms"]),
        _row("Cycle complet d'une ligne (frappe à délai nul comprise)", cycles),
        "",
        f"Durée totale : {_fr(figures['total_s'], 1)} s pour {planned} captures, soit "
        f"**{_fr(60_000 / mean_cycle if mean_cycle else 0)} captures/min** permises par "
        "l'interface (cycle moyen de "
        f"{_fr(mean_cycle)} ms, frappe instantanée) ; le débit réel dépend de la "
        f"frappe du bagueur. {verdict}",
        "",
    ]
    if figures["problems"] or figures["errors"]:
        lines += ["Anomalies :", ""]
        lines += [f"- {text}" for text in figures["problems"] + figures["errors"]][:20]
        lines.append("")
    return "\n".join(lines)
