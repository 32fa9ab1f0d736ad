"""Writes of the wetlands app; every naturalist fact is published as an occurrence
through observations.services, in the same transaction."""

from .fences import (
    fence_check_media_add,
    fence_check_save,
    fence_counts_occurrence_fields,
)
from .newts import (
    newt_capture_create,
    newt_capture_tag,
    newt_photo_check,
    next_individual_code,
)
from .once import fence_check_save_once, passage_create_once
from .pop import (
    SpeciesLine,
    passage_delete,
    passage_media_add,
    passage_save,
    pop_observation_occurrence_fields,
)
from .wetlands import photo_check, water_level_save

__all__ = [
    "SpeciesLine",
    "fence_check_media_add",
    "fence_check_save",
    "fence_check_save_once",
    "fence_counts_occurrence_fields",
    "newt_capture_create",
    "newt_capture_tag",
    "newt_photo_check",
    "next_individual_code",
    "passage_create_once",
    "passage_delete",
    "passage_media_add",
    "passage_save",
    "photo_check",
    "pop_observation_occurrence_fields",
    "water_level_save",
]
