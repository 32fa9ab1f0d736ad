"""The reference files the product ships (communes, demo taxa), loaded through the import
commands, and only when they are not loaded yet."""

import csv
import re
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from referentiel.models import Departement, Taxon

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
COMMUNES_DIR = DATA_DIR / "communes"
TAXREF_DEMO = DATA_DIR / "taxa" / "taxref_demo.txt"
DEPARTEMENT_FILE = re.compile(r"^(?:departement|communes)-(\w{2,3})-.*\.geojson$")


def shipped_communes_files(departements: tuple[str, ...] | None = None) -> list[Path]:
    """The GeoJSON files of ``referentiel/data/communes/``, département outlines first
    (communes point to their département), limited to ``departements`` when given."""
    files = []
    for path in sorted(COMMUNES_DIR.glob("*.geojson")):
        match = DEPARTEMENT_FILE.match(path.name)
        if match and (departements is None or match.group(1) in departements):
            files.append(path)
    return sorted(files, key=lambda path: not path.name.startswith("departement-"))


def communes_load_shipped(*, departements: tuple[str, ...] | None = None) -> str:
    """Import the shipped communes with ``import_communes`` unless every département of the
    files already has its communes. Returns a French summary line."""
    files = shipped_communes_files(departements)
    if not files:
        raise FileNotFoundError(f"Aucun fichier de communes dans {COMMUNES_DIR}")
    codes = {DEPARTEMENT_FILE.match(path.name).group(1) for path in files}
    loaded = set(
        Departement.objects.filter(code__in=codes, communes__isnull=False)
        .values_list("code", flat=True)
        .distinct()
    )
    if loaded == codes:
        return f"Communes : déjà chargées ({len(codes)} départements)."
    output = StringIO()
    call_command("import_communes", *map(str, files), stdout=output)
    return f"Communes : {output.getvalue().strip()}"


def demo_taxa_codes(path: Path = TAXREF_DEMO) -> set[int]:
    """The cd_nom of the demo TAXREF file (11th column)."""
    with path.open(encoding="utf-8") as handle:
        header = next(handle).rstrip("\n").split("\t")
        column = header.index("CD_NOM")
        return {int(line.split("\t")[column]) for line in handle if line.strip()}


def taxa_load_shipped(*, path: Path = TAXREF_DEMO) -> str:
    """Import the demo TAXREF file with ``import_taxref`` unless all its taxa are there.

    On an instance with a full TAXREF the demo file is a subset: nothing is re-imported,
    so the full referential is never overwritten by the demo's partial rows."""
    codes = demo_taxa_codes(path)
    if Taxon.objects.filter(cd_nom__in=codes).count() == len(codes):
        return f"Taxons : déjà chargés ({len(codes)} taxons de démonstration)."
    output = StringIO()
    call_command("import_taxref", str(path), taxref_version="demo", stdout=output)
    return f"Taxons : {output.getvalue().strip()}"


REGIONAL_POOL = DATA_DIR / "taxa" / "hauts_de_france.csv"
REGIONAL_STATUSES = DATA_DIR / "statuses" / "hauts_de_france_statuts.csv"


def statuses_load_shipped(*, path: Path = REGIONAL_STATUSES) -> str:
    """Import the regional statuses of the demo's taxa (rarity, red list) with
    ``import_taxon_status``: an upsert of those two columns only, so running it again
    changes nothing and the other columns of a status (sensitivity…) are kept. Only the
    rows of the taxa already loaded (the demo TAXREF file; the bats of the winter counts
    come later, with their counts)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    known = set(
        Taxon.objects.filter(cd_nom__in=[int(r[0]) for r in rows[1:]]).values_list(
            "cd_nom", flat=True
        )
    )
    output = StringIO()
    with tempfile.TemporaryDirectory() as folder:
        loaded = Path(folder) / path.name
        with loaded.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, delimiter=";").writerows(
                [rows[0], *(r for r in rows[1:] if int(r[0]) in known)]
            )
        call_command("import_taxon_status", str(loaded), stdout=output)
    return f"Statuts régionaux : {output.getvalue().strip()}"


def regional_pool(path: Path = REGIONAL_POOL) -> dict[int, str]:
    """The taxa of Hauts-de-France the demo may draw (cd_nom → atlas group code), from the
    shipped regional pool (``referentiel/data/taxa/hauts_de_france.csv``)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {int(row["cd_nom"]): row["groupe"] for row in csv.DictReader(handle)}
