"""Throwaway PostgreSQL 15 servers for the tests that stop, restart or replicate one: a
scratch cluster of its own (tests/resilience) or a streaming standby of the project's
cluster (the read replica, tests/test_replica.py). The shared project cluster itself is
never stopped."""

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from tests.resilience.workers import alive

PGBIN = Path("/usr/lib/postgresql/15/bin")


def _as_postgres(*command: str) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the postgres user then."""
    command = [str(c) for c in command]
    return (
        ["runuser", "-u", "postgres", "--", *command] if os.getuid() == 0 else command
    )


def _run(*command, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, check=True, capture_output=True, timeout=120, **kwargs
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ScratchCluster:
    """A throwaway PostgreSQL cluster listening only on a Unix socket in its directory."""

    PREFIX = "resilience-pg-"

    def __init__(self, directory: Path | None = None):
        if directory is None:
            ScratchCluster.reap()
            # Under /tmp, not tmp_path: the postgres user cannot enter root's 0700 dirs.
            directory = Path(tempfile.mkdtemp(prefix=self.PREFIX))
            (directory / "owner.pid").write_text(str(os.getpid()))
            if os.getuid() == 0:
                shutil.chown(directory, "postgres", "postgres")
        self.dir, self.data, self.port = directory, directory / "data", _free_port()

    @classmethod
    def reap(cls) -> None:
        """Stop and remove the clusters of test processes that died without cleaning up."""
        for directory in Path(tempfile.gettempdir()).glob(f"{cls.PREFIX}*"):
            try:
                owner = int((directory / "owner.pid").read_text())
            except (OSError, ValueError):
                continue
            if not alive(owner):
                cls(directory).stop()

    def pg_ctl(self, *args: str) -> None:
        _run(*_as_postgres(PGBIN / "pg_ctl", "-D", self.data, "-w", *args))

    def start(self) -> "ScratchCluster":
        _run(
            *_as_postgres(
                PGBIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
                "-E", "UTF8", "--locale=C.UTF-8",
            )
        )  # fmt: skip
        self.server_start()
        return self

    def server_start(self) -> None:
        # With its log in a file: a server writing to pg_ctl's pipes would keep them open.
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=''"
        self.pg_ctl("-l", str(self.dir / "server.log"), "-o", options, "start")

    def psql(self, *args: str, **kwargs) -> None:
        _run(
            "psql", "-h", self.dir, "-p", str(self.port), "-U", "postgres",
            "-v", "ON_ERROR_STOP=1", "-q", *args, **kwargs,
        )  # fmt: skip

    def stop(self) -> None:
        try:
            self.pg_ctl("-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


class StandbyCluster(ScratchCluster):
    """A hot standby of the running cluster that ``primary`` (a Django connection's
    settings) points at: ``pg_basebackup -R`` copies it — every database it holds at that
    moment, the test database included — and writes how to follow it; once started, the
    standby replays the primary's changes by streaming replication. About 2 s for the
    project's cluster with the demo and the test databases."""

    PREFIX = "replica-pg-"

    def __init__(self, primary: dict, directory: Path | None = None):
        super().__init__(directory)
        self.primary = primary

    def start(self) -> "StandbyCluster":
        primary = self.primary
        _run(
            *_as_postgres(
                PGBIN / "pg_basebackup", "-D", self.data, "-R", "-X", "stream",
                "-c", "fast", "--no-sync", "-h", primary["HOST"], "-p", primary["PORT"],
                "-U", primary["USER"] or "postgres",
            )
        )  # fmt: skip
        try:
            self.server_start()
        except subprocess.CalledProcessError as error:
            log = (self.dir / "server.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(
                f"La réplique n'a pas démarré :\n{log}\n{self._long_transactions()}"
            ) from error
        return self

    def _long_transactions(self) -> str:
        """A hot standby opens for reads only once no transaction of the primary has
        overflowed its subtransaction cache (over 64 savepoints): the likely culprits,
        another test process's long transactions (hence the marker ``serial``)."""
        primary = self.primary
        query = (
            "SELECT datname || ' : transaction ouverte depuis '"
            " || date_trunc('second', now() - xact_start) FROM pg_stat_activity"
            " WHERE xact_start < now() - interval '30 seconds'"
        )
        try:
            found = _run(
                "psql", "-h", primary["HOST"], "-p", str(primary["PORT"]),
                "-U", primary["USER"] or "postgres", "-d", "postgres", "-Atc", query,
                text=True,
            ).stdout.strip()  # fmt: skip
        except (subprocess.CalledProcessError, OSError):
            return ""
        return f"Transactions longues sur le primaire :\n{found}" if found else ""

    def server_start(self) -> None:
        # fsync off: a throwaway copy, and a standby that starts from a base backup first
        # syncs its whole data directory (over a minute on a busy 2-core machine).
        options = f"-p {self.port} -k {self.dir} -c listen_addresses='' -c fsync=off"
        self.pg_ctl(
            "-t", "100", "-l", str(self.dir / "server.log"), "-o", options, "start"
        )

    def settings(self) -> dict:
        """The primary's connection settings, pointed at the standby."""
        return {**self.primary, "HOST": str(self.dir), "PORT": str(self.port)}
