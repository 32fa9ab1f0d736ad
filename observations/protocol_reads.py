"""The read policy (``observations.policy``) as the protocol apps and the referential use it.

* ``shown_records`` / ``shown_record_q``: the protocol records (site counts, captures…) a
  reader sees with their place, date and number (the views count the others by
  difference). They are ``placeable_records`` / ``record_placeable_q`` with one gap closed:
  for a reader who reads everything precisely (regional coordinator, superuser)
  ``placeable_q`` is the empty ``Q()``, and ``Q(occurrence__isnull=True) | Q()`` is
  ``Q(occurrence__isnull=True)`` in Django (an empty operand is dropped from an OR), which
  would hide every *published* record from exactly the readers who may see all of them.
* ``narrow_listed_sites``: the receiver of ``referentiel.signals.sites_listed``: the
  referential cannot import this app (DESIGN §1), so ``Site.objects.listed_for(user)`` asks
  it which sites to leave out — a protected site (not ``is_public``) where an occurrence the
  user may not place lies (``Occurrence.site``).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from observations.blurring import Reader
from observations.policy import (
    placeable_q,
    placeable_records,
    record_placeable_q,
    without_hidden_places,
)


def reader_of(user) -> Reader:
    """The user's ``Reader``, made once per user object (a request's user): building one
    reads the organisation's datasets, and a page asks the policy many times."""
    reader = getattr(user, "_policy_reader", None)
    if reader is None:
        reader = Reader.for_user(user)
        user._policy_reader = reader
    return reader


def sees_every_record(user) -> bool:
    """Whether every occurrence is placeable by ``user`` (no filter to apply)."""
    return placeable_q(user, reader=reader_of(user)) == Q()


def shown_records(queryset: QuerySet, user, path: str = "occurrence") -> QuerySet:
    """The protocol records of ``queryset`` shown to ``user`` with their place, date and
    number: those whose published occurrence (at ``path``) the user may place, and the
    unpublished ones (judged by their container)."""
    if sees_every_record(user):
        return queryset
    return placeable_records(queryset, user, path, reader=reader_of(user))


def shown_record_q(user, path: str = "occurrence") -> Q | None:
    """``shown_records`` as a filter, for aggregates over a relation (``Count(...,
    filter=...)``): None when every record is shown."""
    if sees_every_record(user):
        return None
    return record_placeable_q(user, path, reader=reader_of(user))


def narrow_listed_sites(sender, *, user, **kwargs):
    """``referentiel.signals.sites_listed``: leave out the protected sites holding an
    occurrence ``user`` may not place; public sites stay."""

    def narrow(queryset: QuerySet) -> QuerySet:
        return without_hidden_places(
            queryset,
            user,
            link="site",
            public=Q(is_public=True),
            reader=reader_of(user),
        )

    return narrow
