"""A GeoNature synthese export imports as it is (issue 20): no mapping step, nomenclature
labels or codes, free-text observers and determiners, the date forms real files carry; one
bad line refuses the file (all or nothing) or is left out and handed back (valid lines).

The fixture ``tests/data/geonature/synthese_export.csv`` is built from the synthese export's
documented columns (every column of GeoNature's synthese export/import test files), with
labels on some lines and codes on another: see ``docs/geonature.md`` for what each becomes.
"""

import csv
import datetime as dt
import io
import shutil
import uuid
from pathlib import Path

import pytest
from django.urls import reverse

from observations.exports.columns import export_values
from observations.imports import import_batch_needs_mapping
from observations.models import ImportBatch, Occurrence
from tests.factories.referentiel import PersonFactory
from tests.observations.imports_support import (
    dataset_create,
    referential_create,
    run_import,
    write_xlsx,
)

pytestmark = pytest.mark.django_db
FIXTURE = Path(__file__).resolve().parent.parent / "data/geonature/synthese_export.csv"
BAD_LINE = 5


@pytest.fixture
def referential(db):
    return referential_create()


@pytest.fixture
def dataset(saisie_user):
    return dataset_create(saisie_user)


@pytest.fixture
def people(db):
    return {
        "dupont": PersonFactory(last_name="Dupont", first_name="Lise"),
        "martin": PersonFactory(last_name="Martin", first_name="Léa"),
    }


@pytest.fixture
def export(tmp_path) -> Path:
    return Path(shutil.copy(FIXTURE, tmp_path / "synthese_export.csv"))


def test_fixture_carries_every_documented_column():
    with FIXTURE.open(encoding="utf-8") as handle:
        header = next(csv.reader(handle, delimiter=";"))
    assert len(header) == 75
    assert header[:3] == ["id_synthese", "id_origine", "comment_releve"]
    assert header[-2:] == ["date_creation", "date_modification"]


def test_recognised_and_sent_straight_to_checking(
    export, saisie_user, dataset, referential, people
):
    batch = run_import(export, user=saisie_user, dataset=dataset, dry_run=True)
    assert not import_batch_needs_mapping(batch)
    assert batch.mapping["format"] == "geonature"
    columns = batch.mapping["columns"]
    assert columns["cdNom"] == "cd_nom"
    assert columns["geometrie"] == "geometrie_wkt_4326"
    assert columns["observateur"] == "observateurs"
    assert columns["occComportement"] == "comportement"
    assert columns["precisionGeometrie"] == "precision_geographique"
    assert "idSINPJdd" not in columns  # its datasets are not ours: the file goes to one
    assert batch.status == ImportBatch.Status.INVALID  # the bad line, all or nothing


def test_all_or_nothing_refuses_the_file_for_its_one_bad_line(
    export, saisie_user, dataset, referential, people
):
    batch = run_import(export, user=saisie_user, dataset=dataset)
    assert batch.status == ImportBatch.Status.INVALID
    assert [(e["line"], e["column"]) for e in batch.errors] == [
        (BAD_LINE, "comportement")
    ]
    message = batch.errors[0]["message"]
    assert "« Chante fort »" in message and "OCC_COMPORTEMENT" in message
    assert batch.refused_lines == []
    assert not Occurrence.objects.exists()


def _by_line(batch) -> dict[str, Occurrence]:
    return {
        o.comment or o.place_name or o.proof_text: o
        for o in Occurrence.objects.filter(import_batch=batch)
    }


def test_valid_lines_import_every_good_line_field_by_field(
    export, saisie_user, dataset, referential, people
):
    batch = run_import(export, user=saisie_user, dataset=dataset, mode="valides")
    assert batch.status == ImportBatch.Status.DONE, batch.message
    assert batch.created_count == 4
    assert batch.refused_lines == [BAD_LINE]
    assert "1 ligne(s) en erreur ignorée(s)" in batch.message
    records = _by_line(batch)
    dupont, martin = people["dupont"], people["martin"]

    lark = records["Chant depuis un piquet"]  # line 2: labels, "Gil", 2017/01/08
    assert lark.uuid == uuid.UUID("7f3c2d1e-5b4a-4c9d-8e7f-1a2b3c4d5e6f")
    assert lark.taxon_id == 3676 and lark.cited_name == "Alouette des champs"
    assert (lark.date_start, lark.date_end) == (dt.date(2017, 1, 8),) * 2
    assert (lark.time_start, lark.time_end) == (dt.time(8, 30), dt.time(9, 15))
    assert (lark.count_min, lark.count_max) == (2, 3)
    assert (lark.altitude_min, lark.altitude_max) == (45, 52)
    assert lark.precision_m == 10 and lark.place_name == "Chemin des Croisettes"
    assert lark.geom.geom_type == "Point"
    assert lark.observers_label == "Gil, DUPONT Lise"
    assert list(lark.observers.all()) == [dupont]  # "Gil" is no one of the referential
    assert lark.determiner_id is None and lark.determiner_label == "Gil"
    assert lark.determiner_name == "Gil"
    assert {
        "observation_status": "Pr",
        "geo_object_nature": "St",
        "obs_technique": "25",  # Vu et entendu
        "bio_status": "3",  # Reproduction
        "bio_condition": "2",  # Observé vivant
        "biogeo_status": "2",  # Présent (indigène ou indéterminé)
        "naturalness": "1",
        "proof_exists": "2",  # Non
        "life_stage": "2",  # Adulte
        "sex": "2",  # Femelle
        "count_object": "IND",
        "count_type": "Co",
        "dee_blurring": "NON",
        "source_status": "Te",
        "determination_method": "2",  # Autre méthode de détermination
        "behaviour": "18",  # Chant
    } == {field: getattr(lark, field) for field in Occurrence.NOMENCLATURES}
    assert lark.source_key == "" and lark.commune_id is not None

    frog = records["Amplexus dans la mare"]  # line 3: codes, JJ/MM/AAAA, centroid only
    assert frog.taxon_id == 351
    assert frog.date_start == dt.date(2018, 3, 12) and frog.time_start == dt.time(21, 5)
    assert frog.time_end is None and (frog.count_min, frog.count_max) == (4, 4)
    assert frog.geom.geom_type == "Point" and frog.precision_m is None
    assert frog.source_key == "origine:MARE-12"
    assert list(frog.observers.all()) == [martin]  # "Léa Martin": Prénom NOM
    assert frog.determiner == dupont and frog.determiner_label == "DUPONT Lise"
    assert frog.proof_url == "https://example.org/photos/mare-12.jpg"
    assert (frog.obs_technique, frog.bio_status, frog.proof_exists) == ("0", "3", "1")
    assert (frog.sex, frog.determination_method, frog.behaviour) == ("5", "18", "19")

    lark2 = records[
        "Plume en collection"
    ]  # line 4: loose labels, ISO date-time, polygon
    assert lark2.date_start == dt.date(2019, 6, 2) and lark2.time_start == dt.time(
        7, 45
    )
    assert lark2.geom.geom_type == "Polygon"
    assert {
        "geo_object_nature": "In",  # inventoriel
        "obs_technique": "23",  # galerie / terrier
        "bio_status": "1",  # non renseigne
        "bio_condition": "2",  # OBSERVE VIVANT
        "biogeo_status": "3",  # introduit
        "life_stage": "3",  # JUVENILE
        "sex": "3",  # male
        "count_type": "Es",  # Estime
        "determination_method": "21",  # Examen visuel de l’individu en main
        "behaviour": "8",  # chasse / alimentation
    }.items() <= {f: getattr(lark2, f) for f in Occurrence.NOMENCLATURES}.items()
    assert lark2.determiner_label == "Gil" and not lark2.observers.exists()

    absence = records["Plateau"]  # line 6: an absence, three observers
    assert absence.observation_status == "No"
    assert (absence.count_min, absence.count_max) == (0, 0)
    assert (absence.date_start, absence.date_end) == (
        dt.date(2020, 5, 14),
        dt.date(2020, 5, 15),
    )
    assert set(absence.observers.all()) == {dupont, martin}
    assert absence.determiner_label == "" and absence.determiner_id is None
    assert (absence.sex, absence.life_stage, absence.behaviour) == ("6", "1", "1")


def test_reimporting_the_export_adds_nothing(
    export, saisie_user, dataset, referential, people
):
    first = run_import(export, user=saisie_user, dataset=dataset, mode="valides")
    again = run_import(export, user=saisie_user, dataset=dataset, mode="valides")
    assert (first.created_count, again.created_count, again.updated_count) == (4, 0, 0)
    assert Occurrence.objects.count() == 4


def test_refused_lines_download_as_the_file_had_them_with_a_reason(
    client, export, saisie_user, dataset, referential, people
):
    batch = run_import(export, user=saisie_user, dataset=dataset, mode="valides")
    client.force_login(saisie_user)
    page = client.get(reverse("observations:import_detail", args=[batch.uuid]))
    url = reverse("observations:import_refused", args=[batch.uuid])
    assert url in page.content.decode()
    assert "export de synthèse GeoNature" in page.content.decode()

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    with FIXTURE.open(encoding="utf-8") as handle:
        original = list(csv.reader(handle, delimiter=";"))
    assert rows[0] == original[0] + ["motif du refus"]
    assert len(rows) == 2
    assert rows[1][:-1] == original[BAD_LINE - 1]
    assert rows[1][-1].startswith("comportement : valeur « Chante fort » inconnue")

    # Re-importing the corrected refused lines completes the dataset.
    fixed = rows[1][:-1]
    fixed[original[0].index("comportement")] = "Accouplement"
    path = export.with_name("corrige.csv")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(original[0])
        writer.writerow(fixed)
    second = run_import(path, user=saisie_user, dataset=dataset)
    assert second.status == ImportBatch.Status.DONE, second.errors
    assert Occurrence.objects.count() == 5
    spawn = Occurrence.objects.get(import_batch=second)
    assert (spawn.behaviour, spawn.life_stage, spawn.count_object) == ("19", "9", "PON")


def test_no_refused_lines_file_for_an_all_or_nothing_import(
    client, export, saisie_user, dataset, referential, people
):
    batch = run_import(export, user=saisie_user, dataset=dataset)
    client.force_login(saisie_user)
    url = reverse("observations:import_refused", args=[batch.uuid])
    assert client.get(url).status_code == 404
    page = client.get(reverse("observations:import_detail", args=[batch.uuid]))
    assert url not in page.content.decode()


def _import_names(tmp_path, saisie_user, dataset, observers, determiner):
    header = ["cd_nom", "date_debut", "observateurs", "determinateur"]
    header += ["x_centroid_4326", "y_centroid_4326"]
    path = tmp_path / "noms.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerow(
            [3676, "2020-05-12", observers, determiner, 2.779936, 50.458604]
        )
    batch = run_import(path, user=saisie_user, dataset=dataset)
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    return Occurrence.objects.get(import_batch=batch)


def test_a_name_links_only_the_one_person_it_designates(
    tmp_path, saisie_user, dataset, referential
):
    gil = PersonFactory(last_name="Gil", first_name="")
    PersonFactory(last_name="Martin", first_name="Léa")
    PersonFactory(last_name="Martin", first_name="Léa")  # a namesake: ambiguous
    PersonFactory(last_name="Paul", first_name="Jean")
    PersonFactory(last_name="Jean", first_name="Paul")  # "Paul Jean" reads both ways
    occurrence = _import_names(
        tmp_path, saisie_user, dataset, "gil, MARTIN Léa, Paul Jean (CPIE)", "GIL"
    )
    assert list(occurrence.observers.all()) == [gil]
    assert occurrence.observers_label == "gil, MARTIN Léa, Paul Jean (CPIE)"
    assert occurrence.determiner == gil and occurrence.determiner_label == "GIL"


def test_free_text_determiner_reaches_the_page_and_the_exports(
    client, tmp_path, saisie_user, dataset, referential
):
    occurrence = _import_names(tmp_path, saisie_user, dataset, "Gil", "Gil")
    assert occurrence.determiner_id is None
    row = export_values(
        Occurrence.objects.visible_to(saisie_user).filter(pk=occurrence.pk),
        ["observateur", "determinateur"],
    ).get()
    assert row == {"observateur": "Gil", "determinateur": "Gil"}
    client.force_login(saisie_user)
    page = client.get(reverse("observations:occurrence_detail", args=[occurrence.uuid]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Déterminateur" in text and ">Gil<" in text.replace("\n", "")


def test_xlsx_date_cells_and_excel_serial_dates(
    tmp_path, saisie_user, dataset, referential
):
    header = ["cd_nom", "date_debut", "heure_debut", "observateurs"]
    header += ["x_centroid_4326", "y_centroid_4326", "comment_occurrence"]
    rows = [
        [
            3676,
            dt.datetime(2017, 1, 8),
            dt.time(8, 30),
            "Gil",
            2.779936,
            50.458604,
            "a",
        ],
        [3676, 42744, 0.5, "Gil", 2.772899, 50.459938, "b"],  # serial, day fraction
        [351, "2017/01/10", "07:15:00", "Gil", 2.789806, 50.452338, "c"],
    ]
    path = write_xlsx(tmp_path / "synthese.xlsx", header, rows)
    batch = run_import(path, user=saisie_user, dataset=dataset)
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    found = {
        o.comment: (o.date_start, o.time_start)
        for o in Occurrence.objects.filter(import_batch=batch)
    }
    assert found == {
        "a": (dt.date(2017, 1, 8), dt.time(8, 30)),
        "b": (dt.date(2017, 1, 9), dt.time(12, 0)),
        "c": (dt.date(2017, 1, 10), dt.time(7, 15)),
    }
