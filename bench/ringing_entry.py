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
    .venv/bin/python -m bench.ringing_entry setup --captures 200     # child steps, by hand
    .venv/bin/python -m bench.ringing_entry check --session 123
"""

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.db import OUT, ROOT, bench_env, database_url, psql

DB_NAME = "cpie_bench_ringing"
DATABASE_URL = database_url(DB_NAME)
CAPTURES = 200
CONTROLS = 12
SESSION_DATE = "2022-05-21"
USERNAME, PASSWORD = "saisie", "demo-saisie-2020"
RESULT_MARK = "BENCH-RESULT "
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [  # as in tests/e2e/conftest.py
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WORKERS = 3  # docker-compose.yml: gunicorn … --workers 3
ACCESS_LOG = OUT / "ringing-entry-access.log"
SERVER_LOG = OUT / "ringing-entry-gunicorn.log"
# Request time in microseconds (%(D)s), then the request line and status.
ACCESS_FORMAT = '%(D)s "%(r)s" %(s)s'
SEARCH_DELAY_MS = 220


def _env() -> dict[str, str]:
    # Production-like static files: the manifest storage needs collectstatic.
    return bench_env(
        DATABASE_URL,
        STATIC_ROOT=str(OUT / "static"),
        ALLOWED_HOSTS="localhost,127.0.0.1,testserver",
    )


def _run(*command: str) -> str:
    result = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(f"{' '.join(command)} a échoué :\n{result.stderr[-4000:]}")
    return result.stdout


def _child(step: str, *arguments: str) -> dict:
    output = _run("-m", "bench.ringing_entry", step, *arguments)
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


# --- The browser session (parent process: no Django here) -----------------------------------

# Instrumentation added to the page before its scripts run: a performance buffer large
# enough for every request, the time of each Entrée that saves a line, the time each row
# joins the table, and the requests in flight per kind (to type the next bird only once the
# grid has answered, as a ringer looking at the screen would).
INIT_SCRIPT = """
(() => {
  performance.setResourceTimingBufferSize(20000);
  window.__bench = {saveEnter: null, rows: [], inflight: {}, fetches: [], taxa: {}};
  const bench = window.__bench;
  const kindOf = (url) => {
    if (url.includes('/api/v1/baguage/captures/')) return 'capture';
    if (url.includes('/api/v1/baguage/sessions/')) return 'session';
    if (url.includes('/baguage/bagues/suivante.json')) return 'next_ring';
    if (url.includes('/baguage/bagues/historique.json')) return 'history';
    if (url.includes('/api/v1/taxa/')) return 'taxa';
    return 'other';
  };
  const original = window.fetch;
  window.fetch = function (input, options) {
    const url = typeof input === 'string' ? input : input.url;
    const kind = kindOf(url);
    const started = performance.now();
    bench.inflight[kind] = (bench.inflight[kind] || 0) + 1;
    const done = (status) => {
      bench.inflight[kind] -= 1;
      bench.fetches.push({kind, status, ms: performance.now() - started,
                          method: (options && options.method) || 'GET'});
      if (kind === 'taxa') {
        const search = new URL(url, location.href).searchParams.get('search');
        bench.taxa[search] = performance.now();
      }
    };
    // Counted as answered once the body is read and the page's handlers have run.
    return original.apply(this, arguments).then(
      (response) => {
        response.clone().text().catch(() => '')
          .then(() => setTimeout(() => done(response.status), 0));
        return response;
      },
      (error) => { setTimeout(() => done(0), 0); throw error; });
  };
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && event.target && event.target.id !== 'entry-taxon'
        && event.target.closest && event.target.closest('[data-entry-row]')) {
      bench.saveEnter = performance.now();
    }
  }, true);
  document.addEventListener('DOMContentLoaded', () => {
    const body = document.querySelector('[data-grid-body]');
    if (!body) return;
    new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (node.nodeType === 1 && node.dataset && node.dataset.capture) {
            bench.rows.push({at: performance.now(), enter: bench.saveEnter});
          }
        }
      }
    }).observe(body, {childList: true});
  });
})();
"""

CHOOSE_INDEX = """([scientific]) => {
  const options = [...document.querySelectorAll('[data-entry-row] [role=option]')];
  return options.findIndex((option) => {
    const text = option.textContent;
    return text === scientific || text.startsWith(scientific + ' —');
  });
}"""

OPTIONS_READY = """([scientific, typed, previous]) => {
  const list = document.getElementById('entry-taxon-options');
  if (!list || list.hidden) return false;
  if (typed !== previous && !(typed in window.__bench.taxa)) return false;
  return [...list.querySelectorAll('[role=option]')].some((option) =>
    option.textContent === scientific || option.textContent.startsWith(scientific + ' —'));
}"""

ENTRY_VALUES = """() => Object.fromEntries(
  [...document.querySelectorAll('[data-entry-row] input, [data-entry-row] select')]
    .map((element) => [element.id || element.name, element.value]))"""
NO_RING_REQUEST = "() => !window.__bench.inflight.next_ring"
RING_PROPOSED = """() => !window.__bench.inflight.next_ring
  && document.getElementById('entry-ring_number').value !== ''
  && document.getElementById('entry-ring_number').dataset.auto === '1'"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_start(port: int) -> subprocess.Popen:
    for path in (ACCESS_LOG, SERVER_LOG):
        path.unlink(missing_ok=True)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "cpie_naturaliste.wsgi"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)]
        + ["--access-logfile", str(ACCESS_LOG), "--access-logformat", ACCESS_FORMAT]
        + ["--error-logfile", str(SERVER_LOG)],
        cwd=ROOT,
        env=_env(),
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(
                f"gunicorn s'est arrêté :\n{SERVER_LOG.read_text()[-3000:]}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    _server_stop(server)
    raise RuntimeError("gunicorn ne répond pas après 30 s")


def _server_stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _choose_species(page, bird: dict, previous: str | None) -> None:
    """Type the species, wait for the proposals, ↓ to it, Entrée."""
    typed = bird["search"]
    page.keyboard.type(typed, delay=0)
    # The field searches 200 ms after the last key (autocomplete.js DELAY_MS): choosing
    # sooner would pick from the list of the previous bird, still open.
    page.wait_for_timeout(SEARCH_DELAY_MS)
    page.wait_for_function(
        OPTIONS_READY, arg=[bird["scientific"], typed, previous], timeout=10_000
    )
    index = page.evaluate(CHOOSE_INDEX, [bird["scientific"]])
    for _step in range(index + 1):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    chosen = page.evaluate(
        "document.querySelector('[data-entry-row] [data-autocomplete-value]').value"
    )
    if chosen != str(bird["cd_nom"]):
        raise RuntimeError(f"espèce choisie {chosen} au lieu de {bird['cd_nom']}")


def _enter_bird(page, bird: dict, previous: str | None) -> dict:
    """One line from the first field of the entry row: action, ring (B: the proposed one),
    species, age, sex, sexing method, wing, P3 (empty), mass, fat, then Entrée."""
    keyboard = page.keyboard
    timings = {}
    keyboard.type(bird["action"], delay=0)
    keyboard.press("Tab")
    if bird["action"] == "C":
        keyboard.type(bird["ring"], delay=0)
    keyboard.press("Tab")
    started = time.perf_counter()
    _choose_species(page, bird, previous)
    timings["species_ms"] = (time.perf_counter() - started) * 1000
    if bird["action"] == "B":
        started = time.perf_counter()
        page.wait_for_function(RING_PROPOSED, timeout=10_000)
        timings["ring_ms"] = (time.perf_counter() - started) * 1000
        timings["ring"] = page.input_value("#entry-ring_number")
    for value in (bird["age"], bird["sex"], bird["method"], bird["wing"], ""):
        keyboard.press("Tab")
        if value:
            keyboard.type(value, delay=0)
    keyboard.press("Tab")
    if bird["mass"]:
        keyboard.type(bird["mass"], delay=0)
    keyboard.press("Tab")
    if bird["fat"]:
        keyboard.type(bird["fat"], delay=0)
    keyboard.press("Enter")
    return timings


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _stats(values: list[float]) -> dict:
    if not values:
        return {"n": 0, "p50": 0, "p95": 0, "max": 0, "mean": 0}
    return {
        "n": len(values),
        "p50": _percentile(values, 0.5),
        "p95": _percentile(values, 0.95),
        "max": max(values),
        "mean": statistics.fmean(values),
    }


def browse(port: int, plan: dict) -> dict:
    """Log in, open the session page, enter every bird of the plan with the keyboard."""
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{port}"
    path = f"/baguage/sessions/{plan['session']}/"
    birds = plan["birds"]
    figures: dict = {"problems": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(
                locale="fr-FR", viewport={"width": 1280, "height": 800}
            )
            page = context.new_page()
            errors: list[str] = []
            navigations: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on(
                "console",
                lambda message: message.type == "error" and errors.append(message.text),
            )
            page.on(
                "response",
                lambda response: (
                    response.status >= 400
                    and errors.append(f"{response.url} (HTTP {response.status})")
                ),
            )
            page.goto(f"{base}/connexion/?next={path}")
            page.get_by_label("Identifiant").fill(USERNAME)
            page.get_by_label("Mot de passe").fill(PASSWORD)
            page.get_by_role("button", name="Se connecter").click()
            page.wait_for_url(f"{base}{path}")
            # The instrumentation runs in every document from now on (the session page is
            # loaded again so that it has it from the start).
            page.add_init_script(INIT_SCRIPT)
            page.goto(f"{base}{path}")
            page.on(
                "framenavigated",
                lambda frame: (
                    frame == page.main_frame and navigations.append(frame.url)
                ),
            )
            page.evaluate("window.__benchMarker = 'ringing-entry'")
            marker = page.evaluate("document.documentElement.dataset.gridLoaded")
            navigation_entries = page.evaluate(
                "performance.getEntriesByType('navigation').length"
            )
            rows = page.locator("[data-grid-body] tr[data-capture]")
            start_rows = rows.count()
            page.locator("#entry-action").focus()
            previous = None
            cycles, species_ms, ring_ms, rings = [], [], [], []
            started_all = time.perf_counter()
            for index, bird in enumerate(birds, start=1):
                started = time.perf_counter()
                timings = _enter_bird(page, bird, previous)
                previous = bird["search"]
                try:
                    page.wait_for_function(
                        "n => document.querySelectorAll("
                        "'[data-grid-body] tr[data-capture]').length >= n",
                        arg=start_rows + index,
                        timeout=15_000,
                    )
                except Exception as error:
                    shown = page.get_by_test_id("grid-errors").inner_text()
                    shown += " " + json.dumps(page.evaluate(ENTRY_VALUES))
                    page.screenshot(path=str(OUT / "ringing-entry-failure.png"))
                    raise RuntimeError(
                        f"ligne {index} non enregistrée ({bird}) : {shown!r}"
                    ) from error
                # The grid proposes the next ring of the size just used: let it answer.
                page.wait_for_function(NO_RING_REQUEST, timeout=10_000)
                cycles.append((time.perf_counter() - started) * 1000)
                species_ms.append(timings["species_ms"])
                if "ring_ms" in timings:
                    ring_ms.append(timings["ring_ms"])
                    rings.append(timings["ring"])
                    saved = rows.nth(start_rows + index - 1).locator("td").nth(1)
                    if saved.inner_text() != timings["ring"]:
                        figures["problems"].append(
                            f"ligne {index} : bague proposée {timings['ring']}, "
                            f"enregistrée {saved.inner_text()}"
                        )
                status = page.get_by_test_id("grid-status").inner_text()
                if f"Ligne {index} enregistrée" not in status:
                    figures["problems"].append(f"ligne {index} : statut « {status} »")
                if page.evaluate("document.activeElement.id") != "entry-action":
                    figures["problems"].append(f"ligne {index} : focus perdu")
            total_s = time.perf_counter() - started_all
            # Let the last session refresh (STOC checks) finish before reading the counters.
            page.wait_for_function(
                "() => !Object.values(window.__bench.inflight).some(Boolean)",
                timeout=10_000,
            )
            bench = page.evaluate("window.__bench")
            resources = page.evaluate(
                """() => performance.getEntriesByType('resource')
                  .filter((entry) => entry.name.includes('/api/v1/baguage/captures/'))
                  .map((entry) => ({ttfb: entry.responseStart - entry.requestStart,
                                    total: entry.responseEnd - entry.startTime}))"""
            )
            figures.update(
                {
                    "url_same": page.url == f"{base}{path}",
                    "marker_kept": page.evaluate("window.__benchMarker")
                    == "ringing-entry",
                    "grid_marker_kept": page.evaluate(
                        "document.documentElement.dataset.gridLoaded"
                    )
                    == marker,
                    "navigation_entries": [
                        navigation_entries,
                        page.evaluate(
                            "performance.getEntriesByType('navigation').length"
                        ),
                    ],
                    "navigations": navigations,
                    "rows": rows.count() - start_rows,
                    "count_shown": page.locator("[data-grid-count]").inner_text(),
                    "errors": errors,
                    "total_s": total_s,
                    "cycles_ms": cycles,
                    "species_ms": species_ms,
                    "ring_ms": ring_ms,
                    "rings": rings,
                    "save_ms": [
                        row["at"] - row["enter"]
                        for row in bench["rows"]
                        if row["enter"] is not None
                    ],
                    "fetches": bench["fetches"],
                    "capture_ttfb_ms": [entry["ttfb"] for entry in resources],
                    "capture_resource_ms": [entry["total"] for entry in resources],
                    "dom_rows": page.evaluate(
                        "document.querySelectorAll('[data-grid-body] tr').length"
                    ),
                }
            )
            context.close()
        finally:
            browser.close()
    return figures


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
    port = _free_port()
    server = _server_start(port)
    try:
        figures.update(browse(port, plan))
    finally:
        _server_stop(server)
    figures["server"] = access_log_times()
    figures["database"] = _child("check", "--session", str(plan["session"]))
    (OUT / "ringing-entry.json").write_text(json.dumps(figures), encoding="utf-8")
    return figures


def _fr(value: float, decimals: int = 0) -> str:
    """French number: narrow no-break space between thousands, decimal comma."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def _row(label: str, values: list[float]) -> str:
    stats = _stats(values)
    return (
        f"| {label} | {stats['n']} | {_fr(stats['p50'])} | {_fr(stats['p95'])} "
        f"| {_fr(stats['max'])} |"
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


# --- Child steps (run with DATABASE_URL = the benchmark database) ----------------------------

STATION = "Marais de la Couture"
PROGRAMME = "STOC-CAPTURE"
SIZES = {"A", "B", "C", "E"}  # sizes with a few hundred rings left in the demo stock
AGES = ["3", "3", "3", "1A", "4", "+1A", "5", "2A", "PUL"]


def _django():
    import django

    django.setup()


def _setup(captures: int) -> dict:
    """The session of ``saisie`` at the station, and the birds to enter."""
    _django()
    import datetime as dt
    import random
    from decimal import Decimal

    from django.db.models import Count

    from baguage.models import (
        Capture,
        EuringSpecies,
        Ringer,
        RingingProgramme,
        Station,
    )
    from baguage.services import session_save
    from referentiel.models import Dataset, User

    user = User.objects.get(username=USERNAME)
    station = Station.objects.get(name=STATION)
    programme = RingingProgramme.objects.get(programme__code=PROGRAMME)
    dataset = (
        Dataset.objects.writable_by(user)
        .filter(title__startswith="Suivi temporel des oiseaux communs par capture")
        .first()
        or Dataset.objects.writable_by(user).order_by("pk").first()
    )
    session = session_save(
        user=user,
        fields={
            "station": station,
            "programme": programme,
            "dataset": dataset,
            "date": dt.date.fromisoformat(SESSION_DATE),
            "start_time": dt.time(5, 30),
            "end_time": dt.time(11, 30),
        },
        ringers=list(Ringer.objects.order_by("pk")[:2]),
    )
    # The species ringed most at the station, with a EURING row and a ring size in stock.
    ranked = (
        Capture.objects.filter(action="B", session__station=station)
        .values("taxon")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    references = {
        row.taxon_id: row
        for row in EuringSpecies.objects.select_related("taxon").filter(
            taxon__in=[row["taxon"] for row in ranked], ring_size__in=SIZES
        )
    }
    species = []
    for row in ranked:
        reference = references.get(row["taxon"])
        if reference and reference.wing_min and reference.mass_min:
            species.append((reference, row["n"]))
        if len(species) == 12:
            break
    rng = random.Random(2020)
    # Controls: birds ringed here in the demo, one species in their history (no question).
    ringed = list(
        Capture.objects.filter(
            action="B",
            session__station=station,
            ring_scheme="FRP",
            taxon__in=[reference.taxon for reference, _n in species],
        )
        .order_by("ring_number")
        .values_list("ring_number", "taxon")
    )
    count = max(1, captures * CONTROLS // CAPTURES)
    controls = rng.sample(ringed, count)
    control_at = set(rng.sample(range(2, captures), count))
    by_taxon = {reference.taxon_id: reference for reference, _n in species}

    def biometrics(reference, index: int) -> dict:
        low, high = float(reference.wing_min), float(reference.wing_max)
        wing = rng.uniform(low, high)
        if index % 50 == 17:  # now and then a wing out of range: a warning, still saved
            wing = high + 6
        mass = rng.uniform(float(reference.mass_min), float(reference.mass_max))
        sex = rng.choice(["U", "U", "U", "M", "F"])
        return {
            "age": rng.choice(AGES),
            "sex": sex,
            "method": "" if sex == "U" else rng.choice(["P", "B", "C"]),
            "wing": f"{wing:.0f}",
            # Decimal comma, as typed in France.
            "mass": f"{Decimal(str(round(mass, 1)))}".replace(".", ","),
            "fat": str(rng.randint(0, 4)) if index % 3 else "",
        }

    def bird(reference) -> dict:
        taxon = reference.taxon
        french = (taxon.vernacular_name or "").split(",")[0].strip()
        return {
            "cd_nom": taxon.cd_nom,
            "scientific": taxon.scientific_name,
            "search": (french or taxon.scientific_name).lower(),
            "size": reference.ring_size,
        }

    birds = []
    weights = [n for _reference, n in species]
    for index in range(captures):
        if index in control_at:
            ring, taxon_id = controls.pop()
            reference = by_taxon[taxon_id]
            birds.append(
                {"action": "C", "ring": ring, **bird(reference)}
                | biometrics(reference, index)
            )
        else:
            reference = rng.choices([r for r, _n in species], weights)[0]
            birds.append(
                {"action": "B", **bird(reference)} | biometrics(reference, index)
            )
    return {
        "session": session.pk,
        "station": station.name,
        "programme": str(programme),
        "dataset": dataset.title,
        "date": SESSION_DATE,
        "species": len(species),
        "controls": count,
        "birds": birds,
    }


def _check(session_id: int) -> dict:
    """What the database holds after the entry."""
    _django()
    from django.db.models import Count, F

    from baguage.models import Capture, EuringSpecies
    from observations.models import Occurrence

    captures = Capture.objects.filter(session_id=session_id)
    sizes = dict(
        EuringSpecies.objects.values_list("taxon__cd_ref", "ring_size").distinct()
    )
    wrong_size = sum(
        1
        for cd_ref, size in captures.filter(action="B").values_list(
            "taxon__cd_ref", "series__size"
        )
        if sizes.get(cd_ref) != size
    )
    lines = list(captures.order_by("line").values_list("line", flat=True))
    return {
        "captures": captures.count(),
        "actions": dict(
            captures.values_list("action").annotate(n=Count("id")).order_by("action")
        ),
        "occurrences": Occurrence.objects.filter(
            pk__in=captures.values("occurrence")
        ).count(),
        "without_occurrence": captures.filter(occurrence=None).count(),
        "occurrence_taxon_mismatch": captures.exclude(
            occurrence__taxon=F("taxon")
        ).count(),
        "lines_contiguous": lines == list(range(1, len(lines) + 1)),
        "rings_distinct": captures.filter(action="B")
        .values("ring_number")
        .distinct()
        .count(),
        "ringed": captures.filter(action="B").count(),
        "wrong_size": wrong_size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ringing_entry")
    steps = parser.add_subparsers(dest="step", required=True)
    steps.add_parser("setup").add_argument("--captures", type=int, default=CAPTURES)
    steps.add_parser("check").add_argument("--session", type=int, required=True)
    args = parser.parse_args()
    if args.step == "setup":
        result = _setup(args.captures)
    else:
        result = _check(args.session)
    print(RESULT_MARK + json.dumps(result))


if __name__ == "__main__":
    main()
