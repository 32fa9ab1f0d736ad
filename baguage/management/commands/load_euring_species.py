from django.core.management.base import BaseCommand, CommandError

from baguage.euring import SPECIES_CSV, euring_species_load


class Command(BaseCommand):
    help = (
        "Charge la table des espèces EURING (code EURING, code CRBPO, taille de bague, "
        "biométrie habituelle, espèce remarquable) pour les taxons présents dans la base."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--path",
            default=None,
            help=f"fichier CSV à charger (par défaut {SPECIES_CSV.name} du projet)",
        )

    def handle(self, *args, path=None, **options):
        try:
            counts = euring_species_load(path)
        except OSError as error:
            raise CommandError(f"Lecture impossible : {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Espèces EURING : {counts.created} créée(s), {counts.updated} mise(s) à "
                f"jour, {counts.skipped} ignorée(s) (taxon absent de la base)."
            )
        )
