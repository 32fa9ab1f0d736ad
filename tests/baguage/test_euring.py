"""EURING2000+ records, the species table and the yearly export (issue 5, item 6).

Every record produced here is decoded with the PyPI ``euring`` package (EURING's reference
decoder/validator): it must decode as EURING2000+ without any error."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.shortcuts import resolve_url
from django.urls import reverse
from euring import EuringRecord
from euring.data import code_table_circumstances, code_table_place_code
from euring.data.code_table_species import TABLE as EURING_SPECIES

from baguage.euring import (
    CIRCUMSTANCES,
    PLACE_CODES,
    SPECIES_CSV,
    euring_coordinates,
    euring_export,
    euring_record,
    euring_record_errors,
    euring_species_load,
    ring_identification,
)
from baguage.models import Capture, EuringSpecies, RingingProgramme, Session, Station
from referentiel.models import Commune, Departement, Role
from tests.factories.referentiel import (
    CommuneFactory,
    DatasetFactory,
    ProgrammeFactory,
    SiteFactory,
    TaxonFactory,
    UserFactory,
)

YEAR = 2020
REED_WARBLER = 4195  # Acrocephalus scirpaceus, EURING 12510


def _decode_ok(record: str) -> None:
    decoded = EuringRecord.decode(record)
    assert decoded.format == "euring2000plus"
    assert decoded.errors == {"record": [], "fields": []}, decoded.errors


def _species_rows() -> list[dict]:
    with open(SPECIES_CSV, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- The species table and the code tables ---------------------------------------------------


def test_species_table_codes_are_euring_codes():
    by_code = {row["code"]: row["name"] for row in EURING_SPECIES}
    rows = _species_rows()
    assert len(rows) >= 60
    for row in rows:
        assert by_code.get(row["euring_code"]) == row["euring_name"], row
        assert re.fullmatch(r"[A-Z]{6}", row["crbpo_code"]), row
        assert Decimal(row["wing_min"]) < Decimal(row["wing_max"]), row
        assert Decimal(row["mass_min"]) < Decimal(row["mass_max"]), row
        assert row["is_remarkable"] in ("0", "1")
    assert len({row["euring_code"] for row in rows}) == len(rows)
    assert len({row["crbpo_code"] for row in rows}) == len(rows)
    names = {row["french_name"] for row in rows}
    for context in (
        "Pic vert",
        "Bergeronnette des ruisseaux",
        "Rossignol philomèle",
        "Pipit spioncelle",
        "Bruant des roseaux",
        "Phragmite aquatique",
        "Blongios nain",
        "Martin-pêcheur d'Europe",
        "Bouscarle de Cetti",
        "Hirondelle de rivage",
        "Bécassine des marais",
        "Bécassine sourde",
        "Sarcelle d'hiver",
        "Chardonneret élégant",
        "Verdier d'Europe",
        "Mésange huppée",
        "Hirondelle rustique",
        "Gobemouche gris",
        "Alouette des champs",
        "Caille des blés",
        "Faucon pèlerin",
    ):
        assert context in names


def test_place_codes_are_the_euring_codes_of_the_departements():
    table = {
        row["place_code"]: row
        for row in code_table_place_code.TABLE
        if row["country"] == "France"
    }
    for departement, code in PLACE_CODES.items():
        assert table[code]["is_current"], code
        if departement != "75":  # Paris is grouped with the petite couronne (FR28)
            assert departement in table[code]["notes"], (departement, code)
    assert PLACE_CODES["59"] == "FR05"  # Nord
    assert PLACE_CODES["62"] == "FR07"  # Pas-de-Calais


def test_circumstances_are_the_euring_codes():
    codes = {str(row["code"]) for row in code_table_circumstances.TABLE}
    assert CIRCUMSTANCES == codes


# --- Formatting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ring, expected",
    [
        ("685923", "....685923"),
        ("EA12345", "EA...12345"),
        ("ea 12.345", "EA...12345"),
        ("1234567890", "1234567890"),
        ("X", ".........X"),
    ],
)
def test_ring_identification_is_padded_with_dots_to_ten(ring, expected):
    assert ring_identification(ring) == expected
    assert len(ring_identification(ring)) == 10


@pytest.mark.parametrize(
    "lat, lng, expected",
    [
        (50.4575, 2.7917, "+502727+0024730"),
        (50.0, -1.5, "+500000-0013000"),
        (-33.925, 18.4239, "-335530+0182526"),
        (48.99999, 2.0, "+490000+0020000"),  # rounding carries into the minutes
    ],
)
def test_coordinates_are_signed_degrees_minutes_seconds(lat, lng, expected):
    text = euring_coordinates(lat, lng)
    assert text == expected
    assert len(text) == 15


# --- Records ---------------------------------------------------------------------------------


@pytest.fixture
def world(organisation):
    """A STOC station in Pas-de-Calais (Loos-en-Gohelle), one 2020 session, EURING species."""
    CommuneFactory()  # Loos-en-Gohelle, département 62
    site = SiteFactory(name="Marais de la Couture")
    programme = RingingProgramme.objects.create(
        programme=ProgrammeFactory(code="STOC-CAPT", name="STOC-Capture"),
        kind=RingingProgramme.Kind.STOC,
    )
    station = Station.objects.create(site=site, name="Station de la Couture")
    dataset = DatasetFactory(producer=organisation, title="Baguage CPIE")
    session = Session.objects.create(
        station=station,
        programme=programme,
        dataset=dataset,
        date=dt.date(YEAR, 5, 18),
        start_time=dt.time(6, 0),
        end_time=dt.time(11, 30),
    )
    reed = TaxonFactory(cd_nom=REED_WARBLER, scientific_name="Acrocephalus scirpaceus")
    # A taxon known by name only (its cd_nom is not in the table): matched by name.
    sparrow = TaxonFactory(cd_nom=9_100_001, scientific_name="Passer domesticus")
    orphan = TaxonFactory(cd_nom=9_100_002, scientific_name="Nomen nudum")
    euring_species_load()
    return {
        "session": session,
        "station": station,
        "reed": reed,
        "sparrow": sparrow,
        "orphan": orphan,
    }


def _capture(world, **fields) -> Capture:
    values = {
        "session": world["session"],
        "line": Capture.objects.filter(session=world["session"]).count() + 1,
        "action": "B",
        "ring_number": f"81{Capture.objects.count():05d}",
        "taxon": world["reed"],
        "age": "3",
        "sex": "U",
    }
    values.update(fields)
    return Capture.objects.create(**values)


def test_species_load_matches_by_cd_nom_then_name(world):
    assert EuringSpecies.objects.get(taxon=world["reed"]).code == "12510"
    sparrow = EuringSpecies.objects.get(taxon=world["sparrow"])
    assert (sparrow.code, sparrow.crbpo_code) == ("15910", "PASDOM")
    assert not EuringSpecies.objects.filter(taxon=world["orphan"]).exists()
    counts = euring_species_load()  # again: updates, creates nothing
    assert (counts.created, counts.updated) == (0, 2)
    assert counts.skipped == len(_species_rows()) - 2
    reed = EuringSpecies.objects.get(taxon=world["reed"])
    assert (reed.wing_min, reed.mass_max) == (Decimal("62"), Decimal("16"))


def test_new_ring_record_has_the_33_fields_then_the_optional_ones(world):
    capture = _capture(
        world,
        time=dt.time(7, 45),
        sex="F",
        sexing_method="B",
        wing_mm=Decimal("65.5"),
        third_primary_mm=Decimal("49.0"),
        mass_g=Decimal("11.3"),
        fat=3,
        muscle=2,
        brood_patch="3",
        moult="X",
        tarsus_mm=Decimal("22.4"),
        bill_mm=Decimal("15.1"),
        remarks="Oiseau | nerveux",
    )
    record = euring_record(capture)
    fields = record.split("|")
    assert len(fields) == 60
    assert fields[:33] == [
        "FRP",
        "A0",
        fields[2],
        "0",
        "2",  # metal ring added, on the tarsus
        "ZZ",
        "12510",
        "12510",
        "N",
        "0",
        "M",  # mist net
        "U",
        "F",
        "F",
        "3",
        "3",
        "U",
        "--",
        "--",
        "-",
        "18052020",
        "0",
        "0745",
        "FR07",  # Pas-de-Calais
        fields[24],
        "0",
        "8",
        "20",
        "0",
        "4",
        "-----",
        "---",
        "-----",
    ]
    assert re.fullmatch(r"\+50\d{4}\+002\d{4}", fields[24])
    assert fields[2] == ring_identification(capture.ring_number)
    optional = dict(
        zip(
            (
                "wing third_primary wing_point mass moult plumage hind_claw bill "
                "bill_method head tarsus tarsus_method tail tail_difference fat "
                "fat_method muscle brood_patch primary_score primary_moult coverts "
                "alula carpal sexing place remarks reference"
            ).split(),
            fields[33:],
            strict=True,
        )
    )
    assert optional["wing"] == "65.5"
    assert optional["third_primary"] == "49"
    assert optional["mass"] == "11.3"
    assert optional["moult"] == "X"
    assert optional["bill"] == "15.1"
    assert optional["tarsus"] == "22.4"
    assert (optional["fat"], optional["muscle"], optional["brood_patch"]) == (
        "3",
        "2",
        "3",
    )
    assert optional["sexing"] == "B"
    assert optional["place"] == "Marais de la Couture"
    assert optional["remarks"] == "Oiseau nerveux"  # no pipe can break the record
    assert optional["reference"] == f"CPIE-{capture.pk}"
    assert euring_record_errors(capture) == []
    _decode_ok(record)


def test_control_and_foreign_control_records(world):
    control = _capture(world, action="C", ring_number="EA12345", age="4", sex="M")
    foreign = _capture(
        world,
        action="C",
        ring_scheme="BLB",
        ring_number="11X123456",
        taxon=world["sparrow"],
        age="0",
        other_marks="BC",
        colour_marks="bague verte AB2",
    )
    found_dead = _capture(
        world, action="R", ring_number="7000001", condition="2", circumstances="61"
    )
    fields = euring_record(control).split("|")
    assert (fields[0], fields[2], fields[4], fields[10]) == (
        "FRP",
        "EA...12345",
        "4",
        "M",
    )
    fields = euring_record(foreign).split("|")
    assert (fields[0], fields[2], fields[4], fields[5], fields[6]) == (
        "BLB",
        "11X.123456",
        "4",  # metal ring already present
        "BC",  # colour ring already present
        "15910",
    )
    assert "marques couleur bague verte AB2" in fields[58]
    fields = euring_record(found_dead).split("|")
    assert (fields[4], fields[10], fields[26], fields[27]) == ("4", "-", "2", "61")
    for capture in (control, foreign, found_dead):
        _decode_ok(euring_record(capture))


def test_pullus_and_empty_optional_fields(world):
    capture = _capture(world, age="1", time=None)
    fields = euring_record(capture).split("|")
    assert (fields[16], fields[17], fields[18], fields[19]) == ("-", "00", "99", "U")
    assert fields[22] == "----"
    assert fields[33:56] == [""] * 23
    _decode_ok(euring_record(capture))


def test_invalid_captures_give_french_reasons(world):
    no_code = _capture(world, taxon=world["orphan"])
    too_long = _capture(world, ring_number="ABC123456789")
    bad_codes = _capture(
        world, age="?", condition="X", circumstances="95", other_marks="QQ"
    )
    assert euring_record_errors(no_code) == ["Espèce sans code EURING : Nomen nudum."]
    assert "trop long" in euring_record_errors(too_long)[0]
    reasons = " ".join(euring_record_errors(bad_codes))
    for word in ("Âge", "Condition", "Circonstances", "autres marques"):
        assert word in reasons
    with pytest.raises(ValueError, match="sans code EURING"):
        euring_record(no_code)


def test_site_without_departement_gets_the_france_code(world):
    station = world["station"]
    station.site.communes.clear()
    Commune.objects.all().delete()
    Departement.objects.all().delete()
    capture = _capture(world)
    assert euring_record(capture).split("|")[23] == "FR--"
    _decode_ok(euring_record(capture))


# --- Export, command, pages ------------------------------------------------------------------


def _year_of_captures(world) -> dict:
    later = Session.objects.create(
        station=world["station"],
        programme=world["session"].programme,
        dataset=world["session"].dataset,
        date=dt.date(YEAR, 6, 14),
    )
    other_year = Session.objects.create(
        station=world["station"],
        programme=world["session"].programme,
        dataset=world["session"].dataset,
        date=dt.date(YEAR + 1, 5, 18),
    )
    # Entered out of order: the export sorts by date, session, line.
    second = _capture(world, session=later, line=1, ring_number="8123460")
    first_b = _capture(world, line=2, ring_number="8123458", wing_mm=Decimal("66"))
    first_a = _capture(world, line=1, ring_number="8123457")
    invalid = _capture(world, line=3, ring_number="8123459", taxon=world["orphan"])
    _capture(world, session=other_year, line=1, ring_number="8123461")
    return {"order": [first_a, first_b, second], "invalid": invalid}


def test_export_writes_valid_records_in_order_and_lists_invalid_ones(world):
    expected = _year_of_captures(world)
    out = io.StringIO()
    seen = []
    written, invalid = euring_export(year=YEAR, out=out, progress=seen.append)
    lines = out.getvalue().splitlines()
    assert written == 3 == len(lines)
    assert [line.split("|")[2] for line in lines] == [
        ring_identification(capture.ring_number) for capture in expected["order"]
    ]
    assert [(capture.id, capture.line) for capture, _ in invalid] == [
        (expected["invalid"].id, 3)
    ]
    assert invalid[0][1] == ["Espèce sans code EURING : Nomen nudum."]
    assert seen[-1] == 4
    for line in lines:
        _decode_ok(line)


def test_export_command_prints_a_summary_and_strict_fails(world, tmp_path):
    expected = _year_of_captures(world)
    path = tmp_path / "euring-2020.txt"
    stdout = io.StringIO()
    call_command("export_euring", year=YEAR, out=str(path), stdout=stdout)
    text = stdout.getvalue()
    assert "3 enregistrement(s) écrit(s)" in text
    assert "1 capture(s) non écrite(s)" in text
    assert (
        f"ligne 3, FRP {expected['invalid'].ring_number}, Nomen nudum : "
        "Espèce sans code EURING" in text
    )
    assert len(path.read_text(encoding="utf-8").splitlines()) == 3
    with pytest.raises(CommandError, match="--strict"):
        call_command(
            "export_euring", year=YEAR, out=str(path), strict=True, stdout=io.StringIO()
        )
    call_command(
        "export_euring", year=YEAR + 1, out=str(path), strict=True, stdout=io.StringIO()
    )


def test_load_command(world):
    stdout = io.StringIO()
    call_command("load_euring_species", stdout=stdout)
    assert "0 créée(s), 2 mise(s) à jour" in stdout.getvalue()


def test_page_needs_login(client, world):
    response = client.get(reverse("baguage:euring_year", args=[YEAR]))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_page_counts_and_download_for_a_reader(client, saisie_user, world):
    expected = _year_of_captures(world)
    client.force_login(saisie_user)
    response = client.get(reverse("baguage:euring_year", args=[YEAR]))
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["written"] == 3
    assert response.context["invalid_count"] == 1
    assert "Espèce sans code EURING : Nomen nudum." in body
    assert expected["invalid"].ring_number in body
    url = reverse("baguage:euring_download", args=[YEAR, YEAR])
    assert url.endswith(f"/baguage/euring/{YEAR}/euring-{YEAR}.txt")
    assert url in body
    response = client.get(url)
    assert response.status_code == 200
    assert 'filename="euring-2020.txt"' in response["Content-Disposition"]
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 3
    for line in lines:
        _decode_ok(line)
    assert client.get(f"/baguage/euring/{YEAR}/euring-1999.txt").status_code == 404


def test_user_without_access_to_the_dataset_gets_nothing(client, world):
    _year_of_captures(world)
    outsider = UserFactory(username="partenaire-ailleurs", roles=[Role.PARTENAIRE])
    client.force_login(outsider)
    response = client.get(reverse("baguage:euring_year", args=[YEAR]))
    assert response.status_code == 200
    assert response.context["total"] == 0
    response = client.get(reverse("baguage:euring_download", args=[YEAR, YEAR]))
    assert b"".join(response.streaming_content) == b""
