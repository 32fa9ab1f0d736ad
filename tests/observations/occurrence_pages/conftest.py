"""The species, places, datasets and people of the observation pages' tests."""

import pytest

from referentiel.models import AtlasGroup
from tests.factories.referentiel import (
    CommuneFactory,
    DatasetFactory,
    PersonFactory,
    TaxonFactory,
)


@pytest.fixture
def amphibians():
    return AtlasGroup.objects.get(code="amphibiens")


@pytest.fixture
def frog(amphibians):
    return TaxonFactory(
        cd_nom=351,
        scientific_name="Rana temporaria",
        vernacular_name="Grenouille rousse",
        atlas_group=amphibians,
    )


@pytest.fixture
def toad(amphibians):
    return TaxonFactory(
        cd_nom=259,
        scientific_name="Bufo bufo",
        vernacular_name="Crapaud commun",
        atlas_group=amphibians,
    )


@pytest.fixture
def bird():
    return TaxonFactory(
        cd_nom=3764,
        scientific_name="Turdus merula",
        vernacular_name="Merle noir",
        atlas_group=AtlasGroup.objects.get(code="oiseaux"),
    )


@pytest.fixture
def loos():
    return CommuneFactory()


@pytest.fixture
def own_dataset(organisation):
    return DatasetFactory(producer=organisation, title="Inventaires CPIE")


@pytest.fixture
def claire(saisie_user, organisation):
    return PersonFactory(
        user=saisie_user,
        first_name="Claire",
        last_name="Dumont",
        organisation=organisation,
    )


@pytest.fixture
def frog_validator(validateur_user, amphibians):
    validateur_user.validation_groups.add(amphibians)
    return validateur_user
