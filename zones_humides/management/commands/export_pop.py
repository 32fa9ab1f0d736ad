"""``manage.py export_pop --year 2020 --out FILE.csv``: the national POP Amphibien export
of a season (one row per site × passage × species, absences included)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from zones_humides.models import PopAire
from zones_humides.selectors.export import pop_export_csv


class Command(BaseCommand):
    help = (
        "Exporte une saison POP Amphibien au format national : une ligne par site × "
        "passage × espèce, absences comprises (CSV, séparateur « ; »)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, required=True, help="Saison (ex. 2020)."
        )
        parser.add_argument("--out", required=True, help="Fichier CSV à écrire.")

    def handle(self, *args, year: int, out: str, **options):
        text = pop_export_csv(year=year, aires=PopAire.objects.all())
        Path(out).write_text(text, encoding="utf-8")
        rows = text.count("\n") - 1
        self.stdout.write(
            self.style.SUCCESS(
                f"POP Amphibien {year} : {rows} lignes écrites dans {out}."
            )
        )
