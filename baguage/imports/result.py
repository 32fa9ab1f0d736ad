"""What a CRBPO import found and did: its errors (line, column, reason), its warnings and,
when it wrote, what it created — the result the page, the command and the job all show."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cpie_naturaliste.core.tabular.errors import ErrorLog

WARNING_LIMIT = 500


@dataclass
class CrbpoImportResult:
    """What an import found and did. ``errors`` empty means the file was (or would be)
    imported; otherwise nothing was written."""

    filename: str = ""
    dry_run: bool = False
    errors: ErrorLog = field(default_factory=ErrorLog)
    warnings: list[dict] = field(default_factory=list)
    rows: int = 0
    sessions_created: int = 0
    sessions_existing: int = 0
    captures_created: int = 0
    skipped_lines: list[int] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def skipped(self) -> int:
        return len(self.skipped_lines)

    def error_entries(self) -> list[dict]:
        return self.errors.sorted_entries()

    def summary(self) -> str:
        if self.errors:
            return self.errors.summary()
        counts = _(
            "%(sessions)d session(s) créée(s), %(existing)d session(s) existante(s) "
            "complétée(s), %(captures)d capture(s) créée(s) avec leur observation"
        ) % {
            "sessions": self.sessions_created,
            "existing": self.sessions_existing,
            "captures": self.captures_created,
        }
        if self.skipped:
            counts += _(
                ", %(skipped)d ligne(s) déjà importée(s) ignorée(s) (même session, "
                "bague et action déjà enregistrées)"
            ) % {"skipped": self.skipped}
        if self.dry_run:
            return (
                _(
                    "Essai à blanc : aucune erreur, rien n'a été enregistré. L'import ferait : "
                )
                + counts
                + "."
            )
        return _("Import terminé : ") + counts + "."

    def warn(self, line: int | None, column: str, message: str) -> None:
        """A problem that does not stop the import (kept up to ``WARNING_LIMIT``)."""
        if len(self.warnings) < WARNING_LIMIT:
            self.warnings.append({"line": line, "column": column, "message": message})
