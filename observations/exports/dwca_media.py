"""The GBIF Simple Multimedia extension of the Darwin Core Archive (``multimedia.txt``):
one row per photo or sound of a record the archive publishes *precisely* (a photo shows the
place: a record published blurred keeps its media, as it keeps its locality).

Each row points to the file as the site serves it (``observations:media_file``, photos
without their EXIF), under ``SITE_URL``: without it the archive has no public address to
give and the extension is left out. Rows are ordered by record then media, so the same data
gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from observations.models import OccurrenceMedia

MULTIMEDIA_FILE = "multimedia.txt"
ROW_TYPE = "http://rs.gbif.org/terms/1.0/Multimedia"
DC = "http://purl.org/dc/terms/"
# Term name → URI, in the file's column order (column 0 is the core id, occurrenceID).
TERMS = {
    "type": DC + "type",
    "format": DC + "format",
    "identifier": DC + "identifier",
    "created": DC + "created",
    "license": DC + "license",
    "rightsHolder": DC + "rightsHolder",
}
DCMI_TYPES = {"photo": "StillImage", "son": "Sound"}


def multimedia_table(published: QuerySet, *, licence: str, holder: str) -> bytes | None:
    """``multimedia.txt`` for the records of ``published`` (a ``Reader.restrict``-ed
    queryset) that it shows precisely; None when there is none or no ``SITE_URL``."""
    site = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    if not site:
        return None
    media = (
        OccurrenceMedia.objects.filter(
            occurrence__in=published.filter(is_precise=True).values("pk")
        )
        .select_related("occurrence")
        .order_by("occurrence_id", "id")
    )
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(["occurrenceID", *TERMS])
    count = 0
    for item in media.iterator():
        occurrence = item.occurrence
        writer.writerow(
            [
                f"urn:uuid:{occurrence.uuid}",
                DCMI_TYPES[item.kind],
                item.content_type,
                site + reverse("observations:media_file", args=[item.uuid]),
                (item.taken_at or item.created_at)
                .astimezone(dt.UTC)
                .strftime("%Y-%m-%dT%H:%M:%SZ"),
                licence,
                holder,
            ]
        )
        count += 1
    return out.getvalue().encode() if count else None
