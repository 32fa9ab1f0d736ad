"""Real Celery workers for the resilience tests: started as processes on the test database,
killed with SIGKILL, always reaped."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from billiard.util import set_pdeathsig
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")


def die_with_parent() -> None:
    """``preexec_fn`` of the processes the tests start: SIGKILL them if the test process
    dies (a pytest killed on a timeout runs no cleanup)."""
    set_pdeathsig(signal.SIGKILL)


def database_url(name: str | None = None, **overrides) -> str:
    """The test database as a DATABASE_URL, for another process."""
    db = {**connection.settings_dict, **overrides}
    host = quote(db["HOST"] or "", safe="")
    return f"postgis://{db['USER']}@{host}:{db['PORT']}/{name or db['NAME']}"


def wait_until(check: Callable[[], object], *, timeout: float, what: str, step=0.05):
    """Poll ``check`` until it returns something true, and return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(step)
    raise AssertionError(f"{what}: pas dans les {timeout} s")


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (the prefork pool processes of a worker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid …: comm may hold spaces, so split after its ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Worker:
    """``celery worker -P prefork -c 1`` on its own queue, in its own process group."""

    def __init__(self, *, queue: str, log: Path):
        self.queue, self.log = queue, log
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.resilience.worker_settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "LOG_LEVEL": "WARNING",
        }
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(CELERY),
                    "-A",
                    "cpie_naturaliste",
                    "worker",
                    "-P",
                    "prefork",
                    "-c",
                    "1",
                    "--without-heartbeat",
                    "--without-gossip",
                    "--without-mingle",
                    "-Q",
                    self.queue,
                    "-n",
                    f"{self.queue}-{uuid.uuid4().hex[:6]}@%h",
                    "--loglevel",
                    "INFO",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def pool_process(self) -> int:
        return wait_until(
            lambda: children(self.pid), timeout=30, what="processus du pool"
        )[0]

    def kill_pool_process(self) -> int:
        """SIGKILL the pool process running the task; the worker itself lives on."""
        child = self.pool_process()
        os.kill(child, signal.SIGKILL)
        return child

    def kill(self) -> list[int]:
        """SIGKILL the worker's main process only: its pool dies with it (pdeathsig)."""
        pool = children(self.pid)
        os.kill(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        wait_until(
            lambda: not any(alive(p) for p in pool), timeout=10, what="fin du pool"
        )
        return pool

    def stop(self) -> None:
        """Kill whatever is left of the process group (cleanup, never fails)."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)
