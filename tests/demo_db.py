"""The 2019–2021 demo for the tests that read it, without loading it for each module.

``load_demo`` takes about a minute; six test modules need it. Each now runs on its own
copy of a demo template (``tests/db_template.py``: the migrated template where load_demo
ran once, kept until the code or data change): ``CREATE DATABASE … TEMPLATE`` takes a few
seconds. The copy is this worker's (``test_<db>_gwN_<kind>``), dropped after the module;
each test still runs in a transaction rolled back after it (``django_db``), so every test
starts from the demo as loaded, whatever the tests before it wrote."""

import shutil
from contextlib import contextmanager
from pathlib import Path

from tests.db_template import (
    demo_media,
    ensure_demo_template,
    on_database,
    template_name,
)


@contextmanager
def demo_database(kind: str, media: Path | None = None):
    """Django's default connection on a fresh copy of the demo template ``kind`` (``demo``:
    the whole demo; ``referentiel``: its referential only) for the block, the demo's files
    copied into ``media``."""
    from django.db import connection

    template = ensure_demo_template(kind, template_name())
    copy = f"{connection.settings_dict['NAME']}_{kind}"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        cursor.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{template}"')
    if media is not None:
        shutil.copytree(
            demo_media(template),
            media,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(".complete"),
        )
    try:
        with on_database(copy):
            yield
    finally:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
