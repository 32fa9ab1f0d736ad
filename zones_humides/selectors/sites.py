"""Wetland sites: the list, the map layer and what a site sheet gathers."""

from django.db.models import Count, Max, Min, Q, QuerySet

from observations.blurring import filter_attribute
from observations.models import Occurrence
from referentiel.models import Site
from zones_humides.models import WetlandProfile

WETLAND_KINDS = (
    Site.Kind.ZONE_HUMIDE,
    Site.Kind.MARAIS,
    Site.Kind.MARE,
    Site.Kind.ETANG,
    Site.Kind.ZEC,
)


def wetland_sites(user) -> QuerySet[Site]:
    """Sites with a wetland profile, or of a wetland kind."""
    return Site.objects.visible_to(user).filter(
        Q(id__in=WetlandProfile.objects.values("site_id")) | Q(kind__in=WETLAND_KINDS)
    )


def site_species(*, site: Site, user) -> list[dict]:
    """Species recorded on the site, from the occurrences the user may read (a blurred
    record is not placed on a site: observations.blurring)."""
    occurrences = filter_attribute(
        Occurrence.objects.visible_to(user).filter(observation_status="Pr"),
        Q(site=site) | Q(site__parent=site),
    )
    rows = (
        occurrences.values(
            "taxon__cd_ref",
            "taxon__scientific_name",
            "taxon__vernacular_name",
            "atlas_group__name",
        )
        .annotate(records=Count("id"), first=Min("date_start"), last=Max("date_start"))
        .order_by("atlas_group__name", "taxon__scientific_name")
    )
    species: dict[int, dict] = {}
    for row in rows:
        entry = species.setdefault(
            row["taxon__cd_ref"],
            {
                "name": row["taxon__scientific_name"],
                "vernacular": (row["taxon__vernacular_name"] or "").split(",")[0],
                "group": row["atlas_group__name"] or "",
                "records": 0,
                "first": row["first"],
                "last": row["last"],
            },
        )
        entry["records"] += row["records"]
        entry["first"] = min(entry["first"], row["first"])
        entry["last"] = max(entry["last"], row["last"])
    return list(species.values())
