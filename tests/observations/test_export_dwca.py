"""Darwin Core Archive of a public dataset: read back with a real Darwin Core reader
(python-dwca-reader), blurred for the public, validated records only, byte-identical from
one run to the next."""

import csv
import datetime as dt
import hashlib
import io
import zipfile
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import Point, Polygon
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from dwca.darwincore.terms import TERMS
from dwca.read import DwCAReader

from observations.exports.dwca import DwcaRefused, dwca_export
from observations.models import Occurrence
from observations.services import media_check, occurrence_media_add
from referentiel.models import Dataset, SensitivityRule
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    OrganisationFactory,
    PersonFactory,
    TaxonFactory,
)
from tests.observations.media_support import phone_photo, wav_sound

pytestmark = pytest.mark.django_db

DWC = "http://rs.tdwg.org/dwc/terms/"
TEXT_NS = "{http://rs.tdwg.org/dwc/text/}"
# Darwin Core terms (ratified 2014) missing from the reader's older term list.
NEWER_TERMS = {DWC + "organismQuantity", DWC + "organismQuantityType"}


def term(row, name: str) -> str:
    return row.data.get(DWC + name, row.data.get("http://purl.org/dc/terms/" + name))


@pytest.fixture
def commune():
    return CommuneFactory()


@pytest.fixture
def dataset():
    producer = OrganisationFactory(
        name="CPIE Chaîne des Terrils",
        short_name="CPIE CdT",
        website="https://www.chainedesterrils.eu/",
    )
    return DatasetFactory(
        title="Suivi des mares de Loos",
        description="Inventaire des mares.\n\nProtocole : deux passages par an.",
        producer=producer,
        licence=Dataset.Licence.CC_BY,
        is_public=True,
    )


@pytest.fixture
def records(commune, dataset):
    bird = TaxonFactory(
        cd_nom=3676,
        rank="ES",
        scientific_name="Alauda arvensis",
        author="Linnaeus, 1758",
        vernacular_name="Alouette des champs, Alouette",
        kingdom="Animalia",
        phylum="Chordata",
        class_name="Aves",
        order_name="Passeriformes",
        family="Alaudidae",
    )
    bat = TaxonFactory(cd_nom=60418, scientific_name="Myotis myotis", family="")
    owl = TaxonFactory(cd_nom=3518, scientific_name="Bubo bubo")
    SensitivityRule.objects.create(taxon=bat, level=1)
    SensitivityRule.objects.create(taxon=owl, level=4)
    determiner = PersonFactory(first_name="Jean", last_name="Dupont")
    precise = OccurrenceFactory(
        dataset=dataset,
        taxon=bird,
        validation_status=1,
        date_start=dt.date(2020, 5, 12),
        time_start=dt.time(7, 30),
        geom=Point(LOOS_X + 100, LOOS_Y + 100, srid=2154),
        precision_m=10,
        place_name="Mare du Bois",
        comment='Chant\tnuptial\n"deux mâles"',
        count_min=2,
        count_max=3,
        sex="3",
        life_stage="2",
        observers_label="MARTIN Léa (CPIE CdT)",
        determiner=determiner,
    )
    polygon = Polygon.from_bbox((LOOS_X, LOOS_Y, LOOS_X + 200, LOOS_Y + 100))
    polygon.srid = 2154
    area = OccurrenceFactory(
        dataset=dataset,
        taxon=bird,
        validation_status=2,
        date_start=dt.date(2020, 4, 28),
        date_end=dt.date(2020, 5, 3),
        geom=polygon,
        observation_status="No",
        count_min=None,
        count_max=None,
    )
    sensitive = OccurrenceFactory(
        dataset=dataset,
        taxon=bat,
        validation_status=1,
        place_name="Grotte secrète",
        comment="Gîte d'hibernation",
        precision_m=5,
    )
    hidden = OccurrenceFactory(dataset=dataset, taxon=owl, validation_status=1)
    pending = OccurrenceFactory(dataset=dataset, taxon=bird, validation_status=0)
    doubtful = OccurrenceFactory(dataset=dataset, taxon=bird, validation_status=3)
    elsewhere = OccurrenceFactory(taxon=bird, validation_status=1)
    assert (sensitive.sensitivity_level, hidden.sensitivity_level) == (1, 4)
    return {
        "precise": precise,
        "area": area,
        "sensitive": sensitive,
        "absent": [hidden, pending, doubtful, elsewhere],
    }


@pytest.fixture
def archive(records, dataset, tmp_path):
    path = tmp_path / "jdd.zip"
    assert dwca_export(dataset=dataset, out_path=path) == 3
    return path


def read(path):
    with DwCAReader(str(path)) as reader:
        return reader, list(reader), reader.metadata


def test_archive_opens_with_a_darwin_core_reader(archive, records):
    reader, rows, _eml = read(archive)
    assert reader.descriptor.core.type == DWC + "Occurrence"
    ids = [row.id for row in rows]
    expected = [records[name] for name in ("precise", "area", "sensitive")]
    assert ids == [
        f"urn:uuid:{occ.uuid}" for occ in sorted(expected, key=lambda o: o.pk)
    ]
    for name in (
        "occurrenceID",
        "basisOfRecord",
        "eventDate",
        "scientificName",
        "taxonID",
        "decimalLatitude",
        "decimalLongitude",
        "geodeticDatum",
        "coordinateUncertaintyInMeters",
        "countryCode",
        "datasetID",
        "license",
    ):
        assert reader.core_contains_term(DWC + name) or name == "license", name
    assert reader.core_contains_term("http://purl.org/dc/terms/license")


def test_multimedia_extension_for_records_published_precisely(
    records, dataset, tmp_path, settings
):
    settings.SITE_URL = "https://naturaliste.example.org/"
    for name in ("precise", "sensitive"):
        occurrence_media_add(
            occurrence=records[name],
            user=None,
            media=media_check(
                [
                    SimpleUploadedFile("p.jpg", phone_photo(300, 200)),
                    SimpleUploadedFile("s.wav", wav_sound()),
                ]
            ),
        )
    path = tmp_path / "jdd.zip"
    dwca_export(dataset=dataset, out_path=path)
    with DwCAReader(str(path)) as reader:
        (extension,) = reader.descriptor.extensions
        assert extension.type == "http://rs.gbif.org/terms/1.0/Multimedia"
        extensions = {row.id: [e.data for e in row.extensions] for row in reader}
    media = extensions[f"urn:uuid:{records['precise'].uuid}"]
    dc = "http://purl.org/dc/terms/"
    assert [m[dc + "type"] for m in media] == ["StillImage", "Sound"]
    assert [m[dc + "format"] for m in media] == ["image/jpeg", "audio/wav"]
    photo = records["precise"].media.order_by("id").first()
    assert media[0][dc + "identifier"] == (
        f"https://naturaliste.example.org/observations/medias/{photo.uuid}/"
    )
    assert media[0][dc + "created"] == "2021-04-02T06:30:00Z"  # EXIF, Paris time
    assert media[0][dc + "license"].startswith("http://creativecommons.org/")
    # Published blurred: its place is not given, nor the photos that would show it.
    assert extensions[f"urn:uuid:{records['sensitive'].uuid}"] == []
    # The files behind the identifiers are there for anyone, without their EXIF.
    served = Client().get(f"/observations/medias/{photo.uuid}/")
    assert served.status_code == 200
    assert b"Exif" not in b"".join(served.streaming_content)


def test_no_multimedia_extension_without_a_public_address(records, dataset, tmp_path):
    occurrence_media_add(
        occurrence=records["precise"],
        user=None,
        media=media_check([SimpleUploadedFile("s.wav", wav_sound())]),
    )
    path = tmp_path / "jdd.zip"
    dwca_export(dataset=dataset, out_path=path)
    assert "multimedia.txt" not in zipfile.ZipFile(path).namelist()


def test_precise_record_terms(archive, records, dataset):
    _reader, rows, _eml = read(archive)
    occ = records["precise"]
    row = next(r for r in rows if r.id == f"urn:uuid:{occ.uuid}")
    point = occ.geom.transform(4326, clone=True)
    assert term(row, "occurrenceID") == f"urn:uuid:{occ.uuid}"
    assert term(row, "basisOfRecord") == "HumanObservation"
    assert term(row, "eventDate") == "2020-05-12"
    assert term(row, "eventTime") == "07:30:00"
    assert (term(row, "year"), term(row, "month"), term(row, "day")) == (
        "2020",
        "5",
        "12",
    )
    assert term(row, "scientificName") == "Alauda arvensis Linnaeus, 1758"
    assert term(row, "scientificNameAuthorship") == "Linnaeus, 1758"
    assert term(row, "taxonRank") == "species"
    assert term(row, "kingdom") == "Animalia"
    assert term(row, "class") == "Aves"
    assert term(row, "order") == "Passeriformes"
    assert term(row, "family") == "Alaudidae"
    assert term(row, "taxonID") == "https://inpn.mnhn.fr/espece/cd_nom/3676"
    assert term(row, "vernacularName") == "Alouette des champs"
    assert term(row, "occurrenceStatus") == "present"
    assert term(row, "individualCount") == "3"
    assert term(row, "sex") == "male"
    assert term(row, "lifeStage") == "adult"
    assert term(row, "recordedBy") == "MARTIN Léa (CPIE CdT)"
    assert term(row, "identifiedBy") == "DUPONT Jean"
    assert term(row, "identificationVerificationStatus") == "Certain - très probable"
    assert float(term(row, "decimalLatitude")) == pytest.approx(point.y, abs=1e-6)
    assert float(term(row, "decimalLongitude")) == pytest.approx(point.x, abs=1e-6)
    assert term(row, "geodeticDatum") == "EPSG:4326"
    assert term(row, "coordinateUncertaintyInMeters") == "10"
    assert term(row, "footprintWKT") == ""
    assert term(row, "countryCode") == "FR"
    assert term(row, "stateProvince") == "Hauts-de-France"
    assert term(row, "county") == "Pas-de-Calais"
    assert term(row, "municipality") == "Loos-en-Gohelle"
    assert term(row, "locality") == "Mare du Bois"
    # Tab and line break become spaces; the double quotes survive the CSV quoting.
    assert term(row, "occurrenceRemarks") == 'Chant nuptial "deux mâles"'
    assert term(row, "informationWithheld") == ""
    assert term(row, "dataGeneralizations") == ""
    assert term(row, "datasetID") == str(dataset.uuid)
    assert term(row, "datasetName") == "Suivi des mares de Loos"
    assert term(row, "institutionCode") == "CPIE CdT"
    assert term(row, "rightsHolder") == "CPIE Chaîne des Terrils"
    assert (
        term(row, "license") == "http://creativecommons.org/licenses/by/4.0/legalcode"
    )


def test_polygon_absence_and_date_range(archive, records):
    _reader, rows, _eml = read(archive)
    occ = records["area"]
    row = next(r for r in rows if r.id == f"urn:uuid:{occ.uuid}")
    assert term(row, "eventDate") == "2020-04-28/2020-05-03"
    assert (term(row, "year"), term(row, "month"), term(row, "day")) == ("2020", "", "")
    assert term(row, "occurrenceStatus") == "absent"
    assert term(row, "individualCount") == "0"
    assert term(row, "identificationVerificationStatus") == "Probable"
    assert term(row, "footprintWKT").startswith("POLYGON((")
    assert term(row, "footprintSRS") == "EPSG:4326"
    centre = occ.geom.centroid.transform(4326, clone=True)
    assert float(term(row, "decimalLatitude")) == pytest.approx(centre.y, abs=1e-6)
    # Half the diagonal of the 200 m × 100 m rectangle, rounded up.
    assert term(row, "coordinateUncertaintyInMeters") == "112"


def test_sensitive_record_is_published_blurred(archive, records, commune):
    _reader, rows, _eml = read(archive)
    occ = records["sensitive"]
    row = next(r for r in rows if r.id == f"urn:uuid:{occ.uuid}")
    centre = commune.geom.centroid.transform(4326, clone=True)
    assert float(term(row, "decimalLatitude")) == pytest.approx(centre.y, abs=1e-6)
    assert float(term(row, "decimalLongitude")) == pytest.approx(centre.x, abs=1e-6)
    # The commune is a 6 km square: the radius covering it from its centre.
    assert term(row, "coordinateUncertaintyInMeters") == "4243"
    assert term(row, "municipality") == "Loos-en-Gohelle"
    assert term(row, "county") == "Pas-de-Calais"
    for dropped in ("locality", "occurrenceRemarks", "footprintWKT"):
        assert term(row, dropped) == "", dropped
    assert "Grotte" not in str(row.data) and "hibernation" not in str(row.data)
    assert "niveau SINP 1" in term(row, "informationWithheld")
    assert term(row, "dataGeneralizations").startswith(
        "Coordonnées généralisées à la commune"
    )
    precise = occ.geom.transform(4326, clone=True)
    assert f"{precise.y:.6f}" not in str(row.data)


def test_unpublished_records_are_absent(archive, records):
    raw = zipfile.ZipFile(archive).read("occurrence.txt").decode()
    for occ in records["absent"]:
        assert str(occ.uuid) not in raw


def test_eml_metadata(archive, records, dataset):
    _reader, _rows, eml = read(archive)
    ds = eml.find("dataset")
    assert ds.findtext("title") == "Suivi des mares de Loos"
    assert ds.findtext("alternateIdentifier") == str(dataset.uuid)
    for tag in ("creator", "metadataProvider", "contact"):
        assert ds.findtext(f"{tag}/organizationName") == "CPIE Chaîne des Terrils"
    assert [p.text for p in ds.findall("abstract/para")] == [
        "Inventaire des mares.",
        "Protocole : deux passages par an.",
    ]
    assert ds.findtext("language") == "fr"
    assert ds.find("intellectualRights/para/ulink").get("url") == (
        "http://creativecommons.org/licenses/by/4.0/legalcode"
    )
    published = Occurrence.objects.filter(
        pk__in=[records[n].pk for n in ("precise", "area", "sensitive")]
    )
    last = max(o.updated_at for o in published).astimezone(ZoneInfo("Europe/Paris"))
    assert ds.findtext("pubDate") == last.date().isoformat()
    dates = ds.find("coverage/temporalCoverage/rangeOfDates")
    assert dates.findtext("beginDate/calendarDate") == "2020-04-28"
    assert dates.findtext("endDate/calendarDate") == "2020-05-12"
    box = ds.find("coverage/geographicCoverage/boundingCoordinates")
    west, east, north, south = (
        float(box.findtext(f"{side}BoundingCoordinate"))
        for side in ("west", "east", "north", "south")
    )
    assert 2.5 < west <= east < 3.2 and 50.3 < south <= north < 50.6


def test_meta_xml_is_structurally_valid(archive):
    with zipfile.ZipFile(archive) as zf:
        assert zf.namelist() == ["meta.xml", "eml.xml", "occurrence.txt"]
        meta = ET.fromstring(zf.read("meta.xml"))
        text = zf.read("occurrence.txt").decode("utf-8")
    core = meta.find(f"{TEXT_NS}core")
    assert meta.get("metadata") == "eml.xml"
    assert core.get("rowType") == DWC + "Occurrence"
    assert core.get("ignoreHeaderLines") == "1"
    assert core.get("encoding") == "UTF-8"
    assert core.findtext(f"{TEXT_NS}files/{TEXT_NS}location") == "occurrence.txt"
    assert core.find(f"{TEXT_NS}id").get("index") == "0"
    fields = core.findall(f"{TEXT_NS}field")
    rows = list(csv.reader(io.StringIO(text), delimiter="\t", quotechar='"'))
    header = rows[0]
    assert len(rows) == 4
    assert all(len(row) == len(header) for row in rows)
    assert [int(f.get("index")) for f in fields] == list(range(len(header)))
    terms = [f.get("term") for f in fields]
    assert len(set(terms)) == len(terms)
    assert set(terms) <= set(TERMS) | NEWER_TERMS, set(terms) - set(TERMS)
    assert [t.rsplit("/", 1)[1] for t in terms] == header


def test_archive_is_deterministic(records, dataset, tmp_path):
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    dwca_export(dataset=dataset, out_path=first)
    dwca_export(dataset=dataset, out_path=second)
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (first, second)]
    assert digest[0] == digest[1]
    for info in zipfile.ZipFile(first).infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)


def test_command_writes_the_archive(records, dataset, tmp_path):
    out = io.StringIO()
    path = tmp_path / "sortie.zip"
    call_command("export_dwca", dataset=str(dataset.uuid), out=str(path), stdout=out)
    assert "3 observation(s)" in out.getvalue()
    assert "Suivi des mares de Loos" in out.getvalue()
    _reader, rows, _eml = read(path)
    assert len(rows) == 3


def test_private_dataset_is_refused(records, dataset, tmp_path):
    dataset.is_public = False
    dataset.save()
    path = tmp_path / "prive.zip"
    with pytest.raises(CommandError, match="n'est pas public"):
        call_command("export_dwca", dataset=str(dataset.uuid), out=str(path))
    with pytest.raises(DwcaRefused):
        dwca_export(dataset=dataset, out_path=path)
    assert not path.exists()


def test_restricted_licence_and_unknown_dataset_are_refused(dataset, tmp_path):
    dataset.licence = Dataset.Licence.RESTRICTED
    dataset.save()
    with pytest.raises(CommandError, match="Diffusion restreinte"):
        call_command("export_dwca", dataset=str(dataset.uuid), out=str(tmp_path / "x"))
    with pytest.raises(CommandError, match="Aucun jeu de données"):
        call_command(
            "export_dwca",
            dataset="00000000-0000-0000-0000-000000000000",
            out=str(tmp_path / "x"),
        )
    with pytest.raises(CommandError, match="UUID"):
        call_command("export_dwca", dataset="pas-un-uuid", out=str(tmp_path / "x"))


def test_empty_dataset_gives_a_valid_archive(dataset, tmp_path):
    path = tmp_path / "vide.zip"
    assert dwca_export(dataset=dataset, out_path=path) == 0
    _reader, rows, eml = read(path)
    assert rows == []
    assert eml.find("dataset/coverage") is None
