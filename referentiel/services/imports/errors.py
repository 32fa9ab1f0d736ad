"""The error every import raises for a rejected file, and the collector that feeds it."""

from django.utils.translation import gettext as _

MAX_ERRORS = 100


class ImportFileError(Exception):
    """A file rejected as a whole: nothing was imported from it.

    ``errors`` lists the problems found (each names its file, line, column or feature), up to
    ``MAX_ERRORS``; ``total`` counts them all, so the user can fix the file in one go.
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


class ErrorCollector:
    """Accumulates the errors of one file, keeping the first ``limit`` messages."""

    def __init__(self, limit: int = MAX_ERRORS):
        self.limit = limit
        self.messages: list[str] = []
        self.total = 0

    def __bool__(self) -> bool:
        return self.total > 0

    @property
    def full(self) -> bool:
        return self.total >= self.limit

    def add(self, message: str) -> None:
        self.total += 1
        if len(self.messages) < self.limit:
            self.messages.append(message)

    def raise_if_any(self) -> None:
        if self.total:
            raise ImportFileError(self.messages, self.total)
