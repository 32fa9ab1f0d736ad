"""Reads of site counts for the grid, the tables and the trends. A missing count (site not
visited, « non compté », species left empty) is ``None``, never 0."""

from dataclasses import dataclass

from django.db.models import Count, Max

from observations.models import CountProgramme, CountSite, CountVisit, SiteCount
from referentiel.models import Taxon


def programme_taxa(programme: CountProgramme) -> list[Taxon]:
    return list(programme.taxa.order_by("scientific_name"))


def programme_sites(programme: CountProgramme) -> list[CountSite]:
    return list(programme.sites.select_related("site").order_by("site__name"))


def programme_seasons(programme: CountProgramme) -> list[int]:
    """Every season from the first to the last one with a visit."""
    bounds = CountVisit.objects.filter(count_site__programme=programme).values_list(
        "season", flat=True
    )
    seasons = sorted(set(bounds))
    return list(range(seasons[0], seasons[-1] + 1)) if seasons else []


@dataclass
class SeasonRow:
    count_site: CountSite
    visit: CountVisit | None
    values: list[int | None]  # in the order of the taxa


def season_table(
    *, programme: CountProgramme, season: int
) -> tuple[list[Taxon], list[SeasonRow]]:
    """The site × species table of a season (the table sent to partners)."""
    taxa = programme_taxa(programme)
    visits = {
        v.count_site_id: v
        for v in CountVisit.objects.filter(
            count_site__programme=programme, season=season
        ).prefetch_related("observers")
    }
    counts: dict[tuple[int, int], int] = {
        (visit_site, taxon): value
        for visit_site, taxon, value in SiteCount.objects.filter(
            visit__count_site__programme=programme, visit__season=season
        ).values_list("visit__count_site_id", "taxon_id", "count")
    }
    rows = [
        SeasonRow(
            count_site=site,
            visit=visits.get(site.pk),
            values=[counts.get((site.pk, taxon.pk)) for taxon in taxa],
        )
        for site in programme_sites(programme)
    ]
    return taxa, rows


def season_totals(rows: list[SeasonRow]) -> list[int | None]:
    """Per species: the sum of the counted values (None where nothing was counted)."""
    if not rows:
        return []
    totals = []
    for column in zip(*(row.values for row in rows), strict=True):
        known = [value for value in column if value is not None]
        totals.append(sum(known) if known else None)
    return totals


def species_matrix(
    *, programme: CountProgramme, taxon: Taxon
) -> tuple[list[int], list[tuple[CountSite, list[int | None]]]]:
    """Per species: seasons and, per site, its count of each season (None = missing)."""
    seasons = programme_seasons(programme)
    values = {
        (site, season): value
        for site, season, value in SiteCount.objects.filter(
            visit__count_site__programme=programme, taxon=taxon
        ).values_list("visit__count_site_id", "visit__season", "count")
    }
    matrix = [
        (site, [values.get((site.pk, season)) for season in seasons])
        for site in programme_sites(programme)
    ]
    return seasons, matrix


def trend_input(
    *, programme: CountProgramme, taxon: Taxon
) -> tuple[list[str], list[int], list[int | None]]:
    """site/year/count triples of a species for TRIM, missing counts as None."""
    seasons, matrix = species_matrix(programme=programme, taxon=taxon)
    sites, years, counts = [], [], []
    for site, values in matrix:
        for season, value in zip(seasons, values, strict=True):
            sites.append(str(site.pk))
            years.append(season)
            counts.append(value)
    return sites, years, counts


def programme_version(programme: CountProgramme) -> str:
    """Changes whenever a visit of the programme is saved, added or deleted (a count is
    only written through its visit), or the programme's species list changes."""
    visits = CountVisit.objects.filter(count_site__programme=programme).aggregate(
        last=Max("updated_at"), visits=Count("pk"), counts=Count("counts")
    )
    last = visits["last"].timestamp() if visits["last"] else 0
    taxa = ",".join(str(pk) for pk in programme.taxa.values_list("pk", flat=True))
    return f"{last:.6f}:{visits['visits']}:{visits['counts']}:{taxa}"
