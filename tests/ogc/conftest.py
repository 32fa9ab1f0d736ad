"""The records every OGC API test reads: organisation A (``organisation``) records in a
public dataset — a plain record, a later one, a sensitive one (blurred to its commune for
a reader of another organisation) — and in a private one; a public site and a protected
site of A; a terril; a POP aire; a wetland site."""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point

from observations.services import occurrences_refresh_sensitivity
from referentiel.models import SensitivityRule
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    DepartementFactory,
    SiteFactory,
    TaxonFactory,
)
from tests.factories.terrils import TerrilFactory
from tests.factories.zones_humides import PopAireFactory, WetlandProfileFactory

# The sensitive record's precise point, and what it says of its place.
SECRET_POINT = (LOOS_X + 1234.0, LOOS_Y - 876.0)
SECRET_PLACE = "LIEU-DIT-SECRET-OGC"
SECRET_COMMENT = "COMMENTAIRE-SECRET-OGC"


@pytest.fixture
def world(organisation, other_organisation):
    DepartementFactory()
    loos = CommuneFactory()
    public = DatasetFactory(producer=organisation, is_public=True, title="Public A")
    private = DatasetFactory(producer=organisation, is_public=False, title="Privé A")
    plain = OccurrenceFactory(
        dataset=public,
        validation_status=1,
        date_start=dt.date(2020, 5, 12),
        geom=Point(LOOS_X + 500, LOOS_Y + 500, srid=2154),
    )
    later = OccurrenceFactory(
        dataset=public,
        validation_status=1,
        date_start=dt.date(2021, 6, 1),
        geom=Point(LOOS_X - 2000, LOOS_Y - 2000, srid=2154),
    )
    taxon = TaxonFactory(scientific_name="Taxon sensible")
    SensitivityRule.objects.create(taxon=taxon, level=1)
    sensitive = OccurrenceFactory(
        taxon=taxon,
        dataset=public,
        validation_status=1,
        date_start=dt.date(2020, 7, 1),
        geom=Point(*SECRET_POINT, srid=2154),
        place_name=SECRET_PLACE,
        comment=SECRET_COMMENT,
    )
    hidden = OccurrenceFactory(dataset=private, validation_status=1)
    occurrences_refresh_sensitivity()
    sensitive.refresh_from_db()
    assert sensitive.sensitivity_level == 1
    public_site = SiteFactory(name="Site public", is_public=True)
    protected_site = SiteFactory(
        name="Site protégé", is_public=False, manager=organisation
    )
    terril = TerrilFactory(number="74", name="Terril 74")
    aire = PopAireFactory(dataset=public, name="Aire de Loos")
    wetland = WetlandProfileFactory(site__name="Mare de Loos").site
    return {
        "loos": loos,
        "plain": plain,
        "later": later,
        "sensitive": sensitive,
        "hidden": hidden,
        "public_site": public_site,
        "protected_site": protected_site,
        "terril": terril,
        "aire": aire,
        "wetland": wetland,
    }
