"""Import of the 2005–2012 "state zero": a spreadsheet (CSV or XLSX) with one row per
species found on a terril, columns ``terril``, ``groupe``, ``espece`` (scientific name,
vernacular name or cd_nom) and optionally ``annee``. Every row is checked first, each problem
named by line and column as every import does (``cpie_naturaliste.core.tabular``); a single
error and nothing is written."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from cpie_naturaliste.core.tabular.errors import ErrorLog, error_text
from cpie_naturaliste.core.tabular.files import table_open
from referentiel.models import Dataset, Taxon
from terrils.models import Campaign, GroupCode, StateZeroTaxon, Terril

from .scoring import scores_recompute

STATE_ZERO_START = dt.date(2005, 1, 1)
STATE_ZERO_END = dt.date(2012, 12, 31)
DEFAULT_YEAR = 2008
COLUMNS = {"terril": "terril", "groupe": "group", "espece": "species", "annee": "year"}
GROUP_ALIASES = (
    {slugify(str(label)): code for code, label in GroupCode.choices}
    | {slugify(code): code for code in GroupCode.values}
    | {"oiseaux": GroupCode.BREEDING_BIRDS, "orthopteres": GroupCode.ORTHOPTERA}
)


@dataclass
class StateZeroResult:
    errors: list[str] = field(default_factory=list)
    rows: int = 0
    terrils: int = 0
    taxa: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _taxon(value: str) -> Taxon | None:
    value = value.strip()
    if value.isdigit():
        return Taxon.objects.filter(cd_nom=int(value)).first()
    matches = Taxon.objects.filter(
        Q(scientific_name__iexact=value) | Q(vernacular_name__iexact=value)
    ).order_by("cd_nom")
    valid = [t for t in matches if t.cd_nom == t.cd_ref]
    return (valid or list(matches) or [None])[0]


def state_zero_check(*, path: Path, filename: str):
    """Parse and check every row: (result, {terril: [(group, taxon)]}, years)."""
    result = StateZeroResult()
    table = table_open(path=path, filename=filename)
    try:
        headers = [slugify(h).replace("-", "_") for h in table.headers]
        index = {COLUMNS[h]: i for i, h in enumerate(headers) if h in COLUMNS}
        missing = [c for c in ("terril", "group", "species") if c not in index]
        if missing:
            result.errors.append(
                "Colonnes manquantes : terril, groupe, espece (trouvées : "
                + ", ".join(table.headers)
                + ")."
            )
            return result, {}, {}
        reader = _RowReader(table.headers, index)
        for line, cells in table.rows():
            if reader.read(line, [str(c or "").strip() for c in cells]):
                result.rows += 1
    finally:
        table.close()
    result.errors = [error_text(entry) for entry in reader.errors.entries]
    if not result.rows and not result.errors:
        result.errors.append("Aucune ligne à importer.")
    return result, reader.found, reader.years


class _RowReader:
    """Checks each row (terril, group, species, year), logging each problem by line and
    column; keeps the good rows by terril."""

    def __init__(self, headers: list[str], index: dict[str, int]):
        self.headers, self.index = headers, index
        self.terrils = {t.number.lower(): t for t in Terril.objects.all()}
        self.errors = ErrorLog()
        self.found: dict[Terril, list] = defaultdict(list)
        self.years: dict[Terril, int] = {}

    def read(self, line: int, cells: list[str]) -> bool:
        """False for an empty row."""
        if not any(cells):
            return False
        self.line, self.cells = line, cells
        terril = self._terril()
        group = GROUP_ALIASES.get(slugify(self.cell("group")))
        if group is None or group == GroupCode.HABITATS:
            self.error("group", f"groupe « {self.cell('group')} » inconnu.")
        taxon = _taxon(self.cell("species"))
        if taxon is None:
            self.error(
                "species", f"espèce « {self.cell('species')} » absente de TAXREF."
            )
        year = self.cell("year")
        if year and not (year.isdigit() and 2005 <= int(year) <= 2012):
            self.error("year", f"année « {year} » hors de 2005–2012.")
        if terril and group and taxon:
            self.found[terril].append((group, taxon))
            if year.isdigit():
                self.years[terril] = int(year)
        return True

    def cell(self, name: str) -> str:
        i = self.index.get(name)
        return self.cells[i] if i is not None and i < len(self.cells) else ""

    def error(self, name: str, message: str) -> None:
        self.errors.add(self.line, self.headers[self.index[name]], message)

    def _terril(self) -> Terril | None:
        name = self.cell("terril").lower()
        terril = self.terrils.get(name.removeprefix("t").removeprefix("n° "))
        terril = terril or self.terrils.get(name)
        if terril is None:
            self.error("terril", f"terril « {self.cell('terril')} » inconnu.")
        return terril


@transaction.atomic
def state_zero_import(
    *,
    path: Path,
    filename: str = "",
    dataset: Dataset | None = None,
    writable_campaigns=None,
) -> StateZeroResult:
    """Check the whole file, then replace the state zero of every terril it names and
    recompute their scores under every method version; nothing is written on error.

    ``dataset`` is the one the new state zeros belong to (an existing one keeps its own
    unless ``dataset`` is given). ``writable_campaigns`` (from a page: the state-zero
    campaigns the user may replace, terrils.permissions.state_zero_writable) refuses the
    whole file when it names a terril whose existing state zero is not among them."""
    result, found, years = state_zero_check(path=path, filename=filename or str(path))
    if result.errors:
        return result
    if writable_campaigns is not None:
        existing = Campaign.objects.filter(
            kind=Campaign.Kind.STATE_ZERO, terril__in=list(found)
        )
        refused = existing.exclude(pk__in=writable_campaigns.values("pk"))
        for number in refused.values_list("terril__number", flat=True):
            result.errors.append(
                f"Terril {number} : son état zéro appartient à un jeu de données d'un "
                "autre organisme."
            )
        if result.errors:
            return result
    campaigns = []
    for terril, entries in found.items():
        defaults = {
            "year": years.get(terril, DEFAULT_YEAR),
            "date_start": STATE_ZERO_START,
            "date_end": STATE_ZERO_END,
        }
        if dataset is not None:
            defaults["dataset"] = dataset
        campaign, _created = Campaign.objects.update_or_create(
            terril=terril,
            kind=Campaign.Kind.STATE_ZERO,
            defaults=defaults,
        )
        campaign.state_zero_taxa.all().delete()
        unique = {(group, taxon.pk) for group, taxon in entries}
        StateZeroTaxon.objects.bulk_create(
            StateZeroTaxon(campaign=campaign, group=group, taxon_id=taxon_id)
            for group, taxon_id in sorted(unique)
        )
        result.taxa += len(unique)
        campaigns.append(campaign)
    result.terrils = len(campaigns)
    scores_recompute(campaigns=campaigns)
    return result
