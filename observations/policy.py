"""One read rule for every channel: what a protocol record or a place reveals of an occurrence.

The occurrence layer (``OccurrenceQuerySet.visible_to`` and ``observations.blurring``)
decides which records a reader reads and which of them at full precision. The protocol apps
(POP Amphibien, site counts, drift fences, ringing, terrils, campaigns) keep rows of their
own beside the occurrence each of them publishes, and places (ponds, count sites, fences,
terrils) where those occurrences lie. Read naively, such a row gives away what the
occurrence hides: a pond's point *is* the stored point of the newt seen in it; a count's
site, date and number undo the 10 km blurring of the bat it counted.

So a protocol record **inherits the reading of the occurrence it publishes**:

* a **record** (a POP line, a count, a fence check, a capture, a campaign report, a terril
  record) is shown in its protocol's pages, API and files only when its occurrence is
  *placeable* by the reader: readable and seen at full precision (``placeable_q``). Otherwise
  the reader finds it in the occurrence layer only, blurred there like any other record;
  protocol views leave it out of their lines and say how many they left out;
* a **place** (a pond, a fence, a non-public site) where an occurrence the reader may not
  place was recorded is itself left out for that reader (``without_hidden_places``): its
  point is the record's point, its name and comment describe it. A *public* place (a terril
  of the registry, a public wetland: ``Site.is_public``) stays, since its existence is
  public knowledge; only the link between it and the hidden record is cut;
* an **aggregate** over places never singles out a hidden record: a species list of a place
  counts only placeable records (and says how many of the place's area are not shown); a
  score keeps its total with the hidden part as one line without name, group or class.

Everything is expressed as filters on the occurrence's columns, prefixed with the path from
the protocol model (``prefixed``), so that the protocol querysets join rather than list
identifiers, and the rule is the occurrence layer's own ``precise_q`` — not a copy of it.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from observations.blurring import Reader
from observations.models import Occurrence
from observations.models.querysets import readable_q


def prefixed(condition: Q, prefix: str) -> Q:
    """``condition`` with every lookup reached through ``prefix`` (``"occurrence__"``)."""
    if not prefix:
        return condition
    copy = Q(*(), _connector=condition.connector, _negated=condition.negated)
    for child in condition.children:
        if isinstance(child, Q):
            copy.children.append(prefixed(child, prefix))
        else:
            name, value = child
            copy.children.append((f"{prefix}{name}", value))
    return copy


def reader_of(user) -> Reader:
    """The user's ``Reader``, made once per user object (``Reader.for_user``)."""
    return Reader.for_user(user)


def placeable_q(user, prefix: str = "", *, reader: Reader | None = None) -> Q:
    """The occurrences ``user`` reads *and* sees at full precision: those a protocol record
    or a place may show with its place, date, count and comments. The empty ``Q()`` when
    that is every occurrence (``sees_every_record``)."""
    reader = reader or reader_of(user)
    condition = readable_q(user)
    if not reader.sees_everything:
        condition &= reader.precise_q()
    return prefixed(condition, prefix)


def sees_every_record(user, *, reader: Reader | None = None) -> bool:
    """Whether ``user`` reads and places every occurrence (the network's coordinators,
    superusers): no protocol view has anything to leave out for them."""
    return not placeable_q(user, reader=reader)


def record_placeable_q(user, path: str = "occurrence", **kwargs) -> Q:
    """Protocol records (whose published occurrence is at ``path``) the reader may see with
    their place: an unpublished record (no occurrence) is judged by its container alone.
    An empty ``Q()`` means every record (a reader who sees everything)."""
    placeable = placeable_q(user, f"{path}__", **kwargs)
    if not placeable:
        # Q(a) | Q() is Q(a) in Django: an empty condition must not be OR-ed.
        return Q()
    return Q(**{f"{path}__isnull": True}) | placeable


def record_filter(user, path: str = "occurrence", **kwargs) -> Q | None:
    """``record_placeable_q`` for an aggregate over a relation (``Count(...,
    filter=...)``): None when every record is shown."""
    return record_placeable_q(user, path, **kwargs) or None


def placeable_records(queryset: QuerySet, user, path: str = "occurrence", **kwargs):
    """The protocol records of ``queryset`` shown with their place, date and number."""
    condition = record_placeable_q(user, path, **kwargs)
    return queryset.filter(condition) if condition else queryset


def hidden_records(queryset: QuerySet, user, path: str = "occurrence", **kwargs):
    """The complement of ``placeable_records``: what protocol views leave out and count."""
    condition = record_placeable_q(user, path, **kwargs)
    if not condition:
        return queryset.none()
    return queryset.exclude(condition)


def hidden_occurrences(user, *, reader: Reader | None = None) -> QuerySet[Occurrence]:
    """Occurrences the reader may not place: unreadable, or readable only blurred."""
    condition = placeable_q(user, reader=reader)
    if not condition:
        return Occurrence.objects.none()
    return Occurrence.objects.exclude(condition)


def hides_place(user, link: str, *, reader: Reader | None = None) -> Exists:
    """An ``Exists`` true for places holding an occurrence the reader may not place;
    ``link`` is the path from ``Occurrence`` to the place's primary key (``"site"``,
    ``"pop_observation__passage__pop_site"``)."""
    return Exists(
        hidden_occurrences(user, reader=reader).filter(**{link: OuterRef("pk")})
    )


def without_hidden_places(
    queryset: QuerySet,
    user,
    link: str,
    *,
    public: Q | None = None,
    reader: Reader | None = None,
) -> QuerySet:
    """``queryset`` of places without those that hold an occurrence the reader may not
    place, except the places matching ``public`` (their existence is public knowledge)."""
    if hidden_occurrences(user, reader=reader).query.is_empty():
        return queryset
    hidden = hides_place(user, link, reader=reader)
    if public is not None:
        return queryset.filter(public | ~hidden)
    return queryset.filter(~hidden)
