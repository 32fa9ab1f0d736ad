"""Darwin Core Archive reading (a GBIF download, an iNaturalist export, our own DwC-A).

The archive passes the zip checks every workbook passes (entries, sizes, ratios, no DTD),
then python-dwca-reader reads its descriptor (``meta.xml``; an archive of one data file needs
none) and streams its core file. The table's headers are the core's terms, short names
(``occurrenceID``, ``eventDate``…), ``id`` for the core's id column; its rows are the core
records, numbered as lines of the core file (its header lines first), text cells as written.
"""

import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _
from dwca.read import DwCAReader

from .errors import ImportRefused
from .xlsx_table import zip_check_limits

OCCURRENCE = "http://rs.tdwg.org/dwc/terms/Occurrence"


def is_dwca(path: Path) -> bool:
    """A zip that holds a Darwin Core descriptor, or one data file and no workbook."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
    except (zipfile.BadZipFile, OSError):
        return False
    if "meta.xml" in names:
        return True
    data = [n for n in names if n.lower().endswith((".txt", ".csv", ".tsv"))]
    return len(data) == 1 and "xl/workbook.xml" not in names


class DwcaTable:
    """The occurrence core of a Darwin Core archive: ``headers`` then ``rows()``."""

    kind = "dwca"
    has_nul = False

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            with zipfile.ZipFile(self.path) as archive:
                zip_check_limits(archive)
        except (zipfile.BadZipFile, OSError) as error:
            raise ImportRefused(_("Archive Darwin Core illisible (zip).")) from error
        try:
            self._reader = DwCAReader(str(self.path), skip_metadata=True)
        except Exception as error:  # the reader raises many kinds on a broken archive
            raise ImportRefused(
                _("Archive Darwin Core illisible : %s.") % type(error).__name__
            ) from error
        descriptor = self._reader.core_file.file_descriptor
        row_type = getattr(descriptor, "type", None)
        if row_type and row_type != OCCURRENCE:
            self.close()
            raise ImportRefused(
                _(
                    "Archive Darwin Core dont le cœur n'est pas des occurrences (%s) : "
                    "seules les archives d'occurrences sont importées."
                )
                % row_type.rsplit("/", 1)[-1]
            )
        # The id column is often also a term's (occurrenceID): the term names it.
        columns = {
            f["index"]: f["term"] for f in descriptor.fields if f["index"] is not None
        }
        if descriptor.id_index is not None:
            columns.setdefault(descriptor.id_index, "id")
        self._terms = [columns[index] for index in sorted(columns)]
        self.headers = [term.rsplit("/", 1)[-1] for term in self._terms]
        self._skip = descriptor.lines_to_ignore

    def estimate_rows(self) -> int:
        return sum(1 for _row in self._reader.core_file.iter_terms(self._terms[:1]))

    def rows(self) -> Iterator[tuple[int, list]]:
        line = self._skip
        try:
            for values in self._reader.core_file.iter_terms(self._terms):
                line += 1
                yield line, list(values)
        except UnicodeDecodeError as error:
            raise ImportRefused(
                _("Encodage invalide dans l'archive (UTF-8 attendu)."), line=line + 1
            ) from error

    def close(self) -> None:
        self._reader.close()
