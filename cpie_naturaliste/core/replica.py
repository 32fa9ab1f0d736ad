"""Heavy reads on a streaming replica, when one is configured (``DATABASE_REPLICA_URL``).

The replica is PostgreSQL's own streaming standby of the primary (``pg_basebackup -R``):
read-only, a few milliseconds behind. What goes where:

- **Writes** always go to the primary (``default``).
- **Reads** go to the replica only inside :func:`replica_reads` — which
  :class:`ReplicaReadsMiddleware` opens for the safe requests of pages and API (lists,
  maps, atlas, dashboards) and the heavy jobs open around their reading query (extracts,
  SINP exports, indicator computation: :func:`read_alias` for their raw SQL) — and never:
  inside a transaction on the primary (what the transaction wrote, or locked, is read
  there), after a write of the same request, or within ``REPLICA_PIN_SECONDS`` of a write
  made by the same browser (*read-after-write*: the page that follows a saved form reads
  the primary, so it shows what was just saved).
- **Fallback**: the replica is used only while it answers and replays within
  ``REPLICA_MAX_LAG_SECONDS`` of the primary. A replica that is down, no longer streaming
  or lagging sends every read back to the primary, checked again every
  ``REPLICA_CHECK_SECONDS`` (the check is one tiny query, cached per process).

Without ``DATABASE_REPLICA_URL`` the router answers ``default`` for everything.
"""

import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "lire_primaire"

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)
_wrote: ContextVar[bool] = ContextVar("replica_wrote", default=False)

# Seconds the replica is behind, or None when it cannot be used. "Behind" is 0 while the
# replica has replayed all it received; else the age of the last replayed transaction. A
# standby whose WAL receiver is not streaming (primary unreachable, slot lost) does not
# follow the primary any more: unusable. A server that is not in recovery (the replica
# URL pointing at a primary, or a promoted standby) is up to date by definition.
LAG_SQL = """
SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN 0
  WHEN NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN NULL
  WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
  ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
END
"""

_health = {"checked": float("-inf"), "usable": False}


def replica_configured() -> bool:
    return REPLICA in connections.settings


def replica_lag() -> float | None:
    """Seconds the replica is behind the primary, None when it cannot be used."""
    connection = connections[REPLICA]
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            lag = cursor.fetchone()[0]
    except DatabaseError as error:
        logger.warning("Réplique injoignable, lectures sur le primaire : %s", error)
        connection.close()
        return None
    return None if lag is None else float(lag)


def replica_usable() -> bool:
    """Whether reads may go to the replica now (answer cached ``REPLICA_CHECK_SECONDS``)."""
    if not replica_configured():
        return False
    now = time.monotonic()
    if now - _health["checked"] >= settings.REPLICA_CHECK_SECONDS:
        lag = replica_lag()
        usable = lag is not None and lag <= settings.REPLICA_MAX_LAG_SECONDS
        if not usable and lag is not None:
            logger.warning(
                "Réplique en retard de %.1f s, lectures sur le primaire", lag
            )
        _health.update(checked=now, usable=usable)
    return _health["usable"]


def forget_replica_health() -> None:
    """Check the replica again at the next read (tests, after a failover)."""
    _health.update(checked=float("-inf"), usable=False)


def _primary_busy() -> bool:
    # Inside a transaction of the primary, or after this request or job wrote: read there.
    return _wrote.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block


def read_alias() -> str:
    """The database the current reads go to: for raw SQL (``connections[read_alias()]``)."""
    if _replica_reads.get() and not _primary_busy() and replica_usable():
        return REPLICA
    return DEFAULT_DB_ALIAS


@contextmanager
def replica_reads(enabled: bool = True):
    """Within the block, reads may go to the replica (see the module's rules); writes,
    and reads once something was written, stay on the primary."""
    reads, wrote = _replica_reads.set(enabled), _wrote.set(False)
    try:
        yield
    finally:
        _replica_reads.reset(reads)
        _wrote.reset(wrote)


class ReplicaRouter:
    """The project's one database router (``DATABASE_ROUTERS``)."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        if _replica_reads.get():
            _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same database.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _streamed(content):
    # A streamed body (CSV of the API, a download) is read after the view returned: its
    # reads keep the request's choice.
    with replica_reads():
        yield from content


class ReplicaReadsMiddleware:
    """Safe requests read on the replica; a request that writes pins its browser to the
    primary for ``REPLICA_PIN_SECONDS`` (a cookie), so that what it saved is what the next
    page shows. API clients without cookies read what the replica has replayed: at most
    ``REPLICA_MAX_LAG_SECONDS`` behind, and their writes answer from the primary."""

    SAFE = ("GET", "HEAD", "OPTIONS")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        safe = request.method in self.SAFE
        with replica_reads(safe and PIN_COOKIE not in request.COOKIES):
            response = self.get_response(request)
        if not safe:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        elif response.streaming and PIN_COOKIE not in request.COOKIES:
            response.streaming_content = _streamed(response.streaming_content)
        return response
