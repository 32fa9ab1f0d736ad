from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from referentiel.services.imports import ImportFileError, sensitivity_rules_import


class Command(BaseCommand):
    help = (
        "Importe des règles de sensibilité depuis un CSV (séparateur ; ou ,, UTF-8) : "
        "cd_nom;departement;debut;fin;statut_bio;comportement;duree;niveau (source et "
        "commentaire facultatifs). Un fichier contenant une erreur n'importe rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Fichier CSV des règles.")
        parser.add_argument(
            "--remplacer",
            action="store_true",
            dest="replace",
            help="Supprimer toutes les règles existantes avant l'import.",
        )

    def handle(self, *args, file: Path, replace: bool, **options):
        try:
            result = sensitivity_rules_import(path=file, replace=replace)
        except ImportFileError as error:
            raise CommandError(
                f"Import des règles refusé, rien n'a été importé.\n{error.message}"
            ) from error
        self.stdout.write(self.style.SUCCESS(result.summary()))
