"""A terril with a 2020 campaign, a method version ``v1`` (amphibians weight 1, flora
weight 2, habitats) and records of two listed species inside the polygon, one outside."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.gis.geos import Point

from terrils.models import GroupCode
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import LOOS_X, LOOS_Y, DatasetFactory, TaxonFactory
from tests.factories.terrils import (
    CampaignFactory,
    MethodGroupFactory,
    MethodVersionFactory,
    PatrimonialHabitatFactory,
    PatrimonialSpeciesFactory,
    TerrilFactory,
)

INSIDE = Point(LOOS_X + 200, LOOS_Y + 200, srid=2154)
OUTSIDE = Point(LOOS_X + 2000, LOOS_Y + 2000, srid=2154)


@pytest.fixture
def evaluation(organisation):
    version = MethodVersionFactory(code="v1", is_current=True)
    amphibians = MethodGroupFactory(version=version, code=GroupCode.AMPHIBIANS)
    flora = MethodGroupFactory(
        version=version,
        code=GroupCode.FLORA,
        period_start=4,
        period_end=9,
        weight=Decimal(2),
    )
    habitats = MethodGroupFactory(version=version, code=GroupCode.HABITATS)
    newt = TaxonFactory(
        cd_nom=139, scientific_name="Triturus cristatus", vernacular_name="Triton crêté"
    )
    toad = TaxonFactory(
        cd_nom=197,
        scientific_name="Epidalea calamita",
        vernacular_name="Crapaud calamite",
    )
    orchid = TaxonFactory(
        cd_nom=88000, scientific_name="Ophrys apifera", kingdom="Plantae"
    )
    PatrimonialSpeciesFactory(
        group=amphibians, taxon=newt, rarity="R", threat="VU", is_protected=True
    )
    PatrimonialSpeciesFactory(group=amphibians, taxon=toad, rarity="PC")
    PatrimonialSpeciesFactory(group=flora, taxon=orchid, rarity="AR")
    PatrimonialHabitatFactory(group=habitats, code="E1.2", rarity="R")
    terril = TerrilFactory(number="94-94a", name="Terril de Noyelles")
    dataset = DatasetFactory(producer=organisation, title="Évaluation des terrils")
    campaign = CampaignFactory(terril=terril, year=2020, dataset=dataset)
    common = dict(dataset=dataset, geom=INSIDE)
    OccurrenceFactory(taxon=newt, date_start=dt.date(2020, 4, 2), **common)
    OccurrenceFactory(taxon=newt, date_start=dt.date(2020, 5, 2), **common)
    OccurrenceFactory(taxon=orchid, date_start=dt.date(2020, 6, 10), **common)
    # Outside the polygon, outside the amphibians' months, or in another year.
    OccurrenceFactory(
        taxon=toad, date_start=dt.date(2020, 4, 2), dataset=dataset, geom=OUTSIDE
    )
    OccurrenceFactory(taxon=toad, date_start=dt.date(2020, 10, 2), **common)
    OccurrenceFactory(taxon=toad, date_start=dt.date(2019, 4, 2), **common)
    return SimpleNamespace(
        version=version,
        amphibians=amphibians,
        flora=flora,
        habitats=habitats,
        newt=newt,
        toad=toad,
        orchid=orchid,
        terril=terril,
        campaign=campaign,
        dataset=dataset,
    )
