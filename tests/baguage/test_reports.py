"""The annual ringing table: figures per site and programme, foreign controls and their
countries, remarkable species, STOC indicators, permissions and the XLSX download."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from baguage.models import RingingProgramme
from baguage.reports import annual_table, month_span
from tests.factories.baguage import (
    BirdTaxonFactory,
    CaptureFactory,
    EuringSpeciesFactory,
    RingerFactory,
    RingingProgrammeFactory,
    SessionFactory,
    StationFactory,
)
from tests.factories.referentiel import DatasetFactory, PersonFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(organisation):
    """Two STOC stations and a VOIE programme on two sites, 2019 and 2020, in the CPIE's
    private dataset; a public dataset of the CPIE with one PHENO session."""
    reed = BirdTaxonFactory(
        cd_nom=4195,
        scientific_name="Acrocephalus scirpaceus",
        vernacular_name="Rousserolle effarvatte",
    )
    bunting = BirdTaxonFactory(
        cd_nom=4669,
        scientific_name="Emberiza schoeniclus",
        vernacular_name="Bruant des roseaux",
    )
    nightingale = BirdTaxonFactory(
        cd_nom=4013,
        scientific_name="Luscinia megarhynchos",
        vernacular_name="Rossignol philomèle",
    )
    EuringSpeciesFactory(taxon=reed, code="12510")
    EuringSpeciesFactory(taxon=nightingale, code="11040", is_remarkable=True)
    private = DatasetFactory(producer=organisation, is_public=False, title="Privé")
    public = DatasetFactory(producer=organisation, is_public=True, title="Public")
    stoc = RingingProgrammeFactory(
        programme=ProgrammeFactory(code="STOC-CAPTURE", name="STOC capture"),
        kind=RingingProgramme.Kind.STOC,
    )
    voie = RingingProgrammeFactory(
        programme=ProgrammeFactory(code="VOIE-BRUANT", name="VOIE Bruant"),
        kind=RingingProgramme.Kind.VOIE,
    )
    voie.target_taxa.set([bunting])
    pheno = RingingProgrammeFactory(
        programme=ProgrammeFactory(code="PHENO", name="Phénologie"),
        kind=RingingProgramme.Kind.PHENO,
    )
    couture = StationFactory(name="Couture", site__name="Marais de la Couture")
    wingles = StationFactory(name="Wingles", site__name="Marais de Wingles")
    ringer = RingerFactory(person=PersonFactory(organisation=organisation))

    def session(station, programme, day, dataset=private, **kwargs):
        return SessionFactory(
            station=station,
            programme=programme,
            dataset=dataset,
            date=day,
            ringers=[ringer],
            **kwargs,
        )

    def capture(session, taxon, ring, action="B", age="4", scheme="FRP"):
        return CaptureFactory(
            session=session,
            taxon=taxon,
            ring_number=ring,
            action=action,
            age=age,
            ring_scheme=scheme,
        )

    # 2019 at Couture: two reed warblers ringed, one comes back in 2020 (a return).
    old = session(couture, stoc, dt.date(2019, 5, 17))
    capture(old, reed, "0000001")
    capture(old, reed, "0000002")
    # 2020 STOC at Couture: 3 sessions; the first is in protocol with 120 m of nets.
    may = session(couture, stoc, dt.date(2020, 5, 17))
    capture(may, reed, "0000010", age="4")
    capture(may, reed, "0000011", age="6")
    capture(may, nightingale, "0000012", age="4")
    capture(may, reed, "0000001", action="C", age="6")  # return of 2019
    june = session(couture, stoc, dt.date(2020, 6, 13))
    capture(june, reed, "0000013", age="3")
    capture(june, reed, "0000014", age="3")
    capture(june, reed, "0000010", action="C", age="4")  # retrap of May
    capture(june, reed, "BE123", action="C", scheme="BLB")
    # A session failing the protocol: too short, off the reference dates, 1 capture.
    short = session(
        couture, stoc, dt.date(2020, 7, 30), start_time=dt.time(6), end_time=dt.time(8)
    )
    capture(short, reed, "0000015", age="3")
    # 2020 STOC at Wingles: one session, a Dutch and a German control.
    w = session(wingles, stoc, dt.date(2020, 6, 15), nets_length_m=Decimal("240"))
    capture(w, reed, "0000020")
    capture(w, reed, "0000021")
    capture(w, reed, "0000022")
    capture(w, reed, "NL1", action="C", scheme="NLA")
    capture(w, reed, "DE1", action="C", scheme="DEH")
    # VOIE Bruant on both sites (a subtotal row): buntings are a target species.
    v1 = session(couture, voie, dt.date(2020, 10, 10))
    capture(v1, bunting, "0000030", age="3")
    capture(v1, bunting, "0000031", age="3")
    capture(v1, reed, "0000032", age="3")
    v2 = session(wingles, voie, dt.date(2020, 10, 20))
    capture(v2, bunting, "0000040", age="3")
    capture(v2, bunting, "SE1", action="C", scheme="SVS")
    # PHENO in the public dataset.
    p = session(couture, pheno, dt.date(2020, 8, 20), dataset=public)
    capture(p, reed, "0000050", age="3")
    return locals()


def rows_by(table):
    return {(row.programme_code, row.site): row for row in table.rows}


def test_table_per_site_and_programme(data, saisie_user):
    with CaptureQueriesContext(connection) as queries:
        table = annual_table(year=2020, user=saisie_user)
    assert len(queries) < 25  # aggregates, not a query per row or capture
    rows = rows_by(table)
    couture = rows[("STOC-CAPTURE", "Marais de la Couture")]
    assert (couture.sessions, couture.rings, couture.controls, couture.foreign) == (
        3,
        6,
        3,
        1,
    )
    assert couture.species == 2
    assert couture.months == "mai–juillet"
    assert couture.countries == {"Belgique": 1}
    assert [(r.name, r.count) for r in couture.remarkable] == [
        ("Rossignol philomèle", 1)
    ]
    wingles = rows[("STOC-CAPTURE", "Marais de Wingles")]
    assert (wingles.rings, wingles.controls, wingles.foreign) == (3, 2, 2)
    assert wingles.countries == {"Allemagne": 1, "Pays-Bas": 1}
    assert wingles.remarkable == []
    # Programmes on several sites get a subtotal row.
    stoc_total = rows[("STOC-CAPTURE", "2 sites")]
    assert (stoc_total.sessions, stoc_total.rings, stoc_total.controls) == (4, 9, 5)
    assert stoc_total.species == 2 and stoc_total.foreign == 3
    voie = rows[("VOIE-BRUANT", "2 sites")]
    assert (voie.rings, voie.controls, voie.species) == (4, 1, 2)
    assert voie.countries == {"Suède": 1}
    # The programme's target species is remarkable in its rows (not elsewhere).
    assert str(voie.remarkable[0]) == "Bruant des roseaux (4)"
    assert [
        r.name for r in rows[("VOIE-BRUANT", "Marais de la Couture")].remarkable
    ] == ["Bruant des roseaux"]
    # Totals: controls as captures and as distinct birds, countries of foreign rings.
    total = table.total
    assert (total.rings, total.controls, total.foreign) == (14, 6, 4)
    assert table.controlled_birds == 6
    assert table.countries == {
        "Allemagne": 1,
        "Belgique": 1,
        "Pays-Bas": 1,
        "Suède": 1,
    }
    assert total.species == 3 and total.sessions == 7


def test_species_and_session_summaries(data, saisie_user):
    table = annual_table(year=2020, user=saisie_user)
    species = {row.scientific_name: row for row in table.species}
    reed = species["Acrocephalus scirpaceus"]
    assert (reed.rings, reed.controls, reed.foreign) == (10, 5, 3)
    assert reed.juveniles == 5 and reed.adults == 10
    assert reed.juvenile_ratio == pytest.approx(5 / 15)
    assert [s.date for s in table.sessions][:2] == [
        dt.date(2020, 5, 17),
        dt.date(2020, 6, 13),
    ]
    june = next(s for s in table.sessions if s.date == dt.date(2020, 6, 13))
    assert (june.capture_count, june.ringed_count, june.control_count) == (4, 2, 2)
    assert june.foreign_count == 1


def test_stoc_indicators(data, saisie_user):
    table = annual_table(year=2020, user=saisie_user)
    stations = {s.station: s for s in table.stoc}
    couture = stations["Couture"]
    may, june, short = couture.sessions
    assert (may.adults, may.juveniles) == (4, 0)
    assert may.adults_per_120m == pytest.approx(4.0)  # 120 m of nets
    assert (june.adults, june.juveniles) == (2, 2)
    assert may.problems == [] and june.problems == []
    assert len(short.problems) == 3  # date, duration, captures
    # Adults per session over the sessions in protocol only.
    assert couture.adults_per_session == pytest.approx((4 + 2) / 2)
    assert couture.productivity == pytest.approx(3 / (3 + 6))
    assert couture.returns == 1 and couture.previous_year_rings == 2
    wingles = stations["Wingles"]
    assert wingles.sessions[0].adults_per_120m == pytest.approx(5 * 120 / 240)
    assert wingles.returns == 0


def test_only_readable_datasets_are_counted(data, partenaire_user):
    table = annual_table(year=2020, user=partenaire_user)
    assert [row.programme_code for row in table.rows] == ["PHENO"]
    assert table.total.rings == 1 and table.stoc == []


def test_month_span():
    assert month_span(dt.date(2020, 7, 1), dt.date(2020, 11, 5)) == "juillet–novembre"
    assert month_span(dt.date(2020, 5, 1), dt.date(2020, 5, 9)) == "mai"
    assert month_span(None, None) == ""


def test_page_requires_login(client, data):
    url = reverse("baguage:bilan", kwargs={"year": 2020})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_page_shows_the_table_and_year_navigation(client, data, saisie_user):
    client.force_login(saisie_user)
    response = client.get(reverse("baguage:bilan", kwargs={"year": 2020}))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Bilan du baguage 2020" in text
    assert "Marais de la Couture" in text and "Rossignol philomèle (1)" in text
    assert "Belgique (1)" in text and "Suède (1)" in text
    assert "Indicateurs STOC-Capture" in text and "Non conforme" in text
    assert reverse("baguage:bilan", kwargs={"year": 2019}) in text
    latest = client.get(reverse("baguage:bilan_latest"))
    assert latest["Location"].endswith("/bilan/2020/")


def test_xlsx_download_opens_with_openpyxl(client, data, saisie_user):
    client.force_login(saisie_user)
    url = reverse("baguage:bilan_xlsx", kwargs={"year": 2020, "filename_year": 2020})
    response = client.get(url)
    assert response.status_code == 200
    assert "bilan-baguage-2020.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["Bilan 2020", "Espèces", "Sessions", "STOC"]
    rows = list(workbook["Bilan 2020"].iter_rows(values_only=True))
    assert rows[0][0] == "Site" and rows[-1][0] == "Total"
    couture = next(
        r for r in rows if r[0] == "Marais de la Couture" and r[2] == "STOC capture"
    )
    assert couture[5:8] == (6, 3, 1)
    assert rows[-1][5] == 14
    stoc = list(workbook["STOC"].iter_rows(values_only=True))
    assert any(r[5] and r[5].startswith("Productivité") for r in stoc)
    wrong = reverse("baguage:bilan_xlsx", kwargs={"year": 2020, "filename_year": 2019})
    assert client.get(wrong).status_code == 404
