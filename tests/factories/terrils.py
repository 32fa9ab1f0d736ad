"""Terril factories: a square terril inside the Loos-en-Gohelle test commune, a method
version with its groups, campaigns."""

import datetime as dt
from decimal import Decimal

import factory

from terrils.models import (
    Campaign,
    GroupCode,
    MethodGroup,
    MethodVersion,
    PatrimonialHabitat,
    PatrimonialSpecies,
    Terril,
)
from tests.factories.referentiel import LOOS_X, LOOS_Y, square


class TerrilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Terril
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: f"{n + 1}")
    name = factory.LazyAttribute(lambda o: f"Terril {o.number}")
    geom = factory.LazyFunction(lambda: square(LOOS_X, LOOS_Y, 500))
    shape = Terril.Shape.CONICAL


class MethodVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MethodVersion
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"v{n + 1}")
    date = dt.date(2019, 1, 1)


class MethodGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MethodGroup

    version = factory.SubFactory(MethodVersionFactory)
    code = GroupCode.AMPHIBIANS
    visits = 3
    period_start = 3
    period_end = 7
    weight = Decimal(1)


class PatrimonialSpeciesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatrimonialSpecies

    group = factory.SubFactory(MethodGroupFactory)
    rarity = "AR"
    threat = ""


class PatrimonialHabitatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatrimonialHabitat

    group = factory.SubFactory(MethodGroupFactory, code=GroupCode.HABITATS)
    code = "E1.2"
    name = "Pelouses calcicoles vivaces"
    rarity = "R"


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    terril = factory.SubFactory(TerrilFactory)
    year = 2020
    date_start = factory.LazyAttribute(lambda o: dt.date(o.year, 1, 1))
    date_end = factory.LazyAttribute(lambda o: dt.date(o.year, 12, 31))
