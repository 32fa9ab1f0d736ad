"""Load test: 50 simultaneous users (locust) on gunicorn over the 1,000,000-row database.

The occurrence benchmark's database ``cpie_bench_occ`` (built if missing) is copied to
``cpie_bench_load`` (``CREATE DATABASE … TEMPLATE``), so the entries made during the run
never reach it; the copy gets the referential demo and its accounts (``load_demo
--referentiel-seul``) and one authenticated session per simulated user (bench/load_setup.py).
gunicorn serves it on a free port of 127.0.0.1 (DEBUG off, WhiteNoise, collected static
files); a few sequential logins through the form measure the password hashing apart, then
locust (bench/locustfile.py) runs headless against it, its users starting logged in, and
gunicorn is stopped and the copy dropped.

    .venv/bin/python -m bench load
    .venv/bin/python -m bench.load setup     # child step, on cpie_bench_load
    .venv/bin/python -m bench.load report    # rewrite the section from bench/out/
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import redis
import requests

from bench import occurrences
from bench.db import OUT, ROOT, bench_env, database_url, psql
from bench.server import free_port, gunicorn_start, server_stop

DB_NAME = "cpie_bench_load"
# Another source (a smaller table, say) can be named; it is then used as it is.
SOURCE = os.environ.get("BENCH_LOAD_SOURCE", occurrences.DB_NAME)
ROWS = occurrences.ROWS
USERS, SPAWN_RATE, RUN_TIME = 50, 10, "60s"
# The gunicorn configuration measured (``--load-servers`` compares several in one run):
# "<worker class>:<workers>[x<threads>][+pool]", the pool being DATABASE_POOL with at most
# as many connections per process as it has threads. Chosen from the comparison of
# bench/RESULTS.md (section Charge).
SERVER = "gthread:2x8+pool"
ACCOUNTS = {"saisie": "demo-saisie-2020", "coordinateur": "demo-coordinateur-2020"}
PLAN = OUT / "load-plan.json"
RECORDS = OUT / "load-records.json"
FIGURES = OUT / "load-figures.json"
CSV_PREFIX = OUT / "load"
SERVER_LOG = OUT / "load-gunicorn.log"
RESULT_MARK = "BENCH-RESULT "
LOGIN = "connexion (PBKDF2, séquentiel)"
LOGINS = 5  # sequential logins through the form, before the locust run
REDIS_URL = f"redis://127.0.0.1:{os.environ.get('REDIS_PORT', '63790')}/7"
COPY_WAIT_S = 1800  # CREATE DATABASE … TEMPLATE needs the source free of other sessions


def _env() -> dict[str, str]:
    return bench_env(
        database_url(DB_NAME),
        # Its own copy: another benchmark's collectstatic may rewrite the shared one.
        STATIC_ROOT=str(OUT / "static-load"),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        # Cache keys and any broker message stay away from the dev cache and queue.
        REDIS_URL=REDIS_URL,
    )


def _run(*command: str) -> str:
    result = subprocess.run(
        [sys.executable, *command], cwd=ROOT, env=_env(), capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"{' '.join(command)} a échoué :\n{result.stderr[-4000:]}")
    return result.stdout


def _rows(database: str) -> int | None:
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'") != "1":
        return None
    try:
        return int(psql("SELECT count(*) FROM observations_occurrence", database))
    except subprocess.CalledProcessError:
        return None


def source_ensure() -> dict:
    """Reuse ``cpie_bench_occ`` when it holds the 1,000,000 rows, else build it."""
    subprocess.run([str(ROOT / "scripts" / "services.sh")], check=True, cwd=ROOT)
    rows = _rows(SOURCE)
    if rows is not None and (rows >= ROWS or SOURCE != occurrences.DB_NAME):
        return {"built": False, "rows": rows}
    print(f"Base {SOURCE} absente ou incomplète ({rows} lignes) : construction")
    occurrences.database_prepare()
    occurrences._child("load", "--rows", str(ROWS))
    return {"built": True, "rows": _rows(SOURCE)}


def database_copy() -> float:
    """``cpie_bench_load`` as a copy of the source; waits while others use the source."""
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    deadline = time.monotonic() + COPY_WAIT_S
    waiting = False
    while True:
        started = time.perf_counter()
        try:
            psql(f"CREATE DATABASE {DB_NAME} TEMPLATE {SOURCE} STRATEGY FILE_COPY")
            return time.perf_counter() - started
        except subprocess.CalledProcessError as error:
            if "being accessed" not in error.stderr or time.monotonic() > deadline:
                raise RuntimeError(error.stderr) from error
            if not waiting:
                print(f"{SOURCE} est utilisée par une autre session : attente")
                waiting = True
            time.sleep(5)


def server_spec(spec: str) -> dict:
    """``"gthread:3x4+pool"`` → worker class, workers, threads, pool."""
    match = re.fullmatch(r"(sync|gthread|gevent):(\d+)(?:x(\d+))?(\+pool)?", spec)
    if not match:
        raise ValueError(
            f"configuration gunicorn inconnue : {spec!r} (ex. gthread:3x4+pool)"
        )
    kind, workers, threads, pool = match.groups()
    return {
        "spec": spec,
        "class": kind,
        "workers": int(workers),
        "threads": int(threads or 1),
        "pool": bool(pool),
    }


def server_label(spec: str) -> str:
    """The configuration in words, for the report."""
    config = server_spec(spec)
    label = f"{config['workers']} workers {config['class']}"
    if config["class"] == "gthread":
        label += f" × {config['threads']} threads"
    elif config["class"] == "gevent":
        label += f" × {config['threads']} connexions simultanées"
    if config["pool"]:
        label += f", pool de connexions, ≤ {_pool_max(config)} par processus"
    else:
        label += ", connexions persistantes (CONN_MAX_AGE)"
    return label


def _pool_max(config: dict) -> int:
    return min(config["threads"], 8)


def server_start(port: int, spec: str = SERVER) -> subprocess.Popen:
    config = server_spec(spec)
    options = ["--worker-class", config["class"], "--timeout", "120"]
    if config["class"] != "sync":
        # Threaded and gevent workers keep a client's connection open between its
        # requests; beyond the longest wait of a locust user (3 s), not gunicorn's 2 s
        # default, or a reused connection is reset as it is sent on.
        options += ["--keep-alive", "5"]
    if config["class"] == "gthread":
        options += ["--threads", str(config["threads"])]
    elif config["class"] == "gevent":
        options += ["--worker-connections", str(config["threads"])]
    # Connections kept through the run, persistent (not renewed each minute) or pooled.
    env = {**_env(), "CONN_MAX_AGE": "600"}
    if config["pool"]:
        env.update(
            DATABASE_POOL="1",
            DATABASE_POOL_MIN_SIZE=str(min(2, _pool_max(config))),
            DATABASE_POOL_MAX_SIZE=str(_pool_max(config)),
        )
    return gunicorn_start(
        port,
        workers=config["workers"],
        options=options,
        env=env,
        log=SERVER_LOG,
        seconds=60,
    )


def logins_measure(port: int) -> dict:
    """LOGINS sequential logins through the form (GET for the CSRF cookie, then the timed
    POST): the cost of the password hashing, kept out of the locust window."""
    record: dict[str, list] = {"ms": [], "status": [], "failed": [], "end": []}
    names = list(ACCOUNTS)
    for attempt in range(LOGINS):
        name = names[attempt % len(names)]
        with requests.Session() as client:
            client.get(f"http://127.0.0.1:{port}/connexion/", timeout=60)
            started = time.time()
            response = client.post(
                f"http://127.0.0.1:{port}/connexion/",
                data={
                    "username": name,
                    "password": ACCOUNTS[name],
                    "csrfmiddlewaretoken": client.cookies.get("csrftoken", ""),
                    "next": "/observations/",
                },
                allow_redirects=False,
                timeout=60,
            )
            ended = time.time()
            record["ms"].append(1000 * (ended - started))
            record["end"].append(ended)
            record["status"].append(response.status_code)
            record["failed"].append(
                response.status_code != 302 or "sessionid" not in client.cookies
            )
    return record


def locust_run(port: int) -> float:
    RECORDS.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "locust"), "-f", "bench/locustfile.py"]
        + ["--headless", "-u", str(USERS), "-r", str(SPAWN_RATE), "-t", RUN_TIME]
        + ["--host", f"http://127.0.0.1:{port}", "--csv", str(CSV_PREFIX)]
        + ["--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"],
        cwd=ROOT,
        env={**_env(), "LOAD_PLAN": str(PLAN), "LOAD_OUT": str(RECORDS)},
        check=False,  # locust exits 1 when a request failed: the table says which
    )
    return time.perf_counter() - started


def _entries() -> int:
    return int(
        psql(
            "SELECT count(*) FROM observations_occurrence "
            "WHERE observers_label = 'Test de charge'",
            DB_NAME,
        )
    )


def _cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) each process has used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / tick
    return used


def _server_pids(server: subprocess.Popen) -> dict[str, list[int]]:
    """gunicorn's master and workers; the PostgreSQL backends of the copy."""
    workers = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == server.pid:
                workers.append(int(entry.name))
    backends = psql(
        f"SELECT pid FROM pg_stat_activity WHERE datname = '{DB_NAME}'"
    ).split()
    return {"gunicorn": [server.pid, *workers], "postgresql": list(map(int, backends))}


def _cpu_used(before: dict[str, dict[int, float]], server) -> dict[str, float]:
    """CPU seconds used since ``before`` by gunicorn and by the copy's backends (a
    backend opened meanwhile counts whole; one closed meanwhile is lost: connections
    are kept through the run, persistent or pooled)."""
    after = {kind: _cpu(pids) for kind, pids in _server_pids(server).items()}
    return {
        kind: sum(t - before[kind].get(pid, 0.0) for pid, t in after[kind].items())
        for kind in after
    }


def server_measure(spec: str) -> dict:
    """One locust run against gunicorn in configuration ``spec``, on a cold cache."""
    redis.Redis.from_url(REDIS_URL).flushdb()  # no cache entry of an earlier run
    run: dict = {"spec": spec, "load_average": os.getloadavg()[0]}
    entries = _entries()
    port = free_port()
    server = server_start(port, spec)
    try:
        run["login"] = logins_measure(port)
        run["load_average_locust"] = os.getloadavg()[0]
        before = {kind: _cpu(pids) for kind, pids in _server_pids(server).items()}
        run["locust_seconds"] = locust_run(port)
        run["cpu_seconds"] = _cpu_used(before, server)
        run["load_average_end"] = os.getloadavg()[0]
        run["records"] = json.loads(RECORDS.read_text(encoding="utf-8"))
    finally:
        server_stop(server)
    run["entries"] = _entries() - entries
    return run


def bench_load(servers: list[str] | None = None) -> dict:
    """Prepare the copy once, then one locust run per gunicorn configuration (the first
    is the one reported in full; the others are compared with it)."""
    servers = servers or [SERVER]
    for spec in servers:
        server_spec(spec)  # a typo fails before the copy, not after
    figures: dict = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "load_average": os.getloadavg()[0],
        "cpus": os.cpu_count(),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    figures["source"] = source_ensure()
    timings = figures["timings"] = {}
    timings["copie de la base (TEMPLATE)"] = database_copy()
    try:
        for label, command in (
            ("migrations", ("migrate", "--noinput", "-v", "0")),
            ("collectstatic", ("collectstatic", "--noinput", "-v", "0")),
            (
                "démonstration du référentiel et comptes",
                ("load_demo", "--referentiel-seul"),
            ),
        ):
            started = time.perf_counter()
            _run("manage.py", *command)
            timings[label] = time.perf_counter() - started
        accounts = _run("manage.py", "demo_accounts")
        if "absents" in accounts:
            raise RuntimeError(accounts)
        runs = []
        for spec in servers:
            # Fresh sessions for each run: the locust users pop them.
            line = next(
                row
                for row in _run("-m", "bench.load", "setup").splitlines()
                if row.startswith(RESULT_MARK)
            )
            figures["plan"] = json.loads(line.removeprefix(RESULT_MARK))
            runs.append(server_measure(spec))
            print(f"{spec}: {_summary(runs[-1])}")
        figures["runs"] = runs
        first = runs[0]
        for key in ("login", "load_average_locust", "locust_seconds", "records"):
            figures[key] = first[key]
        figures["entries"] = first["entries"]
        figures["server"] = first["spec"]
    finally:
        psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    FIGURES.write_text(json.dumps(figures), encoding="utf-8")
    return figures


def _all_ms(records: dict) -> list[float]:
    return [v for r in records.values() for v in r["ms"]]


def _summary(run: dict) -> str:
    ms = _all_ms(run["records"])
    cpu = run.get("cpu_seconds", {})
    return (
        f"{len(ms)} requêtes, p50 {_percentile(ms, 0.5):.0f} ms, "
        f"p95 {_percentile(ms, 0.95):.0f} ms, charge {run['load_average_locust']:.1f}, "
        "CPU/requête "
        + " + ".join(f"{k} {1000 * v / len(ms):.0f} ms" for k, v in cpu.items())
    )


# --- Report -----------------------------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _num(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")


def _label(name: str) -> str:
    """The request name with its path as code ("<uuid>" would read as an HTML tag)."""
    return re.sub(r"\(((?:POST |GET )?/[^)]*)\)", r"(`\1`)", name)


TARGET_P95_MS = 500  # issue 21: the whole mix, 50 users, this 2-core machine


def _row(label: str, record: dict, target: float | None = None) -> tuple[str, int]:
    count = len(record["ms"])
    failed = sum(record["failed"])
    server_errors = sum(1 for status in record["status"] if status >= 500)
    p95 = _percentile(record["ms"], 0.95)
    met = server_errors == 0 and (target is None or p95 < target)
    mark = "✅" if met else "❌"
    line = (
        f"| {label} | {_num(count)} | {_num(failed)} ({_num(100 * failed / count, 1)} %)"
        f" | {_num(_percentile(record['ms'], 0.5))} | {_num(p95)}"
        f" | {_num(max(record['ms']))} | {'< ' + _num(target) if target else 'mesuré'}"
        f" | {server_errors} | 0 | {mark} |"
    )
    return line, server_errors


def _comparison(runs: list[dict]) -> list[str]:
    """One line per gunicorn configuration of the run: the whole mix and its heaviest
    request, with the machine's load when locust started and when it ended."""
    lines = [
        "| Configuration gunicorn | Requêtes | Échecs | p50 (ms) | p95 (ms) "
        "| p95 carte région (ms) | 5xx | CPU par requête, gunicorn + PostgreSQL (ms) "
        "| Charge (1 min) début → fin | p95 < 500 ms |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        ms = _all_ms(run["records"])
        statuses = [v for r in run["records"].values() for v in r["status"]]
        region = [
            v for name, r in run["records"].items() if "région" in name for v in r["ms"]
        ]
        p95 = _percentile(ms, 0.95)
        errors = sum(1 for status in statuses if status >= 500)
        failed = sum(v for r in run["records"].values() for v in r["failed"])
        cpu = run.get("cpu_seconds")
        per_request = (
            f"{_num(1000 * cpu['gunicorn'] / len(ms))} + "
            f"{_num(1000 * cpu['postgresql'] / len(ms))}"
            if cpu
            else "–"
        )
        lines.append(
            f"| `{run['spec']}` ({server_label(run['spec'])}) | {_num(len(ms))} "
            f"| {_num(failed)} | {_num(_percentile(ms, 0.5))} | {_num(p95)} "
            f"| {_num(_percentile(region, 0.95)) if region else '–'} | {errors} "
            f"| {per_request} "
            f"| {_num(run['load_average_locust'], 1)} → "
            f"{_num(run.get('load_average_end', 0), 1)} "
            # Words, not marks: the Synthèse counts the configuration detailed above.
            f"| {'oui' if p95 < TARGET_P95_MS and not errors else 'non'} |"
        )
    return lines


def load_report(figures: dict, *, when: str) -> str:
    """The Markdown section of bench/RESULTS.md for this benchmark."""
    records = figures["records"]
    total = {
        key: [v for r in records.values() for v in r[key]]
        for key in ("ms", "status", "failed")
    }
    plan = figures["plan"]
    source = figures["source"]
    login = figures.get("login")
    sessions = plan.get("sessions", {})
    lines = [
        f"## Charge — {USERS} utilisateurs simultanés, locust ({when})",
        "",
        f"Copie `{DB_NAME}` (`CREATE DATABASE … TEMPLATE {SOURCE}`) de la base du benchmark "
        f"des observations ({_num(source['rows'])} observations"
        + (", construite pour l'occasion" if source["built"] else "")
        + ") avec la démonstration du référentiel et ses comptes ; supprimée à la fin. "
        f"gunicorn `{figures.get('server', 'sync:5')}` "
        f"({server_label(figures.get('server', 'sync:5'))}) sur 127.0.0.1 (DEBUG off, "
        "WhiteNoise, fichiers statiques collectés). locust sans interface sur la boucle "
        f"locale : `-u {USERS} -r {SPAWN_RATE} -t {RUN_TIME}`, attente de 1 à 3 s entre deux "
        "requêtes d'un utilisateur ; 3 utilisateurs `saisie` pour 2 `coordinateur` "
        "(comptes de démonstration). Les utilisateurs partent connectés : avant le test, "
        f"une session authentifiée par utilisateur simulé ({_num(sum(sessions.values()))} "
        f"sessions, moteur `{plan.get('session_engine', '?')}`, écrites comme le fait "
        "`django.contrib.auth.login`) est créée dans la base copiée ; chaque utilisateur "
        "locust prend la sienne, puis ouvre la page d'accueil, qui vérifie la session et "
        "pose le cookie CSRF envoyé avec ses saisies. La fenêtre de "
        f"{RUN_TIME.removesuffix('s')} s mesure donc le mélange de consultation et de saisie, pas le hachage "
        "des mots de passe, mesuré à part (ligne « connexion », "
        f"{LOGINS} connexions successives par le formulaire, sans autre requête sur "
        "gunicorn, juste avant le test ; hors total).",
        "",
        "Préparation : "
        + ", ".join(f"{k} {_num(v, 1)} s" for k, v in figures["timings"].items())
        + f". Machine : {figures['cpus']} cœurs partagés (locust tourne sur la même "
        f"machine), charge moyenne (1 min) {_num(figures['load_average'], 1)} au début "
        "de la préparation"
        + (
            f", {_num(figures['load_average_locust'], 1)} au départ de locust"
            if "load_average_locust" in figures
            else ""
        )
        + " : les temps dépendent des autres sessions de la machine.",
        "",
        "| Requête | Requêtes | Échecs (taux) | p50 (ms) | p95 (ms) | max (ms) "
        "| Cible p95 | 5xx | Cible 5xx | |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    server_errors = 0
    for name in sorted(records, key=lambda n: -len(records[n]["ms"])):
        line, errors = _row(_label(name), records[name])
        lines.append(line)
        server_errors += errors
    line, _errors = _row("**toutes les requêtes**", total, TARGET_P95_MS)
    lines.append(line)
    if login:
        lines.append(_row(LOGIN, login)[0])
    seconds = float(RUN_TIME.removesuffix("s"))
    lines += [
        "",
        f"Débit : {_num(len(total['ms']) / seconds, 1)} requêtes/s sur {seconds:.0f} s "
        f"({_num(len(total['ms']))} requêtes, {server_errors} réponse(s) 5xx) ; "
        f"{figures['entries']} observation(s) saisie(s) par l'API pendant le test. "
        f"Tous les utilisateurs sont lancés en {USERS / SPAWN_RATE:.0f} s. Une connexion "
        "par le formulaire vérifie le mot de passe (PBKDF2, 1 000 000 itérations, voir "
        f"la ligne « connexion ») : {USERS} connexions simultanées occuperaient les "
        f"{figures['cpus']} cœurs des dizaines de secondes au début de la fenêtre, d'où "
        "les sessions créées d'avance.",
        "",
        f"Mélange (poids des tâches) : page liste filtrée 3, API liste filtrée 3, couche "
        f"cartographique 4 (9 fois sur 10 une emprise locale de 2 à 12 km autour des villes, "
        f"{plan['bboxes']} emprises de 100 à 5 000 observations ; 1 fois sur 10 toute la "
        f"région, en mailles ; l'API des intégrateurs), tuiles vectorielles de la carte de "
        "la page liste 4 (les tuiles d'une vue, l'une après l'autre, comme la carte les "
        "demande : 9 fois sur 10 une emprise locale, 1 fois sur 10 toute la région ; "
        f"une fois sur deux avec les filtres de la liste), page détail 3 ({plan['details']['saisie']} / "
        f"{plan['details']['coordinateur']} observations visibles tirées au hasard), saisie "
        "1 (`saisie` seulement : POST JSON sur l'API, session et en-tête `X-CSRFToken` tiré du cookie CSRF). "
        f"Filtres : une année entre 2005 et 2024 et, 7 fois sur 10, un taxon parmi "
        f"{plan['taxa']} (fréquents et moyens). Observations visibles : `saisie` "
        f"{_num(plan['visible']['saisie'])}, `coordinateur` "
        f"{_num(plan['visible']['coordinateur'])}. Temps de réponse mesurés par locust "
        "côté client (percentiles exacts recalculés sur toutes les requêtes ; CSV de "
        "locust dans `bench/out/load_*.csv`).",
    ]
    runs = figures.get("runs", [])
    if len(runs) > 1:
        lines += [
            "",
            f"Configurations de gunicorn comparées dans la même préparation (une fenêtre de "
            f"{RUN_TIME.removesuffix('s')} s par configuration, dans cet ordre, cache Redis vidé avant chacune ; "
            "la première est détaillée ci-dessus). `pool` : `DATABASE_POOL=1`, le pool de "
            "connexions de psycopg 3 par Django ; sans lui, connexions persistantes "
            "(`CONN_MAX_AGE`). La charge de la machine (autres sessions comprises) est "
            "donnée au départ et à la fin de chaque fenêtre.",
            "",
            *_comparison(runs),
        ]
    cpu = runs[0].get("cpu_seconds") if runs else None
    if cpu:
        per_request = sum(cpu.values()) / len(_all_ms(runs[0]["records"]))
        lines += [
            "",
            f"Capacité : {_num(1000 * per_request)} ms de CPU par requête (gunicorn et "
            f"PostgreSQL, configuration détaillée), soit au plus "
            f"{_num(figures['cpus'] / per_request, 1)} requêtes/s sur les "
            f"{figures['cpus']} cœurs, locust et la machine exclus ; {USERS} utilisateurs "
            "qui attendent en moyenne 2 s entre deux requêtes en demandent environ "
            f"{_num(USERS / 2.2, 1)}/s avec des réponses de 200 ms : la cible p95 < "
            f"{TARGET_P95_MS} ms demande une machine à elle, et de la marge sous cette "
            "capacité.",
        ]
    earlier = figures.get("runs_earlier", [])
    if earlier:
        lines += [
            "",
            "Série précédente, dans une autre préparation de la même base (keep-alive de "
            "gunicorn à 2 s, d'où des connexions réinitialisées en `gthread`/`gevent` ; "
            "connexions persistantes renouvelées chaque minute ; CPU non mesuré) :",
            "",
            *_comparison(earlier),
        ]
    return "\n".join(lines) + "\n"


def _child_main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("step", choices=["setup", "report"])
    if parser.parse_args().step == "report":  # rewrite the section from bench/out/
        from bench.__main__ import results_write

        figures = json.loads(FIGURES.read_text(encoding="utf-8"))
        results_write("load", load_report(figures, when=figures["when"]))
        return
    os.environ.update(_env())
    # Models can only be imported once Django is set up on the benchmark database.
    import django

    django.setup()
    from bench.load_setup import plan_write

    print(RESULT_MARK + json.dumps(plan_write()))


if __name__ == "__main__":
    _child_main()
