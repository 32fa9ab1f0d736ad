"""Which reader a file needs, and the checks every file passes before any row is read."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from .csv_table import CsvTable
from .dwca_table import DwcaTable, is_dwca
from .errors import ImportRefused
from .xlsx_table import XlsxTable

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (Excel 97-2003) and other OLE documents
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}


def import_max_bytes() -> int:
    """Largest accepted file, in bytes (setting ``IMPORT_MAX_BYTES``, 100 Mo by default)."""
    return int(getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def size_refusal(size: int) -> ImportRefused:
    return ImportRefused(
        _("Fichier trop volumineux : %(size)s Mo (maximum %(max)s Mo).")
        % {
            "size": f"{size / 2**20:.1f}".replace(".", ","),
            "max": f"{import_max_bytes() / 2**20:.0f}",
        }
    )


def table_open(*, path: Path, filename: str) -> CsvTable | XlsxTable | DwcaTable:
    """Open ``path`` (uploaded as ``filename``) with the reader its content calls for."""
    path = Path(path)
    size = path.stat().st_size
    if size > import_max_bytes():
        raise size_refusal(size)
    if size == 0:
        raise ImportRefused(_("Le fichier est vide."))
    with path.open("rb") as handle:
        magic = handle.read(4)
    suffix = Path(filename).suffix.lower()
    if magic == OLE_MAGIC or suffix == ".xls":
        raise ImportRefused(
            _(
                "Format Excel 97-2003 (.xls) non pris en charge : enregistrez le classeur "
                "en .xlsx ou en CSV."
            )
        )
    if suffix == ".zip" or (magic.startswith(b"PK") and is_dwca(path)):
        return DwcaTable(path)
    if suffix in {".xlsx", ".xlsm"} or magic.startswith(b"PK"):
        return XlsxTable(path)
    if suffix in CSV_SUFFIXES or not suffix:
        return CsvTable(path)
    raise ImportRefused(
        _(
            "Format « %s » non pris en charge : fichier CSV, XLSX ou archive Darwin Core "
            "(.zip) attendu."
        )
        % suffix
    )


@dataclass(frozen=True)
class TableInfo:
    kind: str
    headers: list[str]
    estimated_rows: int


def table_inspect(*, path: Path, filename: str) -> TableInfo:
    """Headers and approximate row count of a file, after every file-level check."""
    table = table_open(path=path, filename=filename)
    try:
        return TableInfo(table.kind, table.headers, table.estimate_rows())
    finally:
        table.close()
