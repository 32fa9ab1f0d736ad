"""Wetland sites: the list, the map layer and what a site sheet gathers.

A non-public site holding a record the reader may not place is left out for that reader
(``selectors.reading.sites_visible_to``); a public one stays, and its species list counts
only the records the reader places, saying how many others it does not show."""

from django.db.models import Count, Max, Min, Q, QuerySet

from observations import policy
from observations.models import Occurrence
from referentiel.models import Site
from zones_humides.models import WetlandProfile
from zones_humides.selectors.reading import sites_visible_to

WETLAND_KINDS = (
    Site.Kind.ZONE_HUMIDE,
    Site.Kind.MARAIS,
    Site.Kind.MARE,
    Site.Kind.ETANG,
    Site.Kind.ZEC,
)


def wetland_sites(user) -> QuerySet[Site]:
    """Sites with a wetland profile, or of a wetland kind, that the reader may see."""
    return sites_visible_to(user).filter(
        Q(id__in=WetlandProfile.objects.values("site_id")) | Q(kind__in=WETLAND_KINDS)
    )


def _site_records(*, site: Site, user) -> QuerySet[Occurrence]:
    """Presences recorded on the site (or a site inside it) that the user reads, precise
    or blurred."""
    return Occurrence.objects.visible_to(user).filter(
        Q(site=site) | Q(site__parent=site), observation_status="Pr"
    )


def site_hidden_records(*, site: Site, user) -> int:
    """How many of the site's records the user reads only blurred (they are not placed
    on the site, so its species list leaves them out): a number, nothing else."""
    condition = policy.placeable_q(user)
    if condition == Q():
        return 0
    return _site_records(site=site, user=user).exclude(condition).count()


def site_species(*, site: Site, user) -> list[dict]:
    """Species recorded on the site, from the records the user places (a blurred record
    is not placed on a site: observations.blurring)."""
    occurrences = _site_records(site=site, user=user).filter(policy.placeable_q(user))
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
