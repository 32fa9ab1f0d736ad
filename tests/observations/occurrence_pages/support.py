"""The observation pages' URLs and a record entered through the service, for their tests."""

import datetime as dt

from django.contrib.gis.geos import Point
from django.urls import reverse

from observations.services import occurrence_create
from tests.observations.entry_support import (
    LOOS_LAT,
    LOOS_LON,
)

CREATE = reverse("observations:occurrence_create")
LIST = reverse("observations:occurrence_list")
QUEUE = reverse("observations:validation_queue")


def detail_url(occurrence):
    return reverse("observations:occurrence_detail", args=[occurrence.uuid])


def created(user, taxon, dataset, observers=(), **fields):
    values = {
        "dataset": dataset,
        "taxon": taxon,
        "date_start": dt.date(2021, 4, 2),
        "geom": Point(LOOS_LON, LOOS_LAT, srid=4326),
        "count_min": 2,
        "count_max": 2,
        **fields,
    }
    return occurrence_create(user=user, observers=observers, **values)
