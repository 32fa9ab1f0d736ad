"""Reads of the ringing pages and API (writes are in services.py)."""

from django.db.models import Count, Q, QuerySet

from baguage.models import Capture, Session
from baguage.services import sessions_with_counts


def sessions_with_action_counts(queryset: QuerySet[Session]) -> QuerySet[Session]:
    """``sessions_with_counts`` plus controls (C) and recoveries (R) counted apart."""
    return sessions_with_counts(queryset).annotate(
        control_only_count=Count(
            "captures", filter=Q(captures__action=Capture.Action.CONTROL)
        ),
        recovery_count=Count(
            "captures", filter=Q(captures__action=Capture.Action.RECOVERY)
        ),
    )


def session_captures(session: Session) -> QuerySet[Capture]:
    """The captures of the grid, in entry order."""
    return session.captures.select_related("taxon", "occurrence").order_by("line", "id")
