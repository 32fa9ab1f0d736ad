"""The annual ringing table (``/baguage/bilan/<year>/``): per site and programme, the sessions,
rings placed, controls (of which foreign, with their countries), species and remarkable
species, as in the organisation's yearly report; per-species and per-session summaries, and
the STOC-Capture indicators of each STOC station.

Everything is computed with a few SQL aggregates over the captures shown to the user
(``baguage.permissions``: sessions they may read, captures whose occurrence they may place);
the others are left out of every figure and counted once (``AnnualTable.hidden``), without
species, site or date — a remarkable species never appears through a hidden capture.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.postgres.aggregates import BoolOr
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet

from baguage.models import FRANCE_SCHEME, Capture, RingingProgramme, Session
from baguage.permissions import (
    captures_left_out,
    captures_shown_to,
    sessions_visible_to,
)
from baguage.selectors import sessions_with_counts, shown_capture_count
from baguage.services import session_protocol_problems
from observations.policy import record_filter
from referentiel.models import Taxon

# EURING ringing schemes → country (the schemes of the controls seen in the region).
SCHEME_COUNTRIES = {
    "FRP": "France",
    "BLB": "Belgique",
    "NLA": "Pays-Bas",
    "DEH": "Allemagne",
    "DER": "Allemagne",
    "DEW": "Allemagne",
    "GBT": "Grande-Bretagne",
    "SVS": "Suède",
    "DKC": "Danemark",
    "NOS": "Norvège",
    "SFH": "Finlande",
    "CHS": "Suisse",
    "ESI": "Espagne",
    "ITI": "Italie",
    "PLG": "Pologne",
    "CZP": "Tchéquie",
    "ATV": "Autriche",
}
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
JUVENILE_AGES = ("1", "3")  # pullus, first calendar year
ADULT_AGES = ("4", "5", "6", "7", "8", "9")  # after the first calendar year
STOC_NET_UNIT = Decimal(120)  # adults are given per 120 m of nets (CRBPO)


def country(scheme: str) -> str:
    return SCHEME_COUNTRIES.get(scheme, scheme)


def month_span(first: dt.date | None, last: dt.date | None) -> str:
    if first is None or last is None:
        return ""
    if first.month == last.month:
        return MONTHS[first.month - 1]
    return f"{MONTHS[first.month - 1]}–{MONTHS[last.month - 1]}"


def taxon_label(taxon_id: int, names: dict[int, tuple[str, str]]) -> str:
    """The first French name of the taxon, else its scientific name."""
    scientific, vernacular = names.get(taxon_id, (str(taxon_id), ""))
    return vernacular.split(",")[0].strip() or scientific


@dataclass
class Remarkable:
    taxon_id: int
    name: str
    count: int  # birds handled (rings and controls)

    def __str__(self) -> str:
        return f"{self.name} ({self.count})"


@dataclass
class TableRow:
    programme_id: int
    programme: str  # programme name
    programme_code: str
    kind: str
    station_id: int | None  # None: a subtotal of a programme run on several sites
    site: str
    communes: list[str]
    sessions: int = 0
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    rings: int = 0
    controls: int = 0
    foreign: int = 0
    countries: dict[str, int] = field(default_factory=dict)  # country → controls
    species: int = 0
    remarkable: list[Remarkable] = field(default_factory=list)
    stations: int = 1

    @property
    def months(self) -> str:
        return month_span(self.first_date, self.last_date)

    @property
    def countries_label(self) -> str:
        return ", ".join(f"{name} ({n})" for name, n in self.countries.items())

    @property
    def remarkable_label(self) -> str:
        return ", ".join(str(r) for r in self.remarkable)


@dataclass
class SpeciesRow:
    taxon_id: int
    name: str
    scientific_name: str
    rings: int
    controls: int
    foreign: int
    juveniles: int
    adults: int

    @property
    def juvenile_ratio(self) -> float | None:
        aged = self.juveniles + self.adults
        return self.juveniles / aged if aged else None


@dataclass
class StocSession:
    session: Session
    adults: int
    juveniles: int
    adults_per_120m: float | None
    problems: list[str]


@dataclass
class StocStation:
    station_id: int
    station: str
    sessions: list[StocSession]
    adults: int
    juveniles: int
    adults_per_session: float | None  # per 120 m of nets, valid sessions only
    productivity: float | None  # juveniles / (juveniles + adults)
    returns: int  # birds ringed here the year before, controlled here this year
    previous_year_rings: int


@dataclass
class AnnualTable:
    year: int
    rows: list[TableRow]
    total: TableRow
    controlled_birds: int  # distinct birds among the controls
    countries: dict[str, int]
    species: list[SpeciesRow]
    sessions: list[Session]
    stoc: list[StocStation]
    years: list[int]
    hidden: int = 0  # captures of the year in readable datasets left out (sensitive)


def visible_sessions(user) -> QuerySet:
    return sessions_visible_to(user)


def ringing_years(user) -> list[int]:
    return sorted(
        {d.year for d in visible_sessions(user).dates("date", "year").order_by()},
        reverse=True,
    )


def _communes(station_ids) -> dict[int, list[str]]:
    from baguage.models import Station

    communes: dict[int, list[str]] = defaultdict(list)
    for station_id, name in (
        Station.objects.filter(pk__in=station_ids)
        .order_by("pk", "site__communes__name")
        .values_list("pk", "site__communes__name")
    ):
        if name and name not in communes[station_id]:
            communes[station_id].append(name)
    return communes


def annual_table(*, year: int, user) -> AnnualTable:
    """The table of ``year`` from the sessions ``user`` may read."""
    sessions = visible_sessions(user).filter(date__year=year)
    captures = captures_shown_to(user, Capture.objects.filter(session__in=sessions))
    key = ("session__programme", "session__station")
    programmes = {
        p.pk: p
        for p in RingingProgramme.objects.select_related("programme").filter(
            pk__in=sessions.values("programme")
        )
    }
    targets: dict[int, set[int]] = defaultdict(set)
    for programme_id, taxon_id in RingingProgramme.target_taxa.through.objects.filter(
        ringingprogramme_id__in=list(programmes)
    ).values_list("ringingprogramme_id", "taxon_id"):
        targets[programme_id].add(taxon_id)

    # 1. Sessions per programme and station.
    rows: dict[tuple[int, int | None], TableRow] = {}
    station_names = {}
    for programme_id, station_id, _station, site, n, first, last in (
        sessions.order_by()
        .values("programme", "station")
        .annotate(n=Count("id"), first=Min("date"), last=Max("date"))
        .values_list(
            "programme",
            "station",
            "station__name",
            "station__site__name",
            "n",
            "first",
            "last",
        )
    ):
        programme = programmes[programme_id]
        station_names[station_id] = site
        rows[(programme_id, station_id)] = TableRow(
            programme_id=programme_id,
            programme=programme.programme.name,
            programme_code=programme.programme.code,
            kind=programme.get_kind_display(),
            station_id=station_id,
            site=site,
            communes=[],
            sessions=n,
            first_date=first,
            last_date=last,
        )
    foreign_q = ~Q(action="B") & ~Q(ring_scheme=FRANCE_SCHEME)
    # 2. Rings, controls and species per programme and station.
    for programme_id, station_id, rings, controls, foreign, species in (
        captures.order_by()
        .values(*key)
        .annotate(
            rings=Count("id", filter=Q(action="B")),
            controls=Count("id", filter=~Q(action="B")),
            foreign=Count("id", filter=foreign_q),
            species=Count("taxon__cd_ref", distinct=True),
        )
        .values_list(*key, "rings", "controls", "foreign", "species")
    ):
        row = rows[(programme_id, station_id)]
        row.rings, row.controls, row.foreign, row.species = (
            rings,
            controls,
            foreign,
            species,
        )
    # 3. Foreign controls per scheme.
    per_scheme = list(
        captures.filter(foreign_q)
        .order_by()
        .values(*key, "ring_scheme")
        .annotate(n=Count("id"))
        .values_list(*key, "ring_scheme", "n")
    )
    # 4. Remarkable species (EURING table flag, or a target species of the programme).
    all_targets = {t for ts in targets.values() for t in ts}
    remarkable = list(
        captures.filter(
            Q(taxon__euring__is_remarkable=True) | Q(taxon_id__in=all_targets)
        )
        .order_by()
        .values(*key, "taxon_id")
        .annotate(n=Count("id"), flag=BoolOr("taxon__euring__is_remarkable"))
        .values_list(*key, "taxon_id", "n", "flag")
    )
    names = {
        cd_nom: (scientific, vernacular)
        for cd_nom, scientific, vernacular in Taxon.objects.filter(
            cd_nom__in={r[2] for r in remarkable}
        ).values_list("cd_nom", "scientific_name", "vernacular_name")
    }
    # 5. Programmes run on several sites get a subtotal row (distinct species of all).
    multi = defaultdict(list)
    for (programme_id, _station_id), row in rows.items():
        multi[programme_id].append(row)
    multi = {p: r for p, r in multi.items() if len(r) > 1}
    programme_species = dict(
        captures.filter(session__programme__in=list(multi))
        .order_by()
        .values("session__programme")
        .annotate(species=Count("taxon__cd_ref", distinct=True))
        .values_list("session__programme", "species")
    )
    communes = _communes(list(station_names))
    for row in rows.values():
        row.communes = communes.get(row.station_id, [])
    for programme_id, station_id, scheme, n in per_scheme:
        for row_key in ((programme_id, station_id), (programme_id, None)):
            if row_key[1] is None and programme_id not in multi:
                continue
            target = rows.get(row_key) or _subtotal(programme_id, multi, rows)
            name = country(scheme)
            target.countries[name] = target.countries.get(name, 0) + n
    for programme_id, station_id, taxon_id, n, flag in remarkable:
        if not flag and taxon_id not in targets[programme_id]:
            continue
        label = taxon_label(taxon_id, names)
        for row_key in ((programme_id, station_id), (programme_id, None)):
            if row_key[1] is None and programme_id not in multi:
                continue
            target = rows.get(row_key) or _subtotal(programme_id, multi, rows)
            for item in target.remarkable:
                if item.taxon_id == taxon_id:
                    item.count += n
                    break
            else:
                target.remarkable.append(Remarkable(taxon_id, label, n))
    for programme_id in multi:
        subtotal = _subtotal(programme_id, multi, rows)
        subtotal.species = programme_species.get(programme_id, 0)
    for row in rows.values():
        row.remarkable.sort(key=lambda r: (-r.count, r.name))
        row.countries = dict(sorted(row.countries.items(), key=lambda i: (-i[1], i[0])))

    ordered = sorted(
        rows.values(),
        key=lambda r: (r.programme_code, r.station_id is None, r.site),
    )
    # Totals: controls and foreign controls also as distinct birds.
    totals = captures.aggregate(
        rings=Count("id", filter=Q(action="B")),
        controls=Count("id", filter=~Q(action="B")),
        foreign=Count("id", filter=foreign_q),
        species=Count("taxon__cd_ref", distinct=True),
    )
    controlled_birds = (
        captures.exclude(action="B")
        .order_by()
        .values("ring_scheme", "ring_number")
        .distinct()
        .count()
    )
    countries: dict[str, int] = defaultdict(int)
    for *_key, scheme, n in per_scheme:
        countries[country(scheme)] += n
    countries = dict(sorted(countries.items(), key=lambda i: (-i[1], i[0])))
    total = TableRow(
        programme_id=0,
        programme="Total",
        programme_code="",
        kind="",
        station_id=None,
        site="",
        communes=[],
        sessions=sessions.count(),
        first_date=None,
        last_date=None,
        rings=totals["rings"],
        controls=totals["controls"],
        foreign=totals["foreign"],
        countries=countries,
        species=totals["species"],
        stations=len(station_names),
    )
    return AnnualTable(
        year=year,
        rows=ordered,
        total=total,
        controlled_birds=controlled_birds,
        countries=countries,
        species=species_summary(captures),
        sessions=session_summary(sessions, user),
        stoc=stoc_indicators(sessions=sessions, year=year, user=user),
        years=ringing_years(user),
        hidden=captures_left_out(
            user, Capture.objects.filter(session__date__year=year)
        ),
    )


def _subtotal(programme_id, multi, rows) -> TableRow:
    key = (programme_id, None)
    if key not in rows:
        parts = multi[programme_id]
        first = parts[0]
        communes = []
        for part in parts:
            communes += [c for c in part.communes if c not in communes]
        rows[key] = TableRow(
            programme_id=programme_id,
            programme=first.programme,
            programme_code=first.programme_code,
            kind=first.kind,
            station_id=None,
            site=f"{len(parts)} sites",
            communes=communes,
            sessions=sum(p.sessions for p in parts),
            first_date=min(p.first_date for p in parts),
            last_date=max(p.last_date for p in parts),
            rings=sum(p.rings for p in parts),
            controls=sum(p.controls for p in parts),
            foreign=sum(p.foreign for p in parts),
            stations=len(parts),
        )
    return rows[key]


def species_summary(captures: QuerySet) -> list[SpeciesRow]:
    rows = (
        captures.order_by()
        .values("taxon_id")
        .annotate(
            rings=Count("id", filter=Q(action="B")),
            controls=Count("id", filter=~Q(action="B")),
            foreign=Count("id", filter=~Q(action="B") & ~Q(ring_scheme=FRANCE_SCHEME)),
            juveniles=Count("id", filter=Q(age__in=JUVENILE_AGES)),
            adults=Count("id", filter=Q(age__in=ADULT_AGES)),
        )
        .values_list(
            "taxon_id",
            "taxon__scientific_name",
            "taxon__vernacular_name",
            "rings",
            "controls",
            "foreign",
            "juveniles",
            "adults",
        )
    )
    result = [
        SpeciesRow(
            taxon_id=taxon_id,
            name=(vernacular or "").split(",")[0].strip() or scientific,
            scientific_name=scientific,
            rings=rings,
            controls=controls,
            foreign=foreign,
            juveniles=juveniles,
            adults=adults,
        )
        for taxon_id, scientific, vernacular, rings, controls, foreign, juveniles, adults in rows
    ]
    result.sort(key=lambda r: (-(r.rings + r.controls), r.name))
    return result


def session_summary(sessions: QuerySet, user) -> list[Session]:
    shown = record_filter(user, "captures__occurrence")
    return list(
        sessions_with_counts(sessions, user)
        .annotate(
            foreign_count=shown_capture_count(
                user,
                ~Q(captures__action="B") & ~Q(captures__ring_scheme=FRANCE_SCHEME),
            ),
            species_count=Count("captures__taxon__cd_ref", distinct=True, filter=shown),
        )
        .select_related("station__site", "programme__programme")
        .order_by("date", "start_time", "station__name")
    )


def stoc_indicators(*, sessions: QuerySet, year: int, user) -> list[StocStation]:
    """Per STOC station: adults and juveniles per session (adults per 120 m of nets),
    productivity juveniles / (juveniles + adults), and the returns: birds ringed at the
    station in ``year - 1`` and controlled there in ``year``."""
    stoc_kinds = (RingingProgramme.Kind.STOC, RingingProgramme.Kind.STOC_ROZO)
    stoc_sessions = list(
        sessions.filter(programme__kind__in=stoc_kinds)
        .annotate(
            capture_count=shown_capture_count(user),
            stored_capture_count=Count("captures"),
            adults=shown_capture_count(user, Q(captures__age__in=ADULT_AGES)),
            juveniles=shown_capture_count(user, Q(captures__age__in=JUVENILE_AGES)),
        )
        .select_related("station", "programme")
        .order_by("station__name", "date")
    )
    if not stoc_sessions:
        return []
    station_ids = {s.station_id for s in stoc_sessions}
    previous = captures_shown_to(
        user,
        Capture.objects.filter(
            action="B",
            ring_scheme=OuterRef("ring_scheme"),
            ring_number=OuterRef("ring_number"),
            session__station=OuterRef("session__station"),
            session__date__year=year - 1,
        ),
    )
    returns = dict(
        captures_shown_to(
            user,
            Capture.objects.filter(
                session__in=sessions.filter(programme__kind__in=stoc_kinds)
            ),
        )
        .exclude(action="B")
        .filter(Exists(previous))
        .order_by()
        .values("session__station")
        .annotate(n=Count(F("ring_number"), distinct=True))
        .values_list("session__station", "n")
    )
    previous_rings = dict(
        captures_shown_to(
            user,
            Capture.objects.filter(
                action="B",
                session__in=visible_sessions(user).filter(
                    date__year=year - 1,
                    station__in=station_ids,
                    programme__kind__in=stoc_kinds,
                ),
            ),
        )
        .order_by()
        .values("session__station")
        .annotate(n=Count("id"))
        .values_list("session__station", "n")
    )
    by_station: dict[int, list[StocSession]] = defaultdict(list)
    for session in stoc_sessions:
        nets = Decimal(session.nets_length_m or 0)
        by_station[session.station_id].append(
            StocSession(
                session=session,
                adults=session.adults,
                juveniles=session.juveniles,
                adults_per_120m=float(session.adults * STOC_NET_UNIT / nets)
                if nets
                else None,
                problems=session_protocol_problems(session),
            )
        )
    result = []
    for station_id, items in by_station.items():
        valid = [i for i in items if not i.problems and i.adults_per_120m is not None]
        adults = sum(i.adults for i in items)
        juveniles = sum(i.juveniles for i in items)
        result.append(
            StocStation(
                station_id=station_id,
                station=items[0].session.station.name,
                sessions=items,
                adults=adults,
                juveniles=juveniles,
                adults_per_session=sum(i.adults_per_120m for i in valid) / len(valid)
                if valid
                else None,
                productivity=juveniles / (juveniles + adults)
                if juveniles + adults
                else None,
                returns=returns.get(station_id, 0),
                previous_year_rings=previous_rings.get(station_id, 0),
            )
        )
    result.sort(key=lambda s: s.station)
    return result
