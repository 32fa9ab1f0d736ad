"""Writes on territories and sites: derived communes are computed, never typed."""

from django.db import transaction

from cpie_naturaliste.core.geo import to_storage_srid
from referentiel.models import Commune, Site


def site_refresh_communes(*, site: Site) -> None:
    """Link the site to every commune its geometry intersects."""
    site.communes.set(
        Commune.objects.filter(geom__intersects=site.geom).values_list(
            "insee", flat=True
        )
    )


@transaction.atomic
def site_save(*, site: Site) -> Site:
    """Validate and save a site in Lambert-93, then recompute its communes."""
    site.geom = to_storage_srid(site.geom)
    site.full_clean()
    site.save()
    site_refresh_communes(site=site)
    return site


@transaction.atomic
def sites_refresh_communes() -> None:
    """Recompute the communes of every site (after a communes import)."""
    for site in Site.objects.only("pk", "geom").iterator(chunk_size=500):
        site_refresh_communes(site=site)
