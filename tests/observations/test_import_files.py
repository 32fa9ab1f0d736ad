"""Reading files: CSV encodings and delimiters, broken quoting, geometry columns, and hostile
XLSX workbooks (not a zip, zip bombs, too many entries, formulas, XML entities)."""

import datetime as dt
import zipfile

import openpyxl
import pytest
from defusedxml import DefusedXmlException
from django.core.files import File
from django.core.files.base import ContentFile

from observations.imports import ImportRefused, import_batch_create, table_inspect
from observations.models import ImportBatch, Occurrence
from tests.factories.referentiel import LOOS_X, LOOS_Y
from tests.observations.imports_support import (
    LAT,
    LON,
    SINP_HEADER,
    dataset_create,
    good_rows,
    referential_create,
    rewrite_zip,
    run_import,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db
BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    b"</sheetData></worksheet>"
)


@pytest.fixture
def referential(db):
    return referential_create()


@pytest.fixture
def dataset(saisie_user):
    return dataset_create(saisie_user)


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8-sig", ";"), ("cp1252", ";"), ("utf-8", ","), ("utf-8", "\t")],
)
def test_csv_encodings_and_delimiters(
    tmp_path, saisie_user, dataset, referential, encoding, delimiter
):
    path = write_csv(
        tmp_path / "releves.csv",
        SINP_HEADER,
        good_rows(),
        delimiter=delimiter,
        encoding=encoding,
    )
    batch = run_import(path, user=saisie_user, dataset=dataset)
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    assert batch.created_count == 4
    assert Occurrence.objects.filter(comment="Près de l'étang").exists()
    assert Occurrence.objects.filter(observers_label="MARTIN Léa").exists()


def test_headers_match_without_case_or_accents(
    tmp_path, saisie_user, dataset, referential
):
    header = ["CD_NOM", "Date_Debut", "Observateur", "LONGITUDE", "Latitude"]
    rows = [[3676, "2020-05-12", "X", LON, LAT]]
    batch = run_import(
        write_csv(tmp_path / "a.csv", header, rows), user=saisie_user, dataset=dataset
    )
    assert batch.status == ImportBatch.Status.DONE, batch.errors


def test_mixed_encodings_are_refused(tmp_path):
    path = tmp_path / "mixte.csv"
    path.write_bytes(
        "cdNom;observateur\n1;Léa\n".encode() + "2;Hélène\n".encode("cp1252")
    )
    with pytest.raises(ImportRefused, match="mélangé") as refused:
        table_inspect(path=path, filename="mixte.csv")
    assert refused.value.line == 3


def test_broken_quoting_is_refused_with_its_line(
    tmp_path, saisie_user, dataset, referential
):
    path = write_csv(tmp_path / "a.csv", SINP_HEADER, good_rows())
    text = path.read_text() + '3676;"Alauda" x;2020-05-12;X;2.8;50.4;;;;\n'
    path.write_text(text)
    batch = run_import(path, user=saisie_user, dataset=dataset)
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.errors[0]["line"] == 6
    assert "Guillemets" in batch.errors[0]["message"]
    path.write_text(path.read_text().replace('"Alauda" x', '"Alauda'))
    batch = run_import(path, user=saisie_user, dataset=dataset)
    assert batch.errors[0]["line"] == 6
    assert "jamais refermé" in batch.errors[0]["message"]
    assert not Occurrence.objects.exists()


@pytest.mark.parametrize(
    ("header", "location", "mapping_srid"),
    [
        (["geometrie"], [f"POINT({LON} {LAT})"], None),
        (["geometrie"], [f"SRID=2154;POINT({LOOS_X + 50} {LOOS_Y + 50})"], None),
        (["x", "y"], [LOOS_X + 50, LOOS_Y + 50], None),
        (["longitude", "latitude"], [str(LON).replace(".", ","), LAT], None),
        (["geometrie"], [f"POINT({LOOS_X + 50} {LOOS_Y + 50})"], 2154),
    ],
)
def test_sinp_geometry_columns(
    tmp_path, saisie_user, dataset, referential, header, location, mapping_srid
):
    columns = ["cdNom", "dateDebut", "observateur", *header]
    path = write_csv(tmp_path / "a.csv", columns, [[351, "2020-05-12", "X", *location]])
    mapping = None
    if mapping_srid:
        mapping = {"columns": {c: c for c in columns}, "srid": mapping_srid}
    batch = run_import(path, user=saisie_user, dataset=dataset, mapping=mapping)
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    occurrence = Occurrence.objects.get()
    assert occurrence.geom.srid == 2154
    assert occurrence.communes == ["62528"]
    assert (
        abs(occurrence.geom.x - LOOS_X) < 200 and abs(occurrence.geom.y - LOOS_Y) < 200
    )


def test_polygon_wkt_and_bad_wkt(tmp_path, saisie_user, dataset, referential):
    square = (
        f"POLYGON(({LON} {LAT}, {LON + 0.001} {LAT}, {LON + 0.001} {LAT + 0.001},"
        f" {LON} {LAT + 0.001}, {LON} {LAT}))"
    )
    rows = [
        [351, "2020-05-12", "X", square],
        [351, "2020-05-12", "X", "POINT(2.8)"],
        [351, "2020-05-12", "X", f"POLYGON(({LON} {LAT}, {LON + 1} {LAT + 1}))"],
        [351, "2020-05-12", "X", f"POINT({LOOS_X} {LOOS_Y})"],
    ]
    header = ["cdNom", "dateDebut", "observateur", "geometrie"]
    batch = run_import(
        write_csv(tmp_path / "a.csv", header, rows), user=saisie_user, dataset=dataset
    )
    assert [(e["line"], e["column"]) for e in batch.errors] == [
        (3, "geometrie"),
        (4, "geometrie"),
        (5, "geometrie"),
    ]
    assert "WKT invalide" in batch.errors[0]["message"]
    assert "Lambert-93" in batch.errors[2]["message"]
    batch = run_import(
        write_csv(tmp_path / "b.csv", header, rows[:1]),
        user=saisie_user,
        dataset=dataset,
    )
    assert Occurrence.objects.get().geom.geom_type == "Polygon"


def _xlsx(tmp_path, rows=None):
    return write_xlsx(tmp_path / "releves.xlsx", SINP_HEADER, rows or good_rows())


def _refused(path, user, dataset, match):
    with path.open("rb") as handle, pytest.raises(ImportRefused, match=match) as error:
        import_batch_create(
            user=user, dataset=dataset, file=File(handle), filename=path.name
        )
    assert not ImportBatch.objects.exists()
    return error.value


def test_xlsx_imports(tmp_path, saisie_user, dataset, referential):
    batch = run_import(_xlsx(tmp_path), user=saisie_user, dataset=dataset)
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    assert batch.created_count == 4


def test_not_really_xlsx(tmp_path, saisie_user, dataset):
    path = tmp_path / "faux.xlsx"
    path.write_text("cdNom;dateDebut\n1;2020-01-01\n")
    _refused(path, saisie_user, dataset, "pas un classeur XLSX")
    other = tmp_path / "autre.xlsx"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    _refused(other, saisie_user, dataset, "pas un classeur XLSX")


def test_zip_bomb_by_ratio(tmp_path, saisie_user, dataset):
    path = rewrite_zip(
        _xlsx(tmp_path),
        tmp_path / "bombe.xlsx",
        {},
        [("xl/media/zeros.bin", bytes(20 << 20))],
    )
    _refused(path, saisie_user, dataset, "bombe de décompression")


def test_zip_bomb_by_declared_size(tmp_path, saisie_user, dataset):
    path = _xlsx(tmp_path)
    data = bytearray(path.read_bytes())
    # Declare 3.9 GB for the first entry in the central directory (uncompressed size).
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = (0xE8000000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    _refused(path, saisie_user, dataset, "décompressé")


def test_too_many_entries(tmp_path, saisie_user, dataset, settings):
    settings.IMPORT_XLSX_MAX_ENTRIES = 30
    extra = [(f"xl/media/image{i}.png", b"x") for i in range(30)]
    path = rewrite_zip(_xlsx(tmp_path), tmp_path / "many.xlsx", {}, extra)
    _refused(path, saisie_user, dataset, "éléments dans l'archive")


def test_formula_cells_are_refused_with_line_and_column(
    tmp_path, saisie_user, dataset, referential
):
    rows = good_rows()
    rows[1][6] = "=1+1"
    rows[2][0] = "=3600+76"
    batch = run_import(_xlsx(tmp_path, rows), user=saisie_user, dataset=dataset)
    assert batch.status == ImportBatch.Status.INVALID
    formulas = [
        (e["line"], e["column"]) for e in batch.errors if "formule" in e["message"]
    ]
    assert formulas == [(3, "denombrementMin"), (4, "cdNom")]
    assert not Occurrence.objects.exists()


def test_xml_entities_are_refused(tmp_path, saisie_user, dataset):
    source = _xlsx(tmp_path)
    path = rewrite_zip(
        source, tmp_path / "lol.xlsx", {"xl/worksheets/sheet1.xml": BILLION_LAUGHS}
    )
    _refused(path, saisie_user, dataset, "entités XML")
    # Without our own check, openpyxl (through defusedxml) refuses the file as well.
    with pytest.raises(ValueError) as error:
        openpyxl.load_workbook(path, read_only=True)
    assert isinstance(error.value.__cause__, DefusedXmlException)


def test_oversized_file_is_refused(tmp_path, saisie_user, dataset, settings):
    settings.IMPORT_MAX_BYTES = 1000
    content = ContentFile(b"cdNom;dateDebut\n" + b"1;2020-01-01\n" * 200, name="a.csv")
    with pytest.raises(ImportRefused, match="trop volumineux"):
        import_batch_create(
            user=saisie_user, dataset=dataset, file=content, filename="a.csv"
        )


def test_xls_and_unknown_formats_are_refused(tmp_path, saisie_user, dataset):
    path = tmp_path / "vieux.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    _refused(path, saisie_user, dataset, "97-2003")
    pdf = tmp_path / "releves.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    _refused(pdf, saisie_user, dataset, "non pris en charge")


def test_xlsx_typed_cells(tmp_path, saisie_user, dataset, referential):
    header = ["cdNom", "dateDebut", "heureDebut", "observateur", "longitude"]
    header += ["latitude", "occSexe", "occStadeDeVie", "idOrigine", "statutObservation"]
    rows = [
        [3676.0, dt.datetime(2020, 5, 12, 8, 30), dt.time(8, 30), "X", LON, LAT]
        + [2.0, "Adulte", 1234.0, "Présent"],
        [351, dt.date(2021, 4, 1), "21h15", "X", LON, LAT, 3, "têtard", "A-7", "No"],
    ]
    batch = run_import(
        write_xlsx(tmp_path / "a.xlsx", header, rows), user=saisie_user, dataset=dataset
    )
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    lark = Occurrence.objects.get(taxon_id=3676)
    assert (lark.sex, lark.life_stage, lark.source_key) == ("2", "2", "origine:1234")
    assert lark.date_start == dt.date(2020, 5, 12) and lark.time_start == dt.time(8, 30)
    frog = Occurrence.objects.get(taxon_id=351)
    assert (frog.life_stage, frog.observation_status) == ("8", "No")
    assert (frog.count_min, frog.count_max) == (0, 0)  # an absence counts nothing
    assert frog.time_start == dt.time(21, 15)
    rows[1][2] = "22:00"  # same origin id: the row is updated, not duplicated
    batch = run_import(
        write_xlsx(tmp_path / "b.xlsx", header, rows), user=saisie_user, dataset=dataset
    )
    assert (batch.created_count, batch.updated_count) == (0, 1)
    assert Occurrence.objects.get(taxon_id=351).time_start == dt.time(22, 0)


def test_huge_csv_cell_is_refused(tmp_path, saisie_user, dataset, referential):
    rows = good_rows()
    rows[2][9] = "x" * 200_000
    batch = run_import(
        write_csv(tmp_path / "a.csv", SINP_HEADER, rows),
        user=saisie_user,
        dataset=dataset,
    )
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.errors == [
        {"line": 4, "column": "", "message": batch.errors[0]["message"]}
    ]
    assert "Cellule trop grande" in batch.errors[0]["message"]
