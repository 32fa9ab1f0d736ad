"""Errors of a tabular import: a whole-file refusal, the per-line error log, a rejected file.

Line numbers are the ones the user sees in a spreadsheet: the header is line 1, the first data
row line 2. Columns are named by the file's own header, so the user finds the cell. The pages
show an ``ErrorLog`` as a table (line, column, reason); the reference-file commands raise
``ImportFileError``, whose sentences also name the file (« statuts.csv », ligne 3, colonne …).

Two modes (``Mode``): **all or nothing** (the default: one error refuses the whole file, so
that a file is in the database entirely or not at all), and **valid lines** (the lines
without error are imported, the others are left out and listed, for a partner's file whose
few bad lines should not hold back the rest). An import that offers the second mode says so
on its page and removes the lines its checks flag before it writes.
"""

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_REPORTED_ERRORS = 1000


class Mode(models.TextChoices):
    ALL_OR_NOTHING = (
        "tout",
        gettext_lazy("Tout ou rien : une erreur et rien n'est importé"),
    )
    VALID_LINES = (
        "valides",
        gettext_lazy(
            "Lignes valides : importer les lignes sans erreur, ignorer et lister les autres"
        ),
    )


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


def error_text(error: dict, *, file: str = "") -> str:
    """One error as a French sentence: « Ligne 3, colonne « dateDebut » : … »; with ``file``,
    « « statuts.csv », ligne 3, colonne cd_nom : … » (reference files name bare columns)."""
    if file:
        return _file_error_text(error, file)
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


def _file_error_text(error: dict, file: str) -> str:
    if not (error.get("line") or error.get("column")):
        return error["message"]  # a note, which names its own place
    text = f"« {file} »"
    if error.get("line"):
        text += ", " + _("ligne %d") % error["line"]
    if error.get("column"):
        text += ", " + _("colonne %s") % error["column"]
    return f"{text} : {error['message']}"


class ImportFileError(Exception):
    """A file rejected as a whole: nothing was imported from it.

    ``errors`` lists the problems found (each names its file, line, column or feature), up to
    the log's limit; ``total`` counts them all, so the user can fix the file in one go.
    """

    def __init__(self, errors: list[str], total: int | None = None):
        self.errors = list(errors)
        self.total = total if total is not None else len(self.errors)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        lines = list(self.errors)
        if self.total > len(self.errors):
            lines.append(
                _("… et %(count)d autre(s) erreur(s) non affichée(s).")
                % {"count": self.total - len(self.errors)}
            )
        return "\n".join(lines)


def _storable(line: int | None, column: str, message: str) -> dict:
    """An error as kept in a JSON column: a NUL character of a damaged file (quoted in
    its message, or in a header) shown as "␀", which PostgreSQL's JSON refuses."""
    return {
        "line": line,
        "column": str(column).replace("\x00", "\u2400"),
        "message": str(message).replace("\x00", "\u2400"),
    }


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
            self.entries.append(_storable(line, column, message))

    def extend(self, entries: list[dict], total: int) -> None:
        """Add errors found by one SQL check: the first ones listed, ``total`` in all."""
        room = max(self.limit - len(self.entries), 0)
        self.entries.extend(
            _storable(e["line"], e["column"], e["message"]) for e in entries[:room]
        )
        self.total += total

    @property
    def full(self) -> bool:
        return self.total >= self.limit

    def note(self, message: str) -> None:
        """An error that names its own place (a file, a GeoJSON feature…)."""
        self.add(None, "", message)

    def raise_if_any(self, *, file: str = "") -> None:
        """Raise ``ImportFileError`` with the errors as sentences, in the order found."""
        if self.total:
            texts = [error_text(entry, file=file) for entry in self.entries]
            raise ImportFileError(texts, self.total)

    def sorted_entries(self) -> list[dict]:
        return sorted(
            self.entries, key=lambda e: (e["line"] or 0, e["column"], e["message"])
        )

    def summary(self, *, skipped_lines: int | None = None) -> str:
        """The sentence of a refused file; in the valid-lines mode (``skipped_lines``: the
        lines left out), the sentence of a file imported without them."""
        if not self.total:
            return ""
        if skipped_lines is not None:
            text = _(
                "%(lines)d ligne(s) en erreur ignorée(s) (%(count)d erreur(s), listées "
                "ci-dessous) ; les autres lignes sont importées."
            ) % {"lines": skipped_lines, "count": self.total}
        elif self.total == 1:
            text = _(
                "Fichier refusé : %(count)d erreur à corriger, rien n'a été importé."
            ) % {"count": self.total}
        else:
            text = _(
                "Fichier refusé : %(count)d erreurs à corriger, rien n'a été importé."
            ) % {"count": self.total}
        if self.total > len(self.entries):
            text += " " + _("Les %(shown)d premières sont listées.") % {
                "shown": len(self.entries)
            }
        return text
