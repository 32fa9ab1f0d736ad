"""POP Amphibien reads: the aires, ponds, passages and lines a user may see, the results
of a season (sites visited and occupied, records, species per aire, naive occupancy), the
planner of the aires due.

A pond is the place of the lines recorded in it: its point is their occurrences' point. A
pond holding a line the reader may not place (a sensitive species read blurred, or a
dataset the reader may not read) is left out with its passages
(``observations.policy``); the aire stays, and says how many of its ponds and lines are
not shown. Results attribute to an aire or a species only the lines shown; the season's
totals keep the others as one undetailed part (``PopResults.hidden``).

``user=None`` reads everything precisely: the national coordinator's export made by an
administrator (``manage.py export_pop``), never a page or the API."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from observations import policy
from observations.blurring import Reader
from observations.policy import placeable_records
from referentiel.models import Dataset
from zones_humides.models import PassageObservation, PopAire, PopPassage, PopSite
from zones_humides.models.pop import PASSAGES_PER_SEASON, REVISIT_YEARS
from zones_humides.selectors.reading import AIRE_LINK, POND_LINK


def aires_readable(user) -> QuerySet[PopAire]:
    """Aires of the datasets ``user`` reads: what the season's totals count."""
    if not user.is_authenticated:
        return PopAire.objects.none()
    return PopAire.objects.filter(dataset__in=Dataset.objects.visible_to(user))


def aires_visible_to(user) -> QuerySet[PopAire]:
    """Readable aires, without those holding a line the reader may not place: an aire is
    a cell of about 1 km, and its page counting "one pond not shown" would place the
    hidden record in it, better than its blurred area (the crawler's canary aire showed
    it). The season's totals still count them, attached to no aire."""
    return policy.without_hidden_places(aires_readable(user), user, AIRE_LINK)


def ponds_visible_to(user, *, reader: Reader | None = None) -> QuerySet[PopSite]:
    """Ponds of the readable aires, without those holding a line the reader may not
    place."""
    return policy.without_hidden_places(
        PopSite.objects.filter(aire__in=aires_visible_to(user)),
        user,
        POND_LINK,
        reader=reader,
    )


def passages_visible_to(user, *, reader: Reader | None = None) -> QuerySet[PopPassage]:
    return PopPassage.objects.filter(pop_site__in=ponds_visible_to(user, reader=reader))


def lines_shown_to(user, queryset=None) -> QuerySet[PassageObservation]:
    """Lines the reader places, of the passages they see (``queryset`` narrows them)."""
    reader = Reader.for_user(user)
    lines = PassageObservation.objects.all() if queryset is None else queryset
    lines = lines.filter(passage__in=passages_visible_to(user, reader=reader))
    return placeable_records(lines, user, reader=reader)


def aire_hidden_counts(*, aire: PopAire, year: int, user) -> tuple[int, int]:
    """(ponds of ``aire``, lines of its ``year`` season) not shown to ``user``."""
    reader = Reader.for_user(user)
    shown_ponds = ponds_visible_to(user, reader=reader).filter(aire=aire)
    ponds = aire.sites.exclude(pk__in=shown_ponds.values("pk")).count()
    season = PassageObservation.objects.filter(
        passage__pop_site__aire=aire, passage__year=year
    )
    shown = placeable_records(
        season.filter(passage__pop_site__in=shown_ponds.values("pk")),
        user,
        reader=reader,
    )
    return ponds, season.count() - shown.count()


@dataclass
class HiddenPart:
    """The lines of a season the reader may not place, counted without name, place or
    date (and the ponds and passages they were recorded in)."""

    records: int = 0
    positive: int = 0
    passages: int = 0
    sites_visited: set = field(default_factory=set)
    sites_occupied: set = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.records or self.passages)


@dataclass
class SpeciesResult:
    cd_ref: int
    name: str
    vernacular: str
    sites: set = field(default_factory=set)
    records: int = 0
    occupancy: float = 0.0  # sites where found / sites visited


@dataclass
class AireResult:
    aire: PopAire
    sites_visited: set = field(default_factory=set)
    sites_occupied: set = field(default_factory=set)
    passages: int = 0
    records: int = 0
    positive: int = 0
    species: dict = field(default_factory=dict)  # cd_ref → SpeciesResult
    passages_per_site: dict = field(default_factory=lambda: defaultdict(int))

    @property
    def incomplete_sites(self) -> int:
        """Sites visited fewer than the 3 passages of the protocol."""
        return sum(
            1 for n in self.passages_per_site.values() if n < PASSAGES_PER_SEASON
        )

    @property
    def species_list(self) -> list[SpeciesResult]:
        return sorted(self.species.values(), key=lambda s: s.name)


@dataclass
class PopResults:
    """The season's totals count every line (``hidden`` included); aires and species count
    only the lines shown."""

    year: int
    aires: list[AireResult]
    species: list[SpeciesResult]
    hidden: HiddenPart = field(default_factory=HiddenPart)

    @property
    def sites_visited(self) -> int:
        return len(
            set().union(
                *(a.sites_visited for a in self.aires), self.hidden.sites_visited
            )
        )

    @property
    def sites_occupied(self) -> int:
        return len(
            set().union(
                *(a.sites_occupied for a in self.aires), self.hidden.sites_occupied
            )
        )

    @property
    def passages(self) -> int:
        return sum(a.passages for a in self.aires) + self.hidden.passages

    @property
    def records(self) -> int:
        return sum(a.records for a in self.aires) + self.hidden.records

    @property
    def positive(self) -> int:
        return sum(a.positive for a in self.aires) + self.hidden.positive

    @property
    def absences(self) -> int:
        return self.records - self.positive

    @property
    def species_per_aire(self) -> tuple[int, int] | None:
        counts = [len(a.species) for a in self.aires if a.sites_visited]
        return (min(counts), max(counts)) if counts else None


def pop_results(*, year: int, aires: QuerySet[PopAire], user) -> PopResults:
    """The season's figures from its passages and their lines (presences and absences),
    as ``user`` may read them (None: everything, for the national coordinator)."""
    per_aire: dict[int, AireResult] = {}
    for aire in aires.order_by("number"):
        per_aire[aire.pk] = AireResult(aire=aire)
    hidden = HiddenPart()
    readable_aires = list(per_aire)
    all_lines = PassageObservation.objects.filter(
        passage__year=year, passage__pop_site__aire__in=readable_aires
    )
    if user is None:
        shown_sites, shown_lines = None, None
    else:
        reader = Reader.for_user(user)
        shown_aires = set(
            policy.without_hidden_places(
                aires.filter(pk__in=list(per_aire)), user, AIRE_LINK, reader=reader
            ).values_list("pk", flat=True)
        )
        for aire_id in set(per_aire) - shown_aires:
            del per_aire[aire_id]  # counted below in the hidden part only
        shown_sites = set(
            ponds_visible_to(user, reader=reader)
            .filter(aire__in=list(per_aire))
            .values_list("pk", flat=True)
        )
        shown_lines = set(
            placeable_records(all_lines, user, reader=reader).values_list(
                "pk", flat=True
            )
        )
    passages = PopPassage.objects.filter(
        year=year, pop_site__aire__in=readable_aires
    ).values_list("pk", "pop_site_id", "pop_site__aire_id")
    for _pk, site_id, aire_id in passages:
        if shown_sites is not None and site_id not in shown_sites:
            hidden.passages += 1
            hidden.sites_visited.add(site_id)
            continue
        result = per_aire[aire_id]
        result.passages += 1
        result.sites_visited.add(site_id)
        result.passages_per_site[site_id] += 1
    overall: dict[int, SpeciesResult] = {}
    lines = all_lines.values_list(
        "pk",
        "present",
        "passage__pop_site_id",
        "passage__pop_site__aire_id",
        "taxon__cd_ref",
        "taxon__scientific_name",
        "taxon__vernacular_name",
    )
    for pk, present, site_id, aire_id, cd_ref, name, vernacular in lines:
        if shown_sites is not None and (
            site_id not in shown_sites or pk not in shown_lines
        ):
            hidden.records += 1
            if present:
                hidden.positive += 1
                hidden.sites_occupied.add(site_id)
            continue
        result = per_aire[aire_id]
        result.records += 1
        if not present:
            continue
        result.positive += 1
        result.sites_occupied.add(site_id)
        vernacular = (vernacular or "").split(",")[0].strip()
        for bucket in (result.species, overall):
            species = bucket.setdefault(
                cd_ref, SpeciesResult(cd_ref=cd_ref, name=name, vernacular=vernacular)
            )
            species.sites.add(site_id)
            species.records += 1
    visited = sum(len(a.sites_visited) for a in per_aire.values())
    for species in overall.values():
        species.occupancy = len(species.sites) / visited if visited else 0.0
    for result in per_aire.values():
        for species in result.species.values():
            species.occupancy = (
                len(species.sites) / len(result.sites_visited)
                if result.sites_visited
                else 0.0
            )
    return PopResults(
        year=year,
        aires=list(per_aire.values()),
        species=sorted(overall.values(), key=lambda s: (-s.occupancy, s.name)),
        hidden=hidden,
    )


@dataclass
class PlannedAire:
    aire: PopAire
    last_year: int | None
    next_year: int
    status: str  # "a_faire", "en_cours", "fait", "plus_tard"
    passages_done: int
    passages_expected: int

    @property
    def due(self) -> bool:
        return self.status in ("a_faire", "en_cours", "fait")


def pop_planner(*, year: int, aires: QuerySet[PopAire], user) -> list[PlannedAire]:
    """Which aires are due in ``year`` (never surveyed, or last surveyed two years ago or
    more) and how far this season's passages have gone, over the ponds ``user`` sees
    (None: all of them)."""
    ponds = PopSite.objects.all() if user is None else ponds_visible_to(user)
    passages = PopPassage.objects.filter(pop_site__in=ponds)
    rows = []
    for aire in aires.order_by("number").prefetch_related(
        Prefetch("sites", queryset=ponds, to_attr="site_list")
    ):
        years = set(passages.filter(pop_site__aire=aire).values_list("year", flat=True))
        before = [y for y in years if y < year]
        last = max(before) if before else None
        expected = len(aire.site_list) * PASSAGES_PER_SEASON
        done = passages.filter(pop_site__aire=aire, year=year).count()
        if year in years:
            status = "fait" if done >= expected else "en_cours"
            next_year = year + REVISIT_YEARS
        elif last is None:
            status = "a_faire" if year >= aire.first_year else "plus_tard"
            next_year = max(year, aire.first_year)
        elif year - last >= REVISIT_YEARS:
            status, next_year = "a_faire", year
        else:
            status, next_year = "plus_tard", last + REVISIT_YEARS
        rows.append(
            PlannedAire(
                aire=aire,
                last_year=last,
                next_year=next_year,
                status=status,
                passages_done=done,
                passages_expected=expected,
            )
        )
    return rows
