"""Occurrence factories: rows in Lambert-93 around Loos-en-Gohelle, derived fields computed."""

import datetime as dt

import factory
from django.contrib.gis.geos import Point

from observations.models import Occurrence
from observations.services import occurrences_refresh_derived
from tests.factories.referentiel import LOOS_X, LOOS_Y, DatasetFactory, TaxonFactory


class OccurrenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Occurrence
        skip_postgeneration_save = True

    dataset = factory.SubFactory(DatasetFactory)
    taxon = factory.SubFactory(TaxonFactory)
    date_start = dt.date(2020, 5, 12)
    date_end = factory.LazyAttribute(lambda o: o.date_start)
    geom = factory.LazyFunction(lambda: Point(LOOS_X + 100, LOOS_Y + 100, srid=2154))
    count_min = 1
    count_max = 1

    @factory.post_generation
    def derived(self, create, extracted, **kwargs):
        if create:
            occurrences_refresh_derived(ids=[self.pk])
            self.refresh_from_db()
