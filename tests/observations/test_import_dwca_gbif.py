"""A GBIF occurrence download and an iNaturalist export import (issue 20): their taxonID is
not TAXREF's, so the scientificName gives the taxon (one lookup for the file); their
occurrenceID is no UUID, so it becomes the record's source key and a re-import duplicates
nothing. Fixtures: tests/data/dwca/ (hand-made after the public formats)."""

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from observations.models import ImportBatch, Occurrence
from referentiel.models import Dataset
from referentiel.services.taxon_names import name_without_authorship, taxa_by_names
from tests.factories.referentiel import CommuneFactory, DatasetFactory, TaxonFactory
from tests.observations.imports_support import run_import

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent.parent / "data" / "dwca"


def _zip(tmp_path, folder: str, replace: tuple[tuple[str, str], ...] = ()) -> Path:
    """The fixture folder as an archive, its data file edited by ``replace``."""
    path = tmp_path / f"{folder}.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted((DATA / folder).iterdir()):
            text = file.read_text(encoding="utf-8")
            if file.name != "meta.xml":
                for old, new in replace:
                    assert old in text
                    text = text.replace(old, new)
            archive.writestr(file.name, text)
    return path


@pytest.fixture
def dataset(saisie_user):
    CommuneFactory()
    return DatasetFactory(
        producer=saisie_user.organisation,
        title="Données GBIF et iNaturalist",
        licence=Dataset.Licence.CC_BY,
    )


@pytest.fixture
def taxa():
    return {
        "lark": TaxonFactory(
            cd_nom=3676, scientific_name="Alauda arvensis", author="Linnaeus, 1758"
        ),
        "frog": TaxonFactory(
            cd_nom=351, scientific_name="Rana temporaria", author="Linnaeus, 1758"
        ),
        "magpie": TaxonFactory(
            cd_nom=3978, scientific_name="Pica pica", author="(Linnaeus, 1758)"
        ),
        "magpie_ssp": TaxonFactory(
            cd_nom=459638,
            scientific_name="Pica pica pica",
            author="(Linnaeus, 1758)",
            rank="SSES",
        ),
    }


@pytest.mark.parametrize("mode", ["tout", "valides"])
def test_a_gbif_download_imports_by_name_and_reimports_without_duplicates(
    tmp_path, saisie_user, dataset, taxa, mode
):
    archive = _zip(tmp_path, "gbif")
    batch = run_import(archive, user=saisie_user, dataset=dataset, mode=mode)
    assert batch.mapping["format"] == "dwca"
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    assert (batch.created_count, batch.errors) == (3, [])
    records = {o.source_key: o for o in Occurrence.objects.filter(import_batch=batch)}
    assert set(records) == {
        "origine:FR-CEN-HDF:obs:88213",
        "origine:https://www.example.org/occurrence/77",
        "origine:urn:catalog:MNHN:PV:991",
    }
    lark = records["origine:FR-CEN-HDF:obs:88213"]
    # GBIF's taxonKey 9515 is no cd_nom: the name with its authorship gives 3676.
    assert lark.taxon_id == 3676
    assert lark.cited_name == "Alauda arvensis Linnaeus, 1758"
    assert lark.date_start == lark.date_end == dt.date(2021, 5, 14)
    assert (lark.count_min, lark.count_max, lark.precision_m) == (2, 2, 25)
    assert lark.observers_label == "Léa Martin"
    assert lark.determiner_label == "Léa Martin"
    frog = records["origine:https://www.example.org/occurrence/77"]
    assert frog.taxon_id == 351
    assert (frog.date_start, frog.date_end) == (
        dt.date(2021, 3, 2),
        dt.date(2021, 3, 9),
    )
    # "(Linnaeus, 1758)" is TAXREF's author of Pica pica: an exact match.
    assert records["origine:urn:catalog:MNHN:PV:991"].taxon_id == 3978
    assert len({o.uuid for o in records.values()}) == 3  # fresh UUIDs

    again = run_import(archive, user=saisie_user, dataset=dataset, mode=mode)
    assert again.status == ImportBatch.Status.DONE, again.errors
    assert (again.created_count, again.updated_count) == (0, 0)
    assert Occurrence.objects.filter(dataset=dataset).count() == 3

    # The publisher corrects a count: the same record is updated, not duplicated.
    changed = _zip(
        tmp_path,
        "gbif",
        (("HUMAN_OBSERVATION\tGil\t12\t", "HUMAN_OBSERVATION\tGil\t14\t"),),
    )
    third = run_import(changed, user=saisie_user, dataset=dataset, mode=mode)
    assert (third.created_count, third.updated_count) == (0, 1), third.errors
    frog.refresh_from_db()
    assert (frog.count_min, frog.count_max) == (14, 14)
    assert Occurrence.objects.filter(dataset=dataset).count() == 3


@pytest.mark.parametrize("mode", ["tout", "valides"])
def test_an_inaturalist_export_imports_with_its_subspecies(
    tmp_path, saisie_user, dataset, taxa, mode
):
    archive = _zip(tmp_path, "inaturalist")
    batch = run_import(archive, user=saisie_user, dataset=dataset, mode=mode)
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    assert batch.created_count == 2
    records = {o.source_key: o for o in Occurrence.objects.filter(import_batch=batch)}
    lark = records["origine:https://www.inaturalist.org/observations/123456"]
    # iNaturalist's taxon 7347 is not cd_nom 7347: the name gives 3676.
    assert lark.taxon_id == 3676
    assert lark.date_start == dt.date(2022, 4, 18)
    assert lark.comment == "Chant en vol, au-dessus du terril"
    assert lark.precision_m == 12
    ssp = records["origine:https://www.inaturalist.org/observations/123457"]
    assert ssp.taxon_id == 459638  # the subspecies, not the species
    again = run_import(archive, user=saisie_user, dataset=dataset, mode=mode)
    assert (again.created_count, again.updated_count) == (0, 0), again.errors
    assert Occurrence.objects.filter(dataset=dataset).count() == 2


BAD_NAMES = (
    ("Rana temporaria Linnaeus, 1758", "Rana inexistans Dubois, 2001"),
    ("Pica pica (Linnaeus, 1758)", "Pica pica"),
)


def _homonym():
    """A second Pica pica of another author and another valid name: "Pica pica" alone
    names two taxa."""
    TaxonFactory(cd_nom=9_900_001, scientific_name="Pica pica", author="Jones, 1900")


def test_unknown_and_ambiguous_names_are_refused_all_or_nothing(
    tmp_path, saisie_user, dataset, taxa
):
    _homonym()
    batch = run_import(
        _zip(tmp_path, "gbif", BAD_NAMES), user=saisie_user, dataset=dataset
    )
    assert batch.status == ImportBatch.Status.INVALID
    found = {(e["line"], e["column"]): e["message"] for e in batch.errors}
    assert set(found) == {(3, "scientificName"), (4, "scientificName")}
    assert found[3, "scientificName"] == (
        "Nom « Rana inexistans Dubois, 2001 » introuvable dans TAXREF."
    )
    assert found[4, "scientificName"].startswith("Nom « Pica pica » ambigu : ")
    assert "cd_nom 3978" in found[4, "scientificName"]
    assert "cd_nom 9900001" in found[4, "scientificName"]
    assert not Occurrence.objects.exists()


def test_unknown_and_ambiguous_names_are_left_out_in_valid_lines_mode(
    tmp_path, saisie_user, dataset, taxa
):
    _homonym()
    batch = run_import(
        _zip(tmp_path, "gbif", BAD_NAMES),
        user=saisie_user,
        dataset=dataset,
        mode="valides",
    )
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    assert batch.created_count == 1
    assert sorted(batch.refused_lines) == [3, 4]
    assert [o.taxon_id for o in Occurrence.objects.filter(dataset=dataset)] == [3676]


def test_names_resolve_in_one_query_with_synonyms_to_their_valid_name(taxa):
    # Two synonyms spelt alike, both pointing to the valid Rana temporaria.
    TaxonFactory(
        cd_nom=9_900_010,
        cd_ref=351,
        scientific_name="Rana fusca",
        author="Roesel, 1758",
    )
    TaxonFactory(
        cd_nom=9_900_011,
        cd_ref=351,
        scientific_name="Rana fusca",
        author="Thomas, 1855",
    )
    names = [
        "Rana fusca",
        "rana fusca ROESEL, 1758",
        "ALAUDA ARVENSIS",
        "Alauda arvensis L.",
        "Pica pica pica",
        "Pica",
        "",
    ]
    with CaptureQueriesContext(connection) as queries:
        found = taxa_by_names(names)
    assert len(queries) == 1
    assert found == {
        "Rana fusca": 351,  # both synonyms point to one cd_ref: the valid name
        "rana fusca ROESEL, 1758": 9_900_010,  # the authorship picks the synonym
        "ALAUDA ARVENSIS": 3676,
        "Alauda arvensis L.": 3676,
        "Pica pica pica": 459638,
        "Pica": "Nom « Pica » introuvable dans TAXREF.",
    }


@pytest.mark.parametrize(
    ("name", "bare"),
    [
        ("Alauda arvensis Linnaeus, 1758", "Alauda arvensis"),
        ("Pica pica (Linnaeus, 1758)", "Pica pica"),
        ("Quercus robur subsp. robur L.", "Quercus robur subsp. robur"),
        ("Pica pica pica", "Pica pica pica"),
        ("Carex flava de Candolle", "Carex flava"),
        ("Bufo spinosus Daudin 1803", "Bufo spinosus"),
        ("Parus", "Parus"),
    ],
)
def test_name_without_authorship(name, bare):
    assert name_without_authorship(name) == bare


def test_a_gbif_simple_download_csv_imports_by_name(
    tmp_path, saisie_user, dataset, taxa
):
    """GBIF's "simple" download: the same columns in one tab-separated CSV, no archive."""
    path = tmp_path / "0012345-210914110416597.csv"
    path.write_text((DATA / "gbif" / "occurrence.txt").read_text(encoding="utf-8"))
    batch = run_import(path, user=saisie_user, dataset=dataset)
    assert batch.status == ImportBatch.Status.DONE, (batch.status, batch.errors)
    assert batch.created_count == 3
    assert sorted(
        Occurrence.objects.filter(import_batch=batch).values_list("taxon_id", flat=True)
    ) == [351, 3676, 3978]


def test_two_lines_with_the_same_occurrence_id_are_refused(
    tmp_path, saisie_user, dataset, taxa
):
    batch = run_import(
        _zip(
            tmp_path, "inaturalist", (("observations/123457", "observations/123456"),)
        ),
        user=saisie_user,
        dataset=dataset,
    )
    assert batch.status == ImportBatch.Status.INVALID
    assert [(e["line"], e["column"]) for e in batch.errors] == [(3, "occurrenceID")]
    assert "identique à la ligne 2" in batch.errors[0]["message"]
    assert not Occurrence.objects.exists()
