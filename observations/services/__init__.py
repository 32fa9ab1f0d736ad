"""The only way other code writes occurrences (DESIGN §1)."""

from .codes import (
    nomenclature_choices,
    nomenclature_labels,
    nomenclature_names,
    nomenclature_reader,
)
from .derived import occurrences_refresh_derived, occurrences_refresh_sensitivity
from .media import media_check, occurrence_media_add
from .occurrences import (
    occurrence_check,
    occurrence_create,
    occurrence_delete,
    occurrence_deletions_purge,
    occurrence_publish,
    occurrence_update,
    occurrences_publish_bulk,
    occurrences_tombstone,
    occurrences_validate,
    people_label,
)
from .once import occurrence_create_once

__all__ = [
    "media_check",
    "occurrence_media_add",
    "nomenclature_choices",
    "nomenclature_labels",
    "nomenclature_names",
    "nomenclature_reader",
    "occurrence_check",
    "occurrence_create",
    "occurrence_create_once",
    "occurrence_delete",
    "occurrence_deletions_purge",
    "occurrence_publish",
    "occurrences_publish_bulk",
    "occurrence_update",
    "occurrences_refresh_derived",
    "occurrences_refresh_sensitivity",
    "occurrences_tombstone",
    "occurrences_validate",
    "people_label",
]
