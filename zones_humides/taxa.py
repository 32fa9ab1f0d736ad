"""The taxon list of the POP Amphibien protocol (data/pop_amphibiens.csv)."""

import csv
from functools import cache
from pathlib import Path

from referentiel.models import Taxon

LIST_FILE = Path(__file__).resolve().parent / "data" / "pop_amphibiens.csv"
# The 11 species of the mining basin's 2020 POP aires (context.md), in field-guide order.
REGIONAL_SPECIES = (
    259,  # Bufo bufo
    459628,  # Epidalea calamita
    252,  # Pelodytes punctatus
    197,  # Alytes obstetricans
    351,  # Rana temporaria
    444440,  # Pelophylax kl. esculentus
    444443,  # Pelophylax ridibundus
    444432,  # Lissotriton helveticus
    444431,  # Lissotriton vulgaris
    444430,  # Ichthyosaura alpestris
    139,  # Triturus cristatus
)


@cache
def protocol_codes() -> tuple[int, ...]:
    """cd_nom of the protocol list (the class Amphibia included, for absences)."""
    with LIST_FILE.open(encoding="utf-8") as handle:
        return tuple(
            int(row["cd_nom"]) for row in csv.DictReader(handle, delimiter=";")
        )


def protocol_taxa() -> tuple[list[Taxon], list[Taxon]]:
    """(regional species, other taxa of the list) present in the referential."""
    taxa = Taxon.objects.in_bulk(
        [c for c in protocol_codes() if c != 914450], field_name="cd_nom"
    )
    regional = [taxa[c] for c in REGIONAL_SPECIES if c in taxa]
    others = sorted(
        (t for c, t in taxa.items() if c not in REGIONAL_SPECIES),
        key=lambda t: t.scientific_name,
    )
    return regional, others
