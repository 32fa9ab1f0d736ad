"""Atlas contributions: for a year, the records and species of each regional atlas group.

The figures of the yearly report to the Region (context: "Atlas contributions 2020 (records /
species)"), computed from the occurrences a user may read:

- a record is a presence (``observation_status = "Pr"``) dated in the year (start date);
- a species is counted once per group however it was named: synonyms go to their valid name
  (``cd_ref``), and a subspecies, variety or form counts for its species, found through TAXREF's
  ``cd_sup`` links or, when the referential lacks them, through the binomial of its name;
- records above the species (a genus, a family, "Amphibia") count as records, not as species.

The database only groups the year's rows by (atlas group, taxon): a few thousand rows whatever
the size of the table. The species are then resolved in Python over those distinct taxa.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from observations.blurring import Reader
from observations.models import AtlasCount, Occurrence
from referentiel.models import AtlasGroup, Dataset, Scope, Taxon

SPECIES_RANK = "ES"
# TAXREF ranks at or below the species (TAXREF_RANG); AGES (aggregate of species) is above.
SPECIES_OR_BELOW = frozenset(
    {
        "ES",
        "SMES",
        "MES",
        "SSES",
        "NAT",
        "VAR",
        "SVAR",
        "FO",
        "SSFO",
        "FOES",
        "LIN",
        "CLO",
        "RACE",
        "CAR",
        "MO",
        "AB",
    }
)
# Taxa of no atlas group fall in the kingdom line that matches their TAXREF kingdom.
KINGDOM_OF_TAXREF = {
    "Animalia": AtlasGroup.Kingdom.FAUNE,
    "Plantae": AtlasGroup.Kingdom.FLORE,
    "Fungi": AtlasGroup.Kingdom.FONGE,
}
# Years the page and the API accept: the year of the oldest naturalist records to this one.
YEAR_MIN = 1800
YEAR_INVALID = _(
    "Année invalide : indiquez une année sur quatre chiffres, par exemple 2020."
)
YEAR_OUT_OF_RANGE = _("L'année doit être comprise entre %(min)s et %(max)s.")
# Bound on the cd_sup walk from a subspecies up to its species (a form of a variety of a
# subspecies is three links away).
MAX_CD_SUP_DEPTH = 6

SpeciesKey = int | str


@dataclass
class AtlasLine:
    """One line of the table: a group, a kingdom, the ungrouped taxa or the total."""

    code: str
    name: str
    kingdom: str
    records: int = 0
    species: int = 0
    _keys: set = field(default_factory=set, repr=False, compare=False)

    def add(self, records: int, key: SpeciesKey | None) -> None:
        self.records += records
        if key is not None:
            self._keys.add(key)
        self.species = len(self._keys)

    def merge(self, other: "AtlasLine") -> None:
        self.records += other.records
        self._keys |= other._keys
        self.species = len(self._keys)

    def as_dict(self) -> dict:
        """The line as JSON (the atlas API, the annual indicators)."""
        return {
            "code": self.code,
            "name": self.name,
            "kingdom": self.kingdom,
            "records": self.records,
            "species": self.species,
        }


@dataclass
class AtlasContributions:
    """The table for one year: every atlas group (in display order, zeros included), the
    taxa of no atlas group (``ungrouped``, None when there are none), one line per kingdom
    and the total."""

    year: int
    groups: list[AtlasLine]
    ungrouped: AtlasLine | None
    kingdoms: list[AtlasLine]
    total: AtlasLine


def atlas_contributions(
    *, year: int, queryset: QuerySet | None = None, user=None
) -> AtlasContributions:
    """Records and species per atlas group for ``year``, from ``queryset``.

    Pass the occurrences the user may read, ``Occurrence.objects.visible_to(user)``; any
    other filter already applied to it (a dataset, a commune…) is kept. Or pass ``user``
    alone for everything that user may read: the counts are then read from the summary
    (``AtlasCount``) when it can tell what the user reads."""
    return atlas_contributions_by_year(years=[year], queryset=queryset, user=user)[year]


def atlas_contributions_by_year(
    *, years: Iterable[int], queryset: QuerySet | None = None, user=None
) -> dict[int, AtlasContributions]:
    """The tables of several years at the cost of one: a single pass over the rows of the
    span of years, grouped by (year, group, taxon), and one resolution of the species.

    Either ``queryset`` (occurrences already restricted to a reader, maybe filtered) or
    ``user`` (all that user reads: from the summary, see ``atlas_counts_visible``)."""
    years = sorted(set(years))
    summary = None
    if queryset is None:
        summary = atlas_counts_visible(user)
        if summary is None:
            queryset = Occurrence.objects.visible_to(user)
    if summary is not None:
        per_taxon = (
            summary.filter(year__gte=years[0], year__lte=years[-1])
            .order_by()
            .values_list("year", "atlas_group_id", "taxon_id")
            .annotate(records=Sum("records"))
        )
    else:
        per_taxon = (
            queryset.filter(
                observation_status="Pr",
                date_start__gte=dt.date(years[0], 1, 1),
                date_start__lt=dt.date(years[-1] + 1, 1, 1),
            )
            .order_by()
            .annotate(year=ExtractYear("date_start"))
            .values_list("year", "atlas_group_id", "taxon_id")
            .annotate(records=Count("id"))
        )
    rows = list(per_taxon)
    taxa = _taxa_with_valid_names({taxon_id for _, _, taxon_id, _ in rows})
    keys = _species_keys(taxa)
    groups = list(AtlasGroup.objects.order_by("position", "name"))
    by_year: dict[int, list[tuple[int | None, int, int]]] = {year: [] for year in years}
    for year, group_id, taxon_id, records in rows:
        if year in by_year:
            by_year[year].append((group_id, taxon_id, records))
    return {
        year: _table(year, by_year[year], groups=groups, taxa=taxa, keys=keys)
        for year in years
    }


def atlas_counts_visible(user) -> QuerySet | None:
    """The summary rows (``AtlasCount``) of the presences ``user`` reads, exactly as
    ``Occurrence.objects.visible_to(user)`` keeps them: the datasets of their read scope,
    and level-4 records only when they read them precisely (their organisation's datasets,
    their own entries). None when the summary cannot tell (anonymous visitors, who read
    validated records only, and users who read only their own entries): read the
    occurrences then."""
    if not user.is_authenticated or user.read_scope == Scope.OWN:
        return None
    rows = AtlasCount.objects.all()
    if user.read_scope != Scope.ALL:
        rows = rows.filter(dataset_id__in=Dataset.objects.visible_to(user).values("pk"))
    reader = Reader.for_user(user)
    if not reader.sees_everything:
        shown = Q(hidden=False) | Q(created_by_id=user.pk)
        if reader.own_dataset_ids:
            shown |= Q(dataset_id__in=sorted(reader.own_dataset_ids))
        rows = rows.filter(shown)
    return rows


def _table(
    year: int,
    rows: list[tuple[int | None, int, int]],
    *,
    groups: list[AtlasGroup],
    taxa: dict[int, "_Name"],
    keys: dict[int, SpeciesKey],
) -> AtlasContributions:
    lines = {
        group.pk: AtlasLine(group.code, group.name, group.kingdom) for group in groups
    }
    kingdom_lines = {
        code: AtlasLine(code, str(label), code)
        for code, label in AtlasGroup.Kingdom.choices
    }
    ungrouped = AtlasLine("", str(_("Autres taxons (sans groupe d'atlas)")), "")
    ungrouped_by_kingdom: dict[str, AtlasLine] = defaultdict(
        lambda: AtlasLine("", "", "")
    )
    for group_id, taxon_id, records in rows:
        key = keys.get(taxon_id)
        if group_id in lines:
            lines[group_id].add(records, key)
        else:
            ungrouped.add(records, key)
            taxon = taxa.get(taxon_id)
            kingdom = KINGDOM_OF_TAXREF.get(taxon.kingdom if taxon else "", "")
            ungrouped_by_kingdom[kingdom].add(records, key)

    total = AtlasLine("total", str(_("Total")), "")
    for line in lines.values():
        if line.kingdom in kingdom_lines:
            kingdom_lines[line.kingdom].merge(line)
        total.merge(line)
    for kingdom, line in ungrouped_by_kingdom.items():
        if kingdom in kingdom_lines:
            kingdom_lines[kingdom].merge(line)
        total.merge(line)
    kingdoms_in_use = {line.kingdom for line in lines.values()}
    return AtlasContributions(
        year=year,
        groups=list(lines.values()),
        ungrouped=ungrouped if ungrouped.records else None,
        kingdoms=[
            line
            for code, line in kingdom_lines.items()
            if code in kingdoms_in_use or line.records
        ],
        total=total,
    )


def atlas_year_max() -> int:
    return dt.date.today().year


def atlas_year_parse(value: str | None, *, default: int) -> int:
    """The year of a query parameter, ``default`` when absent; ``ValueError`` carrying the
    French message when it is not a year the atlas can show."""
    if value is None or value.strip() == "":
        return default
    try:
        year = int(value.strip())
    except ValueError:
        raise ValueError(str(YEAR_INVALID)) from None
    if not YEAR_MIN <= year <= atlas_year_max():
        raise ValueError(
            str(YEAR_OUT_OF_RANGE) % {"min": YEAR_MIN, "max": atlas_year_max()}
        )
    return year


def atlas_years(*, queryset: QuerySet) -> list[int]:
    """Years a user can pick, newest first: from the first year of ``queryset`` to the
    latest one (this year when there are no records). Two index scans on the start date."""
    dates = queryset.order_by().values_list("date_start", flat=True)
    first = dates.order_by("date_start").first()
    last = dates.order_by("-date_start").first()
    if first is None:
        return [atlas_year_max()]
    return list(range(last.year, first.year - 1, -1))


@dataclass(frozen=True)
class _Name:
    cd_nom: int
    cd_ref: int
    cd_sup: int | None
    rank: str
    scientific_name: str
    kingdom: str


def _names(cd_noms: Iterable[int]) -> dict[int, _Name]:
    return {
        row[0]: _Name(*row)
        for row in Taxon.objects.filter(cd_nom__in=list(cd_noms)).values_list(
            "cd_nom", "cd_ref", "cd_sup", "rank", "scientific_name", "kingdom"
        )
    }


def _taxa_with_valid_names(taxon_ids: set[int]) -> dict[int, _Name]:
    """The observed names and their valid names, in one dictionary by cd_nom."""
    names = _names(taxon_ids)
    missing = {name.cd_ref for name in names.values()} - names.keys()
    if missing:
        names.update(_names(missing))
    return names


def binomial(scientific_name: str) -> str:
    """ "Genus epithet" of a name at or below the species: "Pelophylax lessonae bergeri" →
    "Pelophylax lessonae"; keeps a klepton ("Pelophylax kl. esculentus") and drops a
    subgenus in parentheses."""
    words = [w for w in scientific_name.split() if not w.startswith("(")]
    if len(words) >= 3 and words[0] in {"x", "×"}:
        words = [f"{words[0]} {words[1]}", *words[2:]]
    if len(words) >= 3 and words[1] == "kl.":
        return " ".join(words[:3])
    return " ".join(words[:2])


def _species_keys(names: dict[int, _Name]) -> dict[int, SpeciesKey]:
    """For each observed cd_nom, the key of its species: the cd_nom of the valid species,
    or its binomial when the referential does not hold the species. Names above the species
    get no key."""
    valid = {
        cd_nom: names[name.cd_ref]
        for cd_nom, name in names.items()
        if name.cd_ref in names
    }
    infra = {
        ref
        for ref in {n.cd_nom for n in valid.values()}
        if names[ref].rank in SPECIES_OR_BELOW and names[ref].rank != SPECIES_RANK
    }
    species_of_infra = _species_through_cd_sup(infra, names)
    unresolved = {
        binomial(names[ref].scientific_name)
        for ref in infra
        if ref not in species_of_infra
    }
    by_binomial = dict(
        Taxon.objects.filter(
            scientific_name__in=unresolved, rank=SPECIES_RANK
        ).values_list("scientific_name", "cd_ref")
    )
    keys: dict[int, SpeciesKey] = {}
    for cd_nom, name in valid.items():
        if name.rank == SPECIES_RANK:
            keys[cd_nom] = name.cd_nom
        elif name.rank in SPECIES_OR_BELOW:
            if name.cd_nom in species_of_infra:
                keys[cd_nom] = species_of_infra[name.cd_nom]
            else:
                species = binomial(name.scientific_name)
                keys[cd_nom] = by_binomial.get(species, species)
    return keys


def _species_through_cd_sup(infra: set[int], names: dict[int, _Name]) -> dict[int, int]:
    """Follow ``cd_sup`` from each infraspecific valid name up to a species (valid cd_ref)."""
    found: dict[int, int] = {}
    current = {ref: names[ref].cd_sup for ref in infra if names[ref].cd_sup}
    for _depth in range(MAX_CD_SUP_DEPTH):
        if not current:
            break
        missing = set(current.values()) - names.keys()
        if missing:
            names.update(_names(missing))
        following = {}
        for ref, parent_id in current.items():
            parent = names.get(parent_id)
            if parent is None:
                continue
            if parent.rank == SPECIES_RANK:
                found[ref] = parent.cd_ref
            elif parent.rank in SPECIES_OR_BELOW and parent.cd_sup:
                following[ref] = parent.cd_sup
        current = following
    return found
