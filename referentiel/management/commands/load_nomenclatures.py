from pathlib import Path

from django.core.management.base import BaseCommand

from referentiel.models import Nomenclature, NomenclatureType
from referentiel.services.reference_data import NOMENCLATURES_CSV, nomenclatures_upsert


class Command(BaseCommand):
    help = "Charge ou met à jour les nomenclatures SINP depuis un fichier CSV (type;type_label;code;label)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(NOMENCLATURES_CSV))

    def handle(self, *args, file, **options):
        count = nomenclatures_upsert(
            type_model=NomenclatureType, value_model=Nomenclature, path=Path(file)
        )
        self.stdout.write(
            self.style.SUCCESS(f"{count} valeurs de nomenclature chargées.")
        )
