"""Wetlands factories: a POP aire at Loos-en-Gohelle with its sites, amphibian taxa with
their real cd_nom, a drift fence.

``PopPassageFactory`` writes the row only (no lines, no published occurrence): use
``zones_humides.services.passage_save`` when a test needs them."""

import datetime as dt

import factory
from django.contrib.gis.geos import GEOSGeometry

from referentiel.models import AtlasGroup
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    DatasetFactory,
    PersonFactory,
    SiteFactory,
    TaxonFactory,
    square,
)
from zones_humides.models import (
    DriftFence,
    ManagementOperation,
    PopAire,
    PopPassage,
    PopSite,
    WaterLevelReading,
    WetlandProfile,
)

# cd_nom → (scientific name, vernacular name) of the taxa the tests use.
AMPHIBIANS = {
    914450: ("Amphibia", "Amphibiens"),
    259: ("Bufo bufo", "Crapaud commun"),
    351: ("Rana temporaria", "Grenouille rousse"),
    444432: ("Lissotriton helveticus", "Triton palmé"),
    139: ("Triturus cristatus", "Triton crêté"),
}


def amphibian(cd_nom: int):
    """The taxon with its real code, in the atlas group "amphibiens"."""
    name, vernacular = AMPHIBIANS[cd_nom]
    group = AtlasGroup.objects.get_or_create(
        code="amphibiens", defaults={"name": "Amphibiens"}
    )[0]
    return TaxonFactory(
        cd_nom=cd_nom,
        scientific_name=name,
        vernacular_name=vernacular,
        rank="CL" if cd_nom == 914450 else "ES",
        class_name="Amphibia",
        atlas_group=group,
    )


class PopAireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PopAire

    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Aire {n + 1}")
    geom = factory.LazyFunction(lambda: square(LOOS_X - 1000, LOOS_Y - 1000, 2000))
    landscape_category = "3"
    dataset = factory.SubFactory(DatasetFactory)
    first_year = 2018
    main_observer = factory.SubFactory(PersonFactory)


class PopSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PopSite

    aire = factory.SubFactory(PopAireFactory)
    code = factory.Sequence(lambda n: f"S{n:02d}")
    name = factory.LazyAttribute(lambda o: f"Mare {o.code}")
    geom = factory.Sequence(
        lambda n: GEOSGeometry(f"SRID=2154;POINT({LOOS_X + n * 10} {LOOS_Y})")
    )
    habitat = "1"


class PopPassageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PopPassage

    pop_site = factory.SubFactory(PopSiteFactory)
    number = 1
    date = dt.date(2020, 3, 10)
    year = factory.LazyAttribute(lambda o: o.date.year)
    expertise = PopPassage.Expertise.CHEVRONNE


class WetlandProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WetlandProfile

    site = factory.SubFactory(SiteFactory, kind="mare")
    wetland_type = WetlandProfile.WetlandType.MARE
    surface_m2 = 300


class ManagementOperationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ManagementOperation

    site = factory.SubFactory(SiteFactory)
    kind = ManagementOperation.Kind.FAUCHE
    date_start = dt.date(2020, 9, 15)
    performed_by = ManagementOperation.PerformedBy.SALARIES


class WaterLevelReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WaterLevelReading

    site = factory.SubFactory(SiteFactory)
    date = factory.Sequence(lambda n: dt.date(2020, 1, 1) + dt.timedelta(days=30 * n))
    level_cm = 40


class DriftFenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DriftFence

    site = factory.SubFactory(SiteFactory, kind="mare")
    name = "Barrière-piège de test"
    first_year = 2005
    dataset = factory.SubFactory(DatasetFactory)


def belly_upload(pattern: str = "TC", variant: str = "", name: str = "ventre.jpg"):
    """An uploaded JPEG belly photo (synthetic, zones_humides.demo.newts)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zones_humides.demo.newts import belly_image

    return SimpleUploadedFile(
        name, belly_image(pattern, variant), content_type="image/jpeg"
    )
