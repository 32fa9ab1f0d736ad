"""Reads of the ringing pages and API (writes are in services.py). What a reader sees of a
session counts only the captures shown to them (``baguage.permissions``)."""

from functools import reduce
from operator import and_

from django.db.models import Count, Q, QuerySet

from baguage.models import Capture, RingingImport, Session
from baguage.permissions import captures_shown_to
from observations.policy import record_filter
from referentiel.permissions import import_jobs_readable


def shown_capture_count(user, condition: Q | None = None, **extra) -> Count:
    """``Count("captures")`` of a session queryset, over the captures shown to ``user``
    (and matching ``condition``)."""
    conditions = [
        c for c in (record_filter(user, "captures__occurrence"), condition) if c
    ]
    return Count(
        "captures", filter=reduce(and_, conditions) if conditions else None, **extra
    )


def sessions_with_counts(queryset: QuerySet[Session], user) -> QuerySet[Session]:
    """Captures, rings (B) and controls (C and R) of each session, as ``user`` sees them;
    ``stored_capture_count`` (all captures) is for the STOC protocol check only."""
    return queryset.annotate(
        capture_count=shown_capture_count(user),
        ringed_count=shown_capture_count(user, Q(captures__action="B")),
        control_count=shown_capture_count(user, ~Q(captures__action="B")),
        stored_capture_count=Count("captures"),
    )


def sessions_with_action_counts(queryset: QuerySet[Session], user) -> QuerySet[Session]:
    """``sessions_with_counts`` plus controls (C) and recoveries (R) counted apart."""
    return sessions_with_counts(queryset, user).annotate(
        control_only_count=shown_capture_count(
            user, Q(captures__action=Capture.Action.CONTROL)
        ),
        recovery_count=shown_capture_count(
            user, Q(captures__action=Capture.Action.RECOVERY)
        ),
    )


def session_captures(session: Session, user) -> QuerySet[Capture]:
    """The captures of the grid shown to ``user``, in entry order."""
    return (
        captures_shown_to(user, session.captures.all())
        .select_related("taxon", "occurrence")
        .order_by("line", "id")
    )


def ringing_imports_visible_to(user) -> QuerySet[RingingImport]:
    """CRBPO imports, read as every import job (``referentiel.permissions``): the
    organisation's staff read those into its datasets, the network all."""
    return import_jobs_readable(RingingImport.objects.select_related("dataset"), user)
