"""Factories of the shared referential. Geometries are Lambert-93, inside Hauts-de-France."""

import factory
from django.contrib.auth.models import Group
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon

from referentiel.models import (
    AtlasGroup,
    Commune,
    Dataset,
    Departement,
    Organisation,
    Person,
    Programme,
    Site,
    Taxon,
    TaxonStatus,
    User,
)
from referentiel.models.taxa import build_search_text

# Loos-en-Gohelle town hall (Lambert-93).
LOOS_X, LOOS_Y = 684250.0, 7040050.0


def square(x: float, y: float, size: float = 1000.0) -> MultiPolygon:
    polygon = Polygon.from_bbox((x, y, x + size, y + size))
    multi = MultiPolygon(polygon)
    multi.srid = 2154
    return multi


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisme {n}")
    kind = Organisation.Kind.ASSOCIATION


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"utilisateur{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.django.Password("motdepasse-de-test")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for role in extracted:
                self.groups.add(Group.objects.get_or_create(name=role)[0])


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    organisation = factory.SubFactory(OrganisationFactory)


class AtlasGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AtlasGroup
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"groupe-{n}")
    name = factory.LazyAttribute(lambda o: o.code.capitalize())


class TaxonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Taxon
        django_get_or_create = ("cd_nom",)

    cd_nom = factory.Sequence(lambda n: 9_000_000 + n)
    cd_ref = factory.LazyAttribute(lambda o: o.cd_nom)
    rank = "ES"
    scientific_name = factory.Sequence(lambda n: f"Genus species{n}")
    vernacular_name = ""
    kingdom = "Animalia"
    search_text = factory.LazyAttribute(
        lambda o: build_search_text(o.scientific_name, o.vernacular_name)
    )


class TaxonStatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxonStatus

    taxon = factory.SubFactory(TaxonFactory)
    rarity = "AC"
    red_list = "LC"


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ("code",)

    code = "62"
    name = "Pas-de-Calais"
    geom = factory.LazyFunction(lambda: square(600000, 6980000, 120000))


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ("insee",)

    insee = "62528"
    name = "Loos-en-Gohelle"
    departement = factory.SubFactory(DepartementFactory)
    geom = factory.LazyFunction(lambda: square(LOOS_X - 3000, LOOS_Y - 3000, 6000))


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Site {n}")
    kind = Site.Kind.MARAIS
    geom = factory.LazyFunction(
        lambda: GEOSGeometry(f"SRID=2154;POINT({LOOS_X} {LOOS_Y})")
    )


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"PROG{n}")
    name = factory.LazyAttribute(lambda o: f"Programme {o.code}")
    coordinator = factory.SubFactory(OrganisationFactory)


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dataset

    title = factory.Sequence(lambda n: f"Jeu de données {n}")
    producer = factory.SubFactory(OrganisationFactory)
