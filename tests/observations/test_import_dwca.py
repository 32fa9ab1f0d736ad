"""A Darwin Core archive imports like a table (issue 20): our own DwC-A export read back
gives the same records; a taxonID that is not TAXREF's is refused, never read as a cd_nom."""

import datetime as dt
import zipfile

import pytest
from django.contrib.gis.geos import Point, Polygon
from django.core.files.uploadedfile import SimpleUploadedFile

from observations.exports.dwca import dwca_export
from observations.imports import import_batch_needs_mapping
from observations.models import ImportBatch, Occurrence
from observations.services import media_check, occurrence_media_add
from referentiel.models import Dataset
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    PersonFactory,
    TaxonFactory,
)
from tests.observations.imports_support import run_import
from tests.observations.media_support import phone_photo

pytestmark = pytest.mark.django_db

KEPT = (
    "uuid",
    "taxon_id",
    "date_start",
    "date_end",
    "time_start",
    "time_end",
    "place_name",
    "altitude_min",
    "altitude_max",
    "count_min",
    "count_max",
    "observation_status",
    "sex",
    "life_stage",
    "observers_label",
    "determiner_id",
    "determiner_label",
    "comment",
)


@pytest.fixture
def dataset(saisie_user):
    CommuneFactory()
    return DatasetFactory(
        producer=saisie_user.organisation,
        title="Suivi des mares de Loos",
        licence=Dataset.Licence.CC_BY,
        is_public=True,
    )


@pytest.fixture
def records(dataset):
    lark = TaxonFactory(cd_nom=3676, scientific_name="Alauda arvensis", rank="ES")
    frog = TaxonFactory(cd_nom=351, scientific_name="Rana temporaria", rank="ES")
    dupont = PersonFactory(last_name="Dupont", first_name="Jean")
    polygon = Polygon.from_bbox((LOOS_X, LOOS_Y, LOOS_X + 200, LOOS_Y + 100))
    polygon.srid = 2154
    return [
        OccurrenceFactory(
            dataset=dataset,
            taxon=lark,
            validation_status=1,
            date_start=dt.date(2020, 5, 12),
            time_start=dt.time(7, 30),
            time_end=dt.time(8, 15),
            geom=Point(LOOS_X + 100, LOOS_Y + 100, srid=2154),
            precision_m=10,
            place_name="Mare du Bois",
            altitude_min=40,
            altitude_max=55,
            # The archive writes tabs and line breaks as spaces (its own separators).
            comment='Chant nuptial ; "deux mâles", 2 x 2',
            count_min=3,
            count_max=3,
            sex="3",
            life_stage="2",
            observers_label="MARTIN Léa (CPIE CdT), Gil",
            determiner=dupont,
            determiner_label="DUPONT Jean",
        ),
        OccurrenceFactory(
            dataset=dataset,
            taxon=frog,
            validation_status=2,
            date_start=dt.date(2020, 3, 2),
            date_end=dt.date(2020, 3, 9),
            geom=Point(LOOS_X - 300, LOOS_Y + 50, srid=2154),
            precision_m=25,
            count_min=12,
            count_max=12,
            life_stage="9",
            observers_label="Gil",
            determiner_label="Gil",
        ),
        OccurrenceFactory(
            dataset=dataset,
            taxon=lark,
            validation_status=2,
            date_start=dt.date(2020, 4, 28),
            date_end=dt.date(2020, 5, 3),
            geom=polygon,
            observation_status="No",
            count_min=0,
            count_max=0,
            observers_label="DUPONT Jean",
        ),
    ]


def _snapshot(occurrence) -> dict:
    return {name: getattr(occurrence, name) for name in KEPT}


def test_round_trip_export_then_import_gives_the_same_records(
    tmp_path, saisie_user, dataset, records, settings
):
    # With a photo: the archive has the multimedia extension, and still reads back.
    settings.SITE_URL = "https://naturaliste.example.org"
    occurrence_media_add(
        occurrence=records[0],
        user=saisie_user,
        media=media_check([SimpleUploadedFile("p.jpg", phone_photo(300, 200))]),
    )
    archive = tmp_path / "jdd.zip"
    assert dwca_export(dataset=dataset, out_path=archive) == 3
    assert "multimedia.txt" in zipfile.ZipFile(archive).namelist()
    before = {o.uuid: (_snapshot(o), o.geom.clone(), o.precision_m) for o in records}
    Occurrence.objects.filter(dataset=dataset).delete()

    batch = run_import(archive, user=saisie_user, dataset=dataset)
    assert not import_batch_needs_mapping(batch)
    assert batch.mapping["format"] == "dwca"
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    assert batch.created_count == 3
    for occurrence in Occurrence.objects.filter(import_batch=batch):
        fields, geom, precision = before[occurrence.uuid]
        assert _snapshot(occurrence) == fields
        # Coordinates travel in WGS84 with 6 decimals (about 0.1 m).
        assert occurrence.geom.geom_type == geom.geom_type
        assert occurrence.geom.sym_difference(geom).area <= 0.001 * max(geom.area, 1)
        if geom.geom_type == "Point":
            assert occurrence.geom.distance(geom) < 0.2
            assert occurrence.precision_m == precision

    again = run_import(archive, user=saisie_user, dataset=dataset)
    assert (again.created_count, again.updated_count) == (0, 0)


def _archive(tmp_path, header: list[str], rows: list[list]) -> str:
    """A GBIF-style archive of one tab-separated occurrence.txt and no descriptor."""
    path = tmp_path / "gbif.zip"
    lines = ["\t".join(header)] + ["\t".join(str(v) for v in row) for row in rows]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("occurrence.txt", "\n".join(lines) + "\n")
    return path


def test_an_occurrence_txt_core_with_taxref_names_imports(
    tmp_path, saisie_user, dataset
):
    TaxonFactory(cd_nom=3676, scientific_name="Alauda arvensis")
    header = ["occurrenceID", "taxonID", "eventDate", "recordedBy", "individualCount"]
    header += ["decimalLatitude", "decimalLongitude", "occurrenceStatus", "sex"]
    rows = [
        [
            "urn:uuid:0d3c6a8e-5a3b-4f7e-9f65-0d2b1c2a3e4f",
            "https://inpn.mnhn.fr/espece/cd_nom/3676",
            "2020-05-12/2020-05-13",
            "Léa Martin | Gil",
            2,
            50.458604,
            2.779936,
            "present",
            "female",
        ]
    ]
    batch = run_import(
        _archive(tmp_path, header, rows), user=saisie_user, dataset=dataset
    )
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    occurrence = Occurrence.objects.get(import_batch=batch)
    assert str(occurrence.uuid) == "0d3c6a8e-5a3b-4f7e-9f65-0d2b1c2a3e4f"
    assert (occurrence.date_start, occurrence.date_end) == (
        dt.date(2020, 5, 12),
        dt.date(2020, 5, 13),
    )
    assert (occurrence.count_min, occurrence.count_max, occurrence.sex) == (2, 2, "2")
    assert occurrence.observers_label == "Léa Martin | Gil"


def test_a_taxon_id_that_is_not_taxref_is_refused(tmp_path, saisie_user, dataset):
    TaxonFactory(cd_nom=3676, scientific_name="Alauda arvensis")
    header = ["occurrenceID", "taxonID", "eventDate", "recordedBy"]
    header += ["decimalLatitude", "decimalLongitude"]
    # iNaturalist's taxon 3676 is no TAXREF name: it must not become cd_nom 3676.
    rows = [
        [
            "urn:uuid:1e7d5a0c-2f4b-4c1d-8a9e-3b6c5d4e7f80",
            "3676",
            "2020-05-12",
            "Gil",
            50.458604,
            2.779936,
        ]
    ]
    batch = run_import(
        _archive(tmp_path, header, rows), user=saisie_user, dataset=dataset
    )
    assert batch.status == ImportBatch.Status.INVALID
    assert [(e["line"], e["column"]) for e in batch.errors][:1] == [(2, "taxonID")]
    assert "n'est pas un nom TAXREF" in batch.errors[0]["message"]
    assert not Occurrence.objects.exists()
