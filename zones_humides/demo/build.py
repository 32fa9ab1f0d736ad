"""Deterministic plans of the wetlands demo (plain data, no database write)."""

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from . import specs


@dataclass
class PlannedPassage:
    number: int
    date: dt.date
    time_start: dt.time
    time_end: dt.time
    methods: list[str]
    accessible: bool
    species: list[tuple[int, int]] = field(default_factory=list)  # (cd_nom, count)


@dataclass
class PlannedSite:
    code: str
    habitat: str
    dx: float  # metres from the aire's south-west corner
    dy: float
    passages: list[PlannedPassage]
    wetland: str = ""


HABITATS = ("1", "1", "1", "2", "2", "3", "4", "4", "9", "10")
DRY = "Mare à sec ce jour."


def _passage(rng, number: int, year: int) -> PlannedPassage:
    """Passage 1 from late February (spawn), 2 at night in April (calls, newts), 3 in
    May (larvae)."""
    if number == 1:
        date = dt.date(year, 2, 25) + dt.timedelta(days=rng.randrange(0, 25))
        return PlannedPassage(
            1, date, dt.time(14, 0), dt.time(15, 30), ["1", "2"], True
        )
    if number == 2:
        date = dt.date(year, 4, 1) + dt.timedelta(days=rng.randrange(0, 20))
        return PlannedPassage(
            2, date, dt.time(21, 30), dt.time(23, 0), ["4", "5"], True
        )
    date = dt.date(year, 5, 5) + dt.timedelta(days=rng.randrange(0, 20))
    return PlannedPassage(3, date, dt.time(10, 0), dt.time(11, 30), ["1", "2"], True)


def pop_plan() -> dict[int, list[PlannedSite]]:
    """Sites and 2020 passages per aire, adding up to the report's figures."""
    rng = random.Random("pop-2020")
    unoccupied_total = sum(a.sites - a.occupied for a in specs.AIRES)
    occupied_total = sum(a.occupied for a in specs.AIRES)
    # Passages of sites where nothing was ever found: every one is an absence.
    unoccupied_passages = specs.ABSENCE_RECORDS - specs.EMPTY_PASSAGES_OF_OCCUPIED
    two_passages = unoccupied_passages - unoccupied_total  # the others had one
    empty_slots = set(
        rng.sample(range(occupied_total * 3), specs.EMPTY_PASSAGES_OF_OCCUPIED)
    )
    plan: dict[int, list[PlannedSite]] = {}
    occupied_index = unoccupied_index = 0
    lines: list[tuple[PlannedPassage, list[int]]] = []  # (passage, site species)
    for aire in specs.AIRES:
        sites = []
        site_species: list[list[int]] = [[] for _ in range(aire.occupied)]
        for i, cd_nom in enumerate(aire.species):  # every species somewhere
            site_species[i % aire.occupied].append(cd_nom)
        for chosen in site_species:
            extra = [c for c in aire.species if c not in chosen]
            while extra and (not chosen or rng.random() < 0.75):
                chosen.append(extra.pop(rng.randrange(len(extra))))
        for n in range(aire.sites):
            code = f"A{aire.number}-{n + 1:02d}"
            wetland = aire.wetlands[n] if n < len(aire.wetlands) else ""
            dx, dy = rng.uniform(150, 1850), rng.uniform(150, 1850)
            habitat = rng.choice(HABITATS)
            if n < aire.occupied:
                passages = [_passage(rng, k, specs.POP_YEAR) for k in (1, 2, 3)]
                found = []
                for passage in passages:
                    if occupied_index in empty_slots:
                        passage.species = []
                    else:
                        found.append(passage)
                    occupied_index += 1
                if not found:  # an occupied site needs one passage with a find
                    found = [passages[1]]
                for passage in found:
                    lines.append((passage, site_species[n]))
            else:
                count = 2 if unoccupied_index < two_passages else 1
                unoccupied_index += 1
                passages = [
                    _passage(rng, k, specs.POP_YEAR) for k in range(1, count + 1)
                ]
                if count == 1:
                    passages[0].accessible = rng.random() < 0.5
            sites.append(PlannedSite(code, habitat, dx, dy, passages, wetland))
        plan[aire.number] = sites
    _distribute_species(rng, lines)
    return plan


def _distribute_species(rng, lines) -> None:
    """One species line per passage with a find, each site species found at least once,
    then more lines until the season has its number of positive records."""
    by_site: dict[int, list] = {}
    for passage, species in lines:
        by_site.setdefault(id(species), []).append((passage, species))
    total = 0
    for group in by_site.values():
        species = group[0][1]
        for i, (passage, _) in enumerate(group):
            passage.species.append((species[i % len(species)], 0))
            total += 1
        for j in range(len(group), len(species)):
            passage = group[j % len(group)][0]
            if species[j] not in [c for c, _ in passage.species]:
                passage.species.append((species[j], 0))
                total += 1
    free = [
        (passage, cd_nom)
        for passage, species in lines
        for cd_nom in species
        if cd_nom not in [c for c, _ in passage.species]
    ]
    rng.shuffle(free)
    for passage, cd_nom in free[: max(0, specs.POSITIVE_RECORDS - total)]:
        passage.species.append((cd_nom, 0))
    for passage, _ in lines:
        passage.species = [
            (cd_nom, rng.choice((1, 1, 2, 3, 5, 8, 12, 20)))
            for cd_nom, _ in passage.species
        ]


@dataclass
class PlannedCheck:
    date: dt.date
    temperature: float
    rain: str
    counts: list[tuple[int, str, bool, int]]  # (cd_nom, sex, alive, count)


def fence_plan() -> list[PlannedCheck]:
    """Daily checks from mid-February to the end of May since 2005: each species arrives
    earlier over the years (climate), toads decline, newts hold."""
    checks = []
    for year in range(specs.FENCE_FIRST_YEAR, specs.FENCE_LAST_YEAR + 1):
        rng = random.Random(f"fence-{year}")
        start = dt.date(year, 2, 10)
        days = (dt.date(year, 5, 31) - start).days + 1
        offset = year - specs.FENCE_FIRST_YEAR
        for d in range(days):
            date = start + dt.timedelta(days=d)
            day = date.timetuple().tm_yday
            temperature = round(2 + d * 0.13 + rng.gauss(0, 2.5), 1)
            rain = rng.choice("0001112")
            counts = []
            for cd_nom, (
                peak,
                trend,
                first,
                advance,
                amplexus,
            ) in specs.FENCE_SPECIES.items():
                onset = first - advance * offset + rng.uniform(-4, 4)
                if day < onset:
                    continue
                total = peak * trend**offset
                # Arrivals spread over about six weeks after the onset.
                weight = math.exp(-(((day - onset - 14) / 12) ** 2)) / 21
                mild = 1.4 if rain != "0" and temperature >= 6 else 0.6
                expected = total * weight * mild
                n = _poisson(rng, expected)
                if d == 0 or not n:
                    continue
                couples = round(n * amplexus / 2)
                males = round((n - 2 * couples) * 0.6)
                females = n - 2 * couples - males
                juveniles = 1 if rng.random() < 0.05 else 0
                for sex, k in (
                    ("amplexus", couples),
                    ("male", males),
                    ("female", females),
                    ("juvenile", juveniles),
                ):
                    if k > 0:
                        counts.append((cd_nom, sex, True, k))
                if rng.random() < 0.03:
                    counts.append((cd_nom, "undetermined", False, 1))
            checks.append(PlannedCheck(date, temperature, rain, counts))
    return checks


def _poisson(rng, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
