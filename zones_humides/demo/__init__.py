"""Wetlands demo (``manage.py load_demo`` calls ``load_demo`` after the observations demo).

The 8 POP Amphibien aires of 2020 with their 137 sites and 285 passages giving the
report's figures (137 sites visited, 51 occupied, 389 records of which 237 positive,
11 species, 2 to 7 per aire: docs/report-2020.md), wetland profiles of the demo
sites, the management operations of 2020, water levels 2019–2021 and the Vimy drift
fence checked daily every spring since 2005. A second run creates nothing.

The POP lines and fence counts are published as occurrences (source "zones_humides"),
in bulk (``observations.services.occurrences_publish_bulk``): this demo is the single
source of the POP-AMPHIBIEN and BARRIERE-VIMY datasets (the observations demo no longer
generates them). Publishing picks the rows without an occurrence, so a second run
publishes nothing. The rows are checked once per kind with ``occurrence_check``; the
others come from the same deterministic plan and the database CHECK constraints hold
for every row. The validator then validates them as the observations demo does its own
records: all before 2019, most of 2019–2021, a share left to check.
"""

import datetime as dt
import random
import time
from collections.abc import Callable

from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import connection, transaction

from observations.demo.specs import DECIDED_STATUSES, PENDING_SHARE
from observations.models import Occurrence, Source
from observations.services import (
    occurrence_check,
    occurrences_publish_bulk,
    occurrences_validate,
)
from referentiel.demo.upsert import upsert
from referentiel.models import Commune, Dataset, Organisation, Person, Site, Taxon, User
from zones_humides.models import (
    Bucket,
    DriftFence,
    FenceCheck,
    FenceCount,
    ManagementOperation,
    PassageObservation,
    PopAire,
    PopPassage,
    PopSite,
    WaterLevelReading,
    WetlandProfile,
)
from zones_humides.models.pop import AMPHIBIA_CD_NOM
from zones_humides.services import (
    fence_counts_occurrence_fields,
    pop_observation_occurrence_fields,
)

from . import specs
from .build import DRY, fence_plan, pop_plan
from .newts import newts_upsert

PUBLISH_OCCURRENCES = True
ENTRY_USER = "saisie"
# Validates amphibians (referentiel demo accounts).
VALIDATOR_USER = "validateur"
# Where an aire goes if its commune is not loaded (load_demo --departements 59 only).
FALLBACK_XY = (684250.0, 7040050.0)


def _people() -> dict[str, Person]:
    return {f"{p.first_name} {p.last_name}": p for p in Person.objects.all()}


def _sites(names) -> dict[str, Site]:
    return {s.name: s for s in Site.objects.filter(name__in=list(names))}


def profiles_upsert() -> int:
    sites = _sites(specs.PROFILES)
    organisations = {o.name: o for o in Organisation.objects.all()}
    for name, (kind, surface, owner, status) in specs.PROFILES.items():
        if name not in sites:
            continue
        upsert(
            WetlandProfile,
            lookup={"site": sites[name]},
            values={
                "wetland_type": kind,
                "surface_m2": surface,
                "owner": organisations.get(owner),
                "owner_label": "" if owner in organisations else owner,
                "status": status,
                "monitoring": "Inventaires amphibiens, odonates et flore ; "
                "relevés de niveau d'eau.",
            },
        )
    return WetlandProfile.objects.count()


def _aire_origin(spec: specs.AireSpec) -> tuple[float, float]:
    commune = Commune.objects.filter(name=spec.communes[0]).first()
    if commune is None:
        return FALLBACK_XY
    point = commune.geom.point_on_surface
    return point.x // 1000 * 1000 - 1000, point.y // 1000 * 1000 - 1000


def pop_upsert(user) -> int:
    """The aires, their sites and the 2020 passages (created once)."""
    dataset = Dataset.objects.filter(short_title="POP-AMPHIBIEN").first()
    if dataset is None:
        return 0
    people = _people()
    observers = [people[n] for n in specs.POP_OBSERVERS if n in people]
    taxa = Taxon.objects.in_bulk(
        [AMPHIBIA_CD_NOM, *{c for a in specs.AIRES for c in a.species}]
    )
    plan = pop_plan()
    wetlands = _sites({n for a in specs.AIRES for n in a.wetlands})
    created = 0
    for spec in specs.AIRES:
        x0, y0 = _aire_origin(spec)
        square = MultiPolygon(Polygon.from_bbox((x0, y0, x0 + 2000, y0 + 2000)))
        square.srid = 2154
        aire, _ = upsert(
            PopAire,
            lookup={"number": spec.number},
            values={
                "name": spec.name,
                "grid_cell": f"1kmL93E{int(x0 // 1000) + 1:04d}N{int(y0 // 1000) + 1:04d}",
                "geom": square,
                "landscape_category": spec.landscape,
                "main_observer": people.get(spec.observer),
                "dataset": dataset,
                "first_year": 2016 if spec.number % 2 == 0 else 2014,
                "communes_label": ", ".join(spec.communes),
            },
        )
        if PopPassage.objects.filter(pop_site__aire=aire).exists():
            continue
        passages, lines = [], []
        for planned in plan[spec.number]:
            wetland = wetlands.get(planned.wetland)
            position = (
                wetland.geom.point_on_surface
                if wetland is not None
                else Point(x0 + planned.dx, y0 + planned.dy, srid=2154)
            )
            site, _ = upsert(
                PopSite,
                lookup={"aire": aire, "code": planned.code},
                values={
                    "name": planned.wetland or f"Point d'eau {planned.code}",
                    "geom": position,
                    "habitat": planned.habitat,
                    "site": wetland,
                },
            )
            for p in planned.passages:
                passage = PopPassage(
                    pop_site=site,
                    year=p.date.year,
                    number=p.number,
                    date=p.date,
                    time_start=p.time_start,
                    time_end=p.time_end,
                    expertise=PopPassage.Expertise.CHEVRONNE,
                    methods=p.methods,
                    accessible=p.accessible,
                    site_state="existant" if p.number == 1 else "",
                    comment="" if p.accessible else DRY,
                    created_by=user,
                    updated_by=user,
                )
                passages.append(passage)
                if p.species:
                    lines.append(
                        [
                            PassageObservation(
                                taxon=taxa[c], present=True, count_min=n, count_max=n
                            )
                            for c, n in p.species
                        ]
                    )
                else:
                    lines.append(
                        [
                            PassageObservation(
                                taxon=taxa[AMPHIBIA_CD_NOM],
                                present=False,
                                count_min=0,
                                count_max=0,
                            )
                        ]
                    )
        PopPassage.objects.bulk_create(passages)
        rows = []
        for passage, passage_lines in zip(passages, lines, strict=True):
            for line in passage_lines:
                line.passage = passage
                rows.append(line)
        PassageObservation.objects.bulk_create(rows)
        through = PopPassage.observers.through
        through.objects.bulk_create(
            through(
                poppassage_id=passage.pk, person_id=observers[i % len(observers)].pk
            )
            for i, passage in enumerate(passages)
            if observers
        )
        created += len(passages)
    return created


def operations_upsert(user) -> int:
    sites = _sites({o[0] for o in specs.OPERATIONS})
    organisations = {o.name: o for o in Organisation.objects.all()}
    volunteers = iter(specs.VOLUNTEERS)
    for (
        site_name,
        kind,
        start,
        end,
        by,
        contractor,
        beneficiary,
        cost,
        n,
        text,
    ) in specs.OPERATIONS:
        site = sites.get(site_name)
        participants = (
            [next(volunteers, "") for _ in range(n or 0)] if by == "benevoles" else []
        )
        if site is None:
            continue
        upsert(
            ManagementOperation,
            lookup={
                "site": site,
                "kind": kind,
                "date_start": dt.date.fromisoformat(start),
            },
            values={
                "date_end": dt.date.fromisoformat(end) if end else None,
                "performed_by": by,
                "contractor": contractor,
                "beneficiary": organisations.get(beneficiary),
                "cost_eur": cost,
                "participants_count": n,
                "participants": "\n".join(p for p in participants if p),
                "description": text,
                "created_by": user,
            },
        )
    return ManagementOperation.objects.count()


def water_levels_insert(user) -> int:
    """Three years of monthly readings, entered by the demo's field worker (their
    organisation's coordinators may correct them)."""
    sites = _sites(specs.WATER_LEVEL_SITES)
    rows = []
    for name, base in specs.WATER_LEVEL_SITES.items():
        if name not in sites:
            continue
        for year in (2019, 2020, 2021):
            for month in range(1, 13):
                # High in winter, low at the end of summer (a drier 2020).
                season = [18, 20, 16, 10, 4, -4, -12, -20, -18, -8, 6, 14][month - 1]
                dry = -6 if year == 2020 and 6 <= month <= 9 else 0
                rows.append(
                    WaterLevelReading(
                        site=sites[name],
                        date=dt.date(year, month, 15),
                        level_cm=base + season + dry,
                        gauge="échelle principale",
                        created_by=user,
                        updated_by=user,
                    )
                )
    WaterLevelReading.objects.bulk_create(rows, ignore_conflicts=True)
    return WaterLevelReading.objects.count()


def fence_upsert(user) -> int:
    site = Site.objects.filter(name=specs.FENCE_SITE).first()
    dataset = Dataset.objects.filter(short_title="BARRIERE-VIMY").first()
    if site is None or dataset is None:
        return 0
    fence, _ = upsert(
        DriftFence,
        lookup={"site": site, "name": "Barrière-piège de la mare de Vimy"},
        values={
            "length_m": 40,
            "direction": "aller",
            "first_year": specs.FENCE_FIRST_YEAR,
            "dataset": dataset,
            "comment": "Barrière autour de la mare d'un jardin, relevée chaque matin de "
            "mi-février à fin mai (migration prénuptiale).",
        },
    )
    for number in range(1, 9):
        upsert(
            Bucket,
            lookup={"fence": fence, "number": number},
            values={"direction": "aller" if number <= 6 else "retour"},
        )
    if fence.checks.exists():
        return 0
    plan = fence_plan()
    checks = FenceCheck.objects.bulk_create(
        FenceCheck(
            fence=fence,
            date=c.date,
            time=dt.time(7, 30),
            temperature_c=c.temperature,
            rain=c.rain,
            observer="Propriétaire du jardin",
            created_by=user,
            updated_by=user,
        )
        for c in plan
    )
    taxa = Taxon.objects.in_bulk(list(specs.FENCE_SPECIES))
    FenceCount.objects.bulk_create(
        (
            FenceCount(check_round=check, taxon=taxa[c], sex=sex, alive=alive, count=n)
            for check, planned in zip(checks, plan, strict=True)
            for c, sex, alive, n in planned.counts
        ),
        batch_size=5000,
    )
    return len(checks)


def _publish(rows, fields_of, observers_of, user, link_model) -> list[int]:
    """Publish ``rows`` (POP lines or fence counts without an occurrence) in bulk and
    link each row to its occurrence."""
    if not rows:
        return []
    occurrences, observer_ids = [], []
    for index, row in enumerate(rows):
        people = observers_of(row)
        occurrence = Occurrence(
            source=Source.ZONES_HUMIDES,
            created_by=user,
            updated_by=user,
            **fields_of(row),
        )
        if not occurrence.observers_label:
            occurrence.observers_label = ", ".join(
                f"{p}{f' ({p.organisation})' if p.organisation_id else ''}"
                for p in people
            )
        if index == 0:
            occurrence_check(occurrence)
        occurrences.append(occurrence)
        observer_ids.append([p.pk for p in people])
    ids = occurrences_publish_bulk(
        occurrences=occurrences, observer_ids=observer_ids, user=user
    )
    for row, pk in zip(rows, ids, strict=True):
        row.occurrence_id = pk
    link_model.objects.bulk_update(rows, ["occurrence"], batch_size=2000)
    return list(ids)


def publish_occurrences(user) -> list[int]:
    """The demo's POP lines and fence counts that are not published yet (their new
    occurrences' ids)."""
    lines = list(
        PassageObservation.objects.filter(
            occurrence__isnull=True,
            passage__pop_site__aire__dataset__short_title="POP-AMPHIBIEN",
        )
        .select_related(
            "taxon",
            "passage__pop_site__site",
            "passage__pop_site__aire__dataset__programme",
        )
        .prefetch_related("passage__observers__organisation")
        .order_by("pk")
    )
    published = _publish(
        lines,
        pop_observation_occurrence_fields,
        lambda line: list(line.passage.observers.all()),
        user,
        PassageObservation,
    )
    counts = list(
        FenceCount.objects.filter(
            occurrence__isnull=True,
            check_round__fence__dataset__short_title="BARRIERE-VIMY",
        )
        .select_related(
            "taxon",
            "check_round__fence__site",
            "check_round__fence__dataset__programme",
        )
        .order_by("pk")
    )
    sites = {}
    for count in counts:
        # One point per fence site, not one GEOS computation per row.
        site = count.check_round.fence.site
        site = sites.setdefault(site.pk, site)
        count.check_round.fence.site = site
    published += _publish(
        counts,
        _fence_fields,
        lambda count: [],
        user,
        FenceCount,
    )
    return published


def validate_published(ids: list[int]) -> int:
    """The validator's work on the records just published, as in the observations demo:
    each year leaves its share still to check (observations.demo.specs.PENDING_SHARE,
    none before 2019), the others get a status drawn with the same weights, the same
    for a record at every run (drawn from its id). Returns the records validated."""
    validator = User.objects.filter(username=VALIDATOR_USER).first()
    if validator is None or not ids:
        return 0
    decided = {}
    years = Occurrence.objects.filter(pk__in=ids).values_list("pk", "date_start__year")
    for pk, year in years:
        draw = random.Random(pk)
        if draw.random() < PENDING_SHARE.get(year, 0.0):
            continue
        statuses, weights = zip(*DECIDED_STATUSES, strict=True)
        decided.setdefault(draw.choices(statuses, weights)[0], []).append(pk)
    for status, chosen in decided.items():
        occurrences_validate(
            occurrences=Occurrence.objects.filter(pk__in=chosen).only("pk"),
            validator=validator,
            status=status,
        )
    return sum(len(chosen) for chosen in decided.values())


def _fence_fields(count: FenceCount) -> dict:
    fields = fence_counts_occurrence_fields(count)
    fields["observers_label"] = count.check_round.observer
    return fields


def load_demo(*, stdout=None, log: Callable[[str], None] | None = None) -> None:
    """Create what is missing of the wetlands demo and print one French summary line."""
    started = time.monotonic()
    user = User.objects.filter(username=ENTRY_USER).first()
    with transaction.atomic():
        profiles = profiles_upsert()
        passages = pop_upsert(user)
        operations = operations_upsert(user)
        levels = water_levels_insert(user)
        checks = fence_upsert(user)
        published = publish_occurrences(user) if PUBLISH_OCCURRENCES else []
        validated = validate_published(published)
    # Photo files are written outside the transaction's reach: created after it.
    newts = newts_upsert(user)
    # Fresh statistics for the planner: the read policy joins these rows to their
    # occurrences, and on tables never analysed a POP page of a fresh demo took seconds.
    with connection.cursor() as cursor:
        for model in (Occurrence, PopAire, PopSite, PopPassage, PassageObservation):
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    line = (
        f"Zones humides : {profiles} profils de sites, {PopAire.objects.count()} aires "
        f"POP ({passages} passages créés), {operations} opérations, {levels} niveaux "
        f"d'eau, barrière-piège ({checks} relevés créés), {newts} captures de tritons "
        f"crêtés photo-identifiés, {len(published)} observations publiées (dont "
        f"{validated} validées) en {time.monotonic() - started:.1f} s"
    )
    if log:
        log(line)
    elif stdout:
        stdout.write(line + "\n")
