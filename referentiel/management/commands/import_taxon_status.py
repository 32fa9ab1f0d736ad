from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from referentiel.services.imports import ImportFileError, taxon_statuses_import


class Command(BaseCommand):
    help = (
        "Importe ou met à jour les statuts régionaux des taxons depuis un CSV (séparateur "
        "; ou ,, UTF-8) : cd_nom, rarete, liste_rouge, protection, patrimonial, eee, "
        "determinant_znieff, sensibilite. Un fichier contenant une erreur n'importe rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Fichier CSV des statuts.")

    def handle(self, *args, file: Path, **options):
        try:
            result = taxon_statuses_import(path=file)
        except ImportFileError as error:
            raise CommandError(
                f"Import des statuts refusé, rien n'a été importé.\n{error.message}"
            ) from error
        self.stdout.write(self.style.SUCCESS(result.summary()))
