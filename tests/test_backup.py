"""``make backup`` / ``make restore``: a dump restored into a scratch database holds the
same rows, table by table."""

import os

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from referentiel.services.backups import pg_command, pg_env
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import CommuneFactory

TABLES = [
    "observations_occurrence",
    "observations_occurrence_observers",
    "referentiel_taxon",
    "referentiel_commune",
    "referentiel_nomenclature",
    "auth_group",
]


def _counts(conn) -> dict[str, int]:
    with conn.cursor() as cursor:
        counts = {}
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM observations_occurrence WHERE geom IS NULL"
        )
        counts["without geometry"] = cursor.fetchone()[0]
        return counts


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_restores_into_a_scratch_database_with_equal_counts(tmp_path):
    CommuneFactory()
    for _ in range(5):
        OccurrenceFactory()
    dump = tmp_path / "cpie.dump"
    call_command("backup", out=dump, no_media=True)
    assert dump.stat().st_size > 0
    scratch = f"cpie_restore_{os.getpid()}"
    settings = connection.settings_dict
    try:
        call_command("restore", str(dump), database=scratch)
        with psycopg.connect(
            host=settings["HOST"],
            port=settings["PORT"],
            user=settings["USER"],
            dbname=scratch,
        ) as restored:
            assert _counts(restored) == _counts(connection.connection)
            assert _counts(restored)["observations_occurrence"] == 5
    finally:
        import subprocess

        subprocess.run(
            [
                *pg_command("psql", database="postgres"),
                "-c",
                f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)',
            ],
            env=pg_env(),
            capture_output=True,
        )


def test_restore_refuses_a_missing_file(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="introuvable"):
        call_command("restore", str(tmp_path / "absent.dump"), database="x")
