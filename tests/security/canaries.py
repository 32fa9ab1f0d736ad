"""Issue 17, the canaries: sensitive records of another organisation ("B") in every kind of
record, each free-text field holding its own unique marker and each record its own precise
point, for the crawler to prove that none of them escapes to a reader who may not see them.

``plant_canaries()`` creates, through the apps' services as in real use:

- plain occurrences in B's public dataset (sensitivity 2, 1 and 4) and in its private one
  (sensitivity 0 and 2);
- a POP Amphibien aire → pond → passage with a species line (and its published occurrence),
  and a crested-newt capture photographed at that passage, tagged as an individual;
- a site-count programme → count site → visit → count (and occurrence);
- a terril evaluation campaign with a visit and a record (and occurrence);
- a drift fence → morning check → count (and occurrence);
- a ringing station → session → capture of a ring from B's series (and occurrence);
- a citizen-science report, confirmed (and occurrence);

then validates every published occurrence (status 1, each with its own comment), so that in
a public dataset even an anonymous reader would read it, blurred.

Markers are found by introspection: every ``CharField``/``TextField`` without choices of a
planted model (any but ``CONTEXT_MODELS``) carries a marker in every canary row, unless it is
listed in ``SKIPPED_FIELDS`` with the reason; a new free-text field is planted automatically. A value the
services derive from another row (the pond's name as the occurrence's place name…) keeps the
copied marker and gets its own appended. Models whose rows are public by design (B itself, its
public dataset's metadata, programmes, taxa…) are in ``CONTEXT_MODELS``: their rows are listed
in ``objects`` for the crawler's URL parameters but carry no marker.

Marker strings: ``CANARI`` + 6 upper-case letters or digits; in an e-mail field the local part
``canari-`` + 6 lower-case ones (``canari-ab12cd@example.org``); in a URL field
``https://example.org/CANARIxxxxxx`` (or ``#CANARIxxxxxx`` after the link a service wrote).
All are unique and none is a substring of another, even ignoring case. One more marker is in a
file, not in the database: the EXIF description of the newt's photo, kept as sent with the
pond's GPS position (``MarkerInfo.in_file``).
"""

from __future__ import annotations

import dataclasses

from django.db import transaction

from observations.blurring import BLANKED
from observations.models import Occurrence, OccurrenceChange, Validation
from observations.services import occurrences_refresh_derived, occurrences_validate
from tests.security.markers import (
    BLURRED,
    HIDDEN,
    YEAR,
    Canaries,
    MarkerInfo,
    free_text_fields,
    planted_fields,
)
from tests.security.planting import (
    PROTOCOLS,
    Scene,
    plant_owner,
    plant_plain,
    plant_taxa,
)


@transaction.atomic
def plant_canaries() -> Canaries:
    """Plant the canaries of organisation B (see the module docstring); ~1 s."""
    scene = plant_owner()
    by_level, rules = plant_taxa(scene)
    published = plant_plain(scene)
    for plant in PROTOCOLS:
        published.extend(plant(scene))
    occurrences = _validated(scene, published)
    markers = _with_exposure(_markers(scene), occurrences)
    objects = dict(scene.rows.by_model)
    return Canaries(
        organisation=scene.organisation,
        coordinator=scene.coordinator,
        public_datasets=[scene.public],
        private_dataset=scene.private,
        taxa=by_level,
        rules=rules,
        year=YEAR,
        markers=markers,
        points=list(scene.labels),
        point_labels=scene.labels,
        objects=objects,
        tables=[model._meta.db_table for model in objects],
    )


def _validated(scene: Scene, published: list[Occurrence]) -> list[Occurrence]:
    """Every occurrence published, validated with its own comment, read back with its
    derived fields, its validations and its history among the canary rows."""
    for occurrence in published:
        occurrences_validate(
            occurrences=[occurrence],
            validator=scene.coordinator,
            status=1,
            comment=scene.P.text(),
        )
    ids = [occurrence.pk for occurrence in published]
    occurrences_refresh_derived(ids=ids)
    occurrences = list(Occurrence.objects.filter(pk__in=ids).order_by("pk"))
    scene.rows.add(*occurrences)
    scene.rows.add(*Validation.objects.filter(occurrence_id__in=ids).order_by("pk"))
    scene.rows.add(
        *OccurrenceChange.objects.filter(occurrence_id__in=ids).order_by("pk")
    )
    return occurrences


def _markers(scene: Scene) -> dict[str, MarkerInfo]:
    """Markers: claimed where planted, then completed so that each field has its own."""
    P = scene.P
    fresh = (Occurrence, Validation, OccurrenceChange)  # just read
    for obj in scene.rows:
        fields = [f.attname for f in planted_fields(type(obj))]
        if fields and not isinstance(obj, fresh):
            obj.refresh_from_db(fields=fields)
        P.claim(obj)
    for obj in scene.rows:
        P.complete(obj)
    if P.pending:
        raise RuntimeError(f"markers planted nowhere: {sorted(P.pending)}")
    return P.markers


def _with_exposure(
    markers: dict[str, MarkerInfo], occurrences: list[Occurrence]
) -> dict[str, MarkerInfo]:
    """Mark "blurred" the markers a reader without clearance reads on a public record of
    sensitivity 1–3 (fields the blurring keeps, observers and determiner): all others
    are "hidden"."""
    kept = [
        f.attname
        for f in free_text_fields(Occurrence)
        if f.attname not in BLANKED and f.name not in BLANKED
    ]
    readable = []
    for occurrence in occurrences:
        if occurrence.dataset.is_public and 1 <= occurrence.sensitivity_level <= 3:
            readable.extend(getattr(occurrence, name) for name in kept)
            readable.extend(str(person) for person in occurrence.observers.all())
            if occurrence.determiner_id:
                readable.append(str(occurrence.determiner))
    text = "\n".join(readable)
    return {
        marker: dataclasses.replace(
            info, exposure=BLURRED if marker in text else HIDDEN
        )
        for marker, info in markers.items()
    }
