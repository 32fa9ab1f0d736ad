"""The facts of one year the indicator figures are read from (:mod:`indicateurs.figures`).

:func:`year_facts` gathers them in one dict, computed once per year: the figures of the
year and of the year before are then plain reads of two such dicts. Nothing here computes
what the other apps already compute: the atlas table comes from ``observations.atlas``,
the ringing totals from ``baguage.reports``, the POP season from
``zones_humides.selectors.pop``, the outreach figures from ``sensibilisation.selectors``,
the terril ranking from ``terrils.selectors``, the finds from :mod:`indicateurs.finds`.
What is read here is the glue: the programmes run, the partners, the exchanges and the
wetland operations.

Every read goes through the user's scope (``visible_to`` and the apps' own helpers).
"""

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.db.models import Count, Q, Sum

from baguage.reports import annual_table
from indicateurs.finds import remarkable_finds
from indicateurs.scan import year_scan
from observations.atlas import atlas_contributions
from observations.counts.selectors import season_table
from observations.models import (
    CountProgramme,
    DataExchange,
    Extract,
    Occurrence,
    Source,
)
from referentiel.models import (
    AtlasGroup,
    Dataset,
    Organisation,
    Programme,
    ReportLine,
    Scope,
)
from sensibilisation.models import Action, Audience
from sensibilisation.permissions import actions_visible_to
from sensibilisation.selectors import figures_for_year
from terrils.selectors import ranking
from terrils.services import version_resolve
from zones_humides.models import ManagementOperation
from zones_humides.selectors.pop import aires_readable, pop_results
from zones_humides.selectors.sites import wetland_sites

# Extracts that reached their recipient (a failed or pending one is no exchange).
DELIVERED = (Extract.Status.DONE, Extract.Status.EXPIRED)


def number(value):
    """JSON-friendly numbers: Decimals as int when whole, else float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)


def _occurrences_of(year: int, user):
    start, end = _year_bounds(year)
    return Occurrence.objects.visible_to(user).filter(
        observation_status="Pr", date_start__gte=start, date_start__lt=end
    )


# Captures of the ringing programmes and counts of the site-count protocols (hibernacula;
# the drift fence's counts, published by zones_humides, below) have their own tables in
# the report: they are no atlas contribution.
APART_SOURCES = (Source.BAGUAGE, Source.COMPTAGE)


def report_occurrences(user):
    """The records the report's data figures count (records entered, fauna, flora, atlas
    contributions): what ``user`` may read, but ringing captures and site counts (their
    own tables), and, for a reader of one structure, only its own datasets (the partners'
    records it received are exchanges, not its contributions)."""
    records = (
        Occurrence.objects.visible_to(user)
        .exclude(source__in=APART_SOURCES)
        .filter(fence_count__isnull=True)
    )
    if user.read_scope != Scope.ALL and user.organisation_id:
        records = records.filter(dataset__producer_id=user.organisation_id)
    return records


def programmes_run(programme_ids: set[int]) -> list[dict]:
    """Programmes run in the year: those of the year's records (the record's programme or
    its dataset's, from the year's scan), with their atlas groups and the action of the
    report they belong to (``report_line``, None for the general inventory)."""
    programmes = (
        Programme.objects.filter(pk__in=programme_ids)
        .prefetch_related("taxon_groups")
        .order_by("code")
    )
    return [
        {
            "id": p.pk,
            "code": p.code,
            "name": p.name,
            "level": p.get_level_display(),
            "report_line": p.report_line,
            "groups": [g.name for g in p.taxon_groups.all()],
        }
        for p in programmes
    ]


def _extracts(year: int, user):
    start, end = _year_bounds(year)
    extracts = Extract.objects.filter(
        status__in=DELIVERED, created_at__date__gte=start, created_at__date__lt=end
    )
    if user.read_scope != Scope.ALL:
        extracts = extracts.filter(requested_by__organisation_id=user.organisation_id)
    return extracts


def _manual_exchanges(year: int, user):
    """Exchanges made outside the app and recorded by hand, dated in the year: the
    structure's own, every one for a network-wide reader."""
    start, end = _year_bounds(year)
    exchanges = DataExchange.objects.filter(date__gte=start, date__lt=end)
    if user.read_scope != Scope.ALL:
        exchanges = exchanges.filter(organisation_id=user.organisation_id)
    return exchanges


def exchanges(year: int, user) -> dict:
    """The data exchanges of the year, in all and per partner: the extracts delivered
    and the exchanges made outside the app (recorded by hand, both ways)."""
    extracts = _extracts(year, user)
    partners: dict[str, dict] = {}
    for row in (
        extracts.order_by()
        .values("recipient__name", "recipient__short_name")
        .annotate(n=Count("pk"), rows=Sum("rows"))
    ):
        name = row["recipient__short_name"] or row["recipient__name"]
        line = partners.setdefault(name, {"name": name, "extracts": 0, "rows": 0})
        line["extracts"] += row["n"]
        line["rows"] += row["rows"] or 0
    manual = list(
        _manual_exchanges(year, user).select_related("partner").order_by("date", "pk")
    )
    for exchange in manual:
        name = exchange.partner.short_name or exchange.partner.name
        line = partners.setdefault(name, {"name": name, "extracts": 0, "rows": 0})
        line["extracts"] += 1
        line["rows"] += exchange.rows
    totals = extracts.aggregate(n=Count("pk"), rows=Sum("rows"))
    return {
        "count": totals["n"] + len(manual),
        "rows": (totals["rows"] or 0) + sum(e.rows for e in manual),
        "by_hand": len(manual),
        "recipients": sorted(
            partners.values(), key=lambda line: (-line["rows"], line["name"])
        ),
        "log": [
            {
                "date": exchange.date.strftime("%d/%m/%Y"),
                "partner": exchange.partner.short_name or exchange.partner.name,
                "direction": str(exchange.get_direction_display()),
                "content": exchange.content,
                "fauna": exchange.fauna_rows,
                "flora": exchange.flora_rows,
                "species": exchange.species,
            }
            for exchange in manual
        ],
    }


def _operations(year: int, user):
    start, end = _year_bounds(year)
    return ManagementOperation.objects.filter(
        site__in=wetland_sites(user), date_start__gte=start, date_start__lt=end
    )


def _partner_ids(year: int, user, programme_ids: list[int]) -> set[int]:
    start, end = _year_bounds(year)
    actions = actions_visible_to(user).filter(date_start__gte=start, date_start__lt=end)
    programme_partners = Programme.partners.through.objects.filter(
        programme_id__in=programme_ids
    )
    action_partners = Action.partners.through.objects.filter(action__in=actions)
    beneficiaries = _operations(year, user).exclude(beneficiary=None)
    return (
        set(
            Programme.objects.filter(pk__in=programme_ids).values_list(
                "coordinator", flat=True
            )
        )
        | set(programme_partners.values_list("organisation_id", flat=True))
        | set(_extracts(year, user).values_list("recipient", flat=True))
        | set(action_partners.values_list("organisation_id", flat=True))
        | set(beneficiaries.values_list("beneficiary", flat=True))
    )


def partners(year: int, user, programme_ids: list[int]) -> dict:
    """Organisations involved in the year: coordinators and partners of the programmes
    run (of every action of the report), recipients of the extracts, partners of the
    outreach actions, beneficiaries of the wetland operations. The user's own
    organisation is no partner, and neither is a partner the structure only exchanged
    data with outside the app (the exchanges have their own figure): the report's 37
    partners leave out the SAPOLL plan it sends its bee and hoverfly data to."""
    found = Organisation.objects.filter(pk__in=_partner_ids(year, user, programme_ids))
    if user.organisation_id:
        found = found.exclude(pk=user.organisation_id)
    kinds = dict(Organisation.Kind.choices)
    rows = list(found.order_by("name").values("name", "short_name", "kind"))
    by_kind = Counter(str(kinds.get(r["kind"], r["kind"])) for r in rows)
    return {
        "count": len(rows),
        "by_kind": dict(sorted(by_kind.items(), key=lambda i: (-i[1], i[0]))),
        "names": [r["short_name"] or r["name"] for r in rows],
    }


def _operation_figures(operations) -> dict:
    kinds = dict(ManagementOperation.Kind.choices)
    by_kind = (
        operations.order_by()
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by("-n", "kind")
    )
    volunteers = (
        ManagementOperation.PerformedBy.BENEVOLES,
        ManagementOperation.PerformedBy.MIXTE,
    )
    return {
        "operations": operations.count(),
        "operation_sites": operations.values("site").distinct().count(),
        "operations_by_kind": {str(kinds[row["kind"]]): row["n"] for row in by_kind},
        "operations_volunteers": operations.filter(performed_by__in=volunteers).count(),
        "operations_for_companies": operations.filter(
            beneficiary__kind=Organisation.Kind.ENTREPRISE
        ).count(),
    }


def wetlands(year: int, user) -> dict:
    """The year's records on the wetland sites and the management operations there."""
    # The ids first (a few dozen sites): with the subquery inlined, the planner misjudges
    # how many records it keeps and scans the whole year twice (1 s at 1,000,000 rows).
    sites = list(wetland_sites(user).values_list("pk", flat=True))
    occurrences = _occurrences_of(year, user).filter(site_id__in=sites).order_by()
    counts = occurrences.aggregate(
        records=Count("pk"),
        sites=Count("site", distinct=True),
        programmes=Count("programme", distinct=True),
    )
    return {
        "sites_studied": counts["sites"],
        "programmes": counts["programmes"],
        "records": counts["records"],
        **_operation_figures(_operations(year, user)),
    }


def _pop_aire(result) -> dict:
    return {
        "number": result.aire.number,
        "name": result.aire.name,
        "sites_visited": len(result.sites_visited),
        "sites_occupied": len(result.sites_occupied),
        "records": result.records,
        "positive": result.positive,
        "species": len(result.species),
        "species_names": [s.vernacular or s.name for s in result.species_list],
    }


def pop(year: int, user) -> dict:
    """The POP Amphibian season of the year (zones_humides), in all and per aire."""
    results = pop_results(year=year, aires=aires_readable(user), user=user)
    span = results.species_per_aire
    return {
        "aires": sum(1 for a in results.aires if a.sites_visited),
        "sites_visited": results.sites_visited,
        "sites_occupied": results.sites_occupied,
        "passages": results.passages,
        "records": results.records,
        "positive": results.positive,
        "species": len(results.species),
        "species_per_aire_min": span[0] if span else 0,
        "species_per_aire_max": span[1] if span else 0,
        "per_aire": [_pop_aire(a) for a in results.aires if a.sites_visited],
    }


def _ringing_site(row) -> dict:
    return {
        "programme": row.programme,
        "site": row.site,
        "communes": row.communes,
        "sessions": row.sessions,
        "rings": row.rings,
        "controls": row.controls,
        "foreign": row.foreign,
        "species": row.species,
        "remarkable": [f"{r.name} ({r.count})" for r in row.remarkable],
        # A programme run on several sites: its subtotal, after its sites' lines.
        "subtotal": row.station_id is None,
    }


def ringing(year: int, user) -> dict:
    """The ringing totals of the year (baguage's annual table), in all and per site."""
    table = annual_table(year=year, user=user)
    total = table.total
    return {
        "sessions": total.sessions,
        "rings": total.rings,
        "controls": total.controls,
        "foreign": total.foreign,
        "species": total.species,
        "stations": total.stations,
        "countries": total.countries,
        "per_site": [_ringing_site(row) for row in table.rows],
    }


def _count_programmes(user):
    """The site-count programmes whose records the user reads as the report counts them:
    the structure's own (its datasets), every one for a network-wide reader."""
    programmes = CountProgramme.objects.filter(
        dataset__in=Dataset.objects.visible_to(user)
    ).select_related("programme")
    if user.read_scope != Scope.ALL and user.organisation_id:
        programmes = programmes.filter(dataset__producer_id=user.organisation_id)
    return programmes.order_by("programme__code")


def _season(programme, year: int, user) -> dict:
    table = season_table(programme=programme, season=year, user=user)
    counted = [row for row in table.rows if row.visit is not None]
    totals = table.totals
    per_taxon = [
        (taxon, total)
        for taxon, total in zip(table.taxa, totals, strict=True)
        if total is not None and total > 0
    ]
    return {
        "code": programme.programme.code,
        "name": str(programme.programme.name),
        "sites": len(counted),
        "records": sum(
            1 for row in counted for value in row.values if value is not None and value
        ),
        "individuals": sum(total for _taxon, total in per_taxon),
        "species": len(per_taxon),
        "per_species": {
            (taxon.vernacular_name or taxon.scientific_name).split(",")[0]: total
            for taxon, total in sorted(per_taxon, key=lambda item: -item[1])
        },
        "hidden": table.hidden,
    }


def site_counts(year: int, user) -> dict:
    """The season ``year`` of each site-count programme (observations.counts), by kind:
    winter counts of bat hibernacula, the mid-January waterbird count (Wetlands
    International). A count programme's season ``year`` is the winter ending in it."""
    found = {
        kind: {
            "sites": 0,
            "records": 0,
            "individuals": 0,
            "species": 0,
            "per_species": {},
            "programmes": [],
        }
        for kind in CountProgramme.Kind.values
    }
    for programme in _count_programmes(user):
        season = _season(programme, year, user)
        line = found[programme.kind]
        line["programmes"].append(season)
        for key in ("sites", "records", "individuals", "species"):
            line[key] += season[key]
        for name, total in season["per_species"].items():
            line["per_species"][name] = line["per_species"].get(name, 0) + total
    return found


def _terril_score(row) -> dict:
    return {
        "rank": row.rank,
        "number": row.terril.number,
        "name": str(row.terril),
        "score": number(row.score.total),
        "class": row.score_class,
        "state_zero": number(row.state_zero.total) if row.state_zero else None,
        "change": number(row.change) if row.change is not None else None,
    }


def terrils(year: int) -> dict:
    """The terrils evaluated in the year, ranked with the current method version."""
    version = version_resolve(None)
    rows = ranking(year=year, version=version) if version else []
    return {
        "version": version.code if version else "",
        "evaluated": len(rows),
        "scores": [_terril_score(row) for row in rows],
    }


def _numbers(line: dict) -> dict:
    return {
        key: (number(value) if not isinstance(value, dict) else value)
        for key, value in line.items()
    }


def _economic_actions(year: int, user) -> dict[str, int]:
    """Actions of line 2 started in the year with economic actors: events with them, or
    any action for an audience of companies (newsletter, report, conference…), by kind."""
    start, end = _year_bounds(year)
    rows = (
        actions_visible_to(user)
        .filter(action_line=2, date_start__gte=start, date_start__lt=end)
        .filter(
            Q(kind=Action.Kind.ECONOMIC) | Q(audiences__contains=[Audience.COMPANIES])
        )
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by("-n", "kind")
    )
    kinds = dict(Action.Kind.choices)
    return {str(kinds[row["kind"]]): row["n"] for row in rows}


def outreach(year: int, user) -> dict:
    """The outreach figures of the year per action line of the report (sensibilisation)."""
    figures = figures_for_year(actions=actions_visible_to(user), year=year)
    economic = _economic_actions(year, user)
    return {
        "lines": [
            {**_numbers(line), "label": str(line["label"])} for line in figures["lines"]
        ],
        "total": _numbers(figures["total"]),
        "economic_actions": sum(economic.values()),
        "economic_actions_by_kind": economic,
    }


# The pollinator inventories: programmes that follow the bees or the hoverflies, and
# nothing but pollinators and the flora they visit (not a general atlas).
POLLINATOR_GROUPS = ("abeilles", "syrphes")
POLLINATION_GROUPS = (*POLLINATOR_GROUPS, "rhopaloceres", "heteroceres", "flore")


def pollinators(year: int, user) -> dict:
    """The pollinator inventories of the year (e.g. flower strips): the records of the
    programmes following bees or hoverflies and only pollinators and flora (the record's
    programme or its dataset's),
    counted like the atlas contributions (report_occurrences), flora and fauna apart, and
    the sites they were made on."""
    programmes = (
        Programme.objects.filter(taxon_groups__code__in=POLLINATOR_GROUPS)
        .exclude(
            taxon_groups__in=AtlasGroup.objects.exclude(code__in=POLLINATION_GROUPS)
        )
        .values("pk")
    )
    records = report_occurrences(user).filter(
        Q(programme__in=programmes)
        | Q(programme__isnull=True, dataset__programme__in=programmes)
    )
    kingdoms = {
        line.code: line.records
        for line in atlas_contributions(year=year, queryset=records).kingdoms
    }
    start, end = _year_bounds(year)
    sites = records.filter(
        observation_status="Pr",
        date_start__gte=start,
        date_start__lt=end,
        site__isnull=False,
    )
    return {
        "flora": kingdoms.get(AtlasGroup.Kingdom.FLORE, 0),
        "fauna": kingdoms.get(AtlasGroup.Kingdom.FAUNE, 0),
        "sites": sites.values("site").distinct().count(),
    }


def atlas(table) -> dict:
    """An atlas contributions table (observations.atlas) as plain dicts."""
    return {
        "groups": [g.as_dict() for g in table.groups],
        "ungrouped": table.ungrouped.as_dict() if table.ungrouped else None,
        "kingdoms": {k.code: k.as_dict() for k in table.kingdoms},
        "total": table.total.as_dict(),
    }


def year_facts(year: int, user, atlas_table) -> dict:
    """Every fact of ``year`` the figures read, JSON-ready (the dashboard's detail tables
    show them too); ``atlas_table`` is the year's atlas contributions, computed for two
    years at once by the caller."""
    scan = year_scan(year, user)
    run = programmes_run(scan.programme_ids)
    return {
        "atlas": atlas(atlas_table),
        # Action 1's "monitoring programmes and studies": those of the programmes run
        # that belong to action 1 (the others are action 2's wetland studies, action 3's
        # participatory campaigns and the general inventory).
        "programmes": [p for p in run if p["report_line"] == ReportLine.KNOWLEDGE],
        "partners": partners(year, user, [p["id"] for p in run]),
        "exchanges": exchanges(year, user),
        "outreach": outreach(year, user),
        "wetlands": wetlands(year, user),
        "pop": pop(year, user),
        "ringing": ringing(year, user),
        "terrils": terrils(year),
        "site_counts": site_counts(year, user),
        "pollinators": pollinators(year, user),
        "finds": remarkable_finds(year=year, user=user, scan=scan),
        "records_per_month": scan.months,
    }
