"""CSV reading: encoding detected once for the whole file, delimiter sniffed, rows streamed.

Encodings: UTF-8 (with or without BOM), else Windows-1252 (Excel's "CSV" on French Windows) —
UTF-8 only for the reference files (``utf8_only``), which come from national sources. The choice
is made on the whole file before reading any row, never row by row: a file mixing both is refused
rather than half-decoded. Delimiters: ``;`` (French Excel), ``,`` or tab.
"""

import codecs
import csv
import re
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from .errors import ImportRefused

CHUNK = 1 << 20
DELIMITERS = (";", ",", "\t")
# Two bytes of an accented Latin letter in UTF-8 ("é" = C3 A9): in a Windows-1252 file they read
# "Ã©", which French text never holds. Seen next to invalid UTF-8, they mean a mixed file.
_UTF8_ACCENT = re.compile(rb"\xc3[\x80-\xbf]")


def _line_of(path: Path, offset: int) -> int:
    """1-based line number of byte ``offset``."""
    with path.open("rb") as handle:
        return handle.read(offset).count(b"\n") + 1


def _detect_encoding(path: Path, *, utf8_only: bool) -> tuple[str, bool]:
    """(encoding, whether the file holds NUL bytes), reading the file once in chunks."""
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise ImportRefused(
                _(
                    "Encodage UTF-16 non pris en charge : enregistrez le fichier en CSV "
                    "UTF-8."
                ),
                line=1,
            )
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        has_nul, bad_offset, offset, accents = False, None, 0, False
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            has_nul = has_nul or b"\x00" in chunk
            accents = accents or bool(_UTF8_ACCENT.search(chunk))
            if bad_offset is None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    bad_offset = offset + error.start
            offset += len(chunk)
        if bad_offset is None:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                bad_offset = offset
    if bad_offset is None:
        return ("utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"), has_nul
    if utf8_only:
        raise ImportRefused(
            _("encodage invalide (UTF-8 attendu)."), line=_line_of(path, bad_offset)
        )
    if accents or head.startswith(codecs.BOM_UTF8):
        raise ImportRefused(
            _(
                "Encodage mélangé (UTF-8 et Windows-1252) : ré-enregistrez le fichier en "
                "CSV UTF-8."
            ),
            line=_line_of(path, bad_offset),
        )
    _check_cp1252(path)
    return "cp1252", has_nul


def _check_cp1252(path: Path) -> None:
    """Refuse, naming the line, a byte that Windows-1252 does not define either."""
    decoder = codecs.getincrementaldecoder("cp1252")()
    offset = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                raise ImportRefused(
                    _(
                        "Encodage non reconnu (ni UTF-8 ni Windows-1252) : enregistrez le "
                        "fichier en CSV UTF-8."
                    ),
                    line=_line_of(path, offset + error.start),
                ) from error
            offset += len(chunk)


def _sniff_delimiter(first_line: str) -> str:
    """The candidate that occurs most often outside quotes in the header (``;`` on a tie)."""
    outside = re.sub(r'"[^"]*"', "", first_line)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ";"


class CsvTable:
    """A CSV file: ``headers`` then ``rows()`` yielding (line, cells), header = line 1."""

    kind = "csv"

    def __init__(self, path: Path, *, utf8_only: bool = False):
        self.path = Path(path)
        self.encoding, self.has_nul = _detect_encoding(self.path, utf8_only=utf8_only)
        with self.path.open(encoding=self.encoding, newline="") as handle:
            first = handle.readline(65536)  # enough for any header
        self.delimiter = _sniff_delimiter(first)
        self.headers: list[str] = []
        self._handle = self.path.open(encoding=self.encoding, newline="")
        self._reader = csv.reader(
            self._handle, delimiter=self.delimiter, quotechar='"', strict=True
        )
        try:
            self.headers = [h.strip() for h in self._next(1) or []]
        except BaseException:
            self.close()
            raise
        if not any(self.headers):
            self.close()
            raise ImportRefused(
                _("Le fichier est vide ou sans ligne d'en-tête."), line=1
            )
        if self.has_nul and any("\x00" in header for header in self.headers):
            # The headers are stored with the batch, and PostgreSQL refuses NUL in text.
            self.close()
            raise ImportRefused(
                _("Caractère nul (NUL) interdit dans la ligne d'en-tête."), line=1
            )

    def _next(self, line: int) -> list[str] | None:
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except csv.Error as error:
            text = str(error)
            if "field larger" in text:
                message = (
                    _(
                        "Cellule trop grande (plus de %d caractères) : guillemet non fermé ?"
                    )
                    % csv.field_size_limit()
                )
            elif "end of data" in text or "EOF" in text:
                message = _(
                    "Guillemet ouvert et jamais refermé à partir de cette ligne."
                )
            else:
                message = _("Guillemets mal placés : %s.") % text
            raise ImportRefused(message, line=line) from error

    def estimate_rows(self) -> int:
        """Data rows, counted as line breaks (quoted multi-line cells count more)."""
        lines, last = 0, b"\n"
        with self.path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
        if last != b"\n":
            lines += 1  # a last line without its line break
        return max(lines - 1, 0)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        line = 1
        while True:
            line += 1
            row = self._next(line)
            if row is None:
                return
            yield line, row

    def close(self) -> None:
        self._handle.close()
