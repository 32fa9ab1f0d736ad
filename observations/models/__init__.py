from .counts import CountProgramme, CountSite, CountVisit, SiteCount
from .exports import SinpExport, SinpExportItem
from .extracts import DataExchange, Extract
from .imports import ImportBatch, ImportMapping
from .media import OccurrenceMedia
from .occurrences import (
    VALIDATION_CHOICES,
    Occurrence,
    OccurrenceChange,
    OccurrenceDeletion,
    Source,
    Validation,
)
from .published import PublishedOccurrenceMixin
from .summaries import AtlasCount, CellCount, FineCellCount

__all__ = [
    "AtlasCount",
    "CellCount",
    "FineCellCount",
    "CountProgramme",
    "CountSite",
    "CountVisit",
    "SiteCount",
    "VALIDATION_CHOICES",
    "DataExchange",
    "Extract",
    "ImportBatch",
    "ImportMapping",
    "Occurrence",
    "OccurrenceChange",
    "OccurrenceDeletion",
    "OccurrenceMedia",
    "PublishedOccurrenceMixin",
    "SinpExport",
    "SinpExportItem",
    "Source",
    "Validation",
]
