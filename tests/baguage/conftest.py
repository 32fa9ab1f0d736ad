"""Fixtures of the ringing pages, API and services: a STOC session of the CPIE's dataset
at a station with 10 nets of 12 m, entered by the ``saisie`` user who is also its ringer,
rings of size A (0001000–0001099) and two bird species with their usual ring size and
biometrics; ``crbpo``: what the CRBPO import files are matched against."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from tests.factories.baguage import (
    BirdTaxonFactory,
    EuringSpeciesFactory,
    NetPositionFactory,
    RingerFactory,
    RingingProgrammeFactory,
    RingSeriesFactory,
    SessionFactory,
    StationFactory,
)
from tests.factories.referentiel import CommuneFactory, DatasetFactory, PersonFactory


@pytest.fixture
def ringing(organisation, saisie_user):
    robin = BirdTaxonFactory(
        cd_nom=4001, scientific_name="Erithacus rubecula", vernacular_name="Rougegorge"
    )
    wren = BirdTaxonFactory(
        cd_nom=4002,
        scientific_name="Troglodytes troglodytes",
        vernacular_name="Troglodyte mignon",
    )
    EuringSpeciesFactory(taxon=robin, code="10990", crbpo_code="ERIRUB")
    EuringSpeciesFactory(
        taxon=wren,
        code="10660",
        ring_size="AA",
        wing_min=Decimal("44"),
        wing_max=Decimal("52"),
        mass_min=Decimal("7"),
        mass_max=Decimal("12"),
    )
    series = RingSeriesFactory(size="A", first=1000, last=1099)
    dataset = DatasetFactory(producer=organisation, title="Baguage CPIE")
    station = StationFactory(name="Marais de la Glissoire", site__name="Glissoire")
    for number in range(1, 11):
        NetPositionFactory(station=station, number=number, length_m=Decimal("12"))
    ringer = RingerFactory(
        person=PersonFactory(
            user=saisie_user,
            first_name="Claire",
            last_name="Dumont",
            organisation=organisation,
        )
    )
    # Entered by the saisie user: staff change their own sessions only (write rule).
    session = SessionFactory(
        station=station, dataset=dataset, ringers=[ringer], created_by=saisie_user
    )
    return SimpleNamespace(
        robin=robin,
        wren=wren,
        series=series,
        dataset=dataset,
        station=station,
        ringer=ringer,
        session=session,
        programme=session.programme,
        user=saisie_user,
    )


@pytest.fixture
def crbpo(saisie_user):
    return crbpo_referential_create(saisie_user)


def crbpo_referential_create(saisie_user) -> dict:
    """A station, the STOC programme, a ringer, a ring series, two species and a dataset of
    ``saisie_user``'s organisation: what the CRBPO import files are matched against."""
    CommuneFactory()
    station = StationFactory(
        name="Étang de Loos", code="LOOS1", site__name="Étang de Loos"
    )
    stoc = RingingProgrammeFactory()  # STOC-CAPTURE
    ringer = RingerFactory(
        person=PersonFactory(first_name="Lise", last_name="Dupont"),
        permit_number="P123",
    )
    series = RingSeriesFactory(size="V", first=8000000, last=8000999)
    tit = BirdTaxonFactory(cd_nom=3764, scientific_name="Parus major")
    robin = BirdTaxonFactory(cd_nom=4001, scientific_name="Erithacus rubecula")
    no_range = {"wing_min": None, "wing_max": None, "mass_min": None, "mass_max": None}
    species = {
        "PARMAJ": EuringSpeciesFactory(
            taxon=tit, code="14640", crbpo_code="PARMAJ", ring_size="V", **no_range
        ),
        "ERIRUB": EuringSpeciesFactory(
            taxon=robin, code="10990", crbpo_code="ERIRUB", ring_size="V", **no_range
        ),
    }
    dataset = DatasetFactory(producer=saisie_user.organisation, title="Baguage CPIE")
    return {
        "station": station,
        "programme": stoc,
        "ringer": ringer,
        "series": series,
        "species": species,
        "dataset": dataset,
        "user": saisie_user,
    }
