"""Import of a ringing season entered in the CRBPO spreadsheet template ("masque de saisie").

One row per bird handled (ACTION B, C or R) or per session without catch (ACTION SANS or
BREDOUILLE). Rows are grouped into sessions by date, station (STATION, else LIEUDIT, else
LOCALITE, matched against the ringing stations and their sites) and programme (THEME (SESSION),
else THEME, matched against the ringing programmes' code, name or CRBPO kind).

Same rule as occurrence imports: **every row is checked first** and every problem is reported
with its line, column and a French reason; **then all or nothing** is written in one
transaction, captures through ``baguage.services.capture_save`` so that each publishes its
occurrence. File reading (CSV ``;``/``,``/tab in UTF-8 or Windows-1252, XLSX with its size and
zip-bomb checks), cell parsing and the error log are the core tabular layer's
(``cpie_naturaliste.core.tabular``), shared with every other import.

Re-importing a file does not duplicate: a row whose session (date, station, programme), ring
and action are already in the database is skipped and counted as "déjà importée" — so a season
file completed with new rows can be imported again and only the new rows are added.

Modules, as in ``observations.imports``: ``columns`` (the template's columns), ``referential``
(what rows are matched against), ``rows`` and ``captures`` (one row), ``checks`` and ``rings``
(across rows), ``write`` and ``bulk`` (the transaction), ``process`` (end to end).
"""

from .columns import TEMPLATE_HEADERS, crbpo_headers
from .process import crbpo_import
from .result import CrbpoImportResult

__all__ = ["TEMPLATE_HEADERS", "CrbpoImportResult", "crbpo_headers", "crbpo_import"]
