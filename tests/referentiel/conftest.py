"""Fixtures of the referential tests: the small input files of tests/data/referentiel/."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

DATA = Path(__file__).resolve().parent.parent / "data" / "referentiel"
TAXREF_V18 = DATA / "TAXREFv18_sample.txt"  # 8 real taxa, one synonym, CRLF line ends
TAXREF_V11 = (
    DATA / "taxref_v11_sample.txt"
)  # an older layout: fewer columns, other order
STATUSES = (
    DATA / "statuts_sample.csv"
)  # ";" with a BOM, accented headers, an extra column
DEPARTEMENT_62 = DATA / "departement-62-test.geojson"  # one Feature
COMMUNES_62 = DATA / "communes-62-test.geojson"  # Loos-en-Gohelle and Lens, as squares


def run(command: str, *args, **options) -> str:
    """Run a management command, return what it printed."""
    out = StringIO()
    call_command(command, *map(str, args), stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def taxa(db):
    """The eight taxa of the TAXREF v18 sample, imported through the command."""
    run("import_taxref", TAXREF_V18)


@pytest.fixture
def communes(db):
    run("import_communes", DEPARTEMENT_62, COMMUNES_62)
