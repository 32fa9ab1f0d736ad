"""PostgreSQL client commands on the configured database, for backups and restores."""

import os
import shutil
from pathlib import Path

from django.db import connections

# Debian's PostgreSQL 15 binaries, when the client wrappers are not on the PATH.
PGBIN = Path("/usr/lib/postgresql/15/bin")


def pg_binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidate = PGBIN / name
    if candidate.exists():
        return str(candidate)
    raise FileNotFoundError(f"{name} introuvable (paquet postgresql-client-15)")


def pg_command(name: str, *, database: str | None = None, alias="default") -> list[str]:
    """``name`` (pg_dump, pg_restore, psql) pointed at the configured database, or at
    ``database`` on the same server."""
    settings = connections[alias].settings_dict
    command = [pg_binary(name)]
    if settings.get("HOST"):
        command += ["--host", settings["HOST"]]
    if settings.get("PORT"):
        command += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        command += ["--username", settings["USER"]]
    command += ["--dbname", database or settings["NAME"]]
    return command


def pg_env(alias="default") -> dict[str, str]:
    env = dict(os.environ)
    password = connections[alias].settings_dict.get("PASSWORD")
    if password:
        env["PGPASSWORD"] = password
    return env
