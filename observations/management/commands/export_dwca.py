import time
import uuid

from django.core.management.base import BaseCommand, CommandError

from observations.exports.dwca import DwcaRefused, dwca_export
from referentiel.models import Dataset


class Command(BaseCommand):
    help = (
        "Écrit l'archive Darwin Core (DwC-A : meta.xml, eml.xml, occurrence.txt) d'un jeu "
        "de données public, lisible par les outils du GBIF : observations validées "
        "(certain, probable), données sensibles floutées comme pour le public, "
        "niveau 4 exclu."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dataset", required=True, help="identifiant SINP (UUID) du jeu de données"
        )
        parser.add_argument(
            "--out", required=True, help="fichier ZIP à écrire (ex. jdd.zip)"
        )

    def handle(self, *args, dataset, out, **options):
        try:
            key = uuid.UUID(dataset)
        except ValueError as error:
            raise CommandError(f"« {dataset} » n'est pas un UUID valide.") from error
        try:
            ds = Dataset.objects.select_related("producer").get(uuid=key)
        except Dataset.DoesNotExist as error:
            raise CommandError(f"Aucun jeu de données d'identifiant {key}.") from error
        started = time.perf_counter()
        try:
            rows = dwca_export(dataset=ds, out_path=out)
        except DwcaRefused as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"Écriture impossible de {out} : {error}") from error
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Archive Darwin Core écrite : {out} — {rows} observation(s) du jeu "
            f"« {ds.title} » en {seconds:.1f} s."
        )
