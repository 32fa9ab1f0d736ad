"""The one workbook writer (cpie_naturaliste.core.workbooks): its guard against formulas,
its typed cells and sheet layout; then, for EACH workbook the product writes, user text
planted with formulas (``=HYPERLINK(…)``, ``+cmd``, ``@SUM(1)``, ``-1+1``) comes out as
readable text and never as a formula; and a walk of the code so that no fifth writer
appears beside the core one."""

import ast
import datetime as dt
import io
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cpie_naturaliste.core.workbooks import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    FORMULA_PREFIXES,
    MAX_CELL_CHARS,
    WorkbookWriter,
    cell_value,
    guard_text,
)

ROOT = Path(__file__).resolve().parent.parent
HYPERLINK = '=HYPERLINK("http://x","y")'
PAYLOADS = [HYPERLINK, "+cmd", "@SUM(1)", "-1+1"]


def opened(source):
    """A produced workbook as a spreadsheet reads it (not read-only: cell types kept)."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    return load_workbook(source)


def assert_guarded(book, payloads=PAYLOADS) -> None:
    """No cell of any sheet is a formula nor text starting with a formula sign, and each
    planted text is still there to read, behind its apostrophe."""
    texts = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                where = f"{sheet.title}!{cell.coordinate} = {cell.value!r}"
                assert cell.data_type != "f", where
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_PREFIXES), where
                    texts.add(cell.value)
    for payload in payloads:
        assert "'" + payload in texts, f"{payload!r} absent des cellules"


# The guard and the typed cells ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [HYPERLINK, "+33 6 12 34 56 78", "-1+1", "@SUM(1)", "\tcmd", "\rcmd", "\ncmd"],
)
def test_every_formula_sign_gets_an_apostrophe(text):
    assert guard_text(text) == "'" + text
    assert cell_value(text) == "'" + text


def test_nul_first_is_guarded_and_made_writable():
    # NUL cannot be stored in XML: replaced, after the apostrophe was put in front.
    assert guard_text("\0=1+1") == "'\ufffd=1+1"


def test_plain_text_is_untouched_and_the_guard_is_idempotent():
    for text in ["Mare du terril 74", "2020-05-12", "Œdicnème criard", "", "a=b"]:
        assert guard_text(text) == text
    assert guard_text(guard_text("=1+1")) == "'=1+1"


def test_control_characters_do_not_break_the_file_and_long_text_is_cut():
    assert guard_text("note\x0bcollée\x1b") == "note\ufffdcollée\ufffd"
    long = guard_text("x" * (MAX_CELL_CHARS + 10))
    assert len(long) == MAX_CELL_CHARS and long.endswith("…")


@pytest.mark.parametrize("number", [-2.5, -1, 0, 3, Decimal("-3.50"), 1e-9])
def test_numbers_stay_numbers(number):
    assert cell_value(number) == number and type(cell_value(number)) is type(number)


def test_other_values_are_typed_or_text():
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    assert cell_value(True) is True and cell_value(None) is None
    assert cell_value(float("nan")) is None and cell_value(float("inf")) is None
    assert cell_value(dt.date(2020, 5, 12)) == dt.date(2020, 5, 12)
    # Excel has no time zone: an aware datetime is written in Paris time.
    utc = dt.datetime(2020, 5, 12, 6, 30, tzinfo=dt.UTC)
    assert cell_value(utc) == dt.datetime(2020, 5, 12, 8, 30)
    assert cell_value(dt.time(6, 30, tzinfo=paris)) == dt.time(6, 30)
    assert cell_value(["=A1", "b"]) == "'=A1, b"
    assert cell_value(Path("=x")) == "'=x"


def test_a_sheet_has_a_bold_frozen_filtered_header_typed_cells_and_widths():
    book = WorkbookWriter()
    book.sheet(
        "Relevés",
        ["Site", "Date", "Heure", "Nombre", "Vu", "Commentaire"],
        [
            [
                "Mare du terril 74",
                dt.date(2020, 5, 12),
                dt.datetime(2020, 5, 12, 6, 30),
                -2.5,
                True,
                HYPERLINK,
            ],
            ["Marais", None, None, 12, False, "+cmd"],
        ],
    )
    sheet = opened(book.getvalue())["Relevés"]
    header = sheet[1]
    assert [c.value for c in header] == [
        "Site",
        "Date",
        "Heure",
        "Nombre",
        "Vu",
        "Commentaire",
    ]
    assert all(c.font.bold for c in header)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F3"
    date, when, number, seen = sheet["B2"], sheet["C2"], sheet["D2"], sheet["E2"]
    assert date.is_date and date.value == dt.datetime(2020, 5, 12)
    assert date.number_format == DATE_FORMAT
    assert when.is_date and when.number_format == DATETIME_FORMAT
    assert (number.data_type, number.value) == ("n", -2.5)
    assert (seen.data_type, seen.value) == ("b", True)
    assert sheet["F2"].value == "'" + HYPERLINK and sheet["F2"].data_type == "s"
    assert sheet.column_dimensions["A"].width == len("Mare du terril 74") + 2
    assert sheet.column_dimensions["E"].width == 8  # the minimum


def test_a_heading_puts_the_header_on_line_three():
    book = WorkbookWriter()
    book.sheet("Bilan", ["Indicateur", "2020"], [["Données", 5]], heading="=Bilan")
    sheet = opened(book.getvalue())["Bilan"]
    assert sheet["A1"].value == "'=Bilan" and sheet["A1"].font.bold
    assert [c.value for c in sheet[3]] == ["Indicateur", "2020"]
    assert sheet.freeze_panes == "A4" and sheet.auto_filter.ref == "A3:B4"


def test_streamed_rows_are_never_held_and_keep_the_guard():
    """An iterator is written row by row (a generator over a cursor for the extracts)."""
    seen = []

    def rows():
        for n in range(1000):
            seen.append(n)
            yield (n, f"={n}+1", -n)

    book = WorkbookWriter()
    assert book.sheet("observations", ["n", "texte", "moins"], rows()) == 1000
    sheet = opened(book.getvalue())["observations"]
    assert sheet.max_row == 1001 and sheet["B3"].value == "'=1+1"
    assert sheet["C3"].value == -1
    assert sheet.column_dimensions["B"].width == 8  # from the header only


def test_a_workbook_without_a_sheet_is_refused():
    with pytest.raises(ValueError):
        WorkbookWriter().getvalue()


# Every workbook of the product, with formulas planted in its user text --------------


@pytest.mark.django_db
def test_annual_report_finds_sheet_keeps_formulas_as_text(
    client, coordinateur_user, organisation, tmp_path
):
    """A coordinator's comment on a find, the find's site and its taxon's French name go
    into the annual report's "Découvertes" sheet (and the site into no other cell as a
    formula)."""
    from indicateurs.report import report_write
    from indicateurs.services import indicators_for_year
    from indicateurs.summary import presence_summary_refresh
    from tests.factories.observations import OccurrenceFactory
    from tests.factories.referentiel import (
        CommuneFactory,
        DatasetFactory,
        SiteFactory,
        TaxonFactory,
    )

    CommuneFactory()
    dataset = DatasetFactory(producer=organisation)
    finds = [
        OccurrenceFactory(
            taxon=TaxonFactory(scientific_name=name, vernacular_name=vernacular),
            dataset=dataset,
            site=SiteFactory(name=site),
            date_start=dt.date(2020, 5, 10 + n),
            validation_status=1,
            observation_status="Pr",
        )
        for n, (name, vernacular, site) in enumerate(
            [
                ("Calliptamus italicus", "@SUM(1)", "+cmd"),
                ("Rostraria cristata", "Rostraire", "Mare du terril 74"),
            ]
        )
    ]
    presence_summary_refresh()
    client.force_login(coordinateur_user)
    for find, comment in zip(finds, [HYPERLINK, "-1+1"], strict=True):
        response = client.post(
            f"/indicateurs/2020/decouvertes/{find.uuid}/",
            {"status": "confirmee", "in_report": "on", "comment": comment},
        )
        assert response.status_code == 302
    out = report_write(
        indicators_for_year(2020, coordinateur_user), tmp_path / "bilan.xlsx"
    )
    book = opened(out)
    assert_guarded(book)
    rows = list(book["Découvertes"].iter_rows(min_row=4, values_only=True))
    assert [(r[1], r[2], r[4], r[6], r[8]) for r in rows] == [
        ("Calliptamus italicus", "'@SUM(1)", dt.datetime(2020, 5, 10), "'+cmd", "'" + HYPERLINK),
        ("Rostraria cristata", "Rostraire", dt.datetime(2020, 5, 11), "Mare du terril 74", "'-1+1"),
    ]  # fmt: skip
    assert book["Découvertes"]["E4"].number_format == DATE_FORMAT


@pytest.mark.django_db
def test_count_season_workbook_keeps_site_names_and_codes_as_text(
    client, saisie_user, organisation
):
    from tests.factories.counts import (
        CountProgrammeFactory,
        CountSiteFactory,
        bat_taxa,
        seasons_create,
    )
    from tests.factories.referentiel import DatasetFactory

    programme = CountProgrammeFactory(
        dataset=DatasetFactory(producer=organisation, is_public=False)
    )
    programme.taxa.set(bat_taxa())
    sites = [
        CountSiteFactory(programme=programme, code="-1+1", site__name=HYPERLINK),
        CountSiteFactory(programme=programme, code="@SUM(1)", site__name="+cmd"),
    ]
    seasons_create(
        programme=programme, sites=sites, user=saisie_user, first=2020, last=2020
    )
    client.force_login(saisie_user)
    response = client.get(
        reverse(
            "observations:count_season_xlsx",
            args=[programme.programme.code, 2020],
        )
    )
    assert response.status_code == 200
    book = opened(response.content)
    assert_guarded(book)
    sheet = book["Saison 2020"]
    lines = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert lines["'" + HYPERLINK][1] == "'-1+1"
    assert lines["'" + HYPERLINK][3] == dt.datetime(2020, 1, 20)  # a real date
    assert sheet["D2"].number_format == DATE_FORMAT
    assert isinstance(lines["Total"][5], int)  # counts stay numbers


@pytest.mark.django_db
def test_ringing_report_keeps_site_station_and_programme_names_as_text(
    client, saisie_user, organisation
):
    from baguage.models import RingingProgramme
    from tests.factories.baguage import (
        BirdTaxonFactory,
        CaptureFactory,
        RingerFactory,
        RingingProgrammeFactory,
        SessionFactory,
        StationFactory,
    )
    from tests.factories.referentiel import (
        DatasetFactory,
        PersonFactory,
        ProgrammeFactory,
    )

    stoc = RingingProgrammeFactory(
        programme=ProgrammeFactory(code="STOC-X", name="+cmd"),
        kind=RingingProgramme.Kind.STOC,
    )
    dataset = DatasetFactory(producer=organisation, is_public=False)
    ringer = RingerFactory(person=PersonFactory(organisation=organisation))
    reed = BirdTaxonFactory(cd_nom=4195, scientific_name="Acrocephalus scirpaceus")
    for station, site in [("@SUM(1)", HYPERLINK), ("Wingles", "-1+1")]:
        session = SessionFactory(
            station=StationFactory(name=station, site__name=site),
            programme=stoc,
            dataset=dataset,
            date=dt.date(2020, 6, 14),
            ringers=[ringer],
        )
        CaptureFactory(session=session, taxon=reed, ring_number=f"{station[:3]}001")
    client.force_login(saisie_user)
    response = client.get(
        reverse("baguage:bilan_xlsx", kwargs={"year": 2020, "filename_year": 2020})
    )
    assert response.status_code == 200
    book = opened(response.content)
    assert_guarded(book)
    sessions = list(book["Sessions"].iter_rows(min_row=2, values_only=True))
    assert {(r[0], r[1], r[2]) for r in sessions} == {
        (dt.datetime(2020, 6, 14), "'" + HYPERLINK, "'+cmd"),
        (dt.datetime(2020, 6, 14), "'-1+1", "'+cmd"),
    }
    assert book["Sessions"]["A2"].number_format == DATE_FORMAT
    stations = {r[0] for r in book["STOC"].iter_rows(min_row=2, values_only=True)}
    assert "'@SUM(1)" in stations


@pytest.mark.django_db
def test_extract_workbook_keeps_free_text_as_text(coordinateur_user, organisation):
    from observations.exports.extracts import extract_create, extract_path, extract_run
    from tests.factories.observations import OccurrenceFactory
    from tests.factories.referentiel import CommuneFactory, DatasetFactory

    CommuneFactory()
    OccurrenceFactory(
        dataset=DatasetFactory(producer=organisation, is_public=False),
        comment=HYPERLINK,
        place_name="+cmd",
        cited_name="@SUM(1)",
        proof_text="-1+1",
        count_min=2,
        count_max=3,
    )
    extract = extract_run(
        extract_create(
            user=coordinateur_user,
            recipient=organisation,
            filters={},
            area=None,
            formats=["xlsx"],
        ).pk
    )
    assert extract.status == "done", extract.error
    book = opened(extract_path(extract))
    assert_guarded(book)
    header, row = book["observations"].iter_rows(values_only=True)
    line = dict(zip(header, row, strict=True))
    assert (line["commentaire"], line["nomLieu"], line["nomCite"]) == (
        "'" + HYPERLINK,
        "'+cmd",
        "'@SUM(1)",
    )
    assert (line["denombrementMin"], line["denombrementMax"]) == (2, 3)


# No fifth writer ------------------------------------------------------------------------

WRITER = "cpie_naturaliste/core/workbooks.py"
# Each module that builds a workbook, and the test above that plants formulas in it.
WORKBOOKS = {
    "indicateurs/report.py": test_annual_report_finds_sheet_keeps_formulas_as_text,
    "observations/views/counts.py": test_count_season_workbook_keeps_site_names_and_codes_as_text,
    "baguage/views/reports.py": test_ringing_report_keeps_site_station_and_programme_names_as_text,
    "observations/exports/writers.py": test_extract_workbook_keeps_free_text_as_text,
}  # fmt: skip
# openpyxl outside the core writer: reading only (load_workbook with read_only=True).
OPENPYXL_READING = {"load_workbook", "DEFUSEDXML"}
WRITING_LIBRARIES = {"xlsxwriter", "pyexcel", "pyexcel_xlsx", "xlwt", "odf", "pandas"}


def product_modules():
    skipped = {".venv", "tests", "node_modules", "static", "templates", "backups"}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if not (set(relative.parts) & skipped or relative.parts[0].startswith(".")):
            yield relative


def writing_uses(source: str) -> list[str]:
    """What in a module writes a spreadsheet other than through the core writer: an
    openpyxl name other than ``load_workbook`` (Workbook, WriteOnlyCell, styles…), a
    ``load_workbook`` that is not read-only (it could be saved), a writing library."""
    tree = ast.parse(source)
    aliases = set()  # names bound to the openpyxl module
    loaders = {"load_workbook"}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                root = alias.name.split(".")[0]
                if root in WRITING_LIBRARIES:
                    found.append(f"import {alias.name}")
                elif alias.name == "openpyxl":
                    aliases.add(alias.asname or "openpyxl")
                elif root == "openpyxl":
                    found.append(f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            root = node.module.split(".")[0]
            if root in WRITING_LIBRARIES:
                found.append(f"from {node.module} import …")
            elif root == "openpyxl":
                for alias in node.names:
                    if node.module != "openpyxl" or alias.name != "load_workbook":
                        found.append(f"from {node.module} import {alias.name}")
                    else:
                        loaders.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and node.attr not in OPENPYXL_READING
        ):
            found.append(f"{node.value.id}.{node.attr}")
        if isinstance(node, ast.Call):
            function = node.func
            name = (
                function.id
                if isinstance(function, ast.Name)
                else function.attr
                if isinstance(function, ast.Attribute)
                and isinstance(function.value, ast.Name)
                and function.value.id in aliases
                else None
            )
            if name in loaders or (name == "load_workbook" and aliases):
                read_only = [k for k in node.keywords if k.arg == "read_only"]
                if not (
                    read_only
                    and isinstance(read_only[0].value, ast.Constant)
                    and read_only[0].value.value is True
                ):
                    found.append(f"{name}(…) sans read_only=True")
    return found


def test_no_module_but_the_core_writer_writes_a_workbook():
    wrong = []
    for path in product_modules():
        if str(path) == WRITER:
            continue
        for use in writing_uses((ROOT / path).read_text()):
            wrong.append(f"{path}: {use}")
    assert not wrong, "\n".join(wrong)


def test_every_workbook_of_the_product_has_its_formula_test():
    """A module that builds a workbook through the core writer is listed in WORKBOOKS,
    with the test that plants formulas in the user text it writes."""
    builders = set()
    for path in product_modules():
        if str(path) == WRITER:
            continue
        tree = ast.parse((ROOT / path).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (
                getattr(node.func, "id", None) == "WorkbookWriter"
                or getattr(node.func, "attr", None) == "WorkbookWriter"
            ):
                builders.add(str(path))
    assert builders == set(WORKBOOKS)


@pytest.mark.parametrize(
    "source",
    [
        "from openpyxl import Workbook\n",
        "import openpyxl\nopenpyxl.Workbook()\n",
        "import openpyxl as xl\nbook = xl.Workbook(write_only=True)\n",
        "from openpyxl.workbook import Workbook\n",
        "from openpyxl.cell import WriteOnlyCell\n",
        "from openpyxl import load_workbook\nload_workbook('a.xlsx').save('b.xlsx')\n",
        "import openpyxl\nopenpyxl.load_workbook('a.xlsx', read_only=False)\n",
        "import xlsxwriter\n",
        "from pandas import DataFrame\n",
    ],
)
def test_the_walker_sees_a_fifth_writer(source):
    assert writing_uses(source)


def test_the_walker_lets_the_importer_read():
    source = (
        "import openpyxl\nif not openpyxl.DEFUSEDXML:\n    raise ImportError\n"
        "book = openpyxl.load_workbook(path, read_only=True, data_only=False)\n"
    )
    assert writing_uses(source) == []
