"""The one writer of every XLSX workbook the product hands out: the annual report
(indicateurs), the ringing report (baguage), the count-season table and the partner
extracts (observations).

Why one writer: a spreadsheet runs a text cell starting with ``=`` (or ``+``, ``-``, ``@``,
a tab, a carriage return…) as a formula as soon as the cell is edited or the sheet is saved
as CSV and opened again, and openpyxl itself stores any string starting with ``=`` as a
live formula. Four writers had grown, two without the guard: a find's comment
``=HYPERLINK(…)`` became a live link in the annual report. Here EVERY text cell goes
through :func:`guard_text` (OWASP "CSV injection": a leading apostrophe), while numbers stay
numbers (``-2.5`` is a number, not a formula) and dates stay dates. ``tests/test_workbooks``
walks the code so that no other module imports openpyxl to write.

Always openpyxl's write-only mode: rows go to a temporary file as they come, so a
million-row extract streams with flat memory (rows given as an iterator; the columns are
then as wide as their header). The small reports give lists, and the columns are fitted to
their content. Each sheet: an optional heading line, a header row (bold, frozen, with an
autofilter over the table), then the rows.
"""

import datetime as dt
import io
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

# A text cell starting with one of these is a formula to a spreadsheet (OWASP "CSV
# injection": = + - @ tab CR; line feed and NUL too, which some spreadsheets skip before
# reading the formula sign).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
# Excel refuses (and "repairs" the whole file) a cell longer than this.
MAX_CELL_CHARS = 32_767
# Characters XML 1.0 cannot carry (control characters but tab, CR, LF): openpyxl raises on
# them, which would fail a whole extract for one pasted character.
REPLACEMENT_CHARACTER = "\ufffd"

DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
TIME_FORMAT = "HH:MM"

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="2E6B3F")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
HEADING_FONT = Font(bold=True, size=13)
TOTAL_FONT = Font(bold=True)
WRAPPED = Alignment(wrap_text=True, vertical="top")
MIN_WIDTH, MAX_WIDTH = 8, 70
# A report's sheets (``wrap``): text wraps in columns of at most this many characters,
# numbers show their thousands (3 768, the spreadsheet's locale decides the separator).
WRAP_WIDTH = 45
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0##"
SHEET_TITLE_FORBIDDEN = str.maketrans({c: "-" for c in "[]:*?/\\"})


def guard_text(text: str) -> str:
    """Text a spreadsheet shows as text: a leading apostrophe before a formula sign, the
    characters XML cannot hold replaced by U+FFFD, cut at Excel's cell limit."""
    if text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT_CHARACTER, text)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 1] + "…"
    return text


def cell_value(value):
    """What a cell holds for a Python value: numbers, booleans and dates typed (aware
    datetimes in local time, as Excel has no time zones), lists joined with ", ", anything
    else as guarded text. Idempotent."""
    if value is None:
        return None
    if isinstance(value, str):
        return guard_text(str(value))  # str() too: a TextChoices member, a Formula…
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)  # an IntegerChoices member is written as its number
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, dt.time):
        return value.replace(tzinfo=None)
    if isinstance(value, list | tuple | set | frozenset):
        return guard_text(", ".join(str(item) for item in value))
    return guard_text(str(value))


def number_format(value) -> str | None:
    """The French display of a typed cell (dates as 31/12/2020), or None."""
    if isinstance(value, dt.datetime):
        return DATETIME_FORMAT
    if isinstance(value, dt.date):
        return DATE_FORMAT
    if isinstance(value, dt.time):
        return TIME_FORMAT
    return None


def report_format(value) -> str | None:
    """A report sheet's display of a typed cell: dates as above, numbers grouped."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return INTEGER_FORMAT
    if isinstance(value, float | Decimal):
        return DECIMAL_FORMAT
    return number_format(value)


def _width(value) -> int:
    """Characters the value takes once displayed (its longest line for text)."""
    if value is None:
        return 0
    if isinstance(value, str):
        return max(len(line) for line in value.split("\n"))
    if isinstance(value, dt.datetime):
        return len("31/12/2020 23:59")
    if isinstance(value, dt.date):
        return len("31/12/2020")
    if isinstance(value, dt.time):
        return len("23:59")
    if isinstance(value, bool):
        return len("FALSE")
    return len(str(value))


def sheet_title(title: str) -> str:
    """A title Excel accepts: none of []:*?/\\, 31 characters at most, not empty."""
    title = str(title).translate(SHEET_TITLE_FORBIDDEN).strip("'")[:31]
    return title or "Feuille"


class WorkbookWriter:
    """Sheets written one after the other, then :meth:`save` (once).

    >>> book = WorkbookWriter()
    >>> book.sheet("Bilan 2020", ["Site", "Données"], [["Marais", 12]])
    1
    >>> data = book.getvalue()
    """

    def __init__(self, *, print_header: str | None = None) -> None:
        """``print_header``: the workbook is a report to print: every sheet in landscape
        fitted to the page width, its header rows repeated on each page, this text in the
        page header (the structure, the year) and "Page n / N" in the footer."""
        self._book = Workbook(write_only=True)
        self._sheets = 0
        self._print_header = print_header

    def sheet(
        self,
        title: str,
        columns: Sequence,
        rows: Iterable[Sequence],
        *,
        heading: str | None = None,
        total: Sequence | None = None,
        wrap: bool = False,
    ) -> int:
        """Write one sheet; returns the number of rows (header excluded).

        ``rows`` as a list or tuple: the columns are fitted to the content. Any other
        iterable (a generator over a server-side cursor) is streamed row by row, never held
        in memory; the columns are then as wide as their header. ``heading``: a title line
        above the table (then a blank line, the header on line 3). ``total``: a last row
        in bold (not sorted or filtered with the table). ``wrap``: a report's sheet, text
        wrapped in columns of at most WRAP_WIDTH characters, numbers grouped (the rows are
        then a list)."""
        sheet = self._book.create_sheet(sheet_title(title))
        self._sheets += 1
        header = [cell_value(column) for column in columns]
        widths = [_width(value) for value in header]
        if wrap:
            rows = list(rows)
        fitted = isinstance(rows, list | tuple)
        if fitted:
            rows = [[cell_value(value) for value in row] for row in rows]
            for row in rows:
                for index, value in enumerate(row):
                    if index == len(widths):
                        widths.append(0)
                    widths[index] = max(widths[index], _width(value))
        # Column widths and the frozen pane go before the first row (write-only mode).
        if total is not None:
            total = [cell_value(value) for value in total]
            for index, value in enumerate(total[: len(widths)]):
                widths[index] = max(widths[index], _width(value))
        widest = WRAP_WIDTH if wrap else MAX_WIDTH
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(
                max(width + 2, MIN_WIDTH), widest
            )
        header_line = 3 if heading is not None else 1
        sheet.freeze_panes = f"A{header_line + 1}"
        if self._print_header is not None:
            self._print_setup(sheet, header_line)
        if heading is not None:
            title_cell = WriteOnlyCell(sheet, value=cell_value(heading))
            title_cell.font = HEADING_FONT
            sheet.append([title_cell])
            sheet.append([])
        sheet.append([self._header_cell(sheet, value) for value in header])
        count = 0
        for row in rows:
            if wrap:
                sheet.append(self._report_cells(sheet, row))
            else:
                sheet.append(self._cells(sheet, row, converted=fitted))
            count += 1
        last_column = get_column_letter(max(len(widths), 1))
        sheet.auto_filter.ref = f"A{header_line}:{last_column}{header_line + count}"
        if total is not None:
            cells = self._report_cells(sheet, total, wrap=wrap)
            for cell in cells:
                cell.font = TOTAL_FONT
            sheet.append(cells)
        return count

    def _print_setup(self, sheet, header_line: int) -> None:
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = "9"  # A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.gridLines = True
        sheet.print_title_rows = f"{header_line}:{header_line}"
        # Header and footer codes: & doubled in the text, &P the page, &N the pages.
        sheet.oddHeader.left.text = self._print_header.replace("&", "&&")
        sheet.oddHeader.right.text = "&A"
        sheet.oddFooter.right.text = "Page &P / &N"

    @staticmethod
    def _report_cells(sheet, row: Sequence, *, wrap: bool = True) -> list:
        """Every value of a report line as a styled cell: numbers and dates formatted,
        text wrapped (already converted by :func:`cell_value`)."""
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            fmt = report_format(value)
            if fmt is not None:
                cell.number_format = fmt
            elif wrap and isinstance(value, str):
                cell.alignment = WRAPPED
            cells.append(cell)
        return cells

    @staticmethod
    def _header_cell(sheet, value) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font, cell.fill, cell.alignment = (
            HEADER_FONT,
            HEADER_FILL,
            HEADER_ALIGNMENT,
        )
        return cell

    @staticmethod
    def _cells(sheet, row: Sequence, *, converted: bool) -> list:
        cells = []
        for value in row:
            kind = value.__class__
            if kind is str:  # the common cases first: an extract has millions of cells
                cells.append(value if converted else guard_text(value))
                continue
            if value is None or kind is int or kind is float and converted:
                cells.append(value)
                continue
            if not converted:
                value = cell_value(value)
            fmt = number_format(value)
            if fmt is None:
                cells.append(value)
            else:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = fmt
                cells.append(cell)
        return cells

    def save(self, out: BinaryIO | Path | str) -> None:
        """Write the workbook to a path or a binary file (only once: write-only mode)."""
        if not self._sheets:
            raise ValueError("Un classeur sans feuille ne s'ouvre pas dans un tableur.")
        self._book.save(out)

    def getvalue(self) -> bytes:
        buffer = io.BytesIO()
        self.save(buffer)
        return buffer.getvalue()
