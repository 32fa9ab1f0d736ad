"""Demo winter bat counts: idempotent, fast, missing winters left missing, trends computed."""

import pytest
from django.contrib.gis.geos import GEOSGeometry

from observations.counts.trends import programme_trends
from observations.demo.counts import SITES, counts_demo_load
from observations.models import CountProgramme, CountVisit, Occurrence, Source
from referentiel.models import Role, Site
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    DatasetFactory,
    PersonFactory,
    ProgrammeFactory,
    SiteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def referential(organisation):
    programme = ProgrammeFactory(code="CHIRO-HIVER", coordinator=organisation)
    DatasetFactory(programme=programme, producer=organisation)
    UserFactory(
        username="coordinateur", organisation=organisation, roles=[Role.COORDINATEUR]
    )
    PersonFactory.create_batch(3)
    for n, name in enumerate(SITES):
        SiteFactory(
            name=name,
            kind=Site.Kind.GITE,
            geom=GEOSGeometry(f"SRID=2154;POINT({LOOS_X + 200 * n} {LOOS_Y})"),
        )


def test_demo_counts_idempotent(referential):
    # Its speed is measured by `make data`'s timing lines, not asserted here: a timed
    # assertion fails on a busy machine, not on slow code.
    line = counts_demo_load()
    visits = CountVisit.objects.count()
    assert 80 < visits < 115 and "10 gîtes" in line
    assert counts_demo_load().startswith("Comptages : 0 visites")
    assert CountVisit.objects.count() == visits
    published = Occurrence.objects.filter(source=Source.COMPTAGE)
    assert published.filter(observation_status="No").exists()
    programme = CountProgramme.objects.get()
    assert programme.taxa.count() >= 7
    trends = {
        t["taxon"]["scientific_name"]: t for t in programme_trends(programme=programme)
    }
    emarginatus = trends["Myotis emarginatus"]
    assert emarginatus["ok"] and emarginatus["slope_imputed"]["multiplicative"] > 1.03
    assert trends["Myotis daubentonii"]["slope_imputed"]["multiplicative"] < 1
