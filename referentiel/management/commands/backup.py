"""``manage.py backup [--out FILE]``: a consistent dump of the database (pg_dump custom format,
safe while the application runs) next to a tar of the uploaded and exported files."""

import subprocess
import tarfile
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from referentiel.services.backups import pg_command, pg_env

BACKUP_DIR = Path(settings.BASE_DIR) / "backups"


class Command(BaseCommand):
    help = "Sauvegarde la base (pg_dump -Fc) et les fichiers (MEDIA_ROOT)."

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, help="fichier .dump à écrire")
        parser.add_argument(
            "--sans-fichiers",
            action="store_true",
            dest="no_media",
            help="ne pas archiver MEDIA_ROOT",
        )

    def handle(self, *args, out: Path | None, no_media: bool, **options):
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        out = out or BACKUP_DIR / f"cpie-{stamp}.dump"
        out.parent.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [
                *pg_command("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--file",
                str(out),
            ],
            env=pg_env(),
            capture_output=True,
            text=True,
        )
        if result.returncode:
            out.unlink(missing_ok=True)
            raise CommandError(f"pg_dump a échoué : {result.stderr.strip()}")
        self.stdout.write(f"Base sauvegardée : {out} ({out.stat().st_size:,} octets)")
        media = Path(settings.MEDIA_ROOT)
        if not no_media and media.exists():
            archive = out.with_suffix(".media.tar.gz")
            with tarfile.open(archive, "w:gz") as tar:
                tar.add(media, arcname="media")
            self.stdout.write(f"Fichiers sauvegardés : {archive}")
