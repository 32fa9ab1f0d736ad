"""The migrated test database, and the demo databases, made once and copied by the tests.

Migrating an empty database takes about 30 s (70 s on a loaded machine), and pytest-django
did it once per pytest-xdist worker, then again for the serial phase. ``python -m
tests.db_template`` makes ``test_<database>_template`` before pytest starts, migrated only
when the migrations or what they load (the apps' ``data/`` and ``services/``) changed since
(their digest is the database's comment), and prints its name; with that name in
``TEST_DB_TEMPLATE`` the test settings create each test database as a copy of it (Django's
``TEST["TEMPLATE"]``: ``CREATE DATABASE … TEMPLATE``), where Django's migrate then finds
nothing left to apply.

The same command makes the demo templates (``DEMOS``): the migrated template with the
referential's demo loaded (``load_demo --departements 59 62 --referentiel-seul``), and a
copy of that with the whole 2019–2021 demo (``load_demo --departements 59 62``, about a
minute). The tests of the demo (each app's ``test_demo``, the 2020 report) loaded it once
per module, six times per run; they now run on a copy of one of these
(``tests/demo_db.py``). Each is remade when the migrations, the apps' code or data changed
(its digest covers every file of the apps, and its name holds it). The newt photos the demo writes are kept beside it
(``demo_media``) and copied for each module that uses it."""

import functools
import hashlib
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ("*/migrations/*.py", "*/*/migrations/*.py", "*/data/**/*", "*/services/*.py")
DEMO_DEPARTEMENTS = ("59", "62")
# The demo templates: load_demo's arguments, run on a copy of the template named (None:
# the migrated template), so that the referential's demo is loaded once; the whole demo is
# load_demo run again on top of it, which finds the referential already there (load_demo
# is idempotent, and tested so).
DEMOS = {
    "referentiel": (None, ("--departements", *DEMO_DEPARTEMENTS, "--referentiel-seul")),
    "demo": ("referentiel", ("--departements", *DEMO_DEPARTEMENTS)),
}
# Not the demo's code: the tests, and what the project ships but does not run.
NOT_CODE = {"tests", "docs", "bench", "node_modules", "static", "staticfiles", "media"}


def _hash_paths(sha, paths) -> None:
    for path in sorted(paths):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        sha.update(str(path.relative_to(ROOT)).encode())
        sha.update(path.read_bytes())


def digest() -> str:
    paths = {p for pattern in INPUTS for p in ROOT.glob(pattern) if p.is_file()}
    sha = hashlib.sha256()
    _hash_paths(sha, paths)
    return sha.hexdigest()[:20]


@functools.cache
def demo_digest(kind: str) -> str:
    """The migrated template's digest, load_demo's arguments and every file of the apps
    (Python, data): whatever the demo's loading may depend on."""
    paths = set()
    for top in ROOT.iterdir():
        if top.name.startswith(".") or top.name in NOT_CODE or top.is_symlink():
            continue
        if not top.is_dir() or not (top / "__init__.py").exists():
            continue
        for folder, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if d != "__pycache__" and not d.startswith(".")]
            paths.update(Path(folder) / f for f in files if not f.endswith(".pyc"))
    base, _ = DEMOS[kind]
    sha = hashlib.sha256((demo_digest(base) if base else digest()).encode())
    sha.update(repr(DEMOS[kind]).encode())
    _hash_paths(sha, paths)
    return sha.hexdigest()[:20]


def demo_media(name: str) -> Path:
    """Where the files of the demo template ``name`` are kept (the newt photos)."""
    return Path(tempfile.gettempdir()) / "cpie-test-demo-media" / name


@contextmanager
def on_database(name: str):
    """Django's default connection on the database ``name`` for the block, then back on
    its own."""
    from django.db import connection

    own = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = own


@contextmanager
def _locked(cursor, name: str):
    """One process builds ``name`` at a time (the xdist workers, a second checkout on the
    same cluster): the others wait, then find it made."""
    cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [name])
    try:
        yield
    finally:
        cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])


def _comment(cursor, name: str) -> str | None:
    cursor.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
        " WHERE datname = %s",
        [name],
    )
    row = cursor.fetchone()
    return row[0] if row else None


def template_name() -> str:
    """Inside pytest: the migrated template the test databases are copies of (the test
    settings' ``TEST_DB_TEMPLATE``), else ``test_<database>_template``, made if needed."""
    from django.db import connection

    configured = connection.settings_dict.get("TEST", {}).get("TEMPLATE")
    if configured:
        return configured
    # The connection is already on its test database: test_<database>[_gwN].
    own = re.sub(r"_gw\d+$", "", connection.settings_dict["NAME"])
    return ensure_template(f"{own}_template")


def ensure_template(name: str | None = None) -> str:
    """The template's name, made or remade first when it is missing or out of date."""
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    name = name or f"test_{connection.settings_dict['NAME']}_template"
    wanted = digest()
    with connection._nodb_cursor() as cursor, _locked(cursor, name):
        found = _comment(cursor, name)
        if found == wanted:
            return name
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
        with on_database(name):
            call_command("migrate", verbosity=0, interactive=False)
            with connection.cursor() as db:
                # Marked up to date only once migrated: a failed migrate is redone next time.
                db.execute(f"COMMENT ON DATABASE \"{name}\" IS '{wanted}'")
    return name


def ensure_demo_template(kind: str, template: str) -> str:
    """The demo template ``kind`` (of ``DEMOS``): a copy of the migrated ``template`` where
    load_demo ran, made first when missing. Its name holds its digest, so that checkouts
    of other versions on the same cluster never remake (drop) one another's; making one
    drops the older ones no process is using."""
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import override_settings

    base, arguments = DEMOS[kind]
    source = ensure_demo_template(base, template) if base else template
    wanted = demo_digest(kind)
    prefix = f"{template}_{kind}_"
    name = prefix + wanted[:12]
    media = demo_media(name)
    with connection._nodb_cursor() as cursor, _locked(cursor, name):
        if _comment(cursor, name) == wanted and (media / ".complete").exists():
            return name
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        shutil.rmtree(media, ignore_errors=True)
        if base:
            shutil.copytree(demo_media(source), media)
            (media / ".complete").unlink()
        media.mkdir(parents=True, exist_ok=True)
        with on_database(name), override_settings(MEDIA_ROOT=media):
            with transaction.atomic():
                call_command("load_demo", *arguments, stdout=StringIO())
                # What the demo asks to run once committed (refreshes, jobs for the
                # workers) is not run: the tests always loaded it in a transaction they
                # rolled back, so no such hook ever ran.
                connection.run_on_commit = []
            with connection.cursor() as db:
                db.execute(f"COMMENT ON DATABASE \"{name}\" IS '{wanted}'")
        (media / ".complete").touch()
        _drop_older(cursor, prefix, name)
    return name


def _drop_older(cursor, prefix: str, keep: str) -> None:
    from django.db import DatabaseError

    cursor.execute(
        "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix]
    )
    for (old,) in cursor.fetchall():
        if old == keep:
            continue
        try:
            cursor.execute(f'DROP DATABASE "{old}"')
        except DatabaseError:
            continue  # a checkout of that version is copying it: left to the next time
        shutil.rmtree(demo_media(old), ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpie_naturaliste.settings.test")
    import django

    django.setup()
    name = ensure_template()
    for kind in DEMOS:
        ensure_demo_template(kind, name)
    print(name)
