"""Remarkable finds of a year, detected from the records (issue 10 §2, issue 22 §3):

- **first mention**: no valid presence record of the taxon, or of any valid name below it
  (TAXREF ``cd_sup``), exists before the year in a département (``first_departement``),
  or over the communes of the reader's organisation's territory (referentiel
  ``Organisation.territory_communes``, ``first_territory``), whatever the source or the
  dataset of the earlier records; its first record of the year is the find (the second
  is none). A taxon new to several départements and to the territory is **one** find,
  naming every zone it is new to (a first for a département if it is new to any);
- **return**: the taxon was recorded in the département before, but not for more than
  ``INDICATEURS_GAP_YEARS`` years (10 by default);
- **rare or threatened**: the year's valid records of a taxon of regional rarity E, RR or R,
  or red-listed CR, EN or VU.

A **common** taxon is never a first mention nor a return: one of regional rarity
``INDICATEURS_COMMON_RARITIES`` (C and CC by default: commun, très commun), or with at
least ``INDICATEURS_COMMON_RECORDS`` valid records (20 by default) in the instance over
the ``INDICATEURS_COMMON_YEARS`` years up to the year (10 by default), all départements
and sources together: a taxon that many people record is missing from a département's
history for want of observers, not a discovery.

Earlier records count whoever may read them (a partner's private record still makes a
later one a second): they are read from the presence history (indicateurs.summary). Only
the finds among the records the user may read are listed, and what is shown of them
(commune, site) goes through the user's blurring. Coordinators confirm or set aside each
find, comment it and pick those of the report (RemarkableFind): one decision per taxon,
kind of find and year for each organisation, so that one structure's decision does not
overwrite another's.

"Valid" is a validation status of 1 (certain – very probable) or 2 (probable): a record
awaiting validation becomes a find once validated.
"""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import connection
from django.db.models import (
    Count,
    Min,
)

from indicateurs.models import RemarkableFind, TaxonPresence
from indicateurs.scan import YearScan, in_territory, year_scan
from observations.atlas import SPECIES_OR_BELOW
from observations.blurring import blurred_columns
from observations.models import Occurrence
from referentiel.models import Commune, Departement, Site, Taxon, TaxonStatus


def _descendants(roots: set[int]) -> dict[int, set[int]]:
    """Each cd_ref of ``roots`` with the valid names below it (one recursive query)."""
    if not roots:
        return {}
    table = Taxon._meta.db_table
    sql = (
        f"WITH RECURSIVE tree(root, cd_nom) AS ("
        f" SELECT cd_nom, cd_nom FROM {table} WHERE cd_nom = ANY(%s)"
        f" UNION SELECT tree.root, t.cd_nom FROM {table} t"
        f" JOIN tree ON t.cd_sup = tree.cd_nom WHERE t.cd_nom = t.cd_ref)"
        f" SELECT root, cd_nom FROM tree"
    )
    tree: dict[int, set[int]] = defaultdict(set)
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(roots)])
        for root, cd_nom in cursor.fetchall():
            tree[root].add(cd_nom)
    for root in roots:
        tree[root].add(root)
    return tree


def _unseen_before(
    *, candidates: set[tuple[int, str]], tree: dict, year: int, gap: int
) -> dict[tuple[int, str], int | None]:
    """The candidates (valid name, zone) with no valid record of the name or of a name
    below it in the zone before ``year`` (→ None), or whose last one is more than ``gap``
    years old (→ that year), from the presence history: one query, the candidates and the
    tree passed as arrays, only the finds coming back (300 of 15,000 pairs)."""
    pairs = sorted(candidates)
    branches = sorted(
        (root, ref) for root in {c for c, _ in pairs} for ref in tree[root]
    )
    table = TaxonPresence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH candidate(root, zone) AS (
                   SELECT * FROM unnest(%s::int[], %s::text[])),
                 branch(root, ref) AS (SELECT * FROM unnest(%s::int[], %s::int[]))
            , history AS MATERIALIZED (
                SELECT c.root, c.zone,
                       (SELECT max(y) FROM unnest(p.years) y WHERE y < %s) AS last
                  FROM candidate c
                  JOIN branch b ON b.root = c.root
                  LEFT JOIN {table} p ON p.cd_ref = b.ref AND p.zone = c.zone)
            SELECT root, zone, max(last) FROM history
             GROUP BY root, zone
            HAVING max(last) IS NULL OR max(last) < %s
            """,
            [
                [c for c, _ in pairs],
                [z for _, z in pairs],
                [r for r, _ in branches],
                [b for _, b in branches],
                year,
                year - gap,
            ],
        )
        return {(root, zone): last for root, zone, last in cursor.fetchall()}


def common_taxa(
    *, roots: set[int], tree: dict[int, set[int]], year: int, scan: YearScan
) -> set[int]:
    """The taxa of ``roots`` that are common in the region, so never a find: a regional
    rarity of ``INDICATEURS_COMMON_RARITIES`` (referentiel TaxonStatus), or at least
    ``INDICATEURS_COMMON_RECORDS`` valid records of the taxon or of the names below it
    (``tree``) over the ``INDICATEURS_COMMON_YEARS`` years up to ``year``, every
    département and source together: the earlier years from the presence history, the
    year itself from its live pass (``scan``)."""
    if not roots:
        return set()
    common = set(
        TaxonStatus.objects.filter(
            taxon_id__in=roots, rarity__in=settings.INDICATEURS_COMMON_RARITIES
        ).values_list("taxon_id", flat=True)
    )
    since = year - settings.INDICATEURS_COMMON_YEARS + 1
    refs = {ref for root in roots for ref in tree.get(root, {root})}
    records: dict[int, int] = defaultdict(int)
    for cd_ref, years, counts in TaxonPresence.objects.filter(
        cd_ref__in=refs, zone__startswith="dep:"
    ).values_list("cd_ref", "years", "counts"):
        # ``counts`` is empty in rows built before it existed (until the next rebuild).
        per_year = zip(years, counts, strict=False)
        records[cd_ref] += sum(n for y, n in per_year if since <= y < year)
    for root in roots - common:
        names = tree.get(root, {root})
        total = sum(records[ref] + scan.counts.get(ref, 0) for ref in names)
        if total >= settings.INDICATEURS_COMMON_RECORDS:
            common.add(root)
    return common


def first_records(
    *, year: int, user, gap_years: int | None = None, scan: YearScan | None = None
) -> list[dict]:
    """Records of ``year`` that are the first valid one of their taxon (or of a name below
    it) in their département (``first_departement``) or in the territory of the reader's
    organisation (``first_territory``), or the first in the département after more than
    ``gap_years`` years without any (``return``).

    The year's records are read live (``scan``: the year's pass of indicateurs.scan,
    made here if not given); the earlier years come from the presence history
    (indicateurs.summary), rebuilt after imports and validations."""
    gap = settings.INDICATEURS_GAP_YEARS if gap_years is None else gap_years
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    visible = Occurrence.objects.visible_to(user)
    year_records = (
        visible.presences()
        .validated()
        .filter(date_start__gte=start, date_start__lt=end)
    )
    scan = scan or year_scan(year, user)
    territory = scan.territory
    candidates = set()
    for cd_ref, (departements, inside) in scan.taxa.items():
        candidates.update((cd_ref, f"dep:{code}") for code in departements)
        if inside and territory:
            candidates.add((cd_ref, f"org:{territory[0]}"))
    if not candidates:
        return []
    tree = _descendants({cd_ref for cd_ref, _ in candidates})
    unseen = _unseen_before(candidates=candidates, tree=tree, year=year, gap=gap)
    roots = {cd_ref for cd_ref, _ in unseen}
    # A name above the species ("Pieris", a genus) is no find: it says no taxon is new.
    species = set(
        Taxon.objects.filter(cd_nom__in=roots, rank__in=SPECIES_OR_BELOW).values_list(
            "cd_nom", flat=True
        )
    )
    common = common_taxa(roots=species, tree=tree, year=year, scan=scan)
    found: dict[tuple[int, str], tuple[str, int | None]] = {}
    for (cd_ref, zone), last in unseen.items():
        if cd_ref in common or cd_ref not in species:
            continue
        if last is None:
            kind = (
                RemarkableFind.Kind.FIRST_DEPARTEMENT
                if zone.startswith("dep:")
                else RemarkableFind.Kind.FIRST_TERRITORY
            )
            found[(cd_ref, zone)] = (kind, None)
        elif zone.startswith("dep:"):
            found[(cd_ref, zone)] = (RemarkableFind.Kind.RETURN, last)
    if not found:
        return []
    columns = blurred_columns(visible)
    wanted_refs = {ref for cd_ref, _ in found for ref in tree[cd_ref]}
    found_departements = {z[4:] for _, z in found if z.startswith("dep:")}
    fields = (
        "pk",
        "uuid",
        "date_start",
        "shown_commune",
        "shown_site",
        "taxon__cd_ref",
        "departement",
    )

    def earliest(queryset, *per: str):
        """The first record of the year of each valid name (and département)."""
        return (
            queryset.filter(taxon__cd_ref__in=wanted_refs)
            .annotate(
                shown_commune=columns["shown_commune_id"],
                shown_site=columns["shown_site_id"],
            )
            .order_by(*per, "date_start", "pk")
            .distinct(*per)
            .values(*fields)
        )

    # The first record of each valid name in each zone, among the records the user may
    # read; a find's first record may be that of a name below its taxon.
    first_of: dict[tuple[int, str], dict] = {}
    if found_departements:
        for record in earliest(
            year_records.filter(departement__in=found_departements),
            "taxon__cd_ref",
            "departement",
        ):
            first_of[(record["taxon__cd_ref"], f"dep:{record['departement']}")] = record
    if territory and any(z.startswith("org:") for _, z in found):
        for record in earliest(
            year_records.filter(in_territory(territory[0])), "taxon__cd_ref"
        ):
            first_of[(record["taxon__cd_ref"], f"org:{territory[0]}")] = record
    chosen: dict[tuple[int, str], dict] = {}
    for cd_ref, zone in found:
        records = [first_of[(r, zone)] for r in tree[cd_ref] if (r, zone) in first_of]
        if records:
            chosen[(cd_ref, zone)] = min(
                records, key=lambda r: (r["date_start"], r["pk"])
            )
    names = {
        t.cd_nom: t for t in Taxon.objects.filter(cd_nom__in={r for r, _ in chosen})
    }
    departement_names = dict(
        Departement.objects.filter(code__in=found_departements).values_list(
            "code", "name"
        )
    )

    def zone_name(zone: str) -> str:
        if zone.startswith("dep:"):
            return departement_names.get(zone[4:], zone[4:])
        return f"territoire {territory[1]}"

    # One find per taxon and kind: the zones a taxon is new to (départements first, then
    # the territory) are named together, its earliest record of the year anchors it.
    per_taxon: dict[tuple[int, bool], list[str]] = defaultdict(list)
    for cd_ref, zone in sorted(chosen, key=lambda c: (c[1].startswith("org:"), c)):
        is_return = found[(cd_ref, zone)][0] == RemarkableFind.Kind.RETURN
        per_taxon[(cd_ref, is_return)].append(zone)
    finds = []
    for (cd_ref, is_return), zones in per_taxon.items():
        kinds = {found[(cd_ref, zone)][0] for zone in zones}
        if is_return:
            kind = RemarkableFind.Kind.RETURN
        elif RemarkableFind.Kind.FIRST_DEPARTEMENT in kinds:
            kind = RemarkableFind.Kind.FIRST_DEPARTEMENT
        else:
            kind = RemarkableFind.Kind.FIRST_TERRITORY
        record = min(
            (chosen[(cd_ref, zone)] for zone in zones),
            key=lambda r: (r["date_start"], r["pk"]),
        )
        codes = [zone[4:] for zone in zones if zone.startswith("dep:")]
        lasts = [found[(cd_ref, zone)][1] for zone in zones]
        taxon = names[cd_ref]
        finds.append(
            {
                "kind": kind.value,
                "kind_label": str(kind.label),
                "occurrence": record["pk"],
                "uuid": str(record["uuid"]),
                "cd_ref": cd_ref,
                "taxon": taxon.scientific_name,
                "vernacular": (taxon.vernacular_name or "").split(",")[0].strip(),
                "zone": zones[0],
                "zones": zones,
                "zone_name": ", ".join(zone_name(zone) for zone in zones),
                "departement": codes[0] if codes else "",
                "departement_name": zone_name(f"dep:{codes[0]}") if codes else "",
                "last_year": max((y for y in lasts if y), default=None),
                "date": record["date_start"].isoformat(),
                "commune_id": record["shown_commune"],
                "site_id": record["shown_site"],
            }
        )
    _name_places(finds)
    _decisions(finds, year=year, organisation_id=_organisation_id(user))
    finds.sort(key=lambda f: (f["date"], f["taxon"], f["kind"]))
    return finds


def _name_places(finds: list[dict]) -> None:
    communes = dict(
        Commune.objects.filter(
            pk__in={f["commune_id"] for f in finds if f["commune_id"]}
        ).values_list("pk", "name")
    )
    sites = dict(
        Site.objects.filter(
            pk__in={f["site_id"] for f in finds if f["site_id"]}
        ).values_list("pk", "name")
    )
    for find in finds:
        find["commune"] = communes.get(find.pop("commune_id"), "")
        find["site"] = sites.get(find.pop("site_id"), "")


def _organisation_id(user) -> int | None:
    return getattr(user, "organisation_id", None)


def _decisions(finds: list[dict], *, year: int, organisation_id: int | None) -> None:
    """What the coordinators of ``organisation_id`` said of each find of ``year`` (status,
    comment, picked for the report): one decision per taxon and kind of find."""
    decisions = {
        (d.cd_ref, d.kind): d
        for d in RemarkableFind.objects.filter(
            organisation_id=organisation_id,
            year=year,
            cd_ref__in={f["cd_ref"] for f in finds},
        )
    }
    for find in finds:
        decision = decisions.get((find["cd_ref"], find["kind"]))
        find["status"] = (
            decision.status if decision else RemarkableFind.Status.TO_CONFIRM.value
        )
        find["status_label"] = str(RemarkableFind.Status(find["status"]).label)
        find["in_report"] = bool(decision and decision.in_report)
        find["comment"] = decision.comment if decision else ""


def decisions_apply(finds: dict) -> None:
    """The coordinators' current decisions on the finds of ``remarkable_finds`` once kept
    as JSON (indicateurs.snapshots), where its lists no longer share their rows: those of
    the organisation the finds were read for."""
    lists = [value for value in finds.values() if isinstance(value, list)]
    _decisions(
        [find for found in lists for find in found if isinstance(find, dict)],
        year=finds["year"],
        organisation_id=finds["organisation"],
    )


def rare_or_threatened(*, year: int, user) -> list[dict]:
    """Taxa of rarity E–R or red-listed CR/EN/VU among the year's valid records, each with
    its first record of the year (which carries the coordinators' decision)."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    records = (
        Occurrence.objects.visible_to(user)
        .presences()
        .validated()
        .filter(date_start__gte=start, date_start__lt=end)
        .filter(TaxonStatus.rare_or_threatened_q("taxon__status__"))
    )
    rows = (
        records.order_by()
        .values(
            "taxon",
            "taxon__cd_ref",
            "taxon__scientific_name",
            "taxon__vernacular_name",
            "taxon__status__rarity",
            "taxon__status__red_list",
        )
        .annotate(records=Count("pk"), first=Min("date_start"))
        .order_by("taxon__scientific_name")
    )
    anchors = {
        row["taxon"]: row
        for row in records.order_by("taxon", "date_start", "pk")
        .distinct("taxon")
        .values("taxon", "pk", "uuid")
    }
    kind = RemarkableFind.Kind.RARE
    found = [
        {
            "kind": kind.value,
            "kind_label": str(kind.label),
            "occurrence": anchors[row["taxon"]]["pk"],
            "uuid": str(anchors[row["taxon"]]["uuid"]),
            "cd_nom": row["taxon"],
            "cd_ref": row["taxon__cd_ref"],
            "taxon": row["taxon__scientific_name"],
            "vernacular": (row["taxon__vernacular_name"] or "").split(",")[0].strip(),
            "rarity": row["taxon__status__rarity"] or "",
            "red_list": row["taxon__status__red_list"] or "",
            "records": row["records"],
            "first_date": row["first"].isoformat(),
        }
        for row in rows
    ]
    _decisions(found, year=year, organisation_id=_organisation_id(user))
    return found


def remarkable_finds(*, year: int, user, scan: YearScan | None = None) -> dict:
    firsts = first_records(year=year, user=user, scan=scan)

    def of(kind) -> list[dict]:
        return [f for f in firsts if f["kind"] == kind]

    return {
        "year": year,
        # Whose decisions the finds carry (decisions_apply): the reader's organisation.
        "organisation": _organisation_id(user),
        "firsts": firsts,
        "first_departement": of(RemarkableFind.Kind.FIRST_DEPARTEMENT),
        "first_territory": of(RemarkableFind.Kind.FIRST_TERRITORY),
        "returns": of(RemarkableFind.Kind.RETURN),
        "gap_years": settings.INDICATEURS_GAP_YEARS,
        "rare_or_threatened": rare_or_threatened(year=year, user=user),
    }
