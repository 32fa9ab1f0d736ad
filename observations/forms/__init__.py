"""Forms of the observation pages."""

from .occurrence import OccurrenceForm
from .validation import BulkValidationForm, ValidationForm
from .values import taxon_label

__all__ = ["BulkValidationForm", "OccurrenceForm", "ValidationForm", "taxon_label"]
