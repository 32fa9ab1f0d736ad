"""``manage.py export_sinp --year 2020 --pole faune --out FICHIER [--incremental]``."""

from django.core.management.base import BaseCommand, CommandError

from observations.exports.sinp import SinpExportRefused, sinp_export
from observations.models import SinpExport


class Command(BaseCommand):
    help = (
        "Export SINP/RAIN d'une année pour le pôle faune ou flore : observations validées, "
        "précises, avec leur sensibilité, et métadonnées des jeux de données (ZIP)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="année des observations")
        parser.add_argument(
            "--pole",
            required=True,
            choices=SinpExport.Pole.values,
            help="pôle régional",
        )
        parser.add_argument("--out", required=True, help="fichier ZIP à écrire")
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="n'envoyer que ce qui a changé depuis le dernier export, et les suppressions",
        )

    def handle(self, *args, year, pole, out, incremental, **options):
        verbosity = options["verbosity"]

        def progress(percent, rows, total):
            if verbosity > 1:
                self.stderr.write(f"  {percent} % ({rows} / {total} lignes)")

        try:
            export = sinp_export(
                year=year,
                pole=pole,
                out_path=out,
                incremental=incremental,
                progress=progress,
            )
        except SinpExportRefused as refusal:
            raise CommandError(str(refusal)) from None
        except Exception as exc:
            raise CommandError(f"L'export a échoué : {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Export SINP {export.year} – pôle {export.get_pole_display().lower()} "
                f"({export.get_mode_display().lower()}) : "
                f"{export.rows_sent} observation(s) envoyée(s), "
                f"{export.deletions_sent} suppression(s)."
            )
        )
        self.stdout.write(f"Fichier : {out}")
        self.stdout.write(f"SHA-256 : {export.sha256}")
        self.stdout.write(f"Export n° {export.pk} (journal des envois).")
