"""Imports of the reference files: TAXREF, regional taxon statuses, communes.

Each import reads one kind of file, checks it whole, and writes in one transaction: a file with
an error imports nothing, and ``ImportFileError`` lists what to fix, naming lines or features.
The CSV files are read through the core tabular layer (``table``), whose error log every import
shares; TAXREF's 700,000 lines are streamed to COPY by its own loop (``taxref``).
"""

from cpie_naturaliste.core.tabular.errors import ImportFileError

from .communes import CommunesImportResult, communes_import
from .sensitivity_rules import (
    SensitivityRulesImportResult,
    sensitivity_rules_import,
)
from .statuses import TaxonStatusImportResult, taxon_statuses_import
from .taxref import TaxrefImportResult, taxref_import

__all__ = [
    "CommunesImportResult",
    "ImportFileError",
    "SensitivityRulesImportResult",
    "TaxonStatusImportResult",
    "TaxrefImportResult",
    "communes_import",
    "sensitivity_rules_import",
    "taxon_statuses_import",
    "taxref_import",
]
