"""gunicorn for the benchmarks that measure through HTTP (``bench.load``,
``bench.ringing_entry``): a free port, the server started production-like in its own process
group, awaited until it accepts connections, and stopped with its workers."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.db import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_start(
    port: int, *, workers: int, options: list[str], env: dict, log: Path, seconds: int
) -> subprocess.Popen:
    """gunicorn serving the project on ``port``, once it accepts connections (its error
    log in ``log``); raises with the end of that log if it stops or does not answer."""
    log.unlink(missing_ok=True)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "cpie_naturaliste.wsgi"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), *options]
        + ["--error-logfile", str(log)],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn s'est arrêté :\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server_stop(server)
    raise RuntimeError(f"gunicorn ne répond pas après {seconds} s")


def server_stop(server: subprocess.Popen, *, seconds: int = 20) -> None:
    """Stop gunicorn and its workers (its process group), killed if they linger."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
