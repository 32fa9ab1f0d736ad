"""Reads of site counts for the grid, the tables and the trends. A missing count (site not
visited, « non compté », species left empty) is ``None``, never 0.

What a reader sees follows the read rule of protocol records (``observations.policy``): a
count is shown with its site, date and number only when the reader may place the occurrence
it publishes (``shown_counts``), and a count site only when its referential site is listed
for the reader (``shown_sites``: a protected site holding a record the reader may not place
is left out). Left-out counts are counted (``hidden``), never described. Trends are
aggregates over every site (``trend_input`` reads everything) and name no site."""

from dataclasses import dataclass

from django.db.models import Count, Max, QuerySet

from observations.models import CountProgramme, CountSite, CountVisit, SiteCount
from observations.policy import placeable_records
from referentiel.models import Site, Taxon
from referentiel.permissions import writable


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


def reads_own_programme(programme: CountProgramme, user) -> bool:
    """The programme's data are the reader's organisation's own (its places are theirs)."""
    return bool(
        user.is_authenticated
        and user.organisation_id is not None
        and programme.dataset.producer_id == user.organisation_id
    )


def shown_sites(programme: CountProgramme, user) -> list[CountSite]:
    """The count sites ``user`` may see named: those on a site listed for them
    (``Site.objects.visible_to``), every one for the producing organisation's readers."""
    sites = programme.sites.select_related("site").order_by("site__name")
    if not reads_own_programme(programme, user):
        sites = sites.filter(site__in=Site.objects.visible_to(user))
    return list(sites)


def shown_counts(
    programme: CountProgramme, user, sites: list[CountSite]
) -> QuerySet[SiteCount]:
    """The counts of ``programme`` shown to ``user``: at one of ``sites`` and publishing an
    occurrence the user may place."""
    counts = SiteCount.objects.filter(
        visit__count_site__programme=programme,
        visit__count_site__in=[site.pk for site in sites],
    )
    return placeable_records(counts, user)


@dataclass
class SeasonRow:
    count_site: CountSite
    visit: CountVisit | None  # None: not visited, or none of its counts shown
    values: list[int | None]  # in the order of the taxa
    # A visit exists but none of its counts is shown (the grid locks the row); never shown.
    visit_withheld: bool = False


@dataclass
class SeasonTable:
    taxa: list[Taxon]
    rows: list[SeasonRow]
    hidden: int  # counts of the season left out (sensitive records, protected places)

    @property
    def totals(self) -> list[int | None]:
        return season_totals(self.rows)


def season_table(*, programme: CountProgramme, season: int, user) -> SeasonTable:
    """The site × species table of a season (the table sent to partners) as ``user`` sees
    it: a visit whose counts are all left out looks like no visit; the table says how many
    counts it leaves out."""
    taxa = programme_taxa(programme)
    sites = shown_sites(programme, user)
    visits = {
        v.count_site_id: v
        for v in CountVisit.objects.filter(
            count_site__in=[site.pk for site in sites], season=season
        )
        .annotate(stored=Count("counts"))
        .prefetch_related("observers")
    }
    shown = shown_counts(programme, user, sites).filter(visit__season=season)
    counts: dict[tuple[int, int], int] = {
        (visit_site, taxon): value
        for visit_site, taxon, value in shown.values_list(
            "visit__count_site_id", "taxon_id", "count"
        )
    }
    shown_visits = {site for site, _taxon in counts}
    rows = []
    for site in sites:
        visit = visits.get(site.pk)
        withheld = (
            visit is not None and visit.stored > 0 and site.pk not in shown_visits
        )
        rows.append(
            SeasonRow(
                count_site=site,
                visit=None if withheld else visit,
                values=[counts.get((site.pk, taxon.pk)) for taxon in taxa],
                visit_withheld=withheld,
            )
        )
    every = SiteCount.objects.filter(
        visit__count_site__programme=programme, visit__season=season
    ).count()
    return SeasonTable(taxa=taxa, rows=rows, hidden=every - len(counts))


def season_totals(rows: list[SeasonRow]) -> list[int | None]:
    """Per species: the sum of the counted values (None where nothing was counted)."""
    if not rows:
        return []
    totals = []
    for column in zip(*(row.values for row in rows), strict=True):
        known = [value for value in column if value is not None]
        totals.append(sum(known) if known else None)
    return totals


def _matrix(
    programme: CountProgramme,
    taxon: Taxon,
    sites: list[CountSite],
    counts: QuerySet[SiteCount],
) -> tuple[list[int], list[tuple[CountSite, list[int | None]]]]:
    seasons = programme_seasons(programme)
    values = {
        (site, season): value
        for site, season, value in counts.filter(taxon=taxon).values_list(
            "visit__count_site_id", "visit__season", "count"
        )
    }
    matrix = [
        (site, [values.get((site.pk, season)) for season in seasons]) for site in sites
    ]
    return seasons, matrix


def species_matrix(
    *, programme: CountProgramme, taxon: Taxon
) -> tuple[list[int], list[tuple[CountSite, list[int | None]]]]:
    """Per species: seasons and, per site, its count of each season (None = missing).
    Every site and count: the input of the trend, never shown as such to a reader (see
    ``species_table``)."""
    return _matrix(
        programme,
        taxon,
        programme_sites(programme),
        SiteCount.objects.filter(visit__count_site__programme=programme),
    )


@dataclass
class SpeciesTable:
    seasons: list[int]
    matrix: list[tuple[CountSite, list[int | None]]]
    hidden: int  # counts of the species left out


def species_table(*, programme: CountProgramme, taxon: Taxon, user) -> SpeciesTable:
    """The site × season matrix of a species as ``user`` sees it: the sites shown to them,
    only the counts they may place (a left-out count is missing, as if not counted)."""
    sites = shown_sites(programme, user)
    shown = shown_counts(programme, user, sites)
    seasons, matrix = _matrix(programme, taxon, sites, shown)
    every = SiteCount.objects.filter(
        visit__count_site__programme=programme, taxon=taxon
    ).count()
    return SpeciesTable(
        seasons=seasons,
        matrix=matrix,
        hidden=every - shown.filter(taxon=taxon).count(),
    )


def visits_writable_by(user, programme: CountProgramme) -> QuerySet[CountVisit]:
    """The programme's visits ``user`` may change (``referentiel.permissions``): every one
    for the producing organisation's coordinators (and the network), their own for staff."""
    return writable(
        CountVisit.objects.filter(count_site__programme=programme),
        user,
        dataset="count_site__programme__dataset",
        created_by="created_by",
    )


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
