"""Reads of the incremental sync API (README « Synchroniser une copie locale »).

A consumer keeps a copy of the records it reads and, each night, asks for the records
changed since its last sync (``?updated_since=``, observations.api) and for the deletions
feed: the records it may have copied and must now drop.

**Who is told of a deletion.** A tombstone (``OccurrenceDeletion``) keeps the columns the
read rule reads (dataset, author, validation status, sensitivity level) as they were before
the record left; the feed filters tombstones with the very rule that filters occurrences
(``readable_q`` and ``Reader.restrict``), so a reader learns only of records he could read.
A deleted record of another organisation's private dataset, or a level-4 record he could
not place, never shows up, not even as an identifier.

**Records that leave a reader's view without being deleted.** Moved to a dataset he does not
read, or made too sensitive for him to see at all (level 4, by an edit, an import or a new
sensitivity rule): the write leaves a tombstone "withdrawn" with the state before, and the
feed lists it for the readers who could read it then **and cannot now** — those who still
read it get it again in the changed records instead (its ``updated_at`` moved). A record
that becomes *blurred* for a reader is not dropped: it is changed, and comes back blurred in
the changed records. One rule covers both reasons: the feed lists a tombstone to a reader
when he could read the record then and reads no record of that identifier now.

**What the feed cannot know.** A reader whose own rights change (another organisation, a
role with a wider or narrower scope) or a dataset made private or given to another producer
changes what that reader reads without any record changing: the consumer must then copy
everything again (a sync without ``since``).

Tombstones are purged after ``SYNC_DELETIONS_RETENTION_DAYS``
(``observations.services.occurrence_deletions_purge``, every night); a ``since`` older than
that is refused (410): the client must copy everything again.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from observations.models import Occurrence, OccurrenceDeletion
from observations.models.querysets import readable_q
from observations.policy import reader_of


def deletions_horizon():
    """The oldest ``since`` the feed can answer completely (older tombstones are purged)."""
    return timezone.now() - timedelta(days=settings.SYNC_DELETIONS_RETENTION_DAYS)


def deletions_visible_to(user, *, since=None) -> QuerySet[OccurrenceDeletion]:
    """Tombstones ``user`` is told about: records he could read when they left (the read
    rule on the tombstone's columns) and reads under no form now."""
    reader = reader_of(user)
    tombstones = reader.restrict(OccurrenceDeletion.objects.filter(readable_q(user)))
    still_read = Occurrence.objects.visible_to(user, reader=reader).filter(
        uuid=OuterRef("uuid")
    )
    tombstones = tombstones.filter(~Exists(still_read))
    if since is not None:
        tombstones = tombstones.filter(deleted_at__gte=since)
    return tombstones.only("id", "uuid", "deleted_at", "reason")


CSV_CHUNK = 500


def _csv_writer():
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    return writer, flush


def csv_document(rows: list[dict]) -> str:
    """Serialised records (the keys of the first as the header) as one CSV text."""
    writer, flush = _csv_writer()
    fields = list(rows[0]) if rows else []
    writer.writerow(fields)
    for data in rows:
        writer.writerow([csv_cell(data.get(name)) for name in fields])
    return "\ufeff" + flush()


def csv_rows(queryset, serializer_class, context) -> Iterator[str]:
    """The serializer's fields as CSV lines (``;``, UTF-8 with a BOM for Excel), one chunk
    of rows at a time: the same columns and the same blurring as the JSON, since each row
    goes through the same serializer. Geometries are WKT (WGS84), lists joined by ``|``."""
    fields = list(serializer_class(context=context).fields)
    writer, flush = _csv_writer()
    writer.writerow(fields)
    yield "\ufeff" + flush()
    chunk = []
    for occurrence in queryset.iterator(chunk_size=CSV_CHUNK):
        chunk.append(occurrence)
        if len(chunk) == CSV_CHUNK:
            yield _csv_chunk(chunk, serializer_class, context, fields, writer, flush)
            chunk = []
    if chunk:
        yield _csv_chunk(chunk, serializer_class, context, fields, writer, flush)


def _csv_chunk(rows, serializer_class, context, fields, writer, flush) -> str:
    for data in serializer_class(rows, many=True, context=context).data:
        writer.writerow([csv_cell(data.get(name)) for name in fields])
    return flush()


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        if "type" in value and "coordinates" in value:
            return GEOSGeometry(json.dumps(value)).wkt
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "|".join(csv_cell(v) for v in value)
    return str(value)
