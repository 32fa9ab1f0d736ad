"""The CRBPO import from end to end: open the file through the core tabular layer, read and
check every row, check across rows and against the database, then — unless it is a dry run or
anything was refused — write all of it in one transaction.
"""

import time
from collections.abc import Callable
from pathlib import Path

from django.utils.translation import gettext as _

from cpie_naturaliste.core.tabular.errors import ImportRefused
from cpie_naturaliste.core.tabular.files import table_open
from referentiel.models import Dataset
from referentiel.permissions import may_write_in

from .checks import plan_check
from .columns import Headers, columns_find
from .referential import Referential
from .result import CrbpoImportResult
from .rows import RowReader
from .write import plan_count, plan_write

STEP_ROWS = 500  # rows read between two progress reports
# ``on_step(percent, label, rows=…, total=…)``: ``job_step`` without its job
StepReport = Callable[..., None]


def _no_report(*args, **kwargs) -> None:
    return None


def crbpo_import(
    *,
    path,
    user,
    dataset: Dataset,
    dry_run: bool = False,
    filename: str = "",
    on_step: StepReport = _no_report,
) -> CrbpoImportResult:
    """Check the CRBPO file at ``path``, then (unless ``dry_run`` or on any error) create its
    sessions and captures in one transaction. Returns a ``CrbpoImportResult``; ``on_step``
    hears the progress (reading is 0–60 %, checks 60–70 %, writing the rest)."""
    started = time.monotonic()
    path = Path(path)
    result = CrbpoImportResult(filename=filename or path.name, dry_run=dry_run)
    if user is not None and not may_write_in(user, dataset.pk):
        result.errors.add(
            None, "", _("Vous n'avez pas le droit d'importer dans « %s ».") % dataset
        )
        return result
    try:
        rows, header, ref = _read(path, result, on_step)
    except ImportRefused as refusal:
        result.errors.add(refusal.line, refusal.column, refusal.message)
        rows = []
    if rows:  # checks across rows run even after row errors: every problem is listed
        # Every line is read from here on: the page keeps saying how many.
        read = {"rows": len(rows), "total": len(rows)}
        on_step(60, _("Vérification des sessions et des bagues"), **read)
        plan = plan_check(rows, result, dataset, header=header, ref=ref, user=user)
        if not result.errors and not dry_run:
            on_step(70, _("Enregistrement"), **read)
            plan_write(plan, result, user=user, dataset=dataset, header=header)
        elif not result.errors:
            plan_count(plan, result)
    result.seconds = time.monotonic() - started
    return result


def _read(path: Path, result: CrbpoImportResult, on_step: StepReport):
    """The file's rows (each checked on its own), its column names and the referential."""
    table = table_open(path=path, filename=result.filename)
    try:
        total = table.estimate_rows()
        columns = columns_find(table.headers)
        ref = Referential()
        reader = RowReader(columns, ref, result.errors, has_nul=table.has_nul)
        rows = []
        for line, values in table.rows():
            row = reader.read(line, values)
            if row is not None:
                rows.append(row)
            if line % STEP_ROWS == 0:
                percent = 60 * line // max(total, line)
                on_step(percent, _("Lecture"), rows=line - 1, total=total)
        result.rows = len(rows)
        if not rows and not result.errors:
            raise ImportRefused(_("Le fichier ne contient aucune ligne de données."))
        return rows, Headers(columns), ref
    finally:
        table.close()
