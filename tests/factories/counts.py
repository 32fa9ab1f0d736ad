"""Site-count factories: a bat hibernacula programme of the CPIE's dataset, its sites
around Loos-en-Gohelle, and a helper drawing several seasons of counts."""

import datetime as dt

import factory
import numpy as np
from django.contrib.gis.geos import GEOSGeometry

from observations.counts.services import VisitEntry, visits_create_bulk
from observations.models import CountProgramme, CountSite
from referentiel.models import Site
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    DatasetFactory,
    ProgrammeFactory,
    SiteFactory,
    TaxonFactory,
)


class CountProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CountProgramme
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory, code="CHIRO-HIVER")
    dataset = factory.SubFactory(DatasetFactory)
    kind = CountProgramme.Kind.HIBERNACULA


class CountSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CountSite

    programme = factory.SubFactory(CountProgrammeFactory)
    site = factory.SubFactory(
        SiteFactory,
        kind=Site.Kind.GITE,
        geom=factory.Sequence(
            lambda n: GEOSGeometry(
                f"SRID=2154;POINT({LOOS_X + 150 * n} {LOOS_Y - 120 * n})"
            )
        ),
    )
    habitat = CountSite.Habitat.MINE


def bat_taxa() -> list:
    return [
        TaxonFactory(
            cd_nom=60400,
            scientific_name="Myotis emarginatus",
            vernacular_name="Murin à oreilles échancrées",
        ),
        TaxonFactory(
            cd_nom=200118,
            scientific_name="Myotis daubentonii",
            vernacular_name="Murin de Daubenton",
        ),
    ]


def seasons_create(*, programme, sites, user, first=2010, last=2020, seed=8):
    """Counts of every programme species for each site and season, a growing species
    and a declining one, with one season in seven missing at random."""
    rng = np.random.default_rng(seed)
    taxa = list(programme.taxa.order_by("scientific_name"))
    entries = []
    for i, site in enumerate(sites):
        for season in range(first, last + 1):
            if rng.random() < 1 / 7 and season not in (first, last):
                continue
            counts = {
                taxon.pk: int(
                    rng.poisson(
                        (5 + 3 * i) * (0.92 if k == 0 else 1.1) ** (season - first)
                    )
                )
                for k, taxon in enumerate(taxa)
            }
            entries.append(
                VisitEntry(count_site=site, date=dt.date(season, 1, 20), counts=counts)
            )
    return visits_create_bulk(entries=entries, user=user)
