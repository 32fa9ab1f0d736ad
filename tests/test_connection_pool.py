"""Connection pooling (``DATABASE_POOL``, psycopg 3's pool through Django): gunicorn with
threaded workers serves a burst of requests with the pool on, through no more connections
than the pool's maximum, and the same ones from one burst to the next (borrowed and given
back, never reopened per request)."""

import os
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
import requests
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.factories.referentiel import TaxonFactory
from tests.pg import _free_port
from tests.resilience.workers import ROOT, database_url, die_with_parent, wait_until

GUNICORN = Path(sys.executable).with_name("gunicorn")
POOL_MAX = 2
THREADS = 4  # more threads than connections: they share the pool
REQUESTS = 40


def _gunicorn(port: int, application: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cpie_naturaliste.settings.test",
        "DATABASE_URL": database_url(),
        "DATABASE_POOL": "1",
        "DATABASE_POOL_MIN_SIZE": "1",
        "DATABASE_POOL_MAX_SIZE": str(POOL_MAX),
        # libpq names the server's connections: pg_stat_activity tells them apart.
        "PGAPPNAME": application,
        "LOG_LEVEL": "WARNING",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(GUNICORN), "cpie_naturaliste.wsgi", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "1", "--worker-class", "gthread", "--threads", str(THREADS)]
            + ["--timeout", "60"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )


def _backends(application: str) -> dict[int, object]:
    """The server's connections: backend pid → when it was opened."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_start FROM pg_stat_activity WHERE application_name = %s",
            [application],
        )
        return dict(cursor.fetchall())


def _burst(base: str, token: str) -> list[tuple[int, str]]:
    """REQUESTS searches of the taxa from THREADS threads at once: (status, body)."""
    results: list[tuple[int, str]] = []

    def run(count: int) -> None:
        with requests.Session() as session:
            for _ in range(count):
                response = session.get(
                    f"{base}/api/v1/taxa/?search=Alauda",
                    headers={"Authorization": f"Token {token}"},
                    timeout=30,
                )
                results.append((response.status_code, response.text))

    threads = [
        threading.Thread(target=run, args=(REQUESTS // THREADS,))
        for _ in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pooled_connections_serve_threaded_requests_and_are_reused(
    saisie_user, tmp_path
):
    TaxonFactory(scientific_name="Alauda arvensis")
    token = Token.objects.create(user=saisie_user).key
    application = f"cpie-pool-{uuid.uuid4().hex[:8]}"
    port = _free_port()
    server = _gunicorn(port, application, tmp_path / "gunicorn.log")
    base = f"http://127.0.0.1:{port}"
    try:

        def ready() -> bool:
            try:
                return requests.get(f"{base}/", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        wait_until(ready, timeout=60, what="gunicorn prêt", step=0.2)
        first = _burst(base, token)
        assert len(first) == REQUESTS
        # Every request was served, from the database: the taxon is in each answer.
        assert [status for status, _body in first] == [200] * REQUESTS
        assert all("Alauda arvensis" in body for _status, body in first)
        opened = _backends(application)
        # THREADS threads, REQUESTS requests: no more connections than the pool holds.
        assert 1 <= len(opened) <= POOL_MAX, opened

        second = _burst(base, token)
        assert [status for status, _body in second] == [200] * REQUESTS
        # The same connections served the second burst: none closed, none opened.
        assert _backends(application) == opened
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
    log = (tmp_path / "gunicorn.log").read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
