"""Who may read and write ringing sessions and captures.

Read (``observations.policy``, the read rule of protocol records): a session is readable
when its dataset is visible to the user and its station's site is listed for them — a
protected site of another organisation is left out with its sessions
(``Site.objects.visible_to``), except for the sessions of the user's own organisation, whose
places are theirs. A capture is shown only when the user may place the occurrence it
publishes (``captures_shown_to``); the views leave the others out and say how many.
Anonymous users see nothing (the pages ask them to log in).

Write (``referentiel.permissions``, one predicate for every app): a session or a capture is
created by a writing role in a dataset their organisation produces (``may_write_in``), and
changed or deleted by the organisation's coordinators, or by its author among the staff
(``writable``: their own records, in their organisation's datasets)."""

from django.db.models import Q, QuerySet

from baguage.models import Capture, Session, Station
from observations.policy import placeable_records
from referentiel.models import Dataset, Site
from referentiel.permissions import may_write, may_write_in, writable

SESSION_PATHS = {"dataset": "dataset", "created_by": "created_by"}
CAPTURE_PATHS = {"dataset": "session__dataset", "created_by": "created_by"}


def _own_sessions_q(user, prefix: str = "") -> Q | None:
    if user.organisation_id is None:
        return None
    return Q(**{f"{prefix}dataset__producer_id": user.organisation_id})


def sessions_visible_to(user) -> QuerySet[Session]:
    if not user.is_authenticated:
        return Session.objects.none()
    sessions = Session.objects.filter(dataset__in=Dataset.objects.visible_to(user))
    placed = Q(station__site__in=Site.objects.visible_to(user))
    own = _own_sessions_q(user)
    return sessions.filter(placed | own if own else placed)


def stations_visible_to(user) -> QuerySet[Station]:
    """Stations the user may see named (filters, the session form): on a site listed for
    them, or where their organisation rings."""
    if not user or not user.is_authenticated:
        return Station.objects.none()
    placed = Q(site__in=Site.objects.visible_to(user))
    own = _own_sessions_q(user, "sessions__")
    if own:
        placed |= Q(pk__in=Station.objects.filter(own).values("pk"))
    return Station.objects.filter(placed)


def captures_shown_to(user, queryset: QuerySet[Capture] | None = None):
    """Captures of readable sessions whose occurrence the user may place."""
    if queryset is None:
        queryset = Capture.objects.all()
    return placeable_records(
        queryset.filter(session__in=sessions_visible_to(user)), user
    )


def captures_left_out(user, queryset: QuerySet[Capture]) -> int:
    """How many captures of ``queryset`` in datasets the user reads a view leaves out
    (sensitive records, and the captures of sessions at protected places): said, never
    shown."""
    readable = queryset.filter(session__dataset__in=Dataset.objects.visible_to(user))
    return readable.count() - captures_shown_to(user, readable).count()


def session_can_edit(user, session: Session) -> bool:
    """Change the session itself (its form, its API PATCH)."""
    return may_write(user, session, **SESSION_PATHS)


def may_add_capture(user, session: Session) -> bool:
    """Enter a new capture in ``session``: a record created in the session's dataset."""
    return may_write_in(user, session.dataset_id)


def captures_writable_by(user) -> QuerySet[Capture]:
    return writable(Capture.objects.all(), user, **CAPTURE_PATHS)


def capture_can_edit(user, capture: Capture) -> bool:
    return may_write(user, capture, **CAPTURE_PATHS)
