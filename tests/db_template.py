"""The migrated test database, made once and copied by each test process (``make test``).

Migrating an empty database takes about 30 s (70 s on a loaded machine), and pytest-django
did it once per pytest-xdist worker, then again for the serial phase. ``python -m
tests.db_template`` makes ``test_<database>_template`` before pytest starts, migrated only
when the migrations or what they load (the apps' ``data/`` and ``services/``) changed since
(their digest is the database's comment), and prints its name; with that name in
``TEST_DB_TEMPLATE`` the test settings create each test database as a copy of it (Django's
``TEST["TEMPLATE"]``: ``CREATE DATABASE … TEMPLATE``), where Django's migrate then finds
nothing left to apply."""

import hashlib
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ("*/migrations/*.py", "*/*/migrations/*.py", "*/data/**/*", "*/services/*.py")


def digest() -> str:
    paths = sorted({p for pattern in INPUTS for p in ROOT.glob(pattern) if p.is_file()})
    sha = hashlib.sha256()
    for path in paths:
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        sha.update(str(path.relative_to(ROOT)).encode())
        sha.update(path.read_bytes())
    return sha.hexdigest()[:20]


def ensure_template() -> str:
    """The template's name, made or remade first when it is missing or out of date."""
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    name = f"test_{connection.settings_dict['NAME']}_template"
    wanted = digest()
    with connection._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
            " WHERE datname = %s",
            [name],
        )
        row = cursor.fetchone()
        if row and row[0] == wanted:
            return name
        if row:
            cursor.execute(f'DROP DATABASE "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        call_command("migrate", verbosity=0, interactive=False)
        with connection.cursor() as cursor:
            # Marked up to date only once migrated: a failed migrate is redone next time.
            cursor.execute(f"COMMENT ON DATABASE \"{name}\" IS '{wanted}'")
    finally:
        connection.close()
    return name


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpie_naturaliste.settings.test")
    print(ensure_template())
