from .imports import ImportBatch, ImportMapping
from .occurrences import (
    VALIDATION_CHOICES,
    Occurrence,
    OccurrenceChange,
    OccurrenceDeletion,
    Source,
    Validation,
)

__all__ = [
    "VALIDATION_CHOICES",
    "ImportBatch",
    "ImportMapping",
    "Occurrence",
    "OccurrenceChange",
    "OccurrenceDeletion",
    "Source",
    "Validation",
]
