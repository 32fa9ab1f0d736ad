from .imports import ImportBatch, ImportMapping
from .occurrences import Occurrence, OccurrenceChange, Source, Validation

__all__ = [
    "ImportBatch",
    "ImportMapping",
    "Occurrence",
    "OccurrenceChange",
    "Source",
    "Validation",
]
