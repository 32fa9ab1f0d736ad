"""The CSV reference files (regional statuses, sensitivity rules) read through the core
tabular layer: UTF-8 only, ``;``, ``,`` or tab, headers normalised to bare identifiers.

Every problem is named « file », line and column, as the commands print them; a problem with
the file as a whole (unreadable, not UTF-8, no header) rejects it at once.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.utils.translation import gettext as _

from cpie_naturaliste.core.tabular.csv_table import CsvTable
from cpie_naturaliste.core.tabular.errors import (
    ErrorLog,
    ImportFileError,
    ImportRefused,
    error_text,
)
from cpie_naturaliste.core.text import normalize_search

MAX_LISTED_ERRORS = 100  # what a command prints; the total is still counted


def reference_errors() -> ErrorLog:
    return ErrorLog(limit=MAX_LISTED_ERRORS)


def column_name(name: str) -> str:
    """« Liste rouge », « liste-rouge » → ``liste_rouge``."""
    return "_".join(normalize_search(name.replace("-", " ").replace("_", " ")).split())


@contextmanager
def reference_table(path: Path) -> Iterator[CsvTable]:
    """The open CSV file at ``path``; ``ImportFileError`` if it cannot be read at all."""
    try:
        table = CsvTable(path, utf8_only=True)
    except OSError as error:
        raise ImportFileError(
            [
                _("Impossible de lire « %(file)s » : %(error)s")
                % {"file": path.name, "error": error.strerror or error}
            ]
        ) from error
    except ImportRefused as refusal:
        raise ImportFileError(
            [error_text(refusal.as_error(), file=path.name)]
        ) from refusal
    try:
        yield table
    finally:
        table.close()


def reference_records(
    table: CsvTable, header: list[str], errors: ErrorLog
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, {column: cell}) of each non-empty row that has as many cells as the header;
    a row of another width, or broken quoting (which ends the reading), goes to ``errors``."""
    try:
        for line, record in table.rows():
            if not any(value.strip() for value in record):
                continue
            if len(record) != len(header):
                errors.add(
                    line,
                    "",
                    _("%(found)d colonnes au lieu de %(n)d.")
                    % {"found": len(record), "n": len(header)},
                )
                continue
            yield line, dict(zip(header, record, strict=True))
    except ImportRefused as refusal:
        errors.add(refusal.line, refusal.column, refusal.message)
