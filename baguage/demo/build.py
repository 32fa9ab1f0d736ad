"""Deterministic generation of the ringing demo (plain objects, no database write).

Each row and year draws from its own seeded generator: the same sessions, birds, rings and
controls on every machine and every run. Captures are then walked in date order over all
rows, so that rings are taken from stock in the order they were used and a control is the
retrap of a bird ringed earlier at the same station (same ring, same species), a French ring
of another ringer, or a foreign ring.
"""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from . import specs
from .specs import BIRDS, ROWS, YEAR_FACTORS, YEAR_SHIFT, YEARS, RowSpec, SessionSpec

KEY_PREFIX = "baguage-demo"


@dataclass
class PlannedSession:
    key: str  # stable: "<row>-<year>-<n>"
    row: int
    spec: SessionSpec
    programme: str
    site: str
    date: dt.date
    start: dt.time
    end: dt.time
    rings: list[int] = field(default_factory=list)  # species of the new rings
    controls: list[bool] = field(default_factory=list)  # True: a foreign ring
    captures: list[dict] = field(default_factory=list)  # filled by the walk


@dataclass
class Bird:
    ring: str
    scheme: str
    species: int
    age: str
    sex: str
    year: int
    date: dt.date
    station: str
    serial: str = ""


@dataclass
class DemoPlan:
    sessions: list[PlannedSession]
    # ring size → [(ring number, date of use)] in the order rings were taken from stock
    rings_used: dict[str, list[tuple[int, dt.date]]]


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def session_date(spec: SessionSpec, year: int) -> dt.date:
    base = dt.date.fromisoformat(f"2020-{spec.day}")
    moved = base + dt.timedelta(days=YEAR_SHIFT[year])
    return moved.replace(year=year)


def _row_counts(row: RowSpec, index: int, year: int) -> tuple[int, int]:
    if year == 2020:
        return row.rings, row.controls
    if year in row.counts:
        return row.counts[year]
    rng = random.Random(f"counts-{index}-{year}")
    factor = YEAR_FACTORS[year]
    rings = max(1, round(row.rings * factor * rng.uniform(0.95, 1.05)))
    controls = round(row.controls * factor * rng.uniform(0.9, 1.1))
    return rings, controls


def _weights(pool: tuple[int, ...]) -> list[float]:
    return [1 / (rank + 1) ** 0.9 for rank in range(len(pool))]


def _plan_row(row: RowSpec, index: int, year: int) -> list[PlannedSession]:
    specs_of_year = [s for s in row.sessions if year in s.years]
    if not specs_of_year:
        return []
    rng = random.Random(f"row-{index}-{year}")
    sessions = [
        PlannedSession(
            key=f"{index:02d}-{year}-{n:02d}",
            row=index,
            spec=spec,
            programme=row.programme,
            site=spec.site,
            date=session_date(spec, year),
            start=_time(spec.start),
            end=_time(spec.end),
        )
        for n, spec in enumerate(specs_of_year)
    ]
    rings, controls = _row_counts(row, index, year)
    fixed = {sp: counts.get(year, 0) for sp, counts in row.fixed.items()}
    others = [sp for sp in row.pool if sp not in row.fixed]
    free = rings - sum(fixed.values())
    per_species = dict.fromkeys(others, 1)
    for sp in rng.choices(others, _weights(tuple(others)), k=free - len(others)):
        per_species[sp] += 1
    per_species.update(fixed)
    weights = [s.spec.weight for s in sessions]
    for sp, count in per_species.items():
        eligible = [
            (s, w)
            for s, w in zip(sessions, weights, strict=True)
            if not (BIRDS[sp].summer and s.date.month >= 10)
        ] or list(zip(sessions, weights, strict=True))
        for session in rng.choices(
            [s for s, _ in eligible], [w for _, w in eligible], k=count
        ):
            session.rings.append(sp)
    foreign = row.foreign.get(year, 0)
    slots = [True] * foreign + [False] * (controls - foreign)
    rng.shuffle(slots)
    # Controls come after some ringing: fewer in a row's first session.
    control_weights = [
        w * (0.4 if n == 0 and len(sessions) > 1 else 1.0)
        for n, w in enumerate(weights)
    ]
    for is_foreign in slots:
        rng.choices(sessions, control_weights)[0].controls.append(is_foreign)
    return sessions


def _age(pattern: str, month: int, rng: random.Random) -> str:
    if pattern == "pullus":
        return "1"
    if pattern == "stoc":
        juvenile = {5: 0.0, 6: 0.35}.get(month, 0.6)
    elif pattern == "colony":
        juvenile = {6: 0.25, 7: 0.6}.get(month, 0.7)
    elif pattern == "adult":
        juvenile = 0.0
    elif pattern == "winter":
        juvenile = 0.0 if month <= 6 else 0.6
    else:  # autumn
        juvenile = 0.7 if month >= 7 else 0.0
    if rng.random() < juvenile:
        return "3"
    if month >= 7:
        return "4"
    return rng.choice(("5", "6", "6"))


def _control_age(bird: Bird, year: int, month: int) -> str:
    if bird.year == year:
        return "3" if bird.age == "1" else bird.age
    if month >= 7:
        return "4"
    return "5" if year - bird.year == 1 and bird.age in "13" else "6"


def _sex(sp: int, age: str, month: int, rng: random.Random) -> tuple[str, str]:
    if not BIRDS[sp].sexed or age in ("1", "3") and month < 9:
        return "U", ""
    return rng.choice(("M", "F")), "P"


def _measure(
    sp: int, rng: random.Random, ranges: dict[int, tuple]
) -> tuple[float, float]:
    bird = BIRDS[sp]
    wing_lo, wing_hi = bird.wing
    mass_lo, mass_hi = bird.mass
    known = ranges.get(sp)
    if known:  # stay inside the EURING table's usual range (no warning at entry)
        w_min, w_max, m_min, m_max = known
        if w_min is not None and w_max is not None:
            wing_lo, wing_hi = max(wing_lo, w_min), min(wing_hi, w_max)
            if wing_lo > wing_hi:
                wing_lo, wing_hi = w_min, w_max
        if m_min is not None and m_max is not None:
            mass_lo, mass_hi = max(mass_lo, m_min), min(mass_hi, m_max)
            if mass_lo > mass_hi:
                mass_lo, mass_hi = m_min, m_max
    wing = round(rng.uniform(wing_lo, wing_hi) * 2) / 2
    mass = round(rng.uniform(mass_lo, mass_hi), 1)
    return wing, mass


class _Walk:
    """Walks the sessions in date order and turns planned rings and controls into
    captures."""

    def __init__(self, ranges: dict[int, tuple]):
        self.ranges = ranges
        self.next_index: dict[str, int] = defaultdict(int)
        self.rings_used: dict[str, list[tuple[int, dt.date]]] = defaultdict(list)
        self.history: dict[str, list[Bird]] = defaultdict(list)
        self.controlled: dict[int, set[tuple[str, str]]] = defaultdict(set)
        self.controlled_at: dict[tuple[int, str], list[Bird]] = defaultdict(list)
        self.foreign_counter: dict[str, int] = defaultdict(int)
        self.external_counter: dict[str, int] = defaultdict(int)
        self.foreign_schemes: dict[int, list[str]] = {}
        self.repeats_done: set[int] = set()
        self.gls_serial = 0

    def _foreign_scheme(self, year: int, rng: random.Random) -> str:
        if not self.foreign_schemes.get(year):
            schemes = [s for s, weight in specs.FOREIGN_SCHEMES for _ in range(weight)]
            random.Random(f"schemes-{year}").shuffle(schemes)
            self.foreign_schemes[year] = schemes
        return self.foreign_schemes[year].pop()

    def _new_ring(self, sp: int, day: dt.date) -> tuple[str, str]:
        size = BIRDS[sp].size
        prefix, digits, first, _lot = specs.RING_SIZES[size]
        number = first + self.next_index[size]
        self.next_index[size] += 1
        self.rings_used[size].append((number, day))
        return f"{prefix}{number:0{digits}d}", size

    def _external_ring(self, sp: int) -> tuple[str, str]:
        """A French ring put on by another ringer (never in this demo's series)."""
        size = BIRDS[sp].size
        prefix, digits, _first, _lot = specs.RING_SIZES[size]
        self.external_counter[size] += 1
        n = self.external_counter[size]
        if prefix:
            return f"{prefix[0]}X{n + 70000:05d}", size
        return f"{4500000 + n * 7:07d}", size

    def session(self, session: PlannedSession, row: RowSpec, nets: int) -> None:
        rng = random.Random(f"session-{session.key}")
        year, month = session.date.year, session.date.month
        allowed = [sp for sp in row.pool if sp not in row.fixed]
        weights = _weights(tuple(allowed))
        items = [("B", sp) for sp in session.rings] + [
            ("C", foreign) for foreign in session.controls
        ]
        rng.shuffle(items)
        start = dt.datetime.combine(session.date, session.start)
        minutes = int(
            (dt.datetime.combine(session.date, session.end) - start).total_seconds()
            // 60
        )
        times = sorted(
            (start + dt.timedelta(minutes=rng.randrange(0, max(minutes, 1)))).time()
            for _ in items
        )
        last_session = session.key == self.last_session_of.get((session.row, year))
        for line, ((action, value), time) in enumerate(
            zip(items, times, strict=True), start=1
        ):
            time = time.replace(minute=time.minute - time.minute % 10, second=0)
            capture = {
                "line": line,
                "time": time,
                "net": rng.randint(1, nets) if nets else None,
                "action": action,
                "condition": "8",
                "circumstances": "20",
                "other_marks": "ZZ",
                "colour_marks": "",
                "logger_serial": "",
                "remarks": "",
                "brood_patch": "",
                "fat": None,
                "muscle": None,
                "third_primary_mm": None,
            }
            if action == "B":
                bird = self._ring(value, session, row, rng)
            else:
                bird = self._control(
                    value, session, row, allowed, weights, rng, last_session
                )
                capture["age"] = _control_age(bird, year, month)
            if action == "B":
                capture["age"] = bird.age
            capture.update(
                ring_scheme=bird.scheme,
                ring_number=bird.ring,
                ring_size=BIRDS[bird.species].size if bird.scheme == "FRP" else "",
                taxon_id=bird.species,
                sex=bird.sex,
                sexing_method="P" if bird.sex != "U" else "",
            )
            self._biometrics(capture, bird.species, month, row, rng)
            self._marks(capture, bird, session, action)
            session.captures.append(capture)

    def _ring(self, sp, session, row, rng) -> Bird:
        year, month = session.date.year, session.date.month
        ring, _size = self._new_ring(sp, session.date)
        age = _age(row.ages, month, rng)
        sex, _method = _sex(sp, age, month, rng)
        bird = Bird(ring, "FRP", sp, age, sex, year, session.date, session.site)
        if row.programme == "GLS-GOBEMOUCHE":
            self.gls_serial += 1
            bird.serial = f"GLS-MS-{year % 100:02d}-{self.gls_serial:02d}"
        self.history[session.site].append(bird)
        return bird

    def _control(
        self, is_foreign, session, row, allowed, weights, rng, last_session
    ) -> Bird:
        year = session.date.year
        if is_foreign:
            sp = rng.choices(allowed, weights)[0]
            scheme = self._foreign_scheme(year, rng)
            self.foreign_counter[scheme] += 1
            number = f"{specs.FOREIGN_PREFIX[scheme]}{self.foreign_counter[scheme] * 37 + 10000:06d}"
            return Bird(number, scheme, sp, "4", "U", year - 1, session.date, "")
        allowed_set = set(allowed)
        station = session.site
        if (
            year == 2020
            and row.repeat_controls
            and last_session
            and session.row not in self.repeats_done
        ):
            again = [
                b
                for b in self.controlled_at[(year, station)]
                if b.species in allowed_set
            ]
            if again:
                self.repeats_done.add(session.row)
                return rng.choice(again)
        candidates = [
            b
            for b in self.history[station]
            if b.species in allowed_set
            and b.date < session.date
            and (b.scheme, b.ring) not in self.controlled[year]
        ]
        if row.programme == "GLS-GOBEMOUCHE":
            candidates = [b for b in candidates if b.serial]
        if candidates:
            # Birds of the year and returns of earlier years, the recent ones first.
            bird = rng.choices(
                candidates, [1.0 + (b.year == year) * 1.5 for b in candidates]
            )[0]
        else:
            sp = rng.choices(allowed, weights)[0]
            ring, _size = self._external_ring(sp)
            age = "4" if session.date.month >= 7 else "6"
            sex, _ = _sex(sp, age, session.date.month, rng)
            bird = Bird(ring, "FRP", sp, age, sex, year - 1, session.date, "")
        self.controlled[year].add((bird.scheme, bird.ring))
        self.controlled_at[(year, station)].append(bird)
        return bird

    def _biometrics(self, capture, sp, month, row, rng) -> None:
        if row.ages == "pullus":
            capture.update(wing_mm=None, mass_g=None)
            return
        wing, mass = _measure(sp, rng, self.ranges)
        capture.update(wing_mm=wing, mass_g=mass)
        if BIRDS[sp].size in ("A", "B", "C"):
            capture["third_primary_mm"] = round(wing * 0.74 * 2) / 2
            capture["fat"] = rng.choice((0, 1, 1, 2, 2, 3, 4)) if month >= 8 else 1
            capture["muscle"] = rng.choice((1, 2, 2, 2, 3))
        if capture["sex"] == "F" and 5 <= month <= 7:
            capture["brood_patch"] = rng.choice(("2", "3", "4"))

    def _marks(self, capture, bird, session, action) -> None:
        if session.programme == "GLS-GOBEMOUCHE" and bird.serial:
            capture["logger_serial"] = bird.serial
            if action == "B":
                capture["other_marks"] = "LB"
                capture["remarks"] = "Géolocalisateur posé (harnais en élastique)."
            else:
                capture["other_marks"] = "LD"
                capture["remarks"] = "Géolocalisateur récupéré après l'hivernage."
        if session.programme == specs.PEREGRINE:
            capture["other_marks"] = "BB"
            capture["colour_marks"] = "Bague couleur orange « 7AB » au tarse gauche"
            capture["remarks"] = "Poussin bagué au nid sur le terril."


def demo_plan(ranges: dict[int, tuple] | None = None) -> DemoPlan:
    """Every demo session with its captures, in date order, and the rings used per size.

    ``ranges`` (cd_nom → wing min/max, mass min/max of ``EuringSpecies``) keeps the
    biometrics inside the usual ranges used at entry."""
    sessions: list[PlannedSession] = []
    for index, row in enumerate(ROWS):
        for year in YEARS:
            sessions.extend(_plan_row(row, index, year))
    sessions.sort(key=lambda s: (s.date, s.start, s.key))
    walk = _Walk(ranges or {})
    walk.last_session_of = {}
    for session in sessions:
        walk.last_session_of[(session.row, session.date.year)] = session.key
    nets = {spec.site: spec.nets for spec in specs.STATIONS}
    for session in sessions:
        spec_nets = session.spec.nets
        walk.session(
            session,
            ROWS[session.row],
            nets[session.site] if spec_nets is None else spec_nets,
        )
    return DemoPlan(sessions=sessions, rings_used=dict(walk.rings_used))


def series_plan(rings_used: dict[str, list[tuple[int, dt.date]]]) -> list[dict]:
    """The ring series received from the CRBPO: lots covering the rings used, each received
    before its first ring was used, with stock left (little of size ``LOW_SIZE``)."""
    rows = []
    for size, used in sorted(rings_used.items()):
        prefix, digits, first, lot = specs.RING_SIZES[size]
        count = len(used)
        if size == specs.LOW_SIZE or not lot:
            bounds = [(first, first + count + specs.LOW_SIZE_LEFT - 1)]
        else:
            lots = -(-(count + specs.STOCK_MARGIN) // lot)
            bounds = [(first + k * lot, first + (k + 1) * lot - 1) for k in range(lots)]
        for low, high in bounds:
            index = low - first
            day = used[index][1] if index < len(used) else used[-1][1]
            received = (
                dt.date(day.year, 1, 8)
                if day.month > 1
                else dt.date(day.year - 1, 12, 15)
            )
            rows.append(
                {
                    "size": size,
                    "prefix": prefix,
                    "digits": digits,
                    "first": low,
                    "last": high,
                    "received_on": received,
                }
            )
    return rows
