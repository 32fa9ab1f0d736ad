"""The dashboard's indicators, kept computed (IndicatorSnapshot), and how fresh they are.

Computing a year's indicators reads the year and the year before across every app: 0.8 to
2.5 s on the 1,000,000-record benchmark depending on the machine's load, more in a fresh
process (bench/RESULTS.md, section indicateurs), where the dashboard must answer in under
a second whatever the load. So the answer of
:func:`indicateurs.services.indicators_for_year` is kept per year and reader, with the
*data generation* it was computed from (:mod:`cpie_naturaliste.core.generation`: a
PostgreSQL sequence advanced by triggers that each field-data app puts on its own tables
in its migrations, so that no change escapes it, and again at the change's commit):

- a snapshot whose generation is the current one is exact: the page reads it in a few
  milliseconds;
- after a change, the page shows the last snapshot, says that data changed since, plans
  a Celery task (debounced, ``INDICATEURS_REFRESH_DELAY``) that recomputes the snapshots
  read in the last 30 days, and reloads itself when it is done. Bulk changes of records
  (imports, undos, validations: ``observations.signals.occurrences_changed``, sent by
  the services that make them) plan that task at once, with the presence history of the
  finds. Without a worker (``INDICATEURS_AUTO_REFRESH`` off), or when the snapshot is
  older than ``INDICATEURS_SNAPSHOT_STALE_MAX`` seconds, the page computes live instead;
- the task also runs every quarter of an hour (with the presence history, migration 0005)
  and from the dashboard's button: a change nobody looks at is caught up there.

The coordinators' decisions on the finds are not part of a snapshot: they are read at
each view (finds.decisions_apply), so a decision shows at once.
"""

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from rest_framework.utils.encoders import JSONEncoder

from cpie_naturaliste.core.generation import generation
from indicateurs.finds import decisions_apply
from indicateurs.models import IndicatorSnapshot
from indicateurs.services import indicators_for_year, user_reads_indicators
from indicateurs.structures import structure_reader
from referentiel.models import Scope

logger = logging.getLogger(__name__)

REFRESH_KEY = "indicateurs:refresh:planned"
PRESENCES_DIRTY_KEY = "indicateurs:presences:dirty"
# Snapshots nobody opened for this long are neither refreshed nor kept.
KEEP_UNREAD = dt.timedelta(days=30)
# Years computed ahead for the coordinators (relative to this year): the report year,
# where the dashboard opens, and the year being entered.
AHEAD_YEARS = (-1, 0)


# --- planning the refresh ----------------------------------------------------------------


def occurrences_changed(**kwargs) -> None:
    """Receiver of observations.signals.occurrences_changed (after the commit): the
    presence history of the finds is rebuilt before the snapshots."""
    refresh_schedule(presences=True)


def refresh_schedule(*, presences: bool = False) -> None:
    """Plan one refresh for a burst of changes, ``INDICATEURS_REFRESH_DELAY`` seconds
    after the first of them (nothing when ``INDICATEURS_AUTO_REFRESH`` is off)."""
    if not getattr(settings, "INDICATEURS_AUTO_REFRESH", True):
        return
    from django.core.cache import cache

    from indicateurs.tasks import indicators_refresh_task

    try:
        if presences:
            cache.set(PRESENCES_DIRTY_KEY, 1, timeout=None)
        delay = int(settings.INDICATEURS_REFRESH_DELAY)
        if cache.add(REFRESH_KEY, 1, timeout=delay + 600):
            indicators_refresh_task.apply_async(countdown=delay)
    except Exception:  # the broker or cache is down: the quarter-hourly run catches up
        logger.exception("Recalcul des indicateurs non planifié")


# --- snapshots ---------------------------------------------------------------------------


@dataclass
class Freshness:
    """What the page says of the figures it shows."""

    computed_at: dt.datetime
    seconds: float
    stale: bool  # data changed since: a refresh is planned
    live: bool  # computed for this request

    def as_dict(self) -> dict:
        return {
            "computed_at": self.computed_at.isoformat(),
            "seconds": self.seconds,
            "stale": self.stale,
            "live": self.live,
        }


def headline_figures(indicators: dict) -> dict:
    """The figures of the indicator tables, of the year and the year before: what the
    multi-year series read (:mod:`indicateurs.series`)."""
    lines = [f for section in indicators["sections"] for f in section["figures"]]
    return {
        "value": {f["key"]: f["value"] for f in lines},
        "previous": {f["key"]: f["previous"] for f in lines},
    }


def snapshot_compute(year: int, user, structure=None) -> IndicatorSnapshot:
    """Compute the indicators of ``year`` for ``user`` (of ``structure`` for a regional
    reader: :mod:`indicateurs.structures`) and keep them (one row per year, reader and
    structure, replaced)."""
    seen = generation()
    started = time.perf_counter()
    reader = user if structure is None else structure_reader(user, structure)
    # Through the API's JSON encoder: the snapshot is what /api/v1/indicateurs/ returns.
    indicators = json.loads(
        json.dumps(indicators_for_year(year, reader), cls=JSONEncoder)
    )
    now = timezone.now()
    snapshot = IndicatorSnapshot(
        year=year,
        user=user,
        structure=structure,
        generation=seen,
        indicators=indicators,
        figures=headline_figures(indicators),
        computed_at=now,
        seconds=round(time.perf_counter() - started, 3),
        viewed_at=now,
    )
    IndicatorSnapshot.objects.bulk_create(
        [snapshot],
        update_conflicts=True,
        unique_fields=["year", "user", "structure"],
        update_fields=[
            "generation",
            "indicators",
            "figures",
            "computed_at",
            "seconds",
        ],
    )
    return snapshot


def _serves_stale(snapshot: IndicatorSnapshot) -> bool:
    """Show a stale snapshot while the worker recomputes it (only with a worker, and not
    a snapshot older than INDICATEURS_SNAPSHOT_STALE_MAX seconds)."""
    if not getattr(settings, "INDICATEURS_AUTO_REFRESH", True):
        return False
    oldest = timezone.now() - dt.timedelta(
        seconds=settings.INDICATEURS_SNAPSHOT_STALE_MAX
    )
    return snapshot.computed_at >= oldest


def indicators_read(year: int, user, structure=None) -> tuple[dict, Freshness]:
    """The indicators of ``year`` for ``user`` (of ``structure`` for a regional reader)
    (the dashboard, its printable page and the API), from the snapshot when it is fresh,
    with the coordinators' current decisions on the finds."""
    current = generation()
    snapshot = IndicatorSnapshot.objects.filter(
        year=year, user=user, structure=structure
    ).first()
    stale = snapshot is not None and snapshot.generation != current
    live = snapshot is None or (stale and not _serves_stale(snapshot))
    if live:
        snapshot = snapshot_compute(year, user, structure)
        stale = False
    else:
        if stale:
            refresh_schedule()
        if snapshot.viewed_at < timezone.now() - dt.timedelta(hours=1):
            IndicatorSnapshot.objects.filter(pk=snapshot.pk).update(
                viewed_at=timezone.now()
            )
    indicators = snapshot.indicators
    for facts in (indicators["details"], indicators["previous"]):
        decisions_apply(facts["finds"])
    freshness = Freshness(
        computed_at=snapshot.computed_at,
        seconds=snapshot.seconds,
        stale=stale,
        live=live,
    )
    return indicators, freshness


def freshness_of(year: int, user, structure=None) -> dict:
    """For the page's poll while a refresh is planned: is the snapshot fresh again?"""
    snapshot = (
        IndicatorSnapshot.objects.filter(year=year, user=user, structure=structure)
        .only("generation", "computed_at", "seconds")
        .first()
    )
    if snapshot is None:
        return {"computed_at": None, "stale": True}
    return {
        "computed_at": snapshot.computed_at.isoformat(),
        "stale": snapshot.generation != generation(),
    }


def _kept_refresh(*, everything: bool) -> tuple[int, int]:
    """Forget the snapshots unread for KEEP_UNREAD and those of readers who lost the
    right; recompute the stale others (all of them with ``everything``), most recently
    read first. Returns (computed, forgotten)."""
    forgotten, _ = IndicatorSnapshot.objects.filter(
        viewed_at__lt=timezone.now() - KEEP_UNREAD
    ).delete()
    computed = 0
    kept = IndicatorSnapshot.objects.select_related("user", "structure").defer(
        "indicators"
    )
    for snapshot in kept.order_by("-viewed_at"):
        user = snapshot.user
        lost_network = (
            snapshot.structure_id is not None and user.read_scope != Scope.ALL
        )
        if not (user.is_active and user_reads_indicators(user)) or lost_network:
            snapshot.delete()
            forgotten += 1
        elif everything or snapshot.generation != generation():
            snapshot_compute(snapshot.year, user, snapshot.structure)
            computed += 1
    return computed, forgotten


def _ahead_compute() -> int:
    """Compute the AHEAD_YEARS' snapshots of the coordinators who logged in within
    KEEP_UNREAD and have none. Returns how many were computed."""
    from django.contrib.auth import get_user_model

    recent = get_user_model().objects.filter(
        is_active=True, last_login__gte=timezone.now() - KEEP_UNREAD
    )
    readers = [user for user in recent if user_reads_indicators(user)]
    this_year = timezone.localdate().year
    computed = 0
    for year in (this_year + ahead for ahead in AHEAD_YEARS):
        kept = set(
            IndicatorSnapshot.objects.filter(
                year=year, structure__isnull=True
            ).values_list("user", flat=True)
        )
        for user in readers:
            if user.pk not in kept:
                snapshot_compute(year, user)
                computed += 1
    return computed


def snapshots_refresh(*, everything: bool = False) -> dict:
    """Recompute the stale snapshots read in the last 30 days (all of them with
    ``everything``), most recently read first; forget the others and those of readers
    who lost the right to read them; compute ahead the report year's (last year's, where
    the dashboard opens) and this year's for the coordinators who logged in within 30
    days and have none."""
    computed, forgotten = _kept_refresh(everything=everything)
    return {"computed": computed + _ahead_compute(), "forgotten": forgotten}
