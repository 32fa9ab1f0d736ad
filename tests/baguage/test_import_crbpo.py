"""CRBPO season import: check every row, then all or nothing; no duplicate on re-import."""

import csv
import datetime as dt
import io
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from baguage.imports import CrbpoImportResult, crbpo_import
from baguage.models import (
    Capture,
    Session,
)
from observations.models import Occurrence
from tests.factories.referentiel import DatasetFactory

HEADER = [
    "ACTION",
    "CENTRE",
    "BAGUE",
    "DATE",
    "HEURE",
    "ESPECE",
    "SEXE",
    "AGE",
    "FS",
    "HS",
    "DS",
    "NF",
    "LP",
    "MA",
    "COND REPR",
    "CIRC REPR",
    "LOCALITE",
    "LIEUDIT",
    "THEME (SESSION)",
    "BAGUEUR",
]
COLUMN = {name: index for index, name in enumerate(HEADER)}


def row(**changes) -> list:
    values = {
        "ACTION": "B",
        "CENTRE": "FRP",
        "BAGUE": "8000001",
        "DATE": "18/05/2020",
        "HEURE": "07:30",
        "ESPECE": "PARMAJ",
        "SEXE": "M",
        "AGE": "+1A",
        "FS": "120",
        "HS": "06:00",
        "DS": "5",
        "NF": "10",
        "LP": "75",
        "MA": "18,5",
        "COND REPR": "",
        "CIRC REPR": "",
        "LOCALITE": "Loos-en-Gohelle",
        "LIEUDIT": "Étang de Loos",
        "THEME (SESSION)": "STOC-CAPTURE",
        "BAGUEUR": "DUPONT Lise",
    }
    values.update(changes)
    return [values[name] for name in HEADER]


def good_rows() -> list[list]:
    """Two sessions: three birds ringed on 18 May, a control and a new bird on 14 June."""
    return [
        row(BAGUE="8000001"),
        row(BAGUE="8000002", HEURE="08:00", ESPECE="ERIRUB", SEXE="I", AGE="1A"),
        row(BAGUE="8000003", HEURE="0830", SEXE="F"),
        row(
            ACTION="C",
            BAGUE="8000001",
            DATE="14/06/2020",
            HEURE="07:00",
            HS="05:30",
            DS="6",
        ),
        row(BAGUE="8000004", DATE="14/06/2020", HS="05:30", DS="6", ESPECE="ERIRUB"),
    ]


def write_csv(path: Path, rows, *, header=HEADER, delimiter=";", encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def run(path, crbpo, **kwargs) -> CrbpoImportResult:
    return crbpo_import(
        path=path, user=crbpo["user"], dataset=crbpo["dataset"], **kwargs
    )


def errors_of(result) -> list[tuple]:
    return [(e["line"], e["column"], e["message"]) for e in result.error_entries()]


def nothing_written():
    return (
        Session.objects.count(),
        Capture.objects.count(),
        Occurrence.objects.count(),
    ) == (0, 0, 0)


def test_valid_file_creates_sessions_captures_and_occurrences(crbpo, tmp_path):
    path = write_csv(tmp_path / "saison.csv", good_rows())
    result = run(path, crbpo)
    assert result.ok, errors_of(result)
    assert (result.rows, result.sessions_created, result.captures_created) == (5, 2, 5)
    assert "2 session(s) créée(s)" in result.summary()
    may, june = Session.objects.order_by("date")
    assert (may.date, may.start_time, may.end_time) == (
        dt.date(2020, 5, 18),
        dt.time(6, 0),
        dt.time(11, 0),
    )
    assert (may.nets_count, may.nets_length_m) == (10, 120)
    assert may.station == crbpo["station"]
    assert may.programme == crbpo["programme"]
    assert may.dataset == crbpo["dataset"]
    assert list(may.ringers.all()) == [crbpo["ringer"]]
    assert (june.start_time, june.end_time) == (dt.time(5, 30), dt.time(11, 30))
    first = Capture.objects.get(ring_number="8000001", action="B")
    assert (first.age, first.sex, first.time) == ("4", "M", dt.time(7, 30))
    assert (first.wing_mm, first.mass_g, first.condition, first.circumstances) == (
        75,
        18.5,
        "8",
        "20",
    )
    assert first.series == crbpo["series"]
    robin = Capture.objects.get(ring_number="8000002")
    assert (robin.age, robin.sex, robin.taxon.cd_nom) == ("3", "U", 4001)
    assert Capture.objects.get(ring_number="8000003").time == dt.time(8, 30)
    control = Capture.objects.get(action="C")
    assert control.session == june
    assert Occurrence.objects.count() == 5
    occurrence = first.occurrence
    assert occurrence.source == "baguage"
    assert occurrence.dataset == crbpo["dataset"]
    assert occurrence.date_start == dt.date(2020, 5, 18)
    assert "8000001" in occurrence.comment


SAME_FIELDS = (
    "dataset_id programme_id site_id observers_label observation_status geo_object_nature "
    "count_min count_max count_object count_type bio_condition bio_status obs_technique "
    "naturalness determination_method source_status validation_status "
    "sensitivity_level diffusion_level dee_blurring source commune_id departement_id "
    "grid_10km atlas_group_id date_start date_end created_by_id"
).split()


def test_bulk_captures_publish_the_same_occurrences_as_capture_save(crbpo, tmp_path):
    """Per session the first capture goes through capture_save, the next ones in bulk:
    their occurrences, history and captures must be the same."""
    rows = [
        row(BAGUE="8000001"),
        row(BAGUE="8000002", HEURE="08:00", SEXE="F"),
        row(BAGUE="8000003", HEURE="09:00", ESPECE="ERIRUB", AGE="PUL"),
    ]
    result = run(write_csv(tmp_path / "s.csv", rows), crbpo)
    assert result.ok, errors_of(result)
    first, second, third = Capture.objects.select_related("occurrence").order_by("line")
    assert [c.line for c in (first, second, third)] == [1, 2, 3]
    assert {c.series_id for c in (first, second, third)} == {crbpo["series"].pk}
    assert {c.ring_size for c in (first, second, third)} == {"V"}
    assert {c.created_by_id for c in (first, second, third)} == {crbpo["user"].pk}
    reference, bulk = first.occurrence, second.occurrence
    for name in SAME_FIELDS:
        assert getattr(bulk, name) == getattr(reference, name), name
    assert reference.commune_id is not None
    assert bulk.geom.equals(reference.geom)
    assert bulk.blurred_geom == reference.blurred_geom
    assert list(bulk.communes) == list(reference.communes)
    assert list(bulk.observers.all()) == list(reference.observers.all())
    assert list(bulk.observers.all()) == [crbpo["ringer"].person]
    assert (reference.sex, bulk.sex) == ("3", "2")
    assert bulk.time_start == dt.time(8, 0)
    assert bulk.comment == reference.comment.replace("8000001", "8000002")
    assert third.occurrence.taxon_id == 4001
    assert third.occurrence.life_stage != reference.life_stage
    for occurrence in (reference, bulk, third.occurrence):
        assert occurrence.changes.filter(action="create").count() == 1


def test_bad_rows_import_nothing_and_each_error_names_its_line(crbpo, tmp_path):
    future = (timezone.localdate() + dt.timedelta(days=3)).strftime("%d/%m/%Y")
    rows = [
        row(BAGUE="8000001"),  # line 2: fine
        row(BAGUE="8000002", ESPECE="PASESP"),  # 3: a CRBPO code no species has
        row(BAGUE="8.00E+06"),  # 4: scientific notation
        row(BAGUE="8000005"),  # 5: fine…
        row(BAGUE="8000005", HEURE="09:00", DATE="14/06/2020"),  # 6: ringed twice
        row(BAGUE="8000006", DATE=future),  # 7: future date
        row(BAGUE="8000007", LIEUDIT="Marais inconnu", LOCALITE=""),  # 8: station
        row(BAGUE="12345"),  # 9: too short
        row(BAGUE="8000008", HEURE=""),  # 10: missing time
        row(ACTION="", BAGUE="8000009"),  # 11: missing action
        row(BAGUE="8000010", **{"THEME (SESSION)": "INCONNU"}),  # 12: unknown programme
        row(BAGUE="8000011", BAGUEUR="MARTIN Léa"),  # 13: unknown ringer
        row(ACTION="C", BAGUE="8000001", ESPECE="ERIRUB", DATE="14/06/2020"),  # 14
        row(BAGUE="9999999"),  # 15: not in any received series
        row(BAGUE="8000012", AGE="3A"),  # 16: unknown age
    ]
    path = write_csv(tmp_path / "erreurs.csv", rows)
    result = run(path, crbpo)
    assert not result.ok
    assert nothing_written()
    errors = errors_of(result)
    by_line = {}
    for line, column, message in errors:
        by_line.setdefault(line, []).append((column, message))
    assert set(by_line) == {3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, errors
    assert by_line[3] == [("ESPECE", by_line[3][0][1])]
    assert "PASESP" in by_line[3][0][1] and "inconnu" in by_line[3][0][1]
    assert by_line[4][0][0] == "BAGUE"
    assert "notation scientifique" in by_line[4][0][1]
    assert by_line[6][0][0] == "BAGUE" and "ligne 5" in by_line[6][0][1]
    assert by_line[7][0][0] == "DATE" and "futur" in by_line[7][0][1]
    assert by_line[8][0][0] == "LIEUDIT"
    assert "station de baguage inconnue" in by_line[8][0][1]
    assert by_line[9][0][0] == "BAGUE" and "trop court" in by_line[9][0][1]
    assert by_line[10] == [("HEURE", "heure manquante.")]
    assert by_line[11][0][0] == "ACTION" and "manquante" in by_line[11][0][1]
    assert by_line[12][0][0] == "THEME (SESSION)"
    assert by_line[13][0][0] == "BAGUEUR" and "MARTIN" in by_line[13][0][1]
    assert by_line[14][0][0] == "ESPECE" and "Parus major" in by_line[14][0][1]
    assert "aucune série" in by_line[15][0][1]
    assert by_line[16][0][0] == "AGE"
    assert result.summary().startswith("Fichier refusé : ")


@pytest.mark.parametrize(
    ("bad", "column", "words"),
    [
        ({"ESPECE": "PASESP"}, "ESPECE", "inconnu"),
        ({"BAGUE": "1,23E+06"}, "BAGUE", "notation scientifique"),
        (
            {"BAGUE": "8000001", "DATE": "14/06/2020", "HS": "05:30", "DS": "6"},
            "BAGUE",
            "déjà posée (B) à la ligne 2",
        ),
        ({"DATE": "01/01/2099"}, "DATE", "futur"),
        ({"LIEUDIT": "Nulle part", "LOCALITE": ""}, "LIEUDIT", "inconnue"),
    ],
)
def test_one_bad_row_refuses_the_whole_file(crbpo, tmp_path, bad, column, words):
    rows = good_rows()
    rows.append(row(**{"BAGUE": "8000009", "HEURE": "10:00", **bad}))
    path = write_csv(tmp_path / "une-erreur.csv", rows)
    result = run(path, crbpo)
    assert nothing_written()
    [(line, found_column, message)] = errors_of(result)
    assert (line, found_column) == (7, column)
    assert words in message


def test_a_ring_already_ringed_in_the_database_is_refused(crbpo, tmp_path):
    run(write_csv(tmp_path / "a.csv", [row(BAGUE="8000001")]), crbpo)
    other_day = [row(BAGUE="8000001", DATE="14/06/2020")]
    result = run(write_csv(tmp_path / "b.csv", other_day), crbpo)
    [(line, column, message)] = errors_of(result)
    assert (line, column) == (2, "BAGUE")
    assert "déjà été posée le 18/05/2020" in message
    assert Capture.objects.count() == 1


def test_cp1252_csv_with_commas(crbpo, tmp_path):
    header = [name.replace("LOCALITE", "Localité") for name in HEADER]
    path = write_csv(
        tmp_path / "cp1252.csv",
        good_rows(),
        header=header,
        delimiter=",",
        encoding="cp1252",
    )
    assert "É".encode("cp1252") in path.read_bytes()
    result = run(path, crbpo)
    assert result.ok, errors_of(result)
    assert result.captures_created == 5
    assert Session.objects.get(date=dt.date(2020, 5, 18)).station.name == (
        "Étang de Loos"
    )


def test_xlsx_with_typed_cells(crbpo, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([name.lower() for name in HEADER])  # case is ignored
    for values in good_rows():
        values[COLUMN["BAGUE"]] = int(values[COLUMN["BAGUE"]])  # a number cell
        day, month, year = (int(p) for p in values[COLUMN["DATE"]].split("/"))
        values[COLUMN["DATE"]] = dt.datetime(year, month, day)
        values[COLUMN["HEURE"]] = dt.time(7, 15)
        values[COLUMN["MA"]] = 18.5
        sheet.append(values)
    bad = row(BAGUE="8000009")
    bad[COLUMN["BAGUE"]] = 8.0000091  # what Excel keeps of a mangled ring
    path = tmp_path / "saison.xlsx"
    book.save(path)
    result = run(path, crbpo)
    assert result.ok, errors_of(result)
    assert result.captures_created == 5
    assert Capture.objects.filter(time=dt.time(7, 15)).count() == 5
    sheet.append(bad)
    book.save(path)
    Capture.objects.all().delete()
    result = run(path, crbpo, dry_run=True)
    [(line, column, message)] = errors_of(result)
    assert (line, column) == (7, "bague")
    assert "nombre décimal" in message


def test_reimport_skips_rows_already_imported(crbpo, tmp_path):
    path = write_csv(tmp_path / "saison.csv", good_rows())
    assert run(path, crbpo).captures_created == 5
    again = run(path, crbpo)
    assert again.ok, errors_of(again)
    assert (again.captures_created, again.sessions_created, again.skipped) == (0, 0, 5)
    assert "déjà importée" in again.summary()
    assert (Session.objects.count(), Capture.objects.count()) == (2, 5)
    assert Occurrence.objects.count() == 5
    # The season file completed with one more bird: only that one is added.
    june = {"DATE": "14/06/2020", "HS": "05:30", "DS": "6"}
    rows = good_rows() + [row(BAGUE="8000005", HEURE="11:00", **june)]
    more = run(write_csv(tmp_path / "complete.csv", rows), crbpo)
    assert more.ok, errors_of(more)
    assert (more.captures_created, more.sessions_existing, more.skipped) == (1, 1, 5)
    assert Capture.objects.count() == 6


def test_dry_run_counts_without_writing(crbpo, tmp_path):
    path = write_csv(tmp_path / "saison.csv", good_rows())
    result = run(path, crbpo, dry_run=True)
    assert result.ok
    assert (result.sessions_created, result.captures_created) == (2, 5)
    assert result.summary().startswith("Essai à blanc")
    assert nothing_written()


def test_session_without_catch_and_conflicting_session_values(crbpo, tmp_path):
    rows = [
        row(ACTION="SANS", BAGUE="", ESPECE="", AGE="", HEURE="", DATE="14/06/2020"),
        row(BAGUE="8000001"),
        row(BAGUE="8000002", HS="07:00"),  # another start for the same session
    ]
    result = run(write_csv(tmp_path / "s.csv", rows), crbpo)
    assert errors_of(result) == [
        (
            4,
            "HS",
            "heure de début (HS) différente de celle de la ligne 3 pour la même "
            "session (même date, station et programme).",
        )
    ]
    result = run(write_csv(tmp_path / "s.csv", rows[:2]), crbpo)
    assert result.ok, errors_of(result)
    assert (result.sessions_created, result.captures_created) == (2, 1)
    assert Session.objects.get(date=dt.date(2020, 6, 14)).captures.count() == 0


def test_biometrics_outside_the_usual_range_warn_without_refusing(crbpo, tmp_path):
    species = crbpo["species"]["PARMAJ"]
    species.wing_min, species.wing_max = 70, 80
    species.save()
    result = run(write_csv(tmp_path / "s.csv", [row(LP="95")]), crbpo)
    assert result.ok and result.captures_created == 1
    [warning] = result.warnings
    assert (warning["line"], warning["column"]) == (2, "LP")
    assert "hors de l'intervalle habituel" in warning["message"]


def test_missing_columns_refuse_the_file(crbpo, tmp_path):
    path = write_csv(tmp_path / "x.csv", [["B", "8000001"]], header=["ACTION", "X"])
    [(line, column, message)] = errors_of(run(path, crbpo))
    assert line == 1
    assert "BAGUE" in message and "ESPECE" in message


def test_command_reports_in_french(crbpo, tmp_path):
    dataset = str(crbpo["dataset"].uuid)
    path = write_csv(tmp_path / "saison.csv", good_rows())
    out = StringIO()
    call_command("import_crbpo", str(path), "--dataset", dataset, stdout=out)
    assert "Import terminé : 2 session(s) créée(s)" in out.getvalue()
    bad = write_csv(tmp_path / "bad.csv", [row(ESPECE="ZZZZZZ")])
    with pytest.raises(CommandError) as error:
        call_command("import_crbpo", str(bad), "--dataset", dataset, "--dry-run")
    assert "Ligne 2, colonne « ESPECE »" in str(error.value)


def test_page_refuses_a_partner(client, partenaire_user, crbpo):
    client.force_login(partenaire_user)
    assert client.get(reverse("baguage:import")).status_code == 403
    assert client.get(reverse("baguage:import_template")).status_code == 403


def test_another_organisations_dataset_is_refused(crbpo, tmp_path, other_organisation):
    other = DatasetFactory(producer=other_organisation)
    path = write_csv(tmp_path / "saison.csv", good_rows())
    result = crbpo_import(path=path, user=crbpo["user"], dataset=other)
    assert not result.ok
    assert nothing_written()
