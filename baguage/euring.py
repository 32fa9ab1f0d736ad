"""EURING2000+ exchange code: the species table, one record per capture, the yearly export.

A record is the 33 fields of the EURING2000 part, pipe-separated in the standard order, then the
27 optional fields of EURING2000+ (wing length … reference), following the EURING Exchange Code
2000+ manual (field table in shared/domain/protocols.md §1.1). Records are checked here before
they are written: a capture that cannot be coded validly (species without EURING code, ring
number too long, unknown code…) is listed with its reasons instead of being written wrong.

The export builds the records from tuples (``values_list``) in one streaming query, with the
few stations and species of the year looked up once: no ORM object per capture.
"""

import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from django.contrib.gis.db.models.functions import PointOnSurface, Transform
from django.db import transaction

from baguage.models import FRANCE_SCHEME, Capture, EuringSpecies, Session, Station
from baguage.permissions import (
    captures_left_out,
    captures_shown_to,
    sessions_visible_to,
)
from referentiel.models import Departement, Taxon

SPECIES_CSV = Path(__file__).resolve().parent / "data" / "euring_species.csv"

Progress = Callable[[int], None] | None
PROGRESS_EVERY = 5000

# --- EURING code tables (EURING Exchange Code 2000+; verified against the PyPI ``euring``
# package's tables in tests/baguage/test_euring.py) -----------------------------------------

AGES = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
SEXES = frozenset("UMF")
CONDITIONS = frozenset("0123456789")
CIRCUMSTANCES = frozenset(f"{n:02d}" for n in range(90)) | {"91", "99"}
SEXING_METHODS = frozenset("ABCDELPSTU")
MOULTS = frozenset("BJMPXU")
BROOD_PATCHES = frozenset("012345P")
OTHER_MARKS_FIRST = frozenset("BCDEFGHKLRST")
OTHER_MARKS_SECOND = frozenset("BCDE-")
OTHER_MARKS_SPECIAL = frozenset({"MM", "OM", "OP", "OT", "ZZ"})
RING_LENGTH = 10

# Département (INSEE) → EURING place code (France is coded by former départements grouped by
# region: Nord is FR05, Pas-de-Calais FR07 — not the INSEE number).
PLACE_CODES = {
    "01": "FR60", "02": "FR10", "03": "FR50", "04": "FR61", "05": "FR64", "06": "FR80",
    "07": "FR51", "08": "FR11", "09": "FR70", "10": "FR20", "11": "FR81", "12": "FR71",
    "13": "FR82", "14": "FR01", "15": "FR52", "16": "FR40", "17": "FR31", "18": "FR53",
    "19": "FR41", "21": "FR21", "22": "FR32", "23": "FR42", "24": "FR44", "25": "FR62",
    "26": "FR63", "27": "FR02", "28": "FR22", "29": "FR33", "2A": "FR90", "2B": "FR90",
    "30": "FR83", "31": "FR73", "32": "FR72", "33": "FR34", "34": "FR84", "35": "FR35",
    "36": "FR46", "37": "FR47", "38": "FR67", "39": "FR68", "40": "FR36", "41": "FR23",
    "42": "FR55", "43": "FR54", "44": "FR37", "45": "FR24", "46": "FR75", "47": "FR76",
    "48": "FR77", "49": "FR48", "50": "FR03", "51": "FR15", "52": "FR13", "53": "FR04",
    "54": "FR16", "55": "FR17", "56": "FR38", "57": "FR18", "58": "FR56", "59": "FR05",
    "60": "FR25", "61": "FR06", "62": "FR07", "63": "FR57", "64": "FR30", "65": "FR74",
    "66": "FR85", "67": "FR12", "68": "FR14", "69": "FR58", "70": "FR65", "71": "FR59",
    "72": "FR26", "73": "FR69", "74": "FR66", "75": "FR28", "76": "FR08", "77": "FR27",
    "78": "FR28", "79": "FR43", "80": "FR09", "81": "FR78", "82": "FR79", "83": "FR86",
    "84": "FR87", "85": "FR39", "86": "FR49", "87": "FR45", "88": "FR19", "89": "FR29",
    "90": "FR14", "91": "FR28", "92": "FR28", "93": "FR28", "94": "FR28", "95": "FR28",
}  # fmt: skip
FRANCE_PLACE_UNKNOWN = "FR--"

TEXT_UNSAFE = re.compile(r"[|\s]+")


# --- Species table ---------------------------------------------------------------------------


@dataclass
class SpeciesLoad:
    created: int = 0
    updated: int = 0
    skipped: int = 0

    @property
    def loaded(self) -> int:
        return self.created + self.updated

    def __int__(self) -> int:
        return self.loaded


def _decimal(text: str) -> Decimal | None:
    text = (text or "").strip()
    return Decimal(text) if text else None


@transaction.atomic
def euring_species_load(path: Path | str | None = None) -> SpeciesLoad:
    """Create or update the EuringSpecies of ``baguage/data/euring_species.csv`` (or ``path``)
    whose taxon is in the database: by ``cd_nom``, else by valid scientific name. Rows whose
    taxon is missing are skipped. Returns the counts (``int()`` of it: rows loaded)."""
    counts = SpeciesLoad()
    with open(path or SPECIES_CSV, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cd_noms = {int(row["cd_nom"]) for row in rows if row["cd_nom"].strip()}
    by_cd_nom = Taxon.objects.in_bulk(cd_noms)
    names = {row["scientific_name"] for row in rows}
    by_name: dict[str, Taxon] = {}
    for taxon in Taxon.objects.filter(scientific_name__in=names).order_by(
        "-is_valid", "cd_nom"
    ):
        by_name.setdefault(taxon.scientific_name, taxon)
    for row in rows:
        cd_nom = row["cd_nom"].strip()
        taxon = by_cd_nom.get(int(cd_nom)) if cd_nom else None
        taxon = taxon or by_name.get(row["scientific_name"])
        if taxon is None:
            counts.skipped += 1
            continue
        # The code is unique: free it if another taxon held it (table corrected since).
        EuringSpecies.objects.filter(code=row["euring_code"]).exclude(
            taxon=taxon
        ).delete()
        _, created = EuringSpecies.objects.update_or_create(
            taxon=taxon,
            defaults={
                "code": row["euring_code"],
                "crbpo_code": row["crbpo_code"],
                "ring_size": row["ring_size"],
                "wing_min": _decimal(row["wing_min"]),
                "wing_max": _decimal(row["wing_max"]),
                "mass_min": _decimal(row["mass_min"]),
                "mass_max": _decimal(row["mass_max"]),
                "is_remarkable": row["is_remarkable"].strip() == "1",
            },
        )
        if created:
            counts.created += 1
        else:
            counts.updated += 1
    return counts


# --- Formatting helpers ----------------------------------------------------------------------


def ring_identification(number: str) -> str:
    """The 10-character EURING identification number: letters and digits only, dots inserted
    before the rightmost run of digits (``"EA12345"`` → ``"EA...12345"``, ``"685923"`` →
    ``"....685923"``), as in the EURING manual."""
    text = re.sub(r"[^A-Z0-9]", "", (number or "").upper())
    missing = RING_LENGTH - len(text)
    if missing <= 0:
        return text
    match = re.search(r"\d+$", text)
    cut = match.start() if match else len(text)
    if not match:
        return "." * missing + text
    return text[:cut] + "." * missing + text[cut:]


def _dms(value: float, degree_digits: int) -> str:
    sign = "-" if value < 0 else "+"
    total = round(abs(value) * 3600)
    degrees, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{degrees:0{degree_digits}d}{minutes:02d}{seconds:02d}"


def euring_coordinates(latitude: float, longitude: float) -> str:
    """WGS84 decimal degrees → ``±DDMMSS±DDDMMSS`` (15 characters, rounded to the second)."""
    return _dms(latitude, 2) + _dms(longitude, 3)


def _number(value) -> str:
    """A measurement as EURING wants it: plain decimal, no trailing zeros (``65.0`` → ``65``)."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text


def _text(value: str) -> str:
    """A free-text field: no pipe, no control character, ASCII (schemes' systems do not all
    read accents: "Pévèle" → "Pevele")."""
    ascii_text = (
        unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode()
    )
    return TEXT_UNSAFE.sub(" ", ascii_text).strip()


# --- Station context -------------------------------------------------------------------------


@dataclass(frozen=True)
class StationPlace:
    place_code: str
    coordinates: str | None
    place_name: str


def _station_places(station_ids: Iterable[int]) -> dict[int, StationPlace]:
    """Place code, coordinates (point on the site, WGS84) and name of each station."""
    places = {}
    stations = (
        Station.objects.filter(pk__in=set(station_ids))
        .select_related("site")
        .annotate(point=Transform(PointOnSurface("site__geom"), 4326))
    )
    for station in stations:
        departement = (
            station.site.communes.order_by("insee")
            .values_list("departement_id", flat=True)
            .first()
        )
        if departement is None and station.point is not None:
            departement = (
                Departement.objects.filter(
                    geom__intersects=station.site.geom.point_on_surface
                )
                .values_list("code", flat=True)
                .first()
            )
        point = station.point
        places[station.pk] = StationPlace(
            place_code=PLACE_CODES.get(departement or "", FRANCE_PLACE_UNKNOWN),
            coordinates=euring_coordinates(point.y, point.x) if point else None,
            place_name=_text(station.site.name or station.name),
        )
    return places


def _species_codes() -> tuple[dict[int, str], dict[int, str]]:
    """EURING code by cd_nom of the EuringSpecies taxon, and by its cd_ref (synonyms)."""
    by_cd_nom, by_cd_ref = {}, {}
    for cd_nom, cd_ref, code in EuringSpecies.objects.values_list(
        "taxon_id", "taxon__cd_ref", "code"
    ):
        by_cd_nom[cd_nom] = code
        by_cd_ref.setdefault(cd_ref, code)
    return by_cd_nom, by_cd_ref


# --- One record ------------------------------------------------------------------------------

# The capture columns a record is built from, in this order (``values_list`` of the export;
# ``_capture_row`` gives the same tuple for one Capture object).
COLUMNS = (
    "id",
    "line",
    "action",
    "ring_scheme",
    "ring_number",
    "taxon_id",
    "taxon__cd_ref",
    "taxon__scientific_name",
    "age",
    "sex",
    "sexing_method",
    "wing_mm",
    "third_primary_mm",
    "mass_g",
    "fat",
    "muscle",
    "brood_patch",
    "moult",
    "tarsus_mm",
    "bill_mm",
    "condition",
    "circumstances",
    "other_marks",
    "colour_marks",
    "logger_serial",
    "remarks",
    "time",
    "session__date",
    "session__station_id",
)
COLUMN_INDEX = {name: position for position, name in enumerate(COLUMNS)}


def _capture_row(capture: Capture) -> tuple:
    session = capture.session
    taxon = capture.taxon
    values = {
        "taxon__cd_ref": taxon.cd_ref,
        "taxon__scientific_name": taxon.scientific_name,
        "session__date": session.date,
        "session__station_id": session.station_id,
    }
    return tuple(
        values[name] if name in values else getattr(capture, name) for name in COLUMNS
    )


def _build(row: tuple, place: StationPlace | None, species: dict) -> tuple[str, list]:
    """(record, reasons): the EURING2000+ record of a capture row, or the French reasons why
    it cannot be written validly (then the record is ``""``)."""
    (
        _pk,
        _line,
        action,
        scheme,
        ring,
        cd_nom,
        cd_ref,
        name,
        age,
        sex,
        sexing_method,
        wing,
        third_primary,
        mass,
        fat,
        muscle,
        brood_patch,
        moult,
        tarsus,
        bill,
        condition,
        circumstances,
        other_marks,
        colour_marks,
        logger_serial,
        remarks,
        time,
        date,
        _station,
    ) = row
    reasons = []
    by_cd_nom, by_cd_ref = species
    code = by_cd_nom.get(cd_nom) or by_cd_ref.get(cd_ref)
    if not code:
        reasons.append(f"Espèce sans code EURING : {name}.")
    scheme = (scheme or "").upper()
    if not re.fullmatch(r"[A-Z]{3}", scheme):
        reasons.append(f"Centre de baguage « {scheme} » invalide (3 lettres).")
    elif action == Capture.Action.RINGED and scheme != FRANCE_SCHEME:
        reasons.append(f"Bague posée (B) d'un centre étranger ({scheme}).")
    ring_text = re.sub(r"[^A-Z0-9]", "", (ring or "").upper())
    if not ring_text:
        reasons.append("Numéro de bague vide.")
    elif len(ring_text) > RING_LENGTH:
        reasons.append(
            f"Numéro de bague {ring} trop long ({len(ring_text)} caractères, "
            f"{RING_LENGTH} au plus)."
        )
    if action not in ("B", "C", "R"):
        reasons.append(f"Action « {action} » inconnue (B, C ou R).")
    if not age or age not in AGES:
        reasons.append(f"Âge EURING « {age} » inconnu.")
    if sex not in SEXES:
        reasons.append(f"Sexe « {sex} » inconnu (U, M ou F).")
    if not condition or condition not in CONDITIONS:
        reasons.append(f"Condition EURING « {condition} » inconnue (0 à 9).")
    if circumstances not in CIRCUMSTANCES:
        reasons.append(f"Circonstances EURING « {circumstances} » inconnues.")
    marks = (other_marks or "ZZ").upper()
    if not (
        marks in OTHER_MARKS_SPECIAL
        or (
            len(marks) == 2
            and marks[0] in OTHER_MARKS_FIRST
            and marks[1] in OTHER_MARKS_SECOND
        )
    ):
        reasons.append(f"Code « autres marques » « {other_marks} » inconnu.")
    if sexing_method and sexing_method not in SEXING_METHODS:
        reasons.append(f"Méthode de sexage « {sexing_method} » inconnue.")
    if moult and moult not in MOULTS:
        reasons.append(f"Code de mue « {moult} » inconnu (B, J, M, P, X, U).")
    if brood_patch and brood_patch not in BROOD_PATCHES:
        reasons.append(f"Plaque incubatrice « {brood_patch} » inconnue (0 à 5, P).")
    if fat is not None and not 0 <= fat <= 9:
        reasons.append(f"Adiposité {fat} hors de l'échelle (0 à 9).")
    if muscle is not None and not 0 <= muscle <= 3:
        reasons.append(f"Muscle {muscle} hors de l'échelle (0 à 3).")
    if place is None or place.coordinates is None:
        reasons.append("Coordonnées du site de la station manquantes.")
    if date is None:
        reasons.append("Date de la session manquante.")
    if reasons:
        return "", reasons

    pullus = age == "1"
    note = _text(remarks)
    if colour_marks:
        note = "; ".join(filter(None, (note, f"marques couleur {_text(colour_marks)}")))
    if logger_serial:
        note = "; ".join(
            filter(None, (note, f"géolocalisateur {_text(logger_serial)}"))
        )
    fields = (
        scheme,  # 1 ringing scheme
        "A0",  # 2 primary identification method: metal ring
        ring_identification(ring_text),  # 3 identification number
        "0",  # 4 verification of the metal ring
        "2"
        if action == "B"
        else "4",  # 5 metal ring: added on tarsus / already present
        marks,  # 6 other marks information
        code,  # 7 species mentioned
        code,  # 8 species concluded
        "N",  # 9 manipulated: normal
        "0",  # 10 moved before encounter: not moved
        "-" if action == "R" else "M",  # 11 catching method: mist net
        "U",  # 12 catching lures: unknown
        sex,  # 13 sex mentioned
        sex,  # 14 sex concluded
        age,  # 15 age mentioned
        age,  # 16 age concluded
        "-" if pullus else "U",  # 17 status
        "00" if pullus else "--",  # 18 brood size
        "99" if pullus else "--",  # 19 pullus age
        "U" if pullus else "-",  # 20 accuracy of pullus age
        f"{date:%d%m%Y}",  # 21 date
        "0",  # 22 accuracy of date
        f"{time:%H%M}" if time else "----",  # 23 time
        place.place_code,  # 24 place code
        place.coordinates,  # 25 geographical co-ordinates
        "0",  # 26 accuracy of co-ordinates
        condition,  # 27 condition
        circumstances,  # 28 circumstances
        "0",  # 29 circumstances presumed
        "4",  # 30 EURING code identifier
        "-----",  # 31 derived data: distance (computed by the scheme)
        "---",  # 32 derived data: direction
        "-----",  # 33 derived data: elapsed time
        _number(wing),  # wing length (mm)
        _number(third_primary),  # third primary (mm)
        "",  # state of wing point
        _number(mass),  # mass (g)
        moult or "",  # moult
        "",  # plumage code
        "",  # hind claw
        _number(bill),  # bill length (mm)
        "",  # bill method
        "",  # total head length
        _number(tarsus),  # tarsus (mm)
        "",  # tarsus method
        "",  # tail length
        "",  # tail difference
        "" if fat is None else str(fat),  # fat score
        "",  # fat score method
        "" if muscle is None else str(muscle),  # pectoral muscle
        brood_patch or "",  # brood patch
        "",  # primary score
        "",  # primary moult
        "",  # old greater coverts
        "",  # alula
        "",  # carpal covert
        sexing_method or "",  # sexing method
        place.place_name,  # place name
        note,  # remarks
        f"CPIE-{_pk}" if _pk else "",  # reference
    )
    return "|".join(fields), []


def _context_for(capture: Capture) -> tuple[StationPlace | None, tuple]:
    places = _station_places([capture.session.station_id])
    return places.get(capture.session.station_id), _species_codes()


def euring_record_errors(capture: Capture) -> list[str]:
    """Why this capture cannot be written as a valid EURING2000+ record (French), or []."""
    place, species = _context_for(capture)
    return _build(_capture_row(capture), place, species)[1]


def euring_record(capture: Capture) -> str:
    """The EURING2000+ record of a capture (pipe-separated). Raises ValueError with the
    reasons when it cannot be written validly."""
    place, species = _context_for(capture)
    record, reasons = _build(_capture_row(capture), place, species)
    if reasons:
        raise ValueError(" ".join(reasons))
    return record


# --- Export of a year ------------------------------------------------------------------------


@dataclass
class InvalidCapture:
    """A capture left out of the file, with what the export summary shows of it."""

    id: int
    line: int
    date: dt.date
    ring_scheme: str
    ring_number: str
    species: str
    session_id: int

    @classmethod
    def from_row(cls, row: tuple, session_id: int) -> "InvalidCapture":
        index = COLUMN_INDEX
        return cls(
            id=row[index["id"]],
            line=row[index["line"]],
            date=row[index["session__date"]],
            ring_scheme=row[index["ring_scheme"]],
            ring_number=row[index["ring_number"]],
            species=row[index["taxon__scientific_name"]],
            session_id=session_id,
        )


def euring_sessions(user=None):
    """The sessions whose captures a user may export: those they may read (all sessions
    when ``user`` is None, e.g. the management command); of them, only the captures they
    may place are exported (``euring_rows``)."""
    if user is None:
        return Session.objects.all()
    return sessions_visible_to(user)


def euring_rows(
    *, year: int, user=None
) -> Iterator[tuple[str, tuple[InvalidCapture, list[str]] | None]]:
    """For each capture of ``year`` (sessions visible to ``user`` if given), ordered by date,
    session and line: ``(record, None)``, or ``("", (capture, reasons))`` when invalid."""
    captures = Capture.objects.filter(
        session__in=euring_sessions(user), session__date__year=year
    )
    if user is not None:
        captures = captures_shown_to(user, captures)
    station_ids = (
        captures.order_by().values_list("session__station_id", flat=True).distinct()
    )
    places = _station_places(list(station_ids))
    species = _species_codes()
    rows = (
        captures.order_by("session__date", "session_id", "line", "id")
        .values_list(*COLUMNS, "session_id")
        .iterator(chunk_size=5000)
    )
    for row in rows:
        record, reasons = _build(row[:-1], places.get(row[-2]), species)
        if reasons:
            yield "", (InvalidCapture.from_row(row, row[-1]), reasons)
        else:
            yield record, None


def euring_export(
    *,
    year: int,
    out: TextIO | None,
    progress: Progress = None,
    user=None,
) -> tuple[int, list[tuple[InvalidCapture, list[str]]]]:
    """Write one EURING2000+ record per line for every capture of ``year`` (sessions visible
    to ``user`` if given), ordered by date, session and line; ``out=None`` only checks.
    Returns (records written, [(invalid capture, reasons)]) — invalid ones are not written."""
    written, invalid, done = 0, [], 0
    buffer: list[str] = []
    for record, problem in euring_rows(year=year, user=user):
        if problem is not None:
            invalid.append(problem)
        else:
            written += 1
            if out is not None:
                buffer.append(record)
        done += 1
        if done % PROGRESS_EVERY == 0:
            if out is not None and buffer:
                out.write("\n".join(buffer) + "\n")
                buffer.clear()
            if progress is not None:
                progress(done)
    if out is not None and buffer:
        out.write("\n".join(buffer) + "\n")
    if progress is not None:
        progress(done)
    return written, invalid


def euring_hidden(*, year: int, user) -> int:
    """Captures of ``year`` in the sessions ``user`` reads that the export leaves out
    (their occurrence is not placeable by the user: sensitive records)."""
    return captures_left_out(user, Capture.objects.filter(session__date__year=year))


def euring_years(user=None) -> list[int]:
    """Years with captures among the sessions visible to ``user``, most recent first."""
    days = euring_sessions(user).filter(captures__isnull=False).dates("date", "year")
    return sorted({day.year for day in days}, reverse=True)
