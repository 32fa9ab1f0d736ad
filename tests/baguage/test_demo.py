"""The ringing demo: the 2020 table computed from its data is the table of the 2020 activity
report (``docs/report-2020.md``), and a second run adds nothing."""

import datetime as dt
from io import StringIO

import pytest
from django.db.models import F, Q

from baguage.demo import load_demo
from baguage.models import (
    Capture,
    EuringSpecies,
    NetPosition,
    Ringer,
    RingingProgramme,
    RingSeries,
    Session,
    Station,
)
from baguage.reports import annual_table
from baguage.services import LOW_STOCK, ring_stock, session_protocol_problems
from observations.models import Occurrence
from referentiel.models import User
from tests.demo_db import demo_database

# context.md, "Per site in 2020": (programme, site of the computed row, rings, controls,
# species, remarkable species with, where the report gives them, their counts). The GIBIER
# and Hirondelle rustique rows are the subtotals of their programme over its sites.
CONTEXT_2020 = (
    (
        "STOC-CAPTURE",
        "Marais de la Couture",
        145,
        39,
        16,
        {"Pic vert": None, "Bergeronnette des ruisseaux": None},
    ),
    ("STOC-CAPTURE", "Marais de Wingles", 210, 42, 12, {"Rossignol philomèle": None}),
    (
        "VOIE-BRUANT",
        "Marais de la Couture",
        23,
        9,
        8,
        {"Pipit spioncelle": None, "Bruant des roseaux": None},
    ),
    (
        "PHENO",
        "Bac à schlamms de Dourges",
        2126,
        201,
        47,
        {"Phragmite aquatique": 2, "Blongios nain": 1},
    ),
    (
        "VOIE-BRUANT",
        "Bac à schlamms de Dourges",
        20,
        2,
        4,
        {"Bruant des roseaux": None},
    ),
    (
        "VOIE-BRUANT",
        "ZEC Delta 3",
        189,
        17,
        16,
        {
            "Bruant des roseaux": None,
            "Martin-pêcheur d'Europe": None,
            "Bouscarle de Cetti": None,
        },
    ),
    (
        "VOIE-HIRONDELLE-RIVAGE",
        "Terril de cendres de Courrières",
        120,
        14,
        1,
        {"Hirondelle de rivage": None},
    ),
    (
        "VOIE-HIRONDELLE-RIVAGE",
        "Carrière STB",
        141,
        1,
        1,
        {"Hirondelle de rivage": None},
    ),
    (
        "GIBIER",
        "5 sites",
        341,
        19,
        16,
        {"Bécassine des marais": 70, "Bécassine sourde": 31, "Sarcelle d'hiver": 12},
    ),
    (
        "SPOL",
        "Jardin privé de Vimy",
        308,
        98,
        21,
        {
            "Chardonneret élégant": None,
            "Verdier d'Europe": None,
            "Mésange huppée": None,
        },
    ),
    ("VOIE-HIRONDELLE-RUSTIQUE", "2 sites", 41, 3, 1, {"Hirondelle rustique": None}),
)
FOREIGN_COUNTRIES = {
    "Belgique",
    "Pays-Bas",
    "Allemagne",
    "Grande-Bretagne",
    "Suède",
    "Danemark",
    "Norvège",
}
MODELS = (
    Ringer,
    RingSeries,
    RingingProgramme,
    Station,
    NetPosition,
    Session,
    Capture,
    EuringSpecies,
)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole demo (referential, observations, ringing), for this module."""
    # ``load_demo --departements 59 62``: a copy of the demo template (tests/demo_db.py).
    with django_db_blocker.unblock(), demo_database("demo"):
        yield


@pytest.fixture
def coordinator(demo):
    return User.objects.get(username="coordinateur")


@pytest.mark.django_db
def test_2020_table_is_the_table_of_the_report(demo, coordinator):
    table = annual_table(year=2020, user=coordinator)
    rows = {(row.programme_code, row.site): row for row in table.rows}
    for programme, site, rings, controls, species, remarkable in CONTEXT_2020:
        row = rows[(programme, site)]
        assert (row.rings, row.controls, row.species) == (rings, controls, species), (
            programme,
            site,
        )
        assert {r.name for r in row.remarkable} == set(remarkable), (programme, site)
        for item in row.remarkable:
            if remarkable[item.name] is not None:
                assert item.count == remarkable[item.name], (programme, site, item)
    gibier = rows[("GIBIER", "5 sites")]
    assert {"Dourges", "Ostricourt", "Avion", "Vimy"} <= set(gibier.communes)
    assert rows[("PHENO", "Bac à schlamms de Dourges")].sessions == 15
    assert rows[("PHENO", "Bac à schlamms de Dourges")].months == "juillet–novembre"
    assert rows[("STOC-CAPTURE", "Marais de la Couture")].sessions == 3
    assert rows[("STOC-CAPTURE", "Marais de Wingles")].sessions == 4
    assert rows[("STOC-CAPTURE", "Marais de Wingles")].months == "mai–juillet"


@pytest.mark.django_db
def test_2020_totals(demo, coordinator):
    table = annual_table(year=2020, user=coordinator)
    # context.md: "444 controls of already-ringed birds of which 32 ringed abroad". Its
    # rows add up to 445 controls: one bird was controlled twice.
    assert table.controlled_birds == 444
    assert table.total.controls == 445
    assert table.total.foreign == 32
    assert set(table.countries) == FOREIGN_COUNTRIES
    # Its rows add up to 3,664 rings, more than its total of 3,551; the demo follows the
    # rows, plus the rings of the Caille, SMAC, GLS and peregrine programmes.
    report_rows = sum(rings for _p, _s, rings, *_rest in CONTEXT_2020)
    assert report_rows == 3664
    others = sum(
        row.rings
        for row in table.rows
        if row.programme_code in {"CAILLE", "SMAC", "GLS-GOBEMOUCHE", "FAUCON-PELERIN"}
        and (row.station_id is None or row.programme_code not in {"CAILLE"})
    )
    assert table.total.rings == report_rows + others
    assert 55 <= table.total.sessions <= 70
    gls = Capture.objects.filter(
        session__date__year=2020, session__programme__programme__code="GLS-GOBEMOUCHE"
    )
    assert gls.count() == 3
    assert all(c.logger_serial and c.other_marks == "LB" for c in gls)
    assert gls.filter(taxon__scientific_name="Muscicapa striata").count() == 3


@pytest.mark.django_db
def test_stoc_sessions_and_indicators(demo, coordinator):
    stoc = Session.objects.filter(programme__kind="stoc").select_related("programme")
    failing = [s for s in stoc if session_protocol_problems(s)]
    assert [(s.station.name, s.date) for s in failing] == [
        ("Marais de Wingles", dt.date(2020, 5, 28))
    ]
    assert all(s.duration_hours >= 3 for s in stoc if s not in failing)
    table = annual_table(year=2020, user=coordinator)
    for station in table.stoc:
        assert station.returns > 0 and 0 < station.productivity < 1
        assert station.adults_per_session > 0


@pytest.mark.django_db
def test_captures_are_consistent_and_published(demo):
    captures = Capture.objects.all()
    assert not captures.filter(occurrence__isnull=True).exists()
    occurrences = Occurrence.objects.filter(ringing_capture__isnull=False)
    assert occurrences.count() == captures.count()
    assert set(occurrences.values_list("source", flat=True)) == {"baguage"}
    assert not occurrences.filter(Q(commune__isnull=True) | Q(observers=None)).exists()
    assert not occurrences.exclude(taxon_id=F("ringing_capture__taxon_id")).exists()
    # Every new ring is in a series of its size; controls of our rings are the same
    # species as at ringing, and later.
    ringed = captures.filter(action="B")
    assert not ringed.filter(series__isnull=True).exists()
    assert not ringed.exclude(series__size=F("ring_size")).exists()
    first = {
        (c.ring_scheme, c.ring_number): (c.taxon_id, c.session.date)
        for c in ringed.select_related("session")
    }
    for control in captures.exclude(action="B").select_related("session"):
        known = first.get((control.ring_scheme, control.ring_number))
        if known:
            assert known[0] == control.taxon_id
            assert known[1] < control.session.date
    # Biometrics within the usual ranges of the EURING table (no warning at entry).
    ranges = EuringSpecies.objects.filter(wing_min__isnull=False)
    for species in ranges:
        outside = captures.filter(taxon=species.taxon_id).filter(
            Q(wing_mm__lt=species.wing_min)
            | Q(wing_mm__gt=species.wing_max)
            | Q(mass_g__lt=species.mass_min)
            | Q(mass_g__gt=species.mass_max)
        )
        assert not outside.exists(), species


@pytest.mark.django_db
def test_ring_stock_has_rings_left_and_one_size_running_low(demo):
    stock = {row["size"]: row for row in ring_stock()}
    assert all(row["left"] > 0 for row in stock.values())
    low = [size for size, row in stock.items() if row["low"]]
    assert low == ["D"] and stock["D"]["left"] < LOW_STOCK
    ringers = Ringer.objects.exclude(permit_kind="stagiaire")
    assert ringers.count() == 3 and not ringers.filter(permit_number="").exists()


@pytest.mark.django_db
def test_a_second_run_adds_nothing(demo):
    counts = {model: model.objects.count() for model in MODELS}
    occurrences = Occurrence.objects.filter(source="baguage").count()
    output = StringIO()
    load_demo(stdout=output)
    assert {model: model.objects.count() for model in MODELS} == counts
    assert Occurrence.objects.filter(source="baguage").count() == occurrences
    assert "Baguage : 0 captures de démonstration créées" in output.getvalue()
    assert counts[Capture] > 10000


@pytest.mark.django_db
def test_the_2020_euring_file_is_valid_euring2000plus(demo):
    """Every 2020 demo capture is written, and every record decodes without error."""
    import io

    from euring import EuringRecord

    from baguage.euring import euring_export

    out = io.StringIO()
    written, invalid = euring_export(year=2020, out=out)
    assert invalid == [] and written > 4000
    records = out.getvalue().splitlines()
    assert len(records) == written
    for record in records:
        decoded = EuringRecord.decode(record)
        assert decoded.errors["record"] == [], (record, decoded.errors)
        assert [
            error for error in decoded.errors["fields"] if not _euring_text_bug(error)
        ] == [], (record, decoded.errors)


def _euring_text_bug(error: dict) -> bool:
    """euring 26.4 writes its Text pattern ``[^\\x00-\\x1F\\x7C\\7F]``: ``\\7`` is an
    octal escape, so any text with a capital F ("Ferme de …") is refused. EURING's rule is
    "no pipe, no control character"; that is what is checked instead."""
    value = error.get("value") or ""
    return (
        "not valid for type Text" in error.get("message", "")
        and "|" not in value
        and value.isascii()
        and all(ord(char) >= 0x20 for char in value)
    )
