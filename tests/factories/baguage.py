"""Ringing factories: a STOC station at Loos-en-Gohelle, rings of size A, a robin.

``CaptureFactory`` writes the row directly (no entry checks, no published occurrence): use
``baguage.services.capture_save`` when a test needs them."""

import datetime as dt
from decimal import Decimal

import factory

from baguage.models import (
    Capture,
    EuringSpecies,
    NetPosition,
    Ringer,
    RingingProgramme,
    RingSeries,
    Session,
    Station,
)
from referentiel.models import AtlasGroup
from tests.factories.referentiel import (
    DatasetFactory,
    PersonFactory,
    ProgrammeFactory,
    SiteFactory,
    TaxonFactory,
)


class RingerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ringer

    person = factory.SubFactory(PersonFactory)
    permit_number = factory.Sequence(lambda n: f"CRBPO-{1000 + n}")
    valid_from = dt.date(2015, 1, 1)
    valid_until = dt.date(2030, 12, 31)


class RingSeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RingSeries

    size = "A"
    prefix = ""
    first = 1000
    last = 1099
    digits = 7
    received_on = dt.date(2020, 1, 15)


class BirdTaxonFactory(TaxonFactory):
    atlas_group = factory.LazyFunction(lambda: AtlasGroup.objects.get(code="oiseaux"))


class EuringSpeciesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EuringSpecies
        django_get_or_create = ("code",)

    taxon = factory.SubFactory(BirdTaxonFactory)
    code = factory.Sequence(lambda n: f"{10000 + n:05d}")
    ring_size = "A"
    wing_min = Decimal("66")
    wing_max = Decimal("76")
    mass_min = Decimal("14")
    mass_max = Decimal("24")


class RingingProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RingingProgramme
        django_get_or_create = ("programme",)

    programme = factory.SubFactory(
        ProgrammeFactory, code="STOC-CAPTURE", name="STOC-Capture"
    )
    kind = RingingProgramme.Kind.STOC


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    site = factory.SubFactory(SiteFactory, name="Marais de Loos", kind="marais")
    name = factory.Sequence(lambda n: f"Station {n}")
    code = factory.Sequence(lambda n: f"ST{n:03d}")


class NetPositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetPosition

    station = factory.SubFactory(StationFactory)
    number = factory.Sequence(lambda n: n + 1)
    length_m = Decimal("12")


class SessionFactory(factory.django.DjangoModelFactory):
    """A STOC session on a reference date (14 June 2020), 6 h, 10 nets of 12 m."""

    class Meta:
        model = Session
        skip_postgeneration_save = True

    station = factory.SubFactory(StationFactory)
    programme = factory.SubFactory(RingingProgrammeFactory)
    dataset = factory.SubFactory(DatasetFactory)
    date = dt.date(2020, 6, 14)
    start_time = dt.time(6, 0)
    end_time = dt.time(12, 0)
    nets_count = 10
    nets_length_m = Decimal("120")

    @factory.post_generation
    def ringers(self, create, extracted, **kwargs):
        if create and extracted:
            self.ringers.set(extracted)


class CaptureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Capture

    session = factory.SubFactory(SessionFactory)
    line = factory.Sequence(lambda n: n + 1)
    action = Capture.Action.RINGED
    ring_number = factory.Sequence(lambda n: f"{5000 + n:07d}")
    taxon = factory.SubFactory(BirdTaxonFactory)
    age = "3"
