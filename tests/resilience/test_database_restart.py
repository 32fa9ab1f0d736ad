"""The database restarts during a burst of requests: the app, under gunicorn, answers errors
(never hangs) while it is down, and serves again once it is back, with the same processes.

The shared project cluster is left alone: the test starts its own PostgreSQL 15 cluster in a
scratch directory, loads it with a dump of the test database (schema, migrations' rows and a
token user), and restarts that one."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.factories.referentiel import TaxonFactory
from tests.pg import PGBIN, ScratchCluster, _free_port, _run
from tests.resilience.workers import (
    ROOT,
    children,
    database_url,
    die_with_parent,
    wait_until,
)

GUNICORN = Path(sys.executable).with_name("gunicorn")
# No request may take longer than this, database down or not.
REQUEST_TIMEOUT = 15
BURST_THREADS = 6
pytestmark = [
    pytest.mark.resilience,
    pytest.mark.skipif(
        not (PGBIN / "initdb").exists(), reason="PostgreSQL 15 server binaries missing"
    ),
]


def _copy_test_database(cluster: ScratchCluster, name: str) -> None:
    """The test database (migrated, with this test's rows) into the scratch cluster."""
    db = connection.settings_dict
    dump = _run(
        PGBIN / "pg_dump", "-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"],
        "--no-owner", "--no-privileges", db["NAME"],
    ).stdout  # fmt: skip
    cluster.psql("-c", f"CREATE DATABASE {name}")
    cluster.psql("-d", name, input=dump)


def _gunicorn(port: int, database: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cpie_naturaliste.settings.test",
        "DATABASE_URL": database,
        "LOG_LEVEL": "WARNING",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [
                str(GUNICORN),
                "cpie_naturaliste.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--timeout",
                "30",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )


class Burst:
    """Threads requesting the pages in turn until stopped; every outcome is recorded as
    (start time, path, HTTP status or the exception's name, duration)."""

    def __init__(self, base: str, token: str):
        self.base, self.token = base, token
        self.results: list[tuple[float, str, int | str, float]] = []
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._loop, args=(i,), daemon=True)
            for i in range(BURST_THREADS)
        ]

    def get(self, session: requests.Session, path: str) -> int | str:
        start = time.monotonic()
        try:
            status = session.get(
                self.base + path,
                headers={"Authorization": f"Token {self.token}"},
                timeout=REQUEST_TIMEOUT,
            ).status_code
        except requests.RequestException as exc:
            status = type(exc).__name__
        self.results.append((start, path, status, time.monotonic() - start))
        return status

    def _loop(self, index: int) -> None:
        paths = ["/api/v1/taxa/", "/", "/api/v1/taxa/?search=Alauda"]
        with requests.Session() as session:
            i = index
            while not self.stopping.is_set():
                self.get(session, paths[i % len(paths)])
                i += 1

    def __enter__(self) -> "Burst":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_app_recovers_when_the_database_restarts_during_a_burst(saisie_user, tmp_path):
    TaxonFactory(scientific_name="Alauda arvensis")
    token = Token.objects.create(user=saisie_user).key
    cluster = ScratchCluster().start()
    server = None
    try:
        _copy_test_database(cluster, "app")
        url = database_url("app", HOST=str(cluster.dir), PORT=cluster.port)
        port = _free_port()
        server = _gunicorn(port, url, tmp_path / "gunicorn.log")
        base = f"http://127.0.0.1:{port}"
        probe = Burst(base, token)
        with requests.Session() as session:
            wait_until(
                lambda: probe.get(session, "/api/v1/taxa/") == 200,
                timeout=60,
                what="gunicorn prêt",
                step=0.2,
            )
        processes = sorted(children(server.pid))
        assert len(processes) == 2

        with Burst(base, token) as burst:
            wait_until(lambda: len(burst.results) >= 60, timeout=60, what="rafale")
            restart_from = time.monotonic()
            cluster.pg_ctl("-m", "fast", "stop")
            time.sleep(2)
            cluster.server_start()
            back_at = time.monotonic()
            wait_until(
                lambda: sum(r[0] > back_at + 1 for r in burst.results) >= 60,
                timeout=90,
                what="requêtes après le retour de la base",
            )
        results = burst.results
        assert len(results) >= 150
        # Down or not, every request got an answer in time: a success, or an error.
        for _start, path, status, duration in results:
            assert duration < REQUEST_TIMEOUT, (path, status, duration)
            assert status == 200 or (isinstance(status, int) and status >= 500), (
                path,
                status,
            )
        outage = [r for r in results if restart_from <= r[0] <= back_at]
        assert any(r[2] != 200 for r in outage), "the outage was not seen"
        # What the outage answered: 503 (Retry-After), never a 500.
        assert {r[2] for r in results if r[2] != 200} == {503}
        # Once the database is back (a second for connections in flight), all succeed.
        after = [r for r in results if r[0] > back_at + 1]
        assert [r for r in after if r[2] != 200] == []
        # With the same gunicorn master and workers: nothing restarted.
        assert server.poll() is None
        assert sorted(children(server.pid)) == processes
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        cluster.stop()
