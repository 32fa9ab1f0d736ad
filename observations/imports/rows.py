"""One file row → one tuple of the staging table, or errors naming the line and the column.

Every row is checked even after errors, so the report lists them all. A row with errors still
goes to the staging table (its bad cells empty, no key) so that the set-based checks (taxon,
territory…) report its other problems too; nothing reaches the occurrence table in that case.
"""

import datetime as dt
import hashlib
from operator import itemgetter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpie_naturaliste.core.tabular import cells, geometry
from cpie_naturaliste.core.tabular.cells import CellError, header_key
from cpie_naturaliste.core.tabular.errors import ErrorLog
from cpie_naturaliste.core.tabular.xlsx_table import Formula
from observations.models import Occurrence

from .columns import GEOMETRY_OPTIONS, TARGETS_BY_KEY
from .parsers import OriginId, cell_parser, is_taxref_address

CODE_FIELDS = tuple(Occurrence.NOMENCLATURES)
# Staging columns filled from the file, in COPY order, with their PostgreSQL types.
STAGING = (
    ("line", "integer"),
    ("uuid", "uuid"),
    ("source_key", "text"),
    ("taxon_id", "integer"),
    ("cited_name", "text"),
    ("date_start", "date"),
    ("date_end", "date"),
    ("time_start", "time"),
    ("time_end", "time"),
    ("geom", "geometry"),
    ("precision_m", "integer"),
    ("place_name", "text"),
    ("altitude_min", "integer"),
    ("altitude_max", "integer"),
    ("observers_label", "text"),
    ("determiner_label", "text"),
    ("count_min", "integer"),
    ("count_max", "integer"),
    *((field, "text") for field in CODE_FIELDS),
    ("proof_url", "text"),
    ("proof_text", "text"),
    ("comment", "text"),
)
POS = {name: index for index, (name, _type) in enumerate(STAGING)}
# Fields that identify a row without idSINPOccTax: the same values give the same key.
FINGERPRINT = (
    "taxon_id",
    "date_start",
    "date_end",
    "time_start",
    "time_end",
    "count_min",
    "count_max",
    "observers_label",
    *CODE_FIELDS,
)
_FINGERPRINT_VALUES = itemgetter(*(POS[name] for name in FINGERPRINT))
CITED_LIMIT = Occurrence._meta.get_field("cited_name").max_length or 10000
REQUIRED_MESSAGES = (
    ("cdNom", "taxon_id", gettext_lazy("taxon (cd_nom) manquant.")),
    ("dateDebut", "date_start", gettext_lazy("date de début manquante.")),
    ("observateur", "observers_label", gettext_lazy("observateur manquant.")),
)


class RowReader:
    """Turns rows of one file into staging tuples, writing each problem to ``errors``."""

    def __init__(
        self, *, headers, mapping, dataset_uuid, errors: ErrorLog, has_nul, formulas
    ):
        self.errors = errors
        self.has_nul = has_nul
        self.formulas = formulas  # XLSX: cells may hold formulas
        self.headers = headers
        self.today = dt.date.today()
        self.srid = int(mapping.get("srid", 4326))
        index = {}
        for position, header in enumerate(headers):
            index.setdefault(header, position)
        columns = mapping["columns"]
        self.header = {key: header for key, header in columns.items()}
        # A Darwin Core file's scientificName resolves the taxa its taxonID does not
        # give as TAXREF's (GBIF, iNaturalist): ``taxon_names`` is filled before reading.
        self.name_column = None
        if header_key(columns.get("cdNom", "")) in ("taxonid", "scientificname"):
            self.name_column = next(
                (i for i, h in enumerate(headers) if header_key(h) == "scientificname"),
                None,
            )
        self.taxon_names: dict[str, int | str] = {}
        self.taxon_column = index.get(columns.get("cdNom"))
        self.plan = []  # (staging position or None, cell index, header, parser)
        for key, header in columns.items():
            target = TARGETS_BY_KEY[key]
            if target.kind in ("wkt", "coord"):
                continue
            name = {"determiner": "determiner_label", "taxon": "taxon_id"}.get(
                target.field, target.field
            )
            position = POS.get(name) if key != "idOrigine" else POS["source_key"]
            self.plan.append(
                (
                    position,
                    index[header],
                    header,
                    cell_parser(
                        target,
                        dataset_uuid=str(dataset_uuid),
                        header=header,
                        by_name=self.name_column is not None,
                    ),
                )
            )
        self.geometry = [
            (option, [index[columns[k]] for k in option])
            for option in GEOMETRY_OPTIONS
            if all(columns.get(k) for k in option)
        ]
        self.template = [None] * len(STAGING)
        for field in CODE_FIELDS:
            self.template[POS[field]] = Occurrence._meta.get_field(field).default
        for name in ("cited_name", "place_name", "observers_label", "comment"):
            self.template[POS[name]] = ""
        for name in ("proof_url", "proof_text", "determiner_label"):
            self.template[POS[name]] = ""

    def read(self, line: int, row: list) -> tuple | None:
        """The staging tuple of a data row; None for an empty row."""
        width = len(row)
        if not any(v is not None and str(v).strip() for v in row):
            return None
        values = list(self.template)
        values[0] = line
        self.bad: set[str] = set()
        add = self._add
        origin = None
        if self.formulas and any(value.__class__ is Formula for value in row):
            self._formulas(line, row)
        for position, cell, header, parse in self.plan:
            raw = row[cell] if cell < width else None
            if raw is None or raw.__class__ is Formula:
                continue
            if raw.__class__ is str:
                raw = raw.strip()
                if not raw:
                    continue
                if self.has_nul and "\x00" in raw:
                    add(line, header, _("caractère nul (NUL) interdit."))
                    continue
            try:
                value = parse(raw)
            except CellError as error:
                add(line, header, error.message)
                if position is not None:
                    values[position] = None
                continue
            if value.__class__ is OriginId:
                origin = value  # an occurrenceID that is no UUID: the source's own id
                continue
            if position is not None:
                values[position] = value
        if origin and values[POS["source_key"]] is None:
            values[POS["source_key"]] = origin
        if self.name_column is not None and values[POS["taxon_id"]] is None:
            self._taxon_by_name(line, row, values)
        geometry_key = self._geometry(line, row, values)
        self._required(line, values)
        self._dates(line, values)
        self._counts(line, values)
        if not self.bad:
            if values[POS["uuid"]] is not None:
                values[POS["source_key"]] = ""
            elif values[POS["source_key"]] is not None:
                values[POS["source_key"]] = "origine:" + values[POS["source_key"]]
            else:
                values[POS["source_key"]] = self._fingerprint(values, geometry_key)
        else:
            values[POS["source_key"]] = None
        return tuple(values)

    def names_to_resolve(self, rows) -> set[str]:
        """The distinct scientific names of ``rows`` whose taxonID is no TAXREF address."""
        names, name_cell, taxon_cell = set(), self.name_column, self.taxon_column
        for _line, row in rows:
            if name_cell >= len(row) or not row[name_cell]:
                continue
            taxon = row[taxon_cell] if taxon_cell < len(row) else None
            if taxon_cell == name_cell or not is_taxref_address(taxon):
                names.add(str(row[name_cell]).strip())
        return names

    def _taxon_by_name(self, line: int, row: list, values: list) -> None:
        header = self.header["cdNom"]
        if header in self.bad:
            return
        name = row[self.name_column] if self.name_column < len(row) else None
        name = str(name).strip() if name is not None else ""
        if not name:
            return  # "taxon manquant" below
        found = self.taxon_names.get(name)
        if isinstance(found, int):
            values[POS["taxon_id"]] = found
            if not values[POS["cited_name"]]:
                values[POS["cited_name"]] = name[:CITED_LIMIT]
        else:
            self.bad.add(header)  # one error, on the name, not "taxon manquant" too
            self._add(
                line,
                self.headers[self.name_column],
                found or _("Nom « %s » introuvable dans TAXREF.") % name,
            )

    def _formulas(self, line: int, row: list) -> None:
        for index, value in enumerate(row):
            if value.__class__ is Formula:
                header = self.headers[index] if index < len(self.headers) else ""
                self._add(
                    line,
                    header,
                    _(
                        "formule « %s » refusée : enregistrez les valeurs, pas les formules."
                    )
                    % cells.show_value(value),
                )

    def _add(self, line: int, column: str, message: str) -> None:
        self.bad.add(column)
        self.errors.add(line, column, message)

    def _geometry(self, line: int, row: list, values: list) -> str:
        width = len(row)
        for option, indexes in self.geometry:
            raw = [row[i] if i < width else None for i in indexes]
            raw = [v.strip() if isinstance(v, str) else v for v in raw]
            if all(v is None or v == "" for v in raw):
                continue
            header = " / ".join(self.header[k] for k in option)
            try:
                if option == ("geometrie",):
                    ewkt, key = geometry.parse_wkt(raw[0], self.srid)
                else:
                    if any(v is None or v == "" for v in raw):
                        raise CellError(_("coordonnée manquante."))
                    srid = 4326 if option[0] == "longitude" else self.srid
                    x, y = (cells.parse_float(v) for v in raw)
                    ewkt, key = geometry.point_ewkt(x, y, srid)
            except CellError as error:
                self._add(line, header, error.message)
                return ""
            values[POS["geom"]] = ewkt
            return key
        columns = [self.header[k] for option, _i in self.geometry for k in option]
        self._add(line, " / ".join(columns), _("localisation manquante."))
        return ""

    def _required(self, line: int, values: list) -> None:
        for key, name, message in REQUIRED_MESSAGES:
            header = self.header[key]
            if values[POS[name]] in (None, "") and header not in self.bad:
                self._add(line, header, str(message))

    def _dates(self, line: int, values: list) -> None:
        start, end = values[POS["date_start"]], values[POS["date_end"]]
        has_end = "dateFin" in self.header and end is not None
        if end is None and self.header.get("dateFin") not in self.bad:
            end = values[POS["date_end"]] = start
        column = self.header["dateFin"] if has_end else self.header["dateDebut"]
        if start and end and start > end:
            self._add(
                line,
                column,
                _("la date de début (%(start)s) est postérieure à la date de fin.")
                % {"start": start.strftime("%d/%m/%Y")},
            )
        elif end and end > self.today:
            self._add(
                line, column, _("date dans le futur (%s).") % end.strftime("%d/%m/%Y")
            )

    def _counts(self, line: int, values: list) -> None:
        header = self.header.get
        low, high = values[POS["count_min"]], values[POS["count_max"]]
        if low is None and high is not None:
            low = values[POS["count_min"]] = high
        elif high is None and low is not None:
            high = values[POS["count_max"]] = low
        if low is not None and high is not None and low > high:
            self._add(
                line,
                header("denombrementMax") or header("denombrementMin"),
                _("dénombrement minimal (%(min)d) supérieur au maximal (%(max)d).")
                % {"min": low, "max": high},
            )
        if values[POS["observation_status"]] == "No":
            if high is None:
                values[POS["count_min"]] = values[POS["count_max"]] = 0
            elif high > 0:
                self._add(
                    line,
                    header("denombrementMax") or header("denombrementMin"),
                    _("une absence (statut « No ») ne compte aucun individu."),
                )
        low, high = values[POS["altitude_min"]], values[POS["altitude_max"]]
        if low is not None and high is not None and low > high:
            self._add(
                line,
                header("altitudeMax"),
                _("altitude minimale supérieure à la maximale."),
            )

    @staticmethod
    def _fingerprint(values: list, geometry_key: str) -> str:
        parts = [*map(str, _FINGERPRINT_VALUES(values)), geometry_key]
        digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16)
        return "empreinte:" + digest.hexdigest()
