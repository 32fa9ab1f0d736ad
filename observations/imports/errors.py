"""Errors of an occurrence import: a whole-file refusal, and the per-line error log.

Line numbers are the ones the user sees in a spreadsheet: the header is line 1, the first data
row line 2. Columns are named by the file's own header, so the user finds the cell.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_REPORTED_ERRORS = 1000


class ImportRefused(Exception):
    """The file as a whole cannot be read (hostile, too big, not CSV/XLSX, broken quoting…).

    Carries a French message, and the line and column when the problem has one."""

    def __init__(self, message: str, *, line: int | None = None, column: str = ""):
        self.message = message
        self.line = line
        self.column = column
        super().__init__(self.as_text())

    def as_error(self) -> dict:
        return {"line": self.line, "column": self.column, "message": self.message}

    def as_text(self) -> str:
        return error_text(self.as_error())


def error_text(error: dict) -> str:
    """One error as a French sentence: « ligne 3, colonne « dateDebut » : … »."""
    where = []
    if error.get("line"):
        where.append(_("ligne %d") % error["line"])
    if error.get("column"):
        where.append(_("colonne « %s »") % error["column"])
    prefix = ", ".join(where)
    if prefix:
        prefix = prefix[0].upper() + prefix[1:]
        return f"{prefix} : {error['message']}"
    return error["message"]


@dataclass
class ErrorLog:
    """Keeps the first ``limit`` errors (sorted by line when read) and counts them all."""

    limit: int = MAX_REPORTED_ERRORS
    entries: list[dict] = field(default_factory=list)
    total: int = 0

    def __bool__(self) -> bool:
        return self.total > 0

    def add(self, line: int | None, column: str, message: str) -> None:
        self.total += 1
        if len(self.entries) < self.limit:
            self.entries.append({"line": line, "column": column, "message": message})

    def extend(self, entries: list[dict], total: int) -> None:
        """Add errors found by one SQL check: the first ones listed, ``total`` in all."""
        room = max(self.limit - len(self.entries), 0)
        self.entries.extend(entries[:room])
        self.total += total

    def sorted_entries(self) -> list[dict]:
        return sorted(
            self.entries, key=lambda e: (e["line"] or 0, e["column"], e["message"])
        )

    def summary(self) -> str:
        if not self.total:
            return ""
        text = (
            _("Fichier refusé : %(count)d erreur à corriger, rien n'a été importé.")
            if self.total == 1
            else _(
                "Fichier refusé : %(count)d erreurs à corriger, rien n'a été importé."
            )
        ) % {"count": self.total}
        if self.total > len(self.entries):
            text += " " + _("Les %(shown)d premières sont listées.") % {
                "shown": len(self.entries)
            }
        return text
