"""The browser half of the ringing-entry benchmark (``bench.ringing_entry``): gunicorn
started on a free port, and Playwright driving Chromium through a session's captures with the
keyboard only, measuring each save in the page. Parent process: no Django here."""

import json
import statistics
import subprocess
import time

from bench.db import OUT, bench_env
from bench.ringing_entry_steps import DATABASE_URL, PASSWORD, USERNAME
from bench.server import gunicorn_start

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


def bench_ringing_env() -> dict[str, str]:
    """The environment of the server and of the child steps: the benchmark database."""
    # Production-like static files: the manifest storage needs collectstatic.
    return bench_env(
        DATABASE_URL,
        STATIC_ROOT=str(OUT / "static"),
        ALLOWED_HOSTS="localhost,127.0.0.1,testserver",
    )


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


def server_start(port: int) -> subprocess.Popen:
    ACCESS_LOG.unlink(missing_ok=True)
    options = ["--access-logfile", str(ACCESS_LOG), "--access-logformat", ACCESS_FORMAT]
    return gunicorn_start(
        port,
        workers=WORKERS,
        options=options,
        env=bench_ringing_env(),
        log=SERVER_LOG,
        seconds=30,
    )


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


def stats(values: list[float]) -> dict:
    if not values:
        return {"n": 0, "p50": 0, "p95": 0, "max": 0, "mean": 0}
    return {
        "n": len(values),
        "p50": _percentile(values, 0.5),
        "p95": _percentile(values, 0.95),
        "max": max(values),
        "mean": statistics.fmean(values),
    }


def _watch(page) -> tuple[list[str], list[str]]:
    """The page's errors (exceptions, console errors, HTTP ≥ 400) and its navigations."""
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
    return errors, navigations


def _open_session(page, base: str, path: str, navigations: list[str]) -> None:
    """Log in, then load the session page with the instrumentation from its start."""
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
        lambda frame: frame == page.main_frame and navigations.append(frame.url),
    )
    page.evaluate("window.__benchMarker = 'ringing-entry'")


def _wait_saved(page, rows_wanted: int, index: int, bird: dict) -> None:
    """Wait for the bird's row in the grid; on failure, say what the grid shows."""
    try:
        page.wait_for_function(
            "n => document.querySelectorAll("
            "'[data-grid-body] tr[data-capture]').length >= n",
            arg=rows_wanted,
            timeout=15_000,
        )
    except Exception as error:
        shown = page.get_by_test_id("grid-errors").inner_text()
        shown += " " + json.dumps(page.evaluate(ENTRY_VALUES))
        page.screenshot(path=str(OUT / "ringing-entry-failure.png"))
        raise RuntimeError(
            f"ligne {index} non enregistrée ({bird}) : {shown!r}"
        ) from error


def _enter_birds(page, birds: list[dict], rows, start_rows: int, problems) -> dict:
    """Enter every bird with the keyboard; the times of each cycle and what went wrong."""
    page.locator("#entry-action").focus()
    previous = None
    cycles, species_ms, ring_ms, rings = [], [], [], []
    started_all = time.perf_counter()
    for index, bird in enumerate(birds, start=1):
        started = time.perf_counter()
        timings = _enter_bird(page, bird, previous)
        previous = bird["search"]
        _wait_saved(page, start_rows + index, index, bird)
        # The grid proposes the next ring of the size just used: let it answer.
        page.wait_for_function(NO_RING_REQUEST, timeout=10_000)
        cycles.append((time.perf_counter() - started) * 1000)
        species_ms.append(timings["species_ms"])
        if "ring_ms" in timings:
            ring_ms.append(timings["ring_ms"])
            rings.append(timings["ring"])
            saved = rows.nth(start_rows + index - 1).locator("td").nth(1)
            if saved.inner_text() != timings["ring"]:
                problems.append(
                    f"ligne {index} : bague proposée {timings['ring']}, "
                    f"enregistrée {saved.inner_text()}"
                )
        status = page.get_by_test_id("grid-status").inner_text()
        if f"Ligne {index} enregistrée" not in status:
            problems.append(f"ligne {index} : statut « {status} »")
        if page.evaluate("document.activeElement.id") != "entry-action":
            problems.append(f"ligne {index} : focus perdu")
    return {
        "total_s": time.perf_counter() - started_all,
        "cycles_ms": cycles,
        "species_ms": species_ms,
        "ring_ms": ring_ms,
        "rings": rings,
    }


def _measured(page) -> dict:
    """What the page measured: each save's latency, the fetches, the capture requests."""
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
    return {
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


def _session_entry(page, base: str, path: str, birds: list[dict]) -> dict:
    """The figures of one keyboard entry of ``birds`` on the session page."""
    errors, navigations = _watch(page)
    _open_session(page, base, path, navigations)
    marker = page.evaluate("document.documentElement.dataset.gridLoaded")
    count_navigations = "performance.getEntriesByType('navigation').length"
    navigation_entries = page.evaluate(count_navigations)
    rows = page.locator("[data-grid-body] tr[data-capture]")
    start_rows = rows.count()
    problems: list[str] = []
    figures: dict = {"problems": problems}
    figures.update(_enter_birds(page, birds, rows, start_rows, problems))
    figures.update(_measured(page))
    figures.update(
        {
            "url_same": page.url == f"{base}{path}",
            "marker_kept": page.evaluate("window.__benchMarker") == "ringing-entry",
            "grid_marker_kept": page.evaluate(
                "document.documentElement.dataset.gridLoaded"
            )
            == marker,
            "navigation_entries": [
                navigation_entries,
                page.evaluate(count_navigations),
            ],
            "navigations": navigations,
            "rows": rows.count() - start_rows,
            "count_shown": page.locator("[data-grid-count]").inner_text(),
            "errors": errors,
        }
    )
    return figures


def browse(port: int, plan: dict) -> dict:
    """Log in, open the session page, enter every bird of the plan with the keyboard."""
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{port}"
    path = f"/baguage/sessions/{plan['session']}/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(
                locale="fr-FR", viewport={"width": 1280, "height": 800}
            )
            figures = _session_entry(context.new_page(), base, path, plan["birds"])
            context.close()
        finally:
            browser.close()
    return figures
