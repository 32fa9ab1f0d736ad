"""Who may write what in the wetlands app: ``referentiel.permissions`` given each model's
paths to its dataset and author.

A POP passage reaches its dataset through its pond's aire, a fence check through its
fence; a newt capture or individual has its own. Field staff and validators change their
own rows in their organisation's datasets, coordinators every row of those datasets, the
network all of them; creating needs a writing role and a dataset of the user's
organisation (``may_write_in``).

Management operations and water-level readings have an author but no dataset (they
describe a site of the shared referential): the organisation they belong to is their
author's, with the same three scopes (``authored_write_q``)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from referentiel.permissions import may_write, may_write_in, writable, write_q

PASSAGE = {"dataset": "pop_site__aire__dataset", "created_by": "created_by"}
FENCE_CHECK = {"dataset": "fence__dataset", "created_by": "created_by"}
NEWT = {"dataset": "dataset", "created_by": "created_by"}
AIRE = {"dataset": "dataset", "created_by": "created_by"}
# Fences have no author: their coordinators change them.
FENCE = {"dataset": "dataset", "created_by": None}


def may_write_passage(user, passage) -> bool:
    return may_write(user, passage, **PASSAGE)


def passages_writable_by(queryset: QuerySet, user) -> QuerySet:
    return writable(queryset, user, **PASSAGE)


def may_write_fence_check(user, check) -> bool:
    return may_write(user, check, **FENCE_CHECK)


def may_save_fence_check(user, fence, check) -> bool:
    """A new round in a fence of the user's organisation; the round of a day already
    entered (``check``), only by those who may change it (saving replaces it)."""
    if check is not None:
        return may_write_fence_check(user, check)
    return may_write_in(user, fence.dataset_id)


def may_write_newt(user, row) -> bool:
    """A capture or an individual."""
    return may_write(user, row, **NEWT)


# Operations and water-level readings belong to their author's organisation.
AUTHORED = {"organisation": "created_by__organisation", "created_by": "created_by"}


def authored_write_q(user) -> Q | None:
    return write_q(user, **AUTHORED)


def authored_writable(queryset: QuerySet, user) -> QuerySet:
    return writable(queryset, user, **AUTHORED)


def may_write_authored(user, obj) -> bool:
    """Whether ``user`` may change the saved operation or water-level reading ``obj``."""
    return may_write(user, obj, **AUTHORED)
