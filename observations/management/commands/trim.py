import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from observations.trends.csv_input import counts_read
from observations.trends.trim import TrimError, trim_fit


class Command(BaseCommand):
    help = (
        "Tendance TRIM (Statistics Netherlands) d'un fichier CSV site,year,count "
        "(effectif vide = manquant) : totaux annuels, indices, pente globale, erreurs "
        "types et classe de tendance, en JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV avec les colonnes site,year,count")
        parser.add_argument("--model", type=int, choices=(2, 3), default=3)
        parser.add_argument("--overdispersion", action="store_true")
        parser.add_argument("--serial-correlation", action="store_true")
        parser.add_argument(
            "--changepoints", type=int, nargs="*", default=[], help="années (modèle 2)"
        )
        parser.add_argument("--base-year", type=int, default=None)

    def handle(self, *args, file, model, overdispersion, serial_correlation, **options):
        try:
            sites, years, counts = counts_read(Path(file))
            result = trim_fit(
                sites=sites,
                years=years,
                counts=counts,
                model=model,
                overdispersion=overdispersion,
                serial_correlation=serial_correlation,
                changepoints=options["changepoints"],
                base_year=options["base_year"],
            )
        except OSError as error:
            raise CommandError(f"Lecture impossible de {file} : {error}") from error
        except TrimError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
