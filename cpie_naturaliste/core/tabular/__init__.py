"""The tabular layer every import reads its files through (occurrences, counts, ringing,
reference files, terrils' state zero).

``files.table_open`` picks the reader a file needs (``CsvTable``: encoding and delimiter
sniffed; ``XlsxTable``: the archive checked before openpyxl opens it; ``DwcaTable``: a Darwin
Core archive's occurrence core, read by python-dwca-reader after the same checks), all yielding
``(line, cells)`` with the header as line 1. ``cells`` and ``geometry`` turn one cell into a
typed value or raise ``CellError`` with a French reason; ``errors`` holds the whole-file refusal
(``ImportRefused``), the line/column log (``ErrorLog``) and the rejected-file error
(``ImportFileError``). Every import is all or nothing: rows are checked first, every problem is
logged, and nothing is written while the log is not empty.
"""
