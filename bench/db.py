"""The benchmark database: ``cpie_bench`` on the project-local cluster, never the dev database."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
# The cluster's socket directory: PGHOST when it names one (a worktree sharing the main
# checkout's cluster), else the project-local cluster of this checkout.
SOCKET = (
    Path(os.environ["PGHOST"])
    if os.environ.get("PGHOST", "").startswith("/")
    else ROOT / ".run" / "pg" / "sock"
)
DB_NAME = "cpie_bench"


def database_url(name: str) -> str:
    """URL of the database ``name`` on the project-local cluster."""
    return f"postgis://postgres@{str(SOCKET).replace('/', '%2F')}:54329/{name}"


DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", database_url(DB_NAME))


def bench_env(url: str = DATABASE_URL, **extra: str) -> dict[str, str]:
    """Environment for a process of a benchmark: its own database, no debug."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "cpie_naturaliste.settings.dev",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "localhost,testserver",
        **extra,
    }


def psql(sql: str, database: str = "postgres") -> str:
    result = subprocess.run(
        ["psql", "-h", str(SOCKET), "-p", "54329", "-U", "postgres", "-d", database]
        + ["-v", "ON_ERROR_STOP=1", "-Atqc", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def bench_database_prepare(*, fresh: bool = True) -> None:
    """Start the local services, (re)create ``cpie_bench`` with its extensions, migrate."""
    subprocess.run([str(ROOT / "scripts" / "services.sh")], check=True, cwd=ROOT)
    if "BENCH_DATABASE_URL" not in os.environ:
        if fresh:
            psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        if psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'") != "1":
            psql(f"CREATE DATABASE {DB_NAME}")
        psql(
            "CREATE EXTENSION IF NOT EXISTS postgis;"
            " CREATE EXTENSION IF NOT EXISTS pg_trgm;"
            " CREATE EXTENSION IF NOT EXISTS unaccent;",
            database=DB_NAME,
        )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        check=True,
        cwd=ROOT,
        env=bench_env(),
    )
