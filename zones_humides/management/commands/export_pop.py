"""``manage.py export_pop --year 2020 --out FILE.csv``: the national POP Amphibien export
of a season (one row per site × passage × species, absences included).

Run by an administrator for the protocol's national coordinator (Société herpétologique de
France), an authority that receives precise data with its sensitivity (as the SINP poles,
``observations.blurring.Reader.authority``): every row keeps its pond's point and its
occurrence's id, sensitive species included. The file is not for partners; the page
``/zones-humides/pop/<year>/pop-amphibien-<year>.csv`` gives each reader their own rows."""

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
        # user=None: the national coordinator's precise export (see the docstring).
        text = pop_export_csv(year=year, aires=PopAire.objects.all(), user=None)
        Path(out).write_text(text, encoding="utf-8")
        rows = text.count("\n") - 1
        self.stdout.write(
            self.style.SUCCESS(
                f"POP Amphibien {year} : {rows} lignes écrites dans {out}."
            )
        )
