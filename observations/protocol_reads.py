"""The read policy (``observations.policy``) as the protocol apps and the referential use it.

* ``shown_records`` / ``hidden_record_count``: the protocol records (site counts, captures…)
  a reader sees with their place, date and number, and how many of them a view leaves out.
  They are ``placeable_records`` / ``hidden_records`` with one gap closed: for a reader who
  reads everything precisely (regional coordinator, superuser) ``placeable_q`` is the empty
  ``Q()``, and ``Q(occurrence__isnull=True) | Q()`` is ``Q(occurrence__isnull=True)`` in
  Django (an empty operand is dropped from an OR), which would hide every *published* record
  from exactly the readers who may see all of them.
* ``narrow_listed_sites``: the receiver of ``referentiel.signals.sites_listed``: the
  referential cannot import this app (DESIGN §1), so ``Site.objects.listed_for(user)`` asks
  it which sites to leave out — a protected site (not ``is_public``) where an occurrence the
  user may not place lies (``Occurrence.site``).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from observations.policy import (
    hidden_records,
    placeable_q,
    placeable_records,
    without_hidden_places,
)


def sees_every_record(user) -> bool:
    """Whether every occurrence is placeable by ``user`` (no filter to apply)."""
    return placeable_q(user) == Q()


def shown_records(queryset: QuerySet, user, path: str = "occurrence") -> QuerySet:
    """The protocol records of ``queryset`` shown to ``user`` with their place, date and
    number: those whose published occurrence (at ``path``) the user may place, and the
    unpublished ones (judged by their container)."""
    if sees_every_record(user):
        return queryset
    return placeable_records(queryset, user, path)


def hidden_record_count(queryset: QuerySet, user, path: str = "occurrence") -> int:
    """How many records of ``queryset`` a view leaves out for ``user`` (said, never shown)."""
    if sees_every_record(user):
        return 0
    return hidden_records(queryset, user, path).count()


def narrow_listed_sites(sender, *, user, **kwargs):
    """``referentiel.signals.sites_listed``: leave out the protected sites holding an
    occurrence ``user`` may not place; public sites stay."""

    def narrow(queryset: QuerySet) -> QuerySet:
        return without_hidden_places(
            queryset, user, link="site", public=Q(is_public=True)
        )

    return narrow
