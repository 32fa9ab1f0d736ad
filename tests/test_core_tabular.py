"""The core tabular layer on its own: spreadsheet times and durations, the two error texts
(pages and reference files), and the UTF-8-only reading of reference files."""

import datetime as dt
from decimal import Decimal

import pytest

from cpie_naturaliste.core.tabular.cells import (
    CellError,
    header_key,
    parse_bounded_int,
    parse_date,
    parse_duration,
    parse_sheet_time,
    parse_time,
    positive_decimal,
)
from cpie_naturaliste.core.tabular.csv_table import CsvTable
from cpie_naturaliste.core.tabular.errors import (
    ErrorLog,
    ImportFileError,
    ImportRefused,
    error_text,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.25, dt.time(6, 0)),  # an Excel time: a fraction of a day
        ("0630", dt.time(6, 30)),
        (630, dt.time(6, 30)),  # the leading zero a spreadsheet dropped
        ("6h30", dt.time(6, 30)),
        (dt.time(7, 15), dt.time(7, 15)),
    ],
)
def test_sheet_times(value, expected):
    assert parse_sheet_time(value) == expected


def test_a_plain_time_column_does_not_read_day_fractions():
    with pytest.raises(CellError, match="heure invalide « 0.25 »"):
        parse_time(0.25)
    with pytest.raises(CellError, match="heure invalide « 2560 »"):
        parse_sheet_time("2560")


def test_durations_and_bounded_numbers():
    assert parse_duration("5,5") == dt.timedelta(hours=5, minutes=30)
    assert parse_duration("04:15") == dt.timedelta(hours=4, minutes=15)
    with pytest.raises(CellError, match="durée « 30 » invalide"):
        parse_duration("30")
    assert positive_decimal(100)("12,34") == Decimal("12.3")
    with pytest.raises(CellError, match="valeur positive attendue"):
        positive_decimal(100)("0")
    with pytest.raises(CellError, match="hors de l'intervalle 0–3"):
        parse_bounded_int("4", 0, 3)
    assert header_key("Thème (session)") == header_key("THEME_SESSION")


def test_error_texts_for_pages_and_for_reference_files():
    error = {"line": 3, "column": "cd_nom", "message": "taxon 1 inconnu."}
    assert error_text(error) == "Ligne 3, colonne « cd_nom » : taxon 1 inconnu."
    assert (
        error_text(error, file="statuts.csv")
        == "« statuts.csv », ligne 3, colonne cd_nom : taxon 1 inconnu."
    )
    log = ErrorLog(limit=1)
    log.add(4, "", "5 colonnes au lieu de 8.")
    log.note("« a.geojson », entité n° 2 : géométrie vide.")
    with pytest.raises(ImportFileError) as raised:
        log.raise_if_any(file="statuts.csv")
    assert raised.value.errors == [
        "« statuts.csv », ligne 4 : 5 colonnes au lieu de 8."
    ]
    assert raised.value.total == 2
    assert "1 autre(s) erreur(s) non affichée(s)" in raised.value.message


def test_reference_files_are_utf8_only(tmp_path):
    path = tmp_path / "statuts.csv"
    path.write_bytes("cd_nom;protection\n4117;Arrêté\n".encode("cp1252"))
    with pytest.raises(ImportRefused) as raised:
        CsvTable(path, utf8_only=True)
    assert (raised.value.line, raised.value.message) == (
        2,
        "encodage invalide (UTF-8 attendu).",
    )
    table = CsvTable(path)  # an occurrence file: Windows-1252 is read
    try:
        assert (table.encoding, table.headers) == ("cp1252", ["cd_nom", "protection"])
        assert list(table.rows()) == [(2, ["4117", "Arrêté"])]
    finally:
        table.close()


@pytest.mark.parametrize(
    "value",
    [
        "2017-01-08",
        "2017/01/08",
        "08/01/2017",
        "8/1/2017",
        "08-01-2017",
        "08.01.2017",
        "20170108",
        "2017-01-08T10:30:00",
        "2017-01-08T10:30:00Z",
        "2017-01-08T23:30:00+02:00",  # the day written, not the UTC day
        "2017-01-08 10:15:42.123456",  # GeoNature's date_creation
        " 2017/01/08 ",
        42743,  # an Excel serial date (a number cell not formatted as a date)
        42743.75,  # with a time of day
        "42743",  # the same, saved as text
        dt.datetime(2017, 1, 8, 10, 30),  # an XLSX date cell
        dt.date(2017, 1, 8),
    ],
)
def test_dates_real_files_carry(value):
    assert parse_date(value) == dt.date(2017, 1, 8)


@pytest.mark.parametrize(
    "value",
    ["2017-13-01", "31/02/2017", "2017/02/30", "12/2017", "08/01/17", 0, 200000],
)
def test_impossible_or_ambiguous_dates_are_refused(value):
    with pytest.raises(CellError, match="date invalide"):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("08:30:00", dt.time(8, 30)),
        ("08:30:00.000000", dt.time(8, 30)),
        ("2017-01-08T08:30:00+01:00", dt.time(8, 30)),
        ("2017-01-08 08:30:12.5", dt.time(8, 30, 12)),
    ],
)
def test_times_real_files_carry(value, expected):
    assert parse_sheet_time(value) == expected
