"""A POP aire of the CPIE with three water points, the taxa, and the observer."""

import pytest

from tests.factories.referentiel import DatasetFactory, PersonFactory
from tests.factories.zones_humides import (
    AMPHIBIANS,
    PopAireFactory,
    PopSiteFactory,
    amphibian,
)


@pytest.fixture
def taxa(db):
    return {cd_nom: amphibian(cd_nom) for cd_nom in AMPHIBIANS}


@pytest.fixture
def pop_dataset(organisation):
    return DatasetFactory(producer=organisation, title="POP Amphibien du CPIE")


@pytest.fixture
def observer(saisie_user, organisation):
    return PersonFactory(
        user=saisie_user, first_name="Léa", last_name="Caron", organisation=organisation
    )


@pytest.fixture
def aire(pop_dataset, observer):
    return PopAireFactory(
        number=5, name="Terrils du 11/19", dataset=pop_dataset, main_observer=observer
    )


@pytest.fixture
def pop_sites(aire):
    return [PopSiteFactory(aire=aire, code=f"A5-0{n}") for n in (1, 2, 3)]
