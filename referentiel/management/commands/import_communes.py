from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from referentiel.services.imports import ImportFileError, communes_import


class Command(BaseCommand):
    help = (
        "Importe ou met à jour départements et communes depuis des fichiers GeoJSON "
        "(WGS84, propriétés code et nom), puis recalcule les communes des sites. "
        "Un fichier contenant une erreur n'importe rien."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "files",
            nargs="+",
            type=Path,
            help="Fichiers GeoJSON (departement-*.geojson, communes-*.geojson…).",
        )

    def handle(self, *args, files: list[Path], **options):
        try:
            result = communes_import(paths=files)
        except ImportFileError as error:
            raise CommandError(
                f"Import des communes refusé, rien n'a été importé.\n{error.message}"
            ) from error
        self.stdout.write(self.style.SUCCESS(result.summary()))
