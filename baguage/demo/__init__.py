"""Ringing demo 2019–2021 (``manage.py load_demo`` calls ``load_demo`` after the referential
and observations demos).

Three licensed CRBPO ringers and two trainees, ring series per size (one nearly used up),
the ringing programmes of the referential (plus the peregrine colour-ringing), a station per
ringing site with numbered nets, about 65 sessions a year and some 4,000 captures a year, so
that the 2020 table per site and programme computed by ``baguage.reports`` is the table of
the 2020 activity report (``docs/report-2020.md``). Every capture has its occurrence
(source "baguage"). A second run creates nothing.
"""

import time
from collections.abc import Callable
from typing import TextIO

from django.db import transaction

from baguage.models import Capture, Session

from .build import demo_plan
from .write import _people as people_by_name
from .write import (
    captures_insert,
    entry_user,
    euring_ranges,
    peregrine_programme_ensure,
    programmes_upsert,
    ringers_upsert,
    series_upsert,
    sessions_upsert,
    stations_upsert,
)


def _euring_species_load() -> str:
    try:
        from baguage.euring import euring_species_load
    except ImportError:
        return "table des espèces EURING absente (baguage.euring), étape sautée"
    loaded = euring_species_load()
    return f"{int(loaded)} espèces EURING"


def load_demo(
    *, stdout: TextIO | None = None, log: Callable[[str], None] | None = None
) -> None:
    """Create what is missing of the ringing demo and print one French summary line."""
    started = time.monotonic()
    with transaction.atomic():
        species = _euring_species_load()
        peregrine_programme_ensure()
        ringers = ringers_upsert(people_by_name())
        programmes = programmes_upsert()
        stations = stations_upsert()
        plan = demo_plan(euring_ranges())
        series = series_upsert(plan)
        sessions = sessions_upsert(
            plan,
            stations=stations,
            programmes=programmes,
            ringers=ringers,
            user=entry_user(),
        )
        created = captures_insert(
            plan, sessions=sessions, series=series, user=entry_user()
        )
    line = (
        f"Baguage : {created} captures de démonstration créées, "
        f"{Capture.objects.count()} au total, {Session.objects.count()} sessions, "
        f"{len(ringers)} bagueurs, {len(series)} séries de bagues ({species}) en "
        f"{time.monotonic() - started:.1f} s"
    )
    if log:
        log(line)
    elif stdout:
        stdout.write(line + "\n")
