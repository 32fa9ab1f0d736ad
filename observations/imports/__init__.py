"""Bulk import of occurrence files (CSV, XLSX): check every row, then insert all or none.

Public services (keyword-only): ``import_batch_create`` stores a file as a batch,
``import_batch_set_mapping`` gives it its column mapping, ``import_batch_process`` checks and
imports it (inline or from the Celery task ``observations.tasks.import_batch_run``),
``import_batch_undo`` removes what it created. See ``process`` for the three phases. Files are
read, cells parsed and errors reported by the core tabular layer (``cpie_naturaliste.core.tabular``);
this package holds what is the occurrences' own: the SINP columns, their mapping, the staging
table and the merge.
"""

from cpie_naturaliste.core.tabular.errors import ErrorLog, ImportRefused, error_text
from cpie_naturaliste.core.tabular.files import import_max_bytes, table_inspect

from .batches import (
    import_batch_create,
    import_batch_needs_mapping,
    import_batch_set_mapping,
    import_batch_undo,
    import_mapping_propose,
    import_mapping_save,
)
from .columns import TARGETS, mapping_guess, mapping_problems, template_headers
from .process import import_batch_process
from .selectors import (
    import_batch_can_undo,
    import_batch_is_coordinated_by,
    import_batch_validated_count,
    import_batches_visible_to,
)

__all__ = [
    "TARGETS",
    "ErrorLog",
    "ImportRefused",
    "error_text",
    "import_batch_can_undo",
    "import_batch_create",
    "import_batch_is_coordinated_by",
    "import_batch_needs_mapping",
    "import_batch_process",
    "import_batch_set_mapping",
    "import_batch_undo",
    "import_batch_validated_count",
    "import_batches_visible_to",
    "import_mapping_propose",
    "import_mapping_save",
    "import_max_bytes",
    "mapping_guess",
    "mapping_problems",
    "table_inspect",
    "template_headers",
]
