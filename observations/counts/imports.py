"""Import of a count season from the coordinators' spreadsheet (CSV or XLSX).

One row per site visit: ``site`` (code or name of a site of the programme), ``date``, then
optional ``couverture`` (V complet, O incomplet, N non compté, X rien trouvé),
``observateurs`` (« NOM Prénom » separated by commas, known people), ``temperature``,
``humidite``, ``glace`` (0–3), ``niveau_eau`` (bas/normal/haut), ``derangement``,
``commentaire``; then one column per species of the programme, headed by its scientific or
vernacular name. An empty species cell is « non compté », 0 is a zero count.

Every row is checked first, every problem reported with its line, column and reason; then
all or nothing is written. A site already counted that season is updated through
``visit_save``; new visits are written in bulk (``visits_create_bulk``). The write rule
(``referentiel.permissions``): the user may enter data in the programme's dataset, and may
change every visit the file updates (staff: their own; coordinators: their organisation's).
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpie_naturaliste.core.tabular.cells import (
    CellError,
    header_key,
    parse_date,
    parse_float,
    parse_int,
    show_value,
)
from cpie_naturaliste.core.tabular.errors import ErrorLog, ImportRefused
from cpie_naturaliste.core.tabular.files import table_open
from observations.models import CountProgramme, CountVisit
from referentiel.models import Person
from referentiel.permissions import may_write_in

from .selectors import programme_sites, programme_taxa, visits_writable_by
from .services import VisitEntry, visit_check, visit_save, visits_create_bulk

# Keys as ``header_key`` writes them (no accents, case, spaces, dashes or underscores).
FIXED = {
    "site": "site",
    "date": "date",
    "couverture": "coverage",
    "observateurs": "observers",
    "temperature": "temperature",
    "humidite": "humidity",
    "glace": "ice",
    "niveau_eau": "water_level",
    "niveau_d_eau": "water_level",
    "derangement": "disturbance",
    "commentaire": "comment",
}
FIXED = {header_key(name): field for name, field in FIXED.items()}
COVERAGE = {
    "v": "V",
    "complet": "V",
    "o": "O",
    "incomplet": "O",
    "n": "N",
    "non_compte": "N",
    "x": "X",
    "rien_trouve": "X",
}
COVERAGE = {header_key(name): code for name, code in COVERAGE.items()}
WATER = {"bas": "low", "normal": "normal", "haut": "high"}


@dataclass
class CountImportResult:
    filename: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: ErrorLog = field(default_factory=ErrorLog)


def counts_import(
    *, programme: CountProgramme, path: Path, filename: str, user
) -> CountImportResult:
    """Check every row, then write all of them or none (see the module docstring)."""
    result = CountImportResult(filename=filename)
    if not may_write_in(user, programme.dataset_id):
        raise ImportRefused(
            _("Import réservé aux organismes qui produisent le jeu de données.")
        )
    table = table_open(path=path, filename=filename)
    lines: dict[tuple[int, int], int] = {}
    try:
        columns = _columns(table.headers, programme, result.errors)
        entries = []
        if not result.errors:
            reader = _RowReader(programme, columns, result.errors)
            lines = reader.seen
            for line, values in table.rows():
                entry = reader.read(line, values)
                if entry is not None:
                    entries.append(entry)
                result.rows += 1
    finally:
        table.close()
    if not result.errors and not entries:
        raise ImportRefused(_("Le fichier ne contient aucune ligne de données."))
    if result.errors:
        return result
    existing = set(
        CountVisit.objects.filter(count_site__programme=programme).values_list(
            "count_site_id", "season"
        )
    )
    new, old = [], []
    for entry in entries:
        season = programme.season_of(entry.date)
        (old if (entry.count_site.pk, season) in existing else new).append(entry)
    # The write rule: a visit already entered is updated only by a user who may change it.
    allowed = set(
        visits_writable_by(user, programme).values_list("count_site_id", "season")
    )
    for entry in old:
        key = (entry.count_site.pk, programme.season_of(entry.date))
        if key not in allowed:
            result.errors.add(
                lines.get(key),
                "site",
                _(
                    "Visite déjà saisie par une autre personne : seule la coordination "
                    "de l'organisme peut la modifier."
                ),
            )
    if result.errors:
        return result
    with transaction.atomic():
        visits_create_bulk(entries=new, user=user)
        for entry in old:
            visit_save(entry=entry, user=user)
    result.created, result.updated = len(new), len(old)
    return result


def _columns(headers, programme, errors: ErrorLog) -> dict[int, str | int]:
    """Column index → fixed field name or taxon id."""
    taxa = {}
    for taxon in programme_taxa(programme):
        taxa[header_key(taxon.scientific_name)] = taxon.pk
        for name in taxon.vernacular_name.split(","):
            if name.strip():
                taxa.setdefault(header_key(name), taxon.pk)
    columns = {}
    for index, header in enumerate(headers):
        key = header_key(str(header or ""))
        if not key:
            continue
        if key in FIXED:
            columns[index] = FIXED[key]
        elif key in taxa:
            columns[index] = taxa[key]
        else:
            errors.add(
                1,
                str(header),
                _("Colonne inconnue : ni un champ ni une espèce du programme."),
            )
    found = set(columns.values())
    for required in ("site", "date"):
        if required not in found:
            errors.add(1, required, _("Colonne obligatoire absente."))
    return columns


class _RowReader:
    def __init__(self, programme, columns, errors: ErrorLog):
        self.programme, self.columns, self.errors = programme, columns, errors
        self.sites = {}
        for count_site in programme_sites(programme):
            for key in (count_site.code, count_site.site.code, count_site.site.name):
                if key:
                    self.sites.setdefault(header_key(key), count_site)
        self.people = {}
        for person in Person.objects.all():
            self.people[header_key(str(person))] = person
            self.people.setdefault(
                header_key(f"{person.first_name} {person.last_name}"), person
            )
        self.seen: dict[tuple[int, int], int] = {}
        self.taxon_names = {t.pk: t.scientific_name for t in programme_taxa(programme)}

    def read(self, line: int, values: list) -> VisitEntry | None:
        cells = {}
        for index, target in self.columns.items():
            value = values[index] if index < len(values) else None
            if isinstance(value, str):
                value = value.strip()
            cells[target] = value
        if all(value in (None, "") for value in cells.values()):
            return None
        before = self.errors.total
        entry = VisitEntry(count_site=None, date=None)
        self._fixed(line, cells, entry)
        for target, value in cells.items():
            if isinstance(target, int):
                entry.counts[target] = self._cell(
                    line,
                    self.taxon_names[target],
                    value,
                    lambda v: parse_int(v, minimum=0),
                )
        if self.errors.total > before or entry.count_site is None or entry.date is None:
            return None
        key = (entry.count_site.pk, self.programme.season_of(entry.date))
        if key in self.seen:
            self.errors.add(
                line,
                "site",
                _("Site déjà compté cette saison à la ligne %(line)d.")
                % {"line": self.seen[key]},
            )
            return None
        self.seen[key] = line
        try:
            visit_check(entry, self.programme)
        except ValidationError as error:
            for column, messages in error.message_dict.items():
                for message in messages:
                    self.errors.add(line, column, message)
            return None
        return entry

    def _cell(self, line, column: str, value, parse):
        if value in (None, ""):
            return None
        try:
            return parse(value)
        except CellError as error:
            self.errors.add(line, column, error.message)
            return None

    def _fixed(self, line, cells, entry: VisitEntry) -> None:
        site = cells.get("site")
        if site in (None, ""):
            self.errors.add(line, "site", _("Site obligatoire."))
        else:
            entry.count_site = self.sites.get(header_key(str(site)))
            if entry.count_site is None:
                self.errors.add(
                    line,
                    "site",
                    _("Site « %s » inconnu dans ce programme.") % show_value(site),
                )
        if cells.get("date") in (None, ""):
            self.errors.add(line, "date", _("Date obligatoire."))
        else:
            entry.date = self._cell(line, "date", cells["date"], parse_date)
            if entry.date and entry.date > timezone.localdate():
                self.errors.add(
                    line, "date", _("La date ne peut pas être dans le futur.")
                )
        coverage = cells.get("coverage")
        if coverage not in (None, ""):
            code = COVERAGE.get(header_key(str(coverage)))
            if code is None:
                self.errors.add(
                    line, "couverture", _("Couverture attendue : V, O, N ou X.")
                )
            else:
                entry.coverage = code
        names = cells.get("observers") or ""
        for name in str(names).split(","):
            if name.strip():
                person = self.people.get(header_key(name))
                if person is None:
                    self.errors.add(
                        line,
                        "observateurs",
                        _("Personne « %s » inconnue.") % name.strip(),
                    )
                else:
                    entry.observers.append(person)
        conditions = entry.conditions
        temperature = self._cell(
            line, "temperature", cells.get("temperature"), parse_float
        )
        if temperature is not None:
            conditions["temperature"] = round(temperature, 1)
        humidity = self._cell(
            line, "humidite", cells.get("humidity"), lambda v: parse_int(v, minimum=0)
        )
        if humidity is not None:
            if humidity > 100:
                self.errors.add(line, "humidite", _("Humidité au-delà de 100 %."))
            conditions["humidity"] = humidity
        ice = cells.get("ice")
        if ice not in (None, ""):
            if str(ice).strip() not in {"0", "1", "2", "3"}:
                self.errors.add(line, "glace", _("Glace attendue : 0, 1, 2 ou 3."))
            conditions["ice"] = str(ice).strip()
        water = cells.get("water_level")
        if water not in (None, ""):
            if header_key(str(water)) not in WATER:
                self.errors.add(
                    line, "niveau_eau", _("Niveau d'eau : bas, normal ou haut.")
                )
            conditions["water_level"] = WATER.get(header_key(str(water)), "")
        for name in ("disturbance", "comment"):
            if cells.get(name) not in (None, ""):
                conditions[name] = str(cells[name])[
                    : 200 if name == "disturbance" else 2000
                ]
