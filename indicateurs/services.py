"""The indicators of the annual report to the Region, computed from the data of every app.

One entry point, :func:`indicators_for_year`, feeds the dashboard, the JSON API and the XLSX
report. It computes nothing the other apps already compute: the atlas table comes from
``observations.atlas``, the ringing totals from ``baguage.reports``, the POP season from
``zones_humides.selectors.pop``, the outreach figures from ``sensibilisation.selectors``,
the terril ranking from ``terrils.selectors``. What is left here is the glue: the year and
the year before, the partners, the exchanges and the programmes run.

Every read goes through the user's scope (``visible_to`` and the apps' own helpers).
"""

import datetime as dt
from collections import Counter
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Sum
from django.urls import reverse

from baguage.reports import annual_table
from indicateurs.finds import remarkable_finds
from indicateurs.scan import year_scan
from observations.atlas import atlas_contributions_by_year
from observations.models import Extract, Occurrence
from referentiel.models import AtlasGroup, Organisation, Programme, Role, Scope
from sensibilisation.models import Action
from sensibilisation.permissions import actions_visible_to
from sensibilisation.selectors import figures_for_year
from terrils.selectors import ranking
from terrils.services import version_resolve
from zones_humides.models import ManagementOperation
from zones_humides.selectors.pop import aires_readable, pop_results
from zones_humides.selectors.sites import wetland_sites

# Extracts that reached their recipient (a failed or pending one is no exchange).
DELIVERED = (Extract.Status.DONE, Extract.Status.EXPIRED)
MONTHS = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]


def user_reads_indicators(user) -> bool:
    """Coordinators (of their organisation, or regional) and superusers."""
    return bool(user.is_authenticated and user.has_role(Role.COORDINATEUR))


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)


def _occurrences_of(year: int, user):
    start, end = _year_bounds(year)
    return Occurrence.objects.visible_to(user).filter(
        observation_status="Pr", date_start__gte=start, date_start__lt=end
    )


def _occurrence_url(**params) -> str:
    return f"{reverse('observations:occurrence_list')}?{urlencode(params)}"


def _number(value):
    """JSON-friendly numbers: Decimals as int when whole, else float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# --- the raw facts of one year --------------------------------------------------------


def _programmes(programme_ids: set[int]) -> list[dict]:
    """Programmes run in the year: those of the year's records (the record's programme or
    its dataset's, from the year's scan), with their atlas groups."""
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


def _exchanges(year: int, user) -> dict:
    extracts = _extracts(year, user)
    recipients = list(
        extracts.order_by()
        .values("recipient__name", "recipient__short_name")
        .annotate(n=Count("pk"), rows=Sum("rows"))
        .order_by("-rows", "recipient__name")
    )
    totals = extracts.aggregate(n=Count("pk"), rows=Sum("rows"))
    return {
        "count": totals["n"],
        "rows": totals["rows"] or 0,
        "recipients": [
            {
                "name": r["recipient__short_name"] or r["recipient__name"],
                "extracts": r["n"],
                "rows": r["rows"] or 0,
            }
            for r in recipients
        ],
    }


def _operations(year: int, user):
    start, end = _year_bounds(year)
    return ManagementOperation.objects.filter(
        site__in=wetland_sites(user), date_start__gte=start, date_start__lt=end
    )


def _partners(year: int, user, programme_ids: list[int]) -> dict:
    """Organisations involved in the year: coordinators and partners of the programmes
    run, recipients of the extracts, partners of the outreach actions, beneficiaries of
    the wetland operations. The user's own organisation is no partner."""
    start, end = _year_bounds(year)
    actions = actions_visible_to(user).filter(date_start__gte=start, date_start__lt=end)
    through = Programme.partners.through.objects
    ids = (
        set(
            Programme.objects.filter(pk__in=programme_ids).values_list(
                "coordinator", flat=True
            )
        )
        | set(
            through.filter(programme_id__in=programme_ids).values_list(
                "organisation_id", flat=True
            )
        )
        | set(_extracts(year, user).values_list("recipient", flat=True))
        | set(
            Action.partners.through.objects.filter(action__in=actions).values_list(
                "organisation_id", flat=True
            )
        )
        | set(
            _operations(year, user)
            .exclude(beneficiary=None)
            .values_list("beneficiary", flat=True)
        )
    )
    partners = Organisation.objects.filter(pk__in=ids)
    if user.organisation_id:
        partners = partners.exclude(pk=user.organisation_id)
    kinds = dict(Organisation.Kind.choices)
    rows = list(partners.order_by("name").values("name", "short_name", "kind"))
    by_kind = Counter(str(kinds.get(r["kind"], r["kind"])) for r in rows)
    return {
        "count": len(rows),
        "by_kind": dict(sorted(by_kind.items(), key=lambda i: (-i[1], i[0]))),
        "names": [r["short_name"] or r["name"] for r in rows],
    }


def _wetlands(year: int, user) -> dict:
    # The ids first (a few dozen sites): with the subquery inlined, the planner misjudges
    # how many records it keeps and scans the whole year twice (1 s at 1,000,000 rows).
    sites = list(wetland_sites(user).values_list("pk", flat=True))
    occurrences = _occurrences_of(year, user).filter(site_id__in=sites).order_by()
    operations = _operations(year, user)
    kinds = dict(ManagementOperation.Kind.choices)
    by_kind = {
        str(kinds[row["kind"]]): row["n"]
        for row in operations.order_by()
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by("-n", "kind")
    }
    counts = occurrences.aggregate(
        records=Count("pk"),
        sites=Count("site", distinct=True),
        programmes=Count("programme", distinct=True),
    )
    return {
        "sites_studied": counts["sites"],
        "programmes": counts["programmes"],
        "records": counts["records"],
        "operations": operations.count(),
        "operation_sites": operations.values("site").distinct().count(),
        "operations_by_kind": by_kind,
        "operations_volunteers": operations.filter(
            performed_by__in=(
                ManagementOperation.PerformedBy.BENEVOLES,
                ManagementOperation.PerformedBy.MIXTE,
            )
        ).count(),
        "operations_for_companies": operations.filter(
            beneficiary__kind=Organisation.Kind.ENTREPRISE
        ).count(),
    }


def _pop(year: int, user) -> dict:
    results = pop_results(year=year, aires=aires_readable(user), user=user)
    surveyed = [a for a in results.aires if a.sites_visited]
    span = results.species_per_aire
    return {
        "aires": len(surveyed),
        "sites_visited": results.sites_visited,
        "sites_occupied": results.sites_occupied,
        "passages": results.passages,
        "records": results.records,
        "positive": results.positive,
        "species": len(results.species),
        "species_per_aire_min": span[0] if span else 0,
        "species_per_aire_max": span[1] if span else 0,
        "per_aire": [
            {
                "number": a.aire.number,
                "name": a.aire.name,
                "sites_visited": len(a.sites_visited),
                "sites_occupied": len(a.sites_occupied),
                "records": a.records,
                "positive": a.positive,
                "species": len(a.species),
                "species_names": [s.vernacular or s.name for s in a.species_list],
            }
            for a in surveyed
        ],
    }


def _ringing(year: int, user) -> dict:
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
        "per_site": [
            {
                "programme": row.programme,
                "site": row.site,
                "communes": row.communes,
                "sessions": row.sessions,
                "rings": row.rings,
                "controls": row.controls,
                "foreign": row.foreign,
                "species": row.species,
                "remarkable": [f"{r.name} ({r.count})" for r in row.remarkable],
            }
            for row in table.rows
        ],
    }


def _terrils(year: int) -> dict:
    version = version_resolve(None)
    rows = ranking(year=year, version=version) if version else []
    return {
        "version": version.code if version else "",
        "evaluated": len(rows),
        "scores": [
            {
                "rank": row.rank,
                "number": row.terril.number,
                "name": str(row.terril),
                "score": _number(row.score.total),
                "class": row.score_class,
                "state_zero": _number(row.state_zero.total) if row.state_zero else None,
                "change": _number(row.change) if row.change is not None else None,
            }
            for row in rows
        ],
    }


def _outreach(year: int, user) -> dict:
    figures = figures_for_year(actions=actions_visible_to(user), year=year)

    def clean(line: dict) -> dict:
        return {
            key: (_number(value) if not isinstance(value, dict) else value)
            for key, value in line.items()
        }

    economic = str(Action.Kind.ECONOMIC.label)
    return {
        "lines": [
            {**clean(line), "label": str(line["label"])} for line in figures["lines"]
        ],
        "total": clean(figures["total"]),
        "economic_actions": figures["lines"][1]["by_kind"].get(economic, 0),
    }


def _atlas(table) -> dict:
    def line(item) -> dict:
        return {
            "code": item.code,
            "name": item.name,
            "kingdom": item.kingdom,
            "records": item.records,
            "species": item.species,
        }

    return {
        "groups": [line(g) for g in table.groups],
        "ungrouped": line(table.ungrouped) if table.ungrouped else None,
        "kingdoms": {k.code: line(k) for k in table.kingdoms},
        "total": line(table.total),
    }


def _facts(year: int, user, atlas) -> dict:
    scan = year_scan(year, user)
    programmes = _programmes(scan.programme_ids)
    return {
        "atlas": _atlas(atlas),
        "programmes": programmes,
        "partners": _partners(year, user, [p["id"] for p in programmes]),
        "exchanges": _exchanges(year, user),
        "outreach": _outreach(year, user),
        "wetlands": _wetlands(year, user),
        "pop": _pop(year, user),
        "ringing": _ringing(year, user),
        "terrils": _terrils(year),
        "finds": remarkable_finds(year=year, user=user, scan=scan),
        "records_per_month": scan.months,
    }


# --- the indicator tables ------------------------------------------------------------


def _figure(key, label, current, previous, url="", detail=""):
    value, before = _number(current), _number(previous)
    difference = None
    if isinstance(value, int | float) and isinstance(before, int | float):
        difference = _number(Decimal(str(value)) - Decimal(str(before)))
    return {
        "key": key,
        "label": label,
        "value": value,
        "previous": before,
        "difference": difference,
        "url": url,
        "detail": detail,
    }


def _count_figure(key, label, items, previous_items, url, detail) -> dict:
    """A figure counting the items of a list (finds), beside the year before."""
    return _figure(key, label, len(items), len(previous_items), url, detail)


def finds_detail(find: dict) -> str:
    if find.get("departement"):
        return f"{find['taxon']} ({find['departement']})"
    return find["taxon"]


def _sections(year: int, now: dict, before: dict) -> list[dict]:
    def pick(path: str, facts: dict):
        value = facts
        for part in path.split("."):
            value = value[int(part)] if part.isdigit() else value[part]
        return value

    def fig(key, label, path, url="", detail=""):
        return _figure(key, label, pick(path, now), pick(path, before), url, detail)

    atlas_url = f"{reverse('observations:atlas')}?annee={year}"
    records_url = _occurrence_url(year=year, presence="Pr")
    kingdom = now["atlas"]["kingdoms"]
    outreach_url = reverse("sensibilisation:bilan", args=[year])
    pop_url = reverse("zones_humides:pop_results", args=[year])
    ringing_url = reverse("baguage:bilan", args=[year])
    terrils_url = f"{reverse('terrils:ranking')}?annee={year}"
    wetlands_url = reverse("zones_humides:index")
    extracts_url = reverse("observations:extract_list")

    def names(items):
        return ", ".join(items)

    def kinds(mapping):
        return ", ".join(f"{k} : {v}" for k, v in mapping.items())

    def outreach(line_index: int, prefix: str) -> list[dict]:
        base = f"outreach.lines.{line_index}"
        return [
            fig(
                f"{prefix}_actions",
                "Actions d'information et de sensibilisation",
                f"{base}.actions",
                outreach_url,
                kinds(now["outreach"]["lines"][line_index]["by_kind"]),
            ),
            fig(
                f"{prefix}_trained",
                "Personnes formées",
                f"{base}.trained",
                outreach_url,
            ),
            fig(
                f"{prefix}_aware",
                "Personnes sensibilisées",
                f"{base}.aware",
                outreach_url,
            ),
        ]

    action1 = [
        fig(
            "programmes",
            "Programmes de suivi et études",
            "programmes",
            records_url,
            names(p["code"] for p in now["programmes"]),
        )
        | {
            "value": len(now["programmes"]),
            "previous": len(before["programmes"]),
            "difference": len(now["programmes"]) - len(before["programmes"]),
        },
        fig(
            "partners",
            "Partenaires",
            "partners.count",
            "",
            kinds(now["partners"]["by_kind"]),
        ),
        fig(
            "records",
            "Données saisies",
            "atlas.total.records",
            records_url,
        ),
        fig(
            "records_fauna",
            "Données faune",
            f"atlas.kingdoms.{AtlasGroup.Kingdom.FAUNE}.records",
            _occurrence_url(year=year, presence="Pr"),
            f"{kingdom[AtlasGroup.Kingdom.FAUNE]['species']} espèces",
        ),
        fig(
            "records_flora",
            "Données flore",
            f"atlas.kingdoms.{AtlasGroup.Kingdom.FLORE}.records",
            _occurrence_url(year=year, presence="Pr"),
            f"{kingdom[AtlasGroup.Kingdom.FLORE]['species']} espèces",
        ),
        fig("species", "Espèces", "atlas.total.species", atlas_url),
        fig(
            "exchanges",
            "Échanges de données",
            "exchanges.count",
            extracts_url,
            names(r["name"] for r in now["exchanges"]["recipients"]),
        ),
        fig("exchanged_rows", "Données échangées", "exchanges.rows", extracts_url),
        *outreach(0, "a1"),
        fig("ringing_rings", "Oiseaux bagués", "ringing.rings", ringing_url),
        fig("ringing_controls", "Contrôles", "ringing.controls", ringing_url),
        fig(
            "ringing_foreign",
            "Contrôles de bagues étrangères",
            "ringing.foreign",
            ringing_url,
            kinds(now["ringing"]["countries"]),
        ),
        fig("ringing_species", "Espèces baguées", "ringing.species", ringing_url),
        fig(
            "terrils_evaluated",
            "Terrils évalués",
            "terrils.evaluated",
            terrils_url,
            names(str(s["number"]) for s in now["terrils"]["scores"]),
        ),
        *(
            _count_figure(
                key,
                label,
                now["finds"][path],
                before["finds"][path],
                f"{reverse('indicateurs:dashboard', args=[year])}#finds",
                names(finds_detail(f) for f in now["finds"][path]),
            )
            for key, label, path in (
                (
                    "finds_firsts",
                    "Premières mentions départementales",
                    "first_departement",
                ),
                (
                    "finds_territory",
                    "Premières mentions sur le territoire de la structure",
                    "first_territory",
                ),
                (
                    "finds_returns",
                    f"Retours après plus de {now['finds']['gap_years']} ans d'absence",
                    "returns",
                ),
                (
                    "finds_rare",
                    "Espèces rares (E à R) ou menacées (CR, EN, VU)",
                    "rare_or_threatened",
                ),
            )
        ),
    ]
    action2 = [
        fig(
            "wetland_sites_studied",
            "Zones humides étudiées ou suivies",
            "wetlands.sites_studied",
            wetlands_url,
        ),
        fig(
            "wetland_programmes",
            "Programmes sur les zones humides",
            "wetlands.programmes",
            wetlands_url,
        ),
        fig("pop_aires", "POP Amphibien : aires suivies", "pop.aires", pop_url),
        fig(
            "pop_sites_visited",
            "POP : sites de reproduction visités",
            "pop.sites_visited",
            pop_url,
        ),
        fig(
            "pop_sites_occupied",
            "POP : sites occupés",
            "pop.sites_occupied",
            pop_url,
        ),
        fig("pop_records", "POP : données", "pop.records", pop_url),
        fig("pop_positive", "POP : données positives", "pop.positive", pop_url),
        fig("pop_species", "POP : espèces", "pop.species", pop_url),
        fig(
            "operations",
            "Opérations de gestion et de restauration",
            "wetlands.operations",
            wetlands_url,
            kinds(now["wetlands"]["operations_by_kind"]),
        ),
        fig(
            "operation_sites",
            "Sites d'opérations",
            "wetlands.operation_sites",
            wetlands_url,
        ),
        *outreach(1, "a2"),
        fig(
            "a2_trained_or_aware",
            "Personnes formées ou sensibilisées",
            "outreach.lines.1.trained_or_aware",
            outreach_url,
        ),
        fig(
            "economic_actions",
            "Actions avec les acteurs économiques",
            "outreach.economic_actions",
            outreach_url,
        ),
        fig(
            "operations_for_companies",
            "Opérations pour des entreprises",
            "wetlands.operations_for_companies",
            wetlands_url,
        ),
    ]
    action3 = [
        *outreach(2, "a3"),
        fig(
            "a3_publications",
            "Publications et supports",
            "outreach.lines.2.publications",
            outreach_url,
        ),
        fig(
            "a3_volunteer_days",
            "Journées de bénévolat",
            "outreach.lines.2.volunteer_days",
            outreach_url,
        ),
    ]
    return [
        {
            "action": 1,
            "title": "Action 1 — Connaissance naturaliste de la biodiversité ordinaire",
            "figures": action1,
        },
        {
            "action": 2,
            "title": "Action 2 — Zones humides du bassin minier",
            "figures": action2,
        },
        {
            "action": 3,
            "title": "Action 3 — Biodiversité participative avec le public",
            "figures": action3,
        },
    ]


def indicators_for_year(year: int, user, *, progress=None) -> dict:
    """The indicators of ``year`` as a JSON-ready dict, each figure beside the year before:

    ``{"year", "previous_year", "sections": [{"action", "title", "figures": [{"key",
    "label", "value", "previous", "difference", "url", "detail"}]}], "details": {...},
    "previous": {...}, "charts": {...}}`` where ``details`` holds the tables behind the
    figures (atlas, programmes, partners, exchanges, outreach, wetlands, POP, ringing,
    terrils) and ``previous`` the same for ``year - 1``.

    ``progress(done, label)``, if given, is called as the work advances (``done`` from 0
    to 1), for the report job's progress bar."""
    progress = progress or (lambda done, label: None)
    tables = atlas_contributions_by_year(
        years=[year - 1, year], queryset=Occurrence.objects.visible_to(user)
    )
    progress(0.1, "Contributions aux atlas")
    now = _facts(year, user, tables[year])
    progress(0.55, f"Indicateurs {year}")
    before = _facts(year - 1, user, tables[year - 1])
    progress(1.0, f"Indicateurs {year - 1}")
    groups = now["atlas"]["groups"]
    previous_groups = {g["code"]: g["records"] for g in before["atlas"]["groups"]}
    charts = {
        "months": {
            "labels": MONTHS,
            "datasets": [
                {"label": str(year), "data": now.pop("records_per_month")},
                {"label": str(year - 1), "data": before.pop("records_per_month")},
            ],
        },
        "groups": {
            "labels": [g["name"] for g in groups],
            "datasets": [
                {"label": str(year), "data": [g["records"] for g in groups]},
                {
                    "label": str(year - 1),
                    "data": [previous_groups.get(g["code"], 0) for g in groups],
                },
            ],
        },
        "map": {
            "url": reverse("occurrence-geojson")
            + "?"
            + urlencode({"year": year, "presence": "Pr"}),
            "year": year,
        },
    }
    return {
        "year": year,
        "previous_year": year - 1,
        "sections": _sections(year, now, before),
        "details": now,
        "previous": before,
        "charts": charts,
    }
