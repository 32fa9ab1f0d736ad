import time

from django.core.management.base import BaseCommand, CommandError

from baguage.euring import euring_export


class Command(BaseCommand):
    help = (
        "Écrit le fichier d'échange EURING2000+ d'une année (un enregistrement par capture, "
        "champs séparés par « | »). Les captures qui ne peuvent pas être codées sont listées "
        "avec la raison au lieu d'être écrites."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="année (ex. 2020)")
        parser.add_argument("--out", required=True, help="fichier à écrire")
        parser.add_argument(
            "--strict",
            action="store_true",
            help="sortir en erreur si une capture n'a pas pu être écrite",
        )

    def handle(self, *args, year, out, strict=False, **options):
        started = time.perf_counter()
        try:
            with open(out, "w", encoding="utf-8", newline="\n") as handle:
                written, invalid = euring_export(year=year, out=handle)
        except OSError as error:
            raise CommandError(f"Écriture impossible : {error}") from error
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Export EURING2000+ {year} : {written} enregistrement(s) écrit(s) dans {out} "
            f"en {seconds:.1f} s ; {len(invalid)} capture(s) non écrite(s)."
        )
        if invalid:
            self.stdout.write("Captures non écrites (ligne, bague, espèce : raison) :")
            for capture, reasons in invalid:
                self.stdout.write(
                    f"  {capture.date:%d/%m/%Y} ligne {capture.line}, "
                    f"{capture.ring_scheme} {capture.ring_number}, {capture.species} : "
                    + " ".join(reasons)
                )
        if strict and invalid:
            raise CommandError(
                f"{len(invalid)} capture(s) invalide(s) : export incomplet (--strict)."
            )
