"""Writes of the terrils app (DESIGN §1: protocol rows publish occurrences)."""

from .campaigns import (
    campaign_create,
    campaign_habitat_set,
    campaign_record_create,
    campaign_record_delete,
)
from .registry import terril_save
from .scoring import (
    Breakdown,
    score_compute,
    score_save,
    scores_recompute,
    version_current,
    version_resolve,
)
from .state_zero import StateZeroResult, state_zero_import

__all__ = [
    "Breakdown",
    "StateZeroResult",
    "campaign_create",
    "campaign_habitat_set",
    "campaign_record_create",
    "campaign_record_delete",
    "score_compute",
    "score_save",
    "scores_recompute",
    "state_zero_import",
    "terril_save",
    "version_current",
    "version_resolve",
]
