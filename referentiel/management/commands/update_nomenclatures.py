"""Update the SINP nomenclatures from the INPN referential file, and say what changed."""

from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from referentiel.models import Nomenclature, NomenclatureType
from referentiel.services.nomenclatures import (
    NomenclatureFileError,
    nomenclature_csv_write,
    nomenclature_file_read,
    nomenclatures_update,
)
from referentiel.services.reference_data import NOMENCLATURES_CSV


def codes_in_use(mnemonic: str, codes: list[str]) -> set[str]:
    """Codes among ``codes`` of type ``mnemonic`` that a row of any model still stores.

    A model says which of its fields hold which nomenclature in ``NOMENCLATURES``
    (``{field: mnemonic}``): found through the app registry, so the referential names no
    model of an app above it."""
    used: set[str] = set()
    for model in apps.get_models():
        for name, kind in getattr(model, "NOMENCLATURES", {}).items():
            if kind == mnemonic:
                used.update(
                    model._default_manager.filter(**{f"{name}__in": codes})
                    .values_list(name, flat=True)
                    .distinct()
                )
    return used


class Command(BaseCommand):
    help = (
        "Met à jour les nomenclatures SINP depuis le référentiel de l'INPN : le fichier "
        "SQL des nomenclatures INPN (nomenclatures_inpn_data.sql, lu comme données) ou un "
        "CSV au format du produit (type;type_label;code;label;definition). Ajoute les "
        "nouvelles valeurs, met à jour les libellés, désactive les valeurs retirées, ne "
        "supprime jamais rien."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            nargs="?",
            default=str(NOMENCLATURES_CSV),
            help="Fichier du référentiel (par défaut : celui livré avec le produit).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Montrer ce qui changerait sans rien enregistrer.",
        )
        parser.add_argument(
            "--derive",
            metavar="CSV",
            help=(
                "Écrire le fichier du produit (referentiel/data/nomenclatures.csv) tiré "
                "du référentiel au lieu de mettre la base à jour."
            ),
        )

    def handle(self, *args, file, dry_run, derive, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            values = nomenclature_file_read(path)
        except (NomenclatureFileError, UnicodeDecodeError) as error:
            raise CommandError(f"« {path.name} » illisible : {error}") from error
        if derive:
            nomenclature_csv_write(values, Path(derive))
            types = len({v.type for v in values})
            self.stdout.write(
                f"{len(values)} valeurs de {types} nomenclatures écrites dans {derive}."
            )
            return
        with transaction.atomic():
            report = nomenclatures_update(
                type_model=NomenclatureType,
                value_model=Nomenclature,
                values=values,
                usage=codes_in_use,
            )
            if dry_run:
                transaction.set_rollback(True)
        if dry_run:
            self.stdout.write("Essai à blanc : rien n'a été enregistré.")
        self.stdout.write(report.summary())
        if not dry_run and report.changed:
            self.stdout.write(self.style.SUCCESS("Nomenclatures mises à jour."))
