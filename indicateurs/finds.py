"""Remarkable finds of a year, detected from the records (issue 10 §2, first slice):

- **first for a département**: the earliest valid presence record of a taxon, or of any
  valid name below it (TAXREF ``cd_sup``), in a département falls in the year. Earlier
  records count whoever may read them (a partner's private record still makes a later one
  a second), but only the finds among the records the user may read are listed, and what
  is shown of them (commune, site) goes through the user's blurring;
- **rare or threatened**: the year's valid records of a taxon of regional rarity E, RR or R,
  or red-listed CR, EN or VU.

"Valid" is a validation status of 1 (certain – very probable) or 2 (probable): a record
awaiting validation becomes a find once validated.
"""

import datetime as dt
from collections import defaultdict

from django.db import connection
from django.db.models import Count, Min, Q

from observations.blurring import blurred_columns
from observations.models import Occurrence
from referentiel.models import Commune, Departement, Site, Taxon

VALID = (1, 2)
RARE = ("E", "RR", "R")
THREATENED = ("CR", "EN", "VU")


def _valid_presences(queryset):
    return queryset.filter(observation_status="Pr", validation_status__in=VALID)


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


def first_records(*, year: int, user) -> list[dict]:
    """Records of ``year`` that are the first of their taxon in their département."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    visible = Occurrence.objects.visible_to(user)
    candidates = set(
        _valid_presences(visible)
        .filter(date_start__gte=start, date_start__lt=end)
        .exclude(departement=None)
        .order_by()
        .values_list("taxon__cd_ref", "departement")
        .distinct()
    )
    if not candidates:
        return []
    tree = _descendants({cd_ref for cd_ref, _ in candidates})
    refs = set().union(*tree.values())
    departements = {code for _, code in candidates}
    # The first date of each valid name in each of those départements, over all records
    # up to the end of the year.
    earliest = {
        (cd_ref, code): first
        for cd_ref, code, first in _valid_presences(Occurrence.objects.all())
        .filter(
            taxon__cd_ref__in=refs,
            departement__in=departements,
            date_start__lt=end,
        )
        .order_by()
        .values_list("taxon__cd_ref", "departement")
        .annotate(first=Min("date_start"))
        .values_list("taxon__cd_ref", "departement", "first")
    }
    firsts = []
    for cd_ref, code in candidates:
        dates = [
            earliest[(ref, code)] for ref in tree[cd_ref] if (ref, code) in earliest
        ]
        if dates and min(dates) >= start:
            firsts.append((cd_ref, code))
    if not firsts:
        return []
    columns = blurred_columns(visible)
    names = {
        t.cd_nom: t
        for t in Taxon.objects.filter(cd_nom__in={cd_ref for cd_ref, _ in firsts})
    }
    departement_names = dict(
        Departement.objects.filter(code__in=departements).values_list("code", "name")
    )
    # The first record of each find among the year's records the user may read, in one
    # pass over those records (ordered by date): a root's record may be a name below it.
    roots_of: dict[int, set[int]] = defaultdict(set)
    for cd_ref, _code in firsts:
        for ref in tree[cd_ref]:
            roots_of[ref].add(cd_ref)
    wanted = set(firsts)
    chosen: dict[tuple[int, str], dict] = {}
    records = (
        _valid_presences(visible)
        .filter(
            taxon__cd_ref__in=set(roots_of),
            departement__in={code for _, code in firsts},
            date_start__gte=start,
            date_start__lt=end,
        )
        .annotate(
            shown_commune=columns["shown_commune_id"],
            shown_site=columns["shown_site_id"],
        )
        .order_by("date_start", "pk")
        .values(
            "pk",
            "uuid",
            "date_start",
            "shown_commune",
            "shown_site",
            "taxon__cd_ref",
            "departement",
        )
    )
    for record in records.iterator(chunk_size=2000):
        code = record["departement"]
        for root in roots_of[record["taxon__cd_ref"]]:
            key = (root, code)
            if key in wanted and key not in chosen:
                chosen[key] = record
    finds = []
    for (cd_ref, code), record in chosen.items():
        taxon = names[cd_ref]
        finds.append(
            {
                "kind": "first_departement",
                "occurrence": record["pk"],
                "uuid": str(record["uuid"]),
                "cd_ref": cd_ref,
                "taxon": taxon.scientific_name,
                "vernacular": (taxon.vernacular_name or "").split(",")[0].strip(),
                "departement": code,
                "departement_name": departement_names.get(code, code),
                "date": record["date_start"].isoformat(),
                "commune_id": record["shown_commune"],
                "site_id": record["shown_site"],
            }
        )
    _name_places(finds)
    _decisions(finds)
    finds.sort(key=lambda f: (f["date"], f["taxon"]))
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


def _decisions(finds: list[dict]) -> None:
    """What the coordinators said of each find (status, comment, picked for the report)."""
    from indicateurs.models import RemarkableFind

    decisions = {
        d.occurrence_id: d
        for d in RemarkableFind.objects.filter(
            kind=RemarkableFind.Kind.FIRST_DEPARTEMENT,
            occurrence__in=[f["occurrence"] for f in finds],
        )
    }
    for find in finds:
        decision = decisions.get(find["occurrence"])
        find["status"] = (
            decision.status if decision else RemarkableFind.Status.TO_CONFIRM.value
        )
        find["status_label"] = str(RemarkableFind.Status(find["status"]).label)
        find["in_report"] = bool(decision and decision.in_report)
        find["comment"] = decision.comment if decision else ""


def report_finds(firsts: list[dict]) -> list[dict]:
    """The firsts that go into the report: those picked, once any is; until then all
    those not set aside (the coordinators have not chosen yet)."""
    picked = [f for f in firsts if f["in_report"]]
    if picked:
        return picked
    return [f for f in firsts if f["status"] != "ecartee"]


def rare_or_threatened(*, year: int, user) -> list[dict]:
    """Taxa of rarity E–R or red-listed CR/EN/VU among the year's valid records."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    rows = (
        _valid_presences(Occurrence.objects.visible_to(user))
        .filter(date_start__gte=start, date_start__lt=end)
        .filter(
            Q(taxon__status__rarity__in=RARE)
            | Q(taxon__status__red_list__in=THREATENED)
        )
        .order_by()
        .values(
            "taxon",
            "taxon__scientific_name",
            "taxon__vernacular_name",
            "taxon__status__rarity",
            "taxon__status__red_list",
        )
        .annotate(records=Count("pk"), first=Min("date_start"))
        .order_by("taxon__scientific_name")
    )
    return [
        {
            "cd_nom": row["taxon"],
            "taxon": row["taxon__scientific_name"],
            "vernacular": (row["taxon__vernacular_name"] or "").split(",")[0].strip(),
            "rarity": row["taxon__status__rarity"] or "",
            "red_list": row["taxon__status__red_list"] or "",
            "records": row["records"],
            "first_date": row["first"].isoformat(),
        }
        for row in rows
    ]


def remarkable_finds(*, year: int, user) -> dict:
    return {
        "firsts": first_records(year=year, user=user),
        "rare_or_threatened": rare_or_threatened(year=year, user=user),
    }
