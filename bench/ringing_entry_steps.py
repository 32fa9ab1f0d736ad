"""The child steps of the ringing-entry benchmark (``bench.ringing_entry``), run in a process
whose DATABASE_URL is the benchmark database: ``setup`` creates the session and picks the
birds, ``check`` counts what the entry wrote. Each prints one JSON line after RESULT_MARK.

    .venv/bin/python -m bench.ringing_entry_steps setup --captures 200
    .venv/bin/python -m bench.ringing_entry_steps check --session 123
"""

import argparse
import json

from bench.db import database_url

DB_NAME = "cpie_bench_ringing"
DATABASE_URL = database_url(DB_NAME)
CAPTURES = 200
CONTROLS = 12
SESSION_DATE = "2022-05-21"
USERNAME, PASSWORD = "saisie", "demo-saisie-2020"
RESULT_MARK = "BENCH-RESULT "

# --- Child steps (run with DATABASE_URL = the benchmark database) ----------------------------

STATION = "Marais de la Couture"
PROGRAMME = "STOC-CAPTURE"
SIZES = {"A", "B", "C", "E"}  # sizes with a few hundred rings left in the demo stock
AGES = ["3", "3", "3", "1A", "4", "+1A", "5", "2A", "PUL"]


def _django():
    import django

    django.setup()


def _session_create(user, station, programme):
    """The session of ``user`` at the station on SESSION_DATE, in a STOC dataset."""
    import datetime as dt

    from baguage.models import Ringer
    from baguage.services import session_save
    from referentiel.models import Dataset

    dataset = (
        Dataset.objects.writable_by(user)
        .filter(title__startswith="Suivi temporel des oiseaux communs par capture")
        .first()
        or Dataset.objects.writable_by(user).order_by("pk").first()
    )
    return session_save(
        user=user,
        fields={
            "station": station,
            "programme": programme,
            "dataset": dataset,
            "date": dt.date.fromisoformat(SESSION_DATE),
            "start_time": dt.time(5, 30),
            "end_time": dt.time(11, 30),
        },
        ringers=list(Ringer.objects.order_by("pk")[:2]),
    )


def _species(station) -> list[tuple]:
    """The species ringed most at the station, with a EURING row and a ring size in
    stock: ``(EuringSpecies, captures)``, twelve at most."""
    from django.db.models import Count

    from baguage.models import Capture, EuringSpecies

    ranked = (
        Capture.objects.filter(action="B", session__station=station)
        .values("taxon")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    references = {
        row.taxon_id: row
        for row in EuringSpecies.objects.select_related("taxon").filter(
            taxon__in=[row["taxon"] for row in ranked], ring_size__in=SIZES
        )
    }
    species = []
    for row in ranked:
        reference = references.get(row["taxon"])
        if reference and reference.wing_min and reference.mass_min:
            species.append((reference, row["n"]))
        if len(species) == 12:
            break
    return species


def _ringed(station, species) -> list[tuple[str, int]]:
    """Birds ringed here in the demo, one species in their history (no question):
    ``(ring number, taxon)``, the controls to draw from."""
    from baguage.models import Capture

    return list(
        Capture.objects.filter(
            action="B",
            session__station=station,
            ring_scheme="FRP",
            taxon__in=[reference.taxon for reference, _n in species],
        )
        .order_by("ring_number")
        .values_list("ring_number", "taxon")
    )


def biometrics(rng, reference, index: int) -> dict:
    """What is typed for a bird: age, sex, wing, mass, fat (now and then out of range)."""
    from decimal import Decimal

    low, high = float(reference.wing_min), float(reference.wing_max)
    wing = rng.uniform(low, high)
    if index % 50 == 17:  # now and then a wing out of range: a warning, still saved
        wing = high + 6
    mass = rng.uniform(float(reference.mass_min), float(reference.mass_max))
    sex = rng.choice(["U", "U", "U", "M", "F"])
    return {
        "age": rng.choice(AGES),
        "sex": sex,
        "method": "" if sex == "U" else rng.choice(["P", "B", "C"]),
        "wing": f"{wing:.0f}",
        # Decimal comma, as typed in France.
        "mass": f"{Decimal(str(round(mass, 1)))}".replace(".", ","),
        "fat": str(rng.randint(0, 4)) if index % 3 else "",
    }


def _bird(reference) -> dict:
    taxon = reference.taxon
    french = (taxon.vernacular_name or "").split(",")[0].strip()
    return {
        "cd_nom": taxon.cd_nom,
        "scientific": taxon.scientific_name,
        "search": (french or taxon.scientific_name).lower(),
        "size": reference.ring_size,
    }


def _birds(captures: int, species: list[tuple], ringed: list, count: int) -> list[dict]:
    """``captures`` birds, ``count`` of them controls of ``ringed``, the others new
    birds of ``species`` drawn by how often they are ringed (seeded: the same every run)."""
    import random

    rng = random.Random(2020)
    controls = rng.sample(ringed, count)
    control_at = set(rng.sample(range(2, captures), count))
    by_taxon = {reference.taxon_id: reference for reference, _n in species}
    birds = []
    weights = [n for _reference, n in species]
    for index in range(captures):
        if index in control_at:
            ring, taxon_id = controls.pop()
            reference = by_taxon[taxon_id]
            bird = {"action": "C", "ring": ring, **_bird(reference)}
        else:
            reference = rng.choices([r for r, _n in species], weights)[0]
            bird = {"action": "B", **_bird(reference)}
        birds.append(bird | biometrics(rng, reference, index))
    return birds


def _setup(captures: int) -> dict:
    """The session of ``saisie`` at the station, and the birds to enter."""
    _django()
    from baguage.models import RingingProgramme, Station
    from referentiel.models import User

    user = User.objects.get(username=USERNAME)
    station = Station.objects.get(name=STATION)
    programme = RingingProgramme.objects.get(programme__code=PROGRAMME)
    session = _session_create(user, station, programme)
    species = _species(station)
    count = max(1, captures * CONTROLS // CAPTURES)
    return {
        "session": session.pk,
        "station": station.name,
        "programme": str(programme),
        "dataset": session.dataset.title,
        "date": SESSION_DATE,
        "species": len(species),
        "controls": count,
        "birds": _birds(captures, species, _ringed(station, species), count),
    }


def _check(session_id: int) -> dict:
    """What the database holds after the entry."""
    _django()
    from django.db.models import Count, F

    from baguage.models import Capture, EuringSpecies
    from observations.models import Occurrence

    captures = Capture.objects.filter(session_id=session_id)
    sizes = dict(
        EuringSpecies.objects.values_list("taxon__cd_ref", "ring_size").distinct()
    )
    wrong_size = sum(
        1
        for cd_ref, size in captures.filter(action="B").values_list(
            "taxon__cd_ref", "series__size"
        )
        if sizes.get(cd_ref) != size
    )
    lines = list(captures.order_by("line").values_list("line", flat=True))
    return {
        "captures": captures.count(),
        "actions": dict(
            captures.values_list("action").annotate(n=Count("id")).order_by("action")
        ),
        "occurrences": Occurrence.objects.filter(
            pk__in=captures.values("occurrence")
        ).count(),
        "without_occurrence": captures.filter(occurrence=None).count(),
        "occurrence_taxon_mismatch": captures.exclude(
            occurrence__taxon=F("taxon")
        ).count(),
        "lines_contiguous": lines == list(range(1, len(lines) + 1)),
        "rings_distinct": captures.filter(action="B")
        .values("ring_number")
        .distinct()
        .count(),
        "ringed": captures.filter(action="B").count(),
        "wrong_size": wrong_size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ringing_entry_steps")
    steps = parser.add_subparsers(dest="step", required=True)
    steps.add_parser("setup").add_argument("--captures", type=int, default=CAPTURES)
    steps.add_parser("check").add_argument("--session", type=int, required=True)
    args = parser.parse_args()
    if args.step == "setup":
        result = _setup(args.captures)
    else:
        result = _check(args.session)
    print(RESULT_MARK + json.dumps(result))


if __name__ == "__main__":
    main()
