"""XLSX reading, after the archive itself has been checked (OWASP ASVS 5.2.3, 1.5.1).

An XLSX file is a zip of XML documents. Before openpyxl opens it: magic bytes, number of entries,
declared uncompressed sizes and compression ratios (a zip bomb declares its true size: CPython's
``zipfile`` stops reading an entry at its declared size and then fails its CRC check, so the
declared figures bound what openpyxl can inflate), no encryption, and no DTD in any XML part.
Then openpyxl parses with defusedxml (a hard dependency), which refuses entity declarations
anyway: billion laughs and external entities never expand.
"""

import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
from defusedxml import DefusedXmlException
from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ImportRefused

ZIP_MAGIC = b"PK\x03\x04"
MAX_CELL_CHARS = 32767  # Excel's own limit for one cell
XML_PREFIX_BYTES = 65536
RATIO_MIN_SIZE = 1 << 20  # small parts compress well and are harmless

if not openpyxl.DEFUSEDXML:  # pragma: no cover - requirements.txt pins defusedxml
    raise ImportError("defusedxml est requis pour lire des classeurs XLSX sans risque.")


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def xlsx_check_archive(path: Path) -> None:
    """Refuse, in French, a file that is not a plain, reasonably sized XLSX workbook."""
    with Path(path).open("rb") as handle:
        if handle.read(4) != ZIP_MAGIC:
            raise ImportRefused(
                _(
                    "Ce fichier n'est pas un classeur XLSX (ce n'est pas une archive zip)."
                )
            )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ImportRefused(
            _("Classeur XLSX endommagé : archive zip illisible.")
        ) from error
    with archive:
        zip_check_limits(archive)
        names = {info.filename for info in archive.infolist()}
        if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
            raise ImportRefused(
                _("Ce fichier n'est pas un classeur XLSX (classeur Excel introuvable).")
            )


def zip_check_limits(archive: zipfile.ZipFile) -> None:
    """The checks every zip we open passes (XLSX workbook, Darwin Core archive): number
    of entries, declared sizes and ratios, no encryption, no DTD in an XML part."""
    infos = archive.infolist()
    max_entries = _limit("IMPORT_XLSX_MAX_ENTRIES", 200)
    if len(infos) > max_entries:
        raise ImportRefused(
            _("Classeur refusé : %(count)d éléments dans l'archive (maximum %(max)d).")
            % {"count": len(infos), "max": max_entries}
        )
    total = sum(info.file_size for info in infos)
    max_total = _limit("IMPORT_XLSX_MAX_UNCOMPRESSED", 500 * 1024 * 1024)
    if total > max_total:
        raise ImportRefused(
            _(
                "Classeur refusé : %(size)d Mo une fois décompressé (maximum %(max)d "
                "Mo)."
            )
            % {"size": total // 2**20, "max": max_total // 2**20}
        )
    max_ratio = _limit("IMPORT_XLSX_MAX_RATIO", 200)
    for info in infos:
        if info.flag_bits & 0x1:
            raise ImportRefused(_("Classeur refusé : il est chiffré."))
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_SIZE and ratio > max_ratio:
            raise ImportRefused(
                _(
                    "Classeur refusé : « %(name)s » se décompresse %(ratio)d fois "
                    "(bombe de décompression ?)."
                )
                % {"name": info.filename, "ratio": ratio}
            )
    for info in infos:
        if info.filename.endswith((".xml", ".rels", ".vml")):
            _check_no_dtd(archive, info)


def _check_no_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """A DTD must come before the root element; spreadsheets never carry one."""
    with archive.open(info) as part:
        prefix = part.read(XML_PREFIX_BYTES).upper()
    if b"<!DOCTYPE" in prefix or b"<!ENTITY" in prefix:
        raise ImportRefused(
            _(
                "Classeur refusé : « %s » déclare des entités XML (DTD), ce qu'un "
                "classeur normal ne fait jamais."
            )
            % info.filename
        )


def _refusal(error: Exception, line: int | None) -> ImportRefused:
    """French refusal for whatever openpyxl raised (it wraps parser errors in ValueError)."""
    causes = [error, error.__cause__, error.__context__]
    if any(isinstance(cause, DefusedXmlException) for cause in causes):
        return ImportRefused(
            _("Classeur refusé : il déclare des entités XML."), line=line
        )
    return ImportRefused(
        _("Classeur XLSX illisible (%s).") % type(error).__name__, line=line
    )


class Formula(str):
    """A formula cell's text. Refused by the row reader: its cached result may be stale, and a
    spreadsheet opening a re-export would run it."""


class XlsxTable:
    """The first worksheet: ``headers`` then ``rows()`` yielding (line, values); a formula
    cell's value is a ``Formula``."""

    kind = "xlsx"
    has_nul = False

    def __init__(self, path: Path):
        self.path = Path(path)
        xlsx_check_archive(self.path)
        try:
            self._book = openpyxl.load_workbook(
                self.path, read_only=True, data_only=False, keep_links=False
            )
            self._sheet = self._book.worksheets[0]
            self._iter = self._sheet.iter_rows()
            first = next(self._iter, ())
        except Exception as error:  # openpyxl raises many kinds on a corrupt workbook
            raise _refusal(error, None) from error
        self.headers = [
            "" if v is None else str(v).strip() for v in self._values(1, first)
        ]
        if not any(self.headers):
            self.close()
            raise ImportRefused(
                _("La première feuille n'a pas de ligne d'en-tête."), line=1
            )

    def _values(self, line: int, cells) -> list:
        values = []
        for cell in cells:
            value = cell.value
            if cell.data_type == "f":
                value = Formula(value)
            elif isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                raise ImportRefused(
                    _("Cellule trop grande (plus de %d caractères).") % MAX_CELL_CHARS,
                    line=line,
                )
            values.append(value)
        return values

    def estimate_rows(self) -> int:
        return max((self._sheet.max_row or 1) - 1, 0)

    def rows(self) -> Iterator[tuple[int, list]]:
        line = 1
        try:
            for cells in self._iter:
                line += 1
                yield line, self._values(line, cells)
        except ImportRefused:
            raise
        except Exception as error:
            raise _refusal(error, line) from error

    def close(self) -> None:
        self._book.close()
