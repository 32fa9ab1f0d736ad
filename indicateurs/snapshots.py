"""The dashboard's indicators, kept computed (IndicatorSnapshot), and how fresh they are.

Computing a year's indicators reads the year and the year before across every app: 0.8 to
2.5 s on the 1,000,000-record benchmark depending on the machine's load, more in a fresh
process (bench/RESULTS.md, section indicateurs), where the dashboard must answer in under
a second whatever the load. So the answer of
:func:`indicateurs.services.indicators_for_year` is kept per year and reader, with the
*data generation* it was computed from:

- the generation is a PostgreSQL sequence, advanced by a statement trigger on every table
  of the field-data apps (``TRACKED_APPS``; ``triggers_install`` after each migrate), so
  that no change escapes it: ORM saves, ``QuerySet.update``, bulk imports by COPY, raw
  SQL. It advances at the changing statement (for the transaction's own readers) and
  again at its commit (deferred trigger, migration 0006: a snapshot computed in between
  did not see the change). A sequence is outside transactions (no lock, no hot row) and
  lives with the data it describes (each test database has its own);
- a snapshot whose generation is the current one is exact: the page reads it in a few
  milliseconds;
- after a change, the page shows the last snapshot, says that data changed since, and a
  Celery task (debounced, ``INDICATEURS_REFRESH_DELAY``; planned by Django's save and
  delete signals, the bulk changes' ``occurrences_changed``, or the page itself when it
  finds its snapshot stale) recomputes the snapshots read in the last 30 days; the page
  reloads itself when it is done. Without a worker
  (``INDICATEURS_AUTO_REFRESH`` off), or when the snapshot is older than
  ``INDICATEURS_SNAPSHOT_STALE_MAX`` seconds, the page computes live instead;
- the task also runs every quarter of an hour (with the presence history, migration 0005)
  and from the dashboard's button.

The coordinators' decisions on the finds are not part of a snapshot: they are read at
each view (finds.decisions_apply), so a decision shows at once.
"""

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone
from rest_framework.utils.encoders import JSONEncoder

from indicateurs.finds import decisions_apply
from indicateurs.models import IndicatorSnapshot
from indicateurs.services import indicators_for_year, user_reads_indicators

logger = logging.getLogger(__name__)

SEQUENCE = "indicateurs_data_generation"
# The apps whose data the indicators read (indicateurs itself only keeps derived data and
# the coordinators' decisions, read live).
TRACKED_APPS = frozenset(
    {
        "referentiel",
        "observations",
        "baguage",
        "terrils",
        "zones_humides",
        "sensibilisation",
    }
)
REFRESH_KEY = "indicateurs:refresh:planned"
PRESENCES_DIRTY_KEY = "indicateurs:presences:dirty"
# Snapshots nobody opened for this long are neither refreshed nor kept.
KEEP_UNREAD = dt.timedelta(days=30)
# Years computed ahead for the coordinators (relative to this year): the report year,
# where the dashboard opens, and the year being entered.
AHEAD_YEARS = (-1, 0)


# --- the data generation ----------------------------------------------------------------


def generation() -> int:
    """The current data generation (the sequence's last value, whoever drew it)."""
    with connection.cursor() as cursor:
        # Before its first nextval a sequence shows last_value 1 with is_called false.
        cursor.execute(
            f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {SEQUENCE}"
        )
        return cursor.fetchone()[0]


def data_changed() -> None:
    """Data the triggers do not watch changed (the presence history, a reader's rights):
    the snapshots are stale from now on."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [SEQUENCE])


def triggers_install(**kwargs) -> None:
    """post_migrate: the statement trigger that advances the generation, on every table
    of the TRACKED_APPS (new models included), except the users' table whose logins
    change nothing (``model_changed`` advances it for other changes)."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    db = connections[kwargs.get("using", "default")]
    tables = set(db.introspection.table_names())
    if "indicateurs_data_change" not in tables:
        return  # migration 0006 not applied yet
    users = get_user_model()._meta.db_table
    with db.cursor() as cursor:
        # Only where it is missing: a flush (transactional tests) sends post_migrate
        # too, and CREATE TRIGGER locks its table against writes.
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE t.tgname = 'indicateurs_data_changed'"
        )
        watched = {row[0] for row in cursor.fetchall()}
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if (
                model._meta.app_label not in TRACKED_APPS
                or table == users
                or table in watched
                or table not in tables
            ):
                continue
            watched.add(table)
            cursor.execute(
                "CREATE TRIGGER indicateurs_data_changed"
                " AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
                f" ON {db.ops.quote_name(table)}"
                " FOR EACH STATEMENT EXECUTE FUNCTION indicateurs_data_changed()"
            )


def _after_commit() -> None:
    refresh_schedule()


def model_changed(sender, **kwargs) -> None:
    """Receiver of post_save, post_delete and m2m_changed (every model): plan a refresh
    of the snapshots once the change is committed (the triggers already made them
    stale); a change to a user other than a login makes them stale too."""
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in TRACKED_APPS:
        return
    if sender.__module__ == "__fake__":
        return  # a migration's historical model
    action = kwargs.get("action")
    if action is not None and not action.startswith("post_"):
        return  # m2m_changed: only once the relation changed
    from django.contrib.auth import get_user_model

    if sender is get_user_model():
        update_fields = kwargs.get("update_fields")
        if update_fields and set(update_fields) <= {"last_login"}:
            return  # a login
        data_changed()
    if not getattr(settings, "INDICATEURS_AUTO_REFRESH", True):
        return
    if not any(entry[1] is _after_commit for entry in connection.run_on_commit):
        transaction.on_commit(_after_commit)


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


def snapshot_compute(year: int, user) -> IndicatorSnapshot:
    """Compute the indicators of ``year`` for ``user`` and keep them (one row per year and
    reader, replaced)."""
    seen = generation()
    started = time.perf_counter()
    # Through the API's JSON encoder: the snapshot is what /api/v1/indicateurs/ returns.
    indicators = json.loads(
        json.dumps(indicators_for_year(year, user), cls=JSONEncoder)
    )
    now = timezone.now()
    snapshot = IndicatorSnapshot(
        year=year,
        user=user,
        generation=seen,
        indicators=indicators,
        computed_at=now,
        seconds=round(time.perf_counter() - started, 3),
        viewed_at=now,
    )
    IndicatorSnapshot.objects.bulk_create(
        [snapshot],
        update_conflicts=True,
        unique_fields=["year", "user"],
        update_fields=["generation", "indicators", "computed_at", "seconds"],
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


def indicators_read(year: int, user) -> tuple[dict, Freshness]:
    """The indicators of ``year`` for ``user`` (the dashboard, its printable page and the
    API), from the snapshot when it is fresh, with the coordinators' current decisions on
    the finds."""
    current = generation()
    snapshot = IndicatorSnapshot.objects.filter(year=year, user=user).first()
    stale = snapshot is not None and snapshot.generation != current
    live = snapshot is None or (stale and not _serves_stale(snapshot))
    if live:
        snapshot = snapshot_compute(year, user)
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


def freshness_of(year: int, user) -> dict:
    """For the page's poll while a refresh is planned: is the snapshot fresh again?"""
    snapshot = (
        IndicatorSnapshot.objects.filter(year=year, user=user)
        .only("generation", "computed_at", "seconds")
        .first()
    )
    if snapshot is None:
        return {"computed_at": None, "stale": True}
    return {
        "computed_at": snapshot.computed_at.isoformat(),
        "stale": snapshot.generation != generation(),
    }


def snapshots_refresh(*, everything: bool = False) -> dict:
    """Recompute the stale snapshots read in the last 30 days (all of them with
    ``everything``), most recently read first; forget the others and those of readers
    who lost the right to read them; compute ahead the report year's (last year's, where
    the dashboard opens) and this year's for the coordinators who logged in within 30
    days and have none."""
    now = timezone.now()
    forgotten, _ = IndicatorSnapshot.objects.filter(
        viewed_at__lt=now - KEEP_UNREAD
    ).delete()
    computed = 0
    kept = IndicatorSnapshot.objects.select_related("user").defer("indicators")
    for snapshot in kept.order_by("-viewed_at"):
        user = snapshot.user
        if not (user.is_active and user_reads_indicators(user)):
            snapshot.delete()
            forgotten += 1
            continue
        if everything or snapshot.generation != generation():
            snapshot_compute(snapshot.year, user)
            computed += 1
    from django.contrib.auth import get_user_model

    recent = get_user_model().objects.filter(
        is_active=True, last_login__gte=now - KEEP_UNREAD
    )
    readers = [user for user in recent if user_reads_indicators(user)]
    this_year = timezone.localdate().year
    for year in AHEAD_YEARS:
        kept = set(
            IndicatorSnapshot.objects.filter(year=this_year + year).values_list(
                "user", flat=True
            )
        )
        for user in readers:
            if user.pk not in kept:
                snapshot_compute(this_year + year, user)
                computed += 1
    return {"computed": computed, "forgotten": forgotten}
