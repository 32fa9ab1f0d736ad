from .imports import ImportBatch, ImportMapping
from .occurrences import (
    VALIDATION_CHOICES,
    Occurrence,
    OccurrenceChange,
    Source,
    Validation,
)

__all__ = [
    "VALIDATION_CHOICES",
    "ImportBatch",
    "ImportMapping",
    "Occurrence",
    "OccurrenceChange",
    "Source",
    "Validation",
]
