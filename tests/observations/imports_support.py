"""Helpers of the import tests: small CSV/XLSX files, the referential they need, one import."""

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
from django.contrib.gis.geos import Point
from django.core.files import File

from observations.imports import import_batch_create, import_batch_process
from observations.models import ImportBatch
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    TaxonFactory,
)

SINP_HEADER = ["cdNom", "nomCite", "dateDebut", "observateur", "longitude", "latitude"]
SINP_HEADER += ["denombrementMin", "denombrementMax", "occSexe", "commentaire"]


def lonlat(dx: float = 100, dy: float = 100) -> tuple[float, float]:
    """WGS84 degrees of a point near the Loos-en-Gohelle test commune."""
    point = Point(LOOS_X + dx, LOOS_Y + dy, srid=2154).transform(4326, clone=True)
    return round(point.x, 6), round(point.y, 6)


LON, LAT = lonlat()


def good_rows() -> list[list]:
    return [
        [
            3676,
            "Alauda arvensis",
            "2020-05-12",
            "DUPONT Lise",
            LON,
            LAT,
            2,
            3,
            "3",
            "Chant",
        ],
        [351, "", "13/05/2020", "MARTIN Léa", LON, LAT, 1, 1, "", "Près de l'étang"],
        [3676, "", "2021-04-01", "DUPONT Lise", LON, LAT, "", "", "", ""],
        [351, "", "2021-04-02", "DUPONT Lise", LON, LAT, 5, 8, "2", "ponte; têtards"],
    ]


def write_csv(path: Path, header, rows, *, delimiter=";", encoding="utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, header, rows) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def rewrite_zip(
    source: Path, target: Path, replace: dict[str, bytes], extra=()
) -> Path:
    """Copy an XLSX replacing some parts and adding ``extra`` (name, bytes) entries."""
    with (
        zipfile.ZipFile(source) as old,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new,
    ):
        for info in old.infolist():
            new.writestr(info.filename, replace.get(info.filename, old.read(info)))
        for name, data in extra:
            new.writestr(name, data)
    return target


def run_import(path: Path, *, user, dataset, mapping=None, dry_run=False, mode="tout"):
    """Create and process a batch synchronously, as the command does."""
    with path.open("rb") as handle:
        batch = import_batch_create(
            user=user,
            dataset=dataset,
            file=File(handle, name=path.name),
            filename=path.name,
            mapping=mapping,
            dry_run=dry_run,
            mode=mode,
        )
    if not batch.mapping.get("columns"):
        return batch
    import_batch_process(batch_id=batch.pk)
    return ImportBatch.objects.get(pk=batch.pk)


def referential_create() -> dict:
    """A commune around the test points and two taxa (lark 3676, common frog 351)."""
    commune = CommuneFactory()
    lark = TaxonFactory(
        cd_nom=3676, scientific_name="Alauda arvensis", class_name="Aves"
    )
    frog = TaxonFactory(cd_nom=351, scientific_name="Rana temporaria")
    return {"commune": commune, "lark": lark, "frog": frog}


def dataset_create(user):
    return DatasetFactory(producer=user.organisation, title="Inventaire Loos")
