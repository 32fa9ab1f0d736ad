"""Factories of the sensibilisation app: a campaign of the CPIE with its species, actions."""

import datetime as dt

import factory
from django.contrib.gis.geos import Point

from referentiel.models import AtlasGroup
from sensibilisation.models import Action, Campaign, CampaignSpecies, Report, Volunteer
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    DatasetFactory,
    OrganisationFactory,
    PersonFactory,
    ProgrammeFactory,
    TaxonFactory,
)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ("slug",)

    slug = "un-dragon-dans-mon-jardin"
    title = "Un dragon dans mon jardin"
    summary = "Signalez les amphibiens et les reptiles de votre jardin."
    organisation = factory.SubFactory(OrganisationFactory)
    programme = factory.SubFactory(
        ProgrammeFactory,
        code="DRAGON-JARDIN",
        coordinator=factory.SelfAttribute("..organisation"),
    )
    dataset = factory.SubFactory(
        DatasetFactory,
        title="Un dragon dans mon jardin",
        producer=factory.SelfAttribute("..organisation"),
        programme=factory.SelfAttribute("..programme"),
        is_public=True,
    )
    date_start = dt.date(2019, 3, 1)
    is_open = True


def amphibian_taxon(**kwargs):
    return TaxonFactory(
        atlas_group=AtlasGroup.objects.get(code="amphibiens"),
        class_name="Amphibia",
        **kwargs,
    )


class CampaignSpeciesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignSpecies

    campaign = factory.SubFactory(CampaignFactory)
    taxon = factory.LazyFunction(
        lambda: amphibian_taxon(
            cd_nom=444430,
            scientific_name="Lissotriton helveticus",
            vernacular_name="Triton palmé",
        )
    )
    common_name = "Triton palmé"


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    species = factory.SubFactory(CampaignSpeciesFactory)
    campaign = factory.SelfAttribute("species.campaign")
    observed_on = dt.date(2020, 4, 2)
    geom = factory.LazyFunction(lambda: Point(LOOS_X + 120, LOOS_Y + 80, srid=2154))
    precision_m = 50
    count = 1
    email = "jardinier@example.org"


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    organisation = factory.SubFactory(OrganisationFactory)
    kind = Action.Kind.OUTING
    title = factory.Sequence(lambda n: f"Action {n}")
    date_start = dt.date(2020, 6, 1)
    action_line = 1


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    person = factory.SubFactory(
        PersonFactory, organisation=factory.SelfAttribute("..organisation")
    )
    organisation = factory.SubFactory(OrganisationFactory)
    consent_date = dt.date(2020, 1, 15)
    consent_scope = ["contact"]
