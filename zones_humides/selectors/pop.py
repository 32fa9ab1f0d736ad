"""POP Amphibien results computed from the visits: sites visited and occupied, records,
species per aire, naive occupancy, the planner of the aires due, the national export."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from referentiel.models import Dataset
from zones_humides.models import PassageObservation, PopAire, PopPassage
from zones_humides.models.pop import PASSAGES_PER_SEASON, REVISIT_YEARS


def aires_visible_to(user) -> QuerySet[PopAire]:
    if not user.is_authenticated:
        return PopAire.objects.none()
    return PopAire.objects.filter(dataset__in=Dataset.objects.visible_to(user))


def aires_writable_by(user) -> QuerySet[PopAire]:
    if not user.is_authenticated or user.write_scope is None:
        return PopAire.objects.none()
    return PopAire.objects.filter(dataset__in=Dataset.objects.writable_by(user))


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
    year: int
    aires: list[AireResult]
    species: list[SpeciesResult]

    @property
    def sites_visited(self) -> int:
        return sum(len(a.sites_visited) for a in self.aires)

    @property
    def sites_occupied(self) -> int:
        return sum(len(a.sites_occupied) for a in self.aires)

    @property
    def passages(self) -> int:
        return sum(a.passages for a in self.aires)

    @property
    def records(self) -> int:
        return sum(a.records for a in self.aires)

    @property
    def positive(self) -> int:
        return sum(a.positive for a in self.aires)

    @property
    def absences(self) -> int:
        return self.records - self.positive

    @property
    def species_per_aire(self) -> tuple[int, int] | None:
        counts = [len(a.species) for a in self.aires if a.sites_visited]
        return (min(counts), max(counts)) if counts else None


def pop_results(*, year: int, aires: QuerySet[PopAire]) -> PopResults:
    """The season's figures from its passages and their lines (presences and absences)."""
    per_aire: dict[int, AireResult] = {}
    for aire in aires.order_by("number"):
        per_aire[aire.pk] = AireResult(aire=aire)
    passages = PopPassage.objects.filter(
        year=year, pop_site__aire__in=list(per_aire)
    ).values_list("pk", "pop_site_id", "pop_site__aire_id")
    for _pk, site_id, aire_id in passages:
        result = per_aire[aire_id]
        result.passages += 1
        result.sites_visited.add(site_id)
        result.passages_per_site[site_id] += 1
    overall: dict[int, SpeciesResult] = {}
    lines = PassageObservation.objects.filter(
        passage__year=year, passage__pop_site__aire__in=list(per_aire)
    ).values_list(
        "present",
        "passage__pop_site_id",
        "passage__pop_site__aire_id",
        "taxon__cd_ref",
        "taxon__scientific_name",
        "taxon__vernacular_name",
    )
    for present, site_id, aire_id, cd_ref, name, vernacular in lines:
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


def pop_planner(*, year: int, aires: QuerySet[PopAire]) -> list[PlannedAire]:
    """Which aires are due in ``year`` (never surveyed, or last surveyed two years ago or
    more) and how far this season's passages have gone."""
    rows = []
    for aire in aires.order_by("number").prefetch_related(
        Prefetch("sites", to_attr="site_list")
    ):
        years = set(
            PopPassage.objects.filter(pop_site__aire=aire).values_list(
                "year", flat=True
            )
        )
        before = [y for y in years if y < year]
        last = max(before) if before else None
        expected = len(aire.site_list) * PASSAGES_PER_SEASON
        done = PopPassage.objects.filter(pop_site__aire=aire, year=year).count()
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
