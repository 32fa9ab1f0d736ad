from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from referentiel.services.imports import ImportFileError, taxref_import


class Command(BaseCommand):
    help = (
        "Importe ou met à jour les taxons depuis un fichier TAXREF au format TXT "
        "(tabulations, UTF-8, ligne d'en-tête), par cd_nom. Un fichier contenant une "
        "erreur n'importe rien."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Here --version names the TAXREF release; it replaces Django's own --version option.
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help="Fichier TAXREF (ex. TAXREFv18.txt)."
        )
        parser.add_argument(
            "--version",
            dest="taxref_version",
            default="",
            help="Version de TAXREF (ex. V18) ; déduite du nom du fichier si absente.",
        )

    def handle(self, *args, file: Path, taxref_version: str, **options):
        try:
            result = taxref_import(path=file, version=taxref_version)
        except ImportFileError as error:
            raise CommandError(
                f"Import TAXREF refusé, rien n'a été importé.\n{error.message}"
            ) from error
        self.stdout.write(self.style.SUCCESS(result.summary()))
