"""Deterministic generation of the demo occurrences (plain dictionaries, no database write).

Every group and year draws from its own seeded random generator, so a record's stable key
(``source_key``) always describes the same record, and a change to one group does not move
the records of another.
"""

import calendar
import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPoint, Point

from observations.atlas import SPECIES_OR_BELOW
from referentiel.demo.organisations import PEOPLE, person_email
from referentiel.demo.programmes import DATASETS, dataset_uuid
from referentiel.demo.reference import demo_taxa_codes, regional_pool
from referentiel.models import (
    Commune,
    Dataset,
    Organisation,
    Person,
    Site,
    Taxon,
    TaxonStatus,
    User,
)

from .specs import (
    DECIDED_STATUSES,
    GROUPS,
    HISTORY_DATASETS,
    HISTORY_YEARS,
    PENDING_SHARE,
    RARITIES,
    YEAR_FACTORS,
    YEARS,
    GroupSpec,
)

KEY_PREFIX = "demo-"
# Communes within this distance of the mining-basin sites make the commune pool.
BASIN_RADIUS_M = 3000
BASIN_SITE_KINDS = ("terril", "zone_humide", "marais", "mare", "etang", "zec", "parc")
# Staff and volunteers of the CPIE who enter data, with how much each enters.
CPIE_OBSERVERS = (
    ("Claire Dumont", 25),
    ("Antoine Lemaire", 20),
    ("Léa Caron", 10),
    ("Benoît Delattre", 8),
    ("Sandrine Vasseur", 7),
    ("Nathalie Carpentier", 5),
    ("Hugo Lambert", 5),
    ("Jacques Dewitte", 5),
    ("Marie Fontaine", 5),
    ("Thomas Bernard", 5),
    ("Émilie Wallet", 5),
)
DATASET_OBSERVERS = {
    "EDEN62-ENS": (("Julie Lefort", 1),),
    "EDEN62-LEZARD": (("Julie Lefort", 1),),
    "CPIE-AUTHIE": (("Hélène Morel", 1),),
    "ONF-TERRILS": (),
}
# Records of datasets received from partners came through a file import.
PARTNER_DATASETS = {"EDEN62-ENS", "EDEN62-LEZARD", "CPIE-AUTHIE", "ONF-TERRILS"}
ONF_OBSERVERS_LABEL = "Agents de l'Office national des forêts"
# Demo accounts (referentiel.demo.accounts) that enter and validate the CPIE's records.
DEMO_USERS = ("saisie", "validateur", "coordinateur")
# Groups the demo "validateur" account validates; the coordinator validates the others.
VALIDATOR_GROUPS = {"oiseaux", "amphibiens", "reptiles"}


@dataclass(frozen=True)
class Place:
    name: str  # site name, or "" for a commune
    site_id: int | None
    geom: GEOSGeometry
    extent: tuple[float, float, float, float]
    prepared: object = field(compare=False)


@dataclass
class DemoContext:
    """The referential rows the demo occurrences point to."""

    pools: dict[str, list[tuple[int, str]]]  # group → [(cd_nom, scientific name)]
    # group → species of the 2020 finds (RARITIES), drawn apart from the pool
    found_2020: dict[str, int]
    names: dict[int, str]  # cd_nom → scientific name of every taxon used
    datasets: dict[str, Dataset]  # short title → dataset
    sites: list[Place]
    site_kinds: dict[int, str]
    communes: list[Place]
    # département code → the communes of ``communes`` in the CPIE's territory (history)
    territory_communes: dict[str, list[Place]]
    people: dict[str, Person]
    users: dict[str, User]


def _place(name: str, site_id: int | None, geom: GEOSGeometry) -> Place:
    return Place(name, site_id, geom, geom.extent, geom.prepared)


def demo_context() -> DemoContext:
    """Read the referential demo (taxa of the demo file that live in the region, datasets,
    sites, people)."""
    codes = demo_taxa_codes()
    region = regional_pool()
    pools: dict[str, list[tuple[int, str]]] = {}
    names: dict[int, str] = {}
    for spec in GROUPS:
        taxa = Taxon.objects.filter(cd_nom__in=codes & region.keys(), is_valid=True)
        if spec.taxa:
            taxa = taxa.filter(cd_nom__in=spec.taxa)
        else:
            in_group = [
                cd_nom for cd_nom, group in region.items() if group == spec.code
            ]
            # The region's rare and threatened taxa (referentiel/data/statuses) are
            # not drawn at random: the demo's are the report's finds (RARITIES).
            taxa = taxa.filter(cd_nom__in=in_group, rank__in=SPECIES_OR_BELOW).exclude(
                TaxonStatus.rare_or_threatened_q("status__")
            )
        pool = _one_per_species(
            (cd_nom, name)
            for cd_nom, name in taxa.values_list("cd_nom", "scientific_name")
            if cd_nom not in spec.excluded
        )
        random.Random(f"pool-{spec.code}").shuffle(pool)
        pools[spec.code] = pool
        names.update(pool)
    extra = {r.cd_nom for r in RARITIES} | {
        cd_nom
        for spec in GROUPS
        for cd_nom in (*spec.higher_taxa, spec.absence_taxon)
        if cd_nom
    }
    names.update(
        Taxon.objects.filter(cd_nom__in=extra).values_list("cd_nom", "scientific_name")
    )
    by_uuid = Dataset.objects.in_bulk(
        [dataset_uuid(spec.title) for spec in DATASETS], field_name="uuid"
    )
    datasets = {
        spec.short_title: by_uuid[dataset_uuid(spec.title)]
        for spec in DATASETS
        if dataset_uuid(spec.title) in by_uuid
    }
    sites = list(Site.objects.order_by("name"))
    basin = MultiPoint(
        [s.geom.centroid for s in sites if s.kind in BASIN_SITE_KINDS],
        srid=settings.SRID,
    ).buffer(BASIN_RADIUS_M)
    communes = Commune.objects.filter(geom__intersects=basin).order_by("insee")
    territory = Organisation.territory_communes.through.objects.filter(
        organisation__in=Dataset.objects.filter(
            uuid=dataset_uuid(_dataset_title("ATLAS"))
        ).values("producer")
    ).values("commune_id")
    territory_communes: dict[str, list[Place]] = {}
    for commune in communes.filter(pk__in=territory):
        territory_communes.setdefault(commune.departement_id, []).append(
            _place("", None, commune.geom)
        )
    people = {f"{p.first_name} {p.last_name}": p for p in _demo_people()}
    found = {(region.get(r.cd_nom, ""), r.cd_nom) for r in RARITIES if 2020 in r.dates}
    return DemoContext(
        pools=pools,
        found_2020=dict(Counter(group for group, _ in found)),
        names=names,
        datasets=datasets,
        sites=[_place(s.name, s.pk, s.geom) for s in sites],
        site_kinds={s.pk: s.kind for s in sites},
        communes=[_place("", None, c.geom) for c in communes],
        territory_communes=territory_communes,
        people=people,
        users={u.username: u for u in User.objects.filter(username__in=DEMO_USERS)},
    )


def _one_per_species(taxa) -> list[tuple[int, str]]:
    """The (cd_nom, name) of ``taxa`` sorted, a subspecies left out when its species (or
    another subspecies of it) is there: the atlas counts it for its species, so drawing
    both would count one species where the draw meant two."""
    kept: dict[str, tuple[int, str]] = {}
    for cd_nom, name in sorted(taxa, key=lambda t: (len(t[1].split()), t)):
        kept.setdefault(" ".join(name.split()[:2]), (cd_nom, name))
    return sorted(kept.values())


def _demo_people():
    return Person.objects.filter(
        email__in=[person_email(spec) for spec in PEOPLE]
    ).select_related("organisation", "user")


def demo_records(context: DemoContext) -> list[dict]:
    """Every demo occurrence as a dictionary of fields (plus ``observers`` and
    ``validator_username``), in a stable order with stable ``source_key``s."""
    records: list[dict] = []
    for spec in GROUPS:
        if not context.pools[spec.code]:
            continue
        for year in YEARS:
            records.extend(_group_year(context, spec, year))
    for index, rarity in enumerate(RARITIES):
        for year, days in rarity.dates.items():
            rng = random.Random(f"rare-{index}-{year}")
            for day in days:
                date = dt.date.fromisoformat(f"{year}-{day}")
                records.append(
                    _record(
                        context,
                        rng,
                        key=f"{KEY_PREFIX}rare-{index}-{year}-{day}",
                        group="flore" if rarity.cd_nom in (112809, 118872) else "",
                        cd_nom=rarity.cd_nom,
                        dataset=rarity.dataset,
                        place=_rarity_place(context, rarity),
                        date=date,
                        count=1,
                    )
                )
    records.extend(_history(context))
    return [r for r in records if r["dataset"] is not None]


def _dataset_title(short_title: str) -> str:
    return next(spec.title for spec in DATASETS if spec.short_title == short_title)


def _history(context: DemoContext) -> list[dict]:
    """The partners' older records (specs.HISTORY_YEARS): each taxon the groups draw, once
    in each département of HISTORY_DATASETS, at a commune of the CPIE's territory, in
    its season, validated. The report's finds (RARITIES) have none: they are new."""
    found = {r.cd_nom for r in RARITIES}
    records = []
    for spec in GROUPS:
        for cd_nom, _ in sorted(context.pools[spec.code]):
            if cd_nom in found:
                continue
            for departement, dataset in sorted(HISTORY_DATASETS.items()):
                places = context.territory_communes.get(departement)
                if not places:
                    continue
                rng = random.Random(f"history-{cd_nom}-{departement}")
                year = rng.choice(HISTORY_YEARS)
                records.append(
                    _record(
                        context,
                        rng,
                        key=f"{KEY_PREFIX}history-{cd_nom}-{departement}",
                        group=spec.code,
                        cd_nom=cd_nom,
                        dataset=dataset,
                        place=rng.choice(places),
                        date=_date_in_season(rng, year, spec.months),
                        count=rng.randint(1, spec.count_max),
                        spec=spec,
                        validation_status=1,
                    )
                )
    return records


def _site_named(context: DemoContext, name: str) -> Place:
    return next(place for place in context.sites if place.name == name)


def _rarity_place(context: DemoContext, rarity) -> Place:
    """The find's site, or its commune when the report names no site."""
    if rarity.site:
        return _site_named(context, rarity.site)
    return _place("", None, Commune.objects.get(name=rarity.commune).geom)


def _group_year(context: DemoContext, spec: GroupSpec, year: int) -> list[dict]:
    rng = random.Random(f"{spec.code}-{year}")
    pool = context.pools[spec.code]
    ratio = len(pool) / spec.species_2020
    scale = ratio if ratio < 0.5 else 1.0
    noise = 1.0 if year == 2020 else rng.uniform(0.92, 1.08)
    records = round(spec.records_2020 * scale * YEAR_FACTORS[year] * noise)
    species = round(spec.species_2020 * YEAR_FACTORS[year] ** 0.5)
    if year == 2020:
        # What the other demos and the finds publish in 2020 makes up the report's total.
        records -= spec.elsewhere_2020 if scale == 1.0 else 0
        species -= context.found_2020.get(spec.code, 0)
    records = max(1, records)
    species = min(len(pool), species)
    if year != 2020 and species == len(pool):
        species -= rng.randint(0, len(pool) // 15)
    species = max(1, min(species, records))
    # A stable core of the pool every year, and a few species that change.
    core = pool[: round(species * 0.85)]
    others = pool[len(core) :]
    chosen = core + rng.sample(others, species - len(core))
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(chosen))]
    counts = [1] * len(chosen)
    for index in rng.choices(range(len(chosen)), weights, k=records - len(chosen)):
        counts[index] += 1
    taxa = [
        cd_nom for (cd_nom, _), n in zip(chosen, counts, strict=True) for _ in range(n)
    ]
    if spec.higher_taxa:
        # Names above the species count as records, not as species: in place of
        # drawn records, so that the total stays.
        higher = min(round(records * spec.higher_share), records - len(chosen))
        rng.shuffle(taxa)
        taxa = _keep_each_once(taxa, records - higher)
        taxa += rng.choices(spec.higher_taxa, k=higher)
    rng.shuffle(taxa)
    own = [u for u in spec.datasets if u.short_title not in PARTNER_DATASETS]
    partners = [u for u in spec.datasets if u.short_title in PARTNER_DATASETS]
    # The partners' records come on top of the structure's, on the same species.
    if partners:
        share = sum(u.weight for u in partners) / sum(u.weight for u in own)
        taxa += rng.choices([c for c, _ in chosen], weights, k=round(len(taxa) * share))
    fixed = _fixed_uses(rng, own, records) if year == 2020 else None
    rows = []
    for index, cd_nom in enumerate(taxa):
        uses = own if index < records or not partners else partners
        if fixed and index < records:
            use = fixed[index]
        else:
            use = rng.choices(uses, [u.weight for u in uses])[0]
        rows.append(
            _record(
                context,
                rng,
                key=f"{KEY_PREFIX}{spec.code}-{year}-{index:05d}",
                group=spec.code,
                cd_nom=cd_nom,
                dataset=use.short_title,
                place=_place_for(context, rng, use),
                date=_date_in_season(rng, year, spec.months),
                count=rng.randint(1, spec.count_max),
                spec=spec,
            )
        )
    if spec.absence_taxon:
        visited = [r for r in rows if r["dataset_code"] == spec.absence_dataset]
        use = next(u for u in spec.datasets if u.short_title == spec.absence_dataset)
        for index in range(round(len(visited) * spec.absence_share)):
            rows.append(
                _record(
                    context,
                    rng,
                    key=f"{KEY_PREFIX}{spec.code}-{year}-absence-{index:04d}",
                    group=spec.code,
                    cd_nom=spec.absence_taxon,
                    dataset=spec.absence_dataset,
                    place=_place_for(context, rng, use),
                    date=_date_in_season(rng, year, spec.months),
                    count=0,
                    spec=spec,
                    absence=True,
                )
            )
    return rows


def _fixed_uses(rng: random.Random, own: list, records: int) -> list | None:
    """The dataset of each of the ``records`` own records of 2020 when some dataset must
    get an exact number of them (``DatasetUse.records_2020``), else None."""
    fixed = [u for u in own if u.records_2020]
    if not fixed:
        return None
    uses = [u for u in fixed for _ in range(u.records_2020)]
    rest = [u for u in own if not u.records_2020]
    if rest and records > len(uses):
        uses += rng.choices(rest, [u.weight for u in rest], k=records - len(uses))
    rng.shuffle(uses)
    return uses


def _keep_each_once(taxa: list[int], size: int) -> list[int]:
    """``size`` of the drawn ``taxa``, each distinct taxon kept at least once."""
    first, repeats, seen = [], [], set()
    for cd_nom in taxa:
        (repeats if cd_nom in seen else first).append(cd_nom)
        seen.add(cd_nom)
    return first + repeats[: size - len(first)]


def _place_for(context: DemoContext, rng: random.Random, use) -> Place:
    sites = [
        place
        for place in context.sites
        if (use.site_kinds and context.site_kinds[place.site_id] in use.site_kinds)
        or (use.site_prefix and place.name.startswith(use.site_prefix))
    ]
    if not sites or rng.random() < use.communes_share:
        return rng.choice(context.communes)
    return rng.choice(sites)


def _date_in_season(rng: random.Random, year: int, months: dict[int, float]) -> dt.date:
    month = rng.choices(list(months), list(months.values()))[0]
    return dt.date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))


def random_point(rng: random.Random, place: Place) -> Point:
    """A point inside the place: rejection sampling in its envelope for a polygon, a point
    along a line, a few metres around a point."""
    geom = place.geom
    if geom.geom_type == "Point":
        point = Point(geom.x + rng.uniform(-8, 8), geom.y + rng.uniform(-8, 8))
    elif geom.geom_type in ("LineString", "MultiLineString"):
        point = geom.interpolate(rng.random() * geom.length)
    else:
        xmin, ymin, xmax, ymax = place.extent
        for _attempt in range(200):
            point = Point(rng.uniform(xmin, xmax), rng.uniform(ymin, ymax))
            if place.prepared.contains(point):
                break
        else:
            point = geom.point_on_surface
    return Point(round(point.x, 1), round(point.y, 1), srid=settings.SRID)


def _observers(context: DemoContext, rng: random.Random, dataset: str) -> list[Person]:
    choices = DATASET_OBSERVERS.get(dataset, CPIE_OBSERVERS)
    choices = [(context.people[n], w) for n, w in choices if n in context.people]
    if not choices:
        return []
    people = [p for p, _ in choices]
    weights = [w for _, w in choices]
    first = rng.choices(people, weights)[0]
    if len(people) > 1 and rng.random() < 0.2:
        second = rng.choices(people, weights)[0]
        if second != first:
            return [first, second]
    return [first]


def _record(
    context: DemoContext,
    rng: random.Random,
    *,
    key: str,
    group: str,
    cd_nom: int,
    dataset: str,
    place: Place,
    date: dt.date,
    count: int,
    spec: GroupSpec | None = None,
    absence: bool = False,
    validation_status: int | None = None,
) -> dict:
    observers = _observers(context, rng, dataset)
    label = ", ".join(
        f"{p}{f' ({p.organisation})' if p.organisation_id else ''}" for p in observers
    )
    if dataset == "ONF-TERRILS":
        label = ONF_OBSERVERS_LABEL
    pending = rng.random() < PENDING_SHARE.get(date.year, 0)
    status = 0 if pending else rng.choices(*zip(*DECIDED_STATUSES, strict=True))[0]
    if validation_status is not None:
        status = validation_status
    stage = "1" if absence or spec is None else _pick(rng, spec.life_stages)
    dataset_row = context.datasets.get(dataset)
    author = next((p.user for p in observers if p.user_id), None)
    return {
        "source_key": key,
        "dataset_code": dataset,
        "dataset": dataset_row,
        "programme_id": dataset_row.programme_id if dataset_row else None,
        "taxon_id": cd_nom,
        "cited_name": context.names.get(cd_nom, ""),
        "observation_status": "No" if absence else "Pr",
        "date_start": date,
        "date_end": date,
        "geom": random_point(rng, place),
        "precision_m": 10 if place.site_id else rng.choice((10, 25, 50, 100)),
        "place_name": place.name,
        "site_id": place.site_id,
        "count_min": count,
        "count_max": count,
        "life_stage": stage,
        "obs_technique": "21"
        if absence
        else _pick(rng, spec.techniques if spec else ()),
        "bio_status": spec.bio_status if spec and not absence else "1",
        "source": "import" if dataset in PARTNER_DATASETS else "saisie",
        "validation_status": status,
        "observers": observers,
        "observers_label": label,
        "created_by": author or context.users.get("saisie"),
        "validator_username": (
            None
            if status == 0
            else "validateur"
            if group in VALIDATOR_GROUPS
            else "coordinateur"
        ),
        "validated_days": rng.randint(15, 150),
    }


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    if not weighted:
        return "0"
    return rng.choices([code for code, _ in weighted], [w for _, w in weighted])[0]
