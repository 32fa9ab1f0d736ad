from .exports import SinpExport, SinpExportItem
from .extracts import Extract
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
    "Extract",
    "ImportBatch",
    "ImportMapping",
    "Occurrence",
    "OccurrenceChange",
    "OccurrenceDeletion",
    "SinpExport",
    "SinpExportItem",
    "Source",
    "Validation",
]
