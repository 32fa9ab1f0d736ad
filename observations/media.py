"""Who sees the photos and sounds of a record: the readers who place it.

A photo shows the place (a pond, a bat roost), and often the observer: so a record read only
blurred (a sensitive species, another organisation's data) keeps its media to itself, as it
keeps its place name and comment (``observations.blurring.BLANKED``). The rule is the
protocol records' (``observations.policy.placeable_q``), not a copy of it.
"""

from collections import defaultdict

from observations.models import OccurrenceMedia
from observations.policy import placeable_q


def media_visible_to(user):
    """The media of the records ``user`` reads at full precision."""
    return OccurrenceMedia.objects.filter(placeable_q(user, "occurrence__"))


def media_attach(occurrences, user) -> None:
    """Set ``shown_media`` on each loaded record: the media ``user`` may see (one query)."""
    by_record = defaultdict(list)
    ids = [occurrence.pk for occurrence in occurrences]
    if ids:
        for media in media_visible_to(user).filter(occurrence_id__in=ids):
            by_record[media.occurrence_id].append(media)
    for occurrence in occurrences:
        occurrence.shown_media = by_record.get(occurrence.pk, [])
