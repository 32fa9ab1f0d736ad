"""``manage.py restore FILE --database NAME``: restore a ``backup`` dump into a new database,
in one transaction, stopping at the first error (a scratch database for the restore drill,
or the new production database after a loss)."""

import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from referentiel.services.backups import pg_command, pg_env


class Command(BaseCommand):
    help = "Restaure une sauvegarde (pg_dump -Fc) dans une nouvelle base."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--database",
            required=True,
            help="nom de la base à créer (elle ne doit pas exister)",
        )

    def handle(self, *args, file: Path, database: str, **options):
        if not file.exists():
            raise CommandError(f"Sauvegarde introuvable : {file}")
        # The dump creates its extensions (PostGIS, pg_trgm, unaccent) itself.
        self._psql(f'CREATE DATABASE "{database}"', database="postgres")
        result = subprocess.run(
            [
                *pg_command("pg_restore", database=database),
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                str(file),
            ],
            env=pg_env(),
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise CommandError(
                f"Restauration interrompue, base {database} incomplète : "
                f"{result.stderr.strip()[-2000:]}"
            )
        self.stdout.write(f"Sauvegarde {file} restaurée dans la base {database}.")

    def _psql(self, sql: str, *, database: str) -> None:
        result = subprocess.run(
            [
                *pg_command("psql", database=database),
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ],
            env=pg_env(),
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise CommandError(result.stderr.strip())
