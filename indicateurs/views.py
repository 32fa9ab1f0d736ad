"""The annual dashboard: ``/indicateurs/<year>/`` (coordinators)."""

import logging
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from cpie_naturaliste.core.jobs.status import job_page_context, job_status_response
from indicateurs.figures import SECTIONS
from indicateurs.forms import NarrativeForm, ShareLinkForm
from indicateurs.jobs import report_create
from indicateurs.models import AnnualReport, RemarkableFind, ShareLink
from indicateurs.narratives import (
    narrative_html,
    narratives_apply,
    narratives_of,
    narratives_save,
)
from indicateurs.print_maps import records_map, wetlands_map
from indicateurs.report import chosen_finds
from indicateurs.series import series_read
from indicateurs.services import find_decide, user_reads_indicators
from indicateurs.sharing import (
    public_digest,
    public_finds,
    share_create,
    share_link_of,
    share_opened,
    share_revoke,
    share_state,
    share_token,
)
from indicateurs.snapshots import freshness_of, indicators_read
from indicateurs.structures import (
    Perimeter,
    network_structures,
    perimeter_for,
    perimeter_of,
)
from indicateurs.summary import presence_summary_state
from indicateurs.tasks import indicators_refresh_task
from observations.atlas import YEAR_MIN, atlas_year_max
from observations.models import Occurrence
from referentiel.models import Scope

logger = logging.getLogger(__name__)


def attachment_header(filename: str) -> str:
    """Content-Disposition with both names: ``filename`` (ASCII, for old clients) and
    ``filename*`` (RFC 6266/5987, UTF-8), whatever the name holds."""
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "")
    return (
        f'attachment; filename="{ascii_name}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The dashboard of last year (the year the report is written for)."""
    return redirect("indicateurs:dashboard", year=timezone.localdate().year - 1)


def _opened(request: HttpRequest, year: int) -> Perimeter:
    """The perimeter a coordinator's page of ``year`` reads (403 for others, 404 for a
    year out of bounds)."""
    if not user_reads_indicators(request.user):
        raise PermissionDenied
    if not YEAR_MIN <= year <= atlas_year_max():
        raise Http404
    return perimeter_of(request)


def _read(year: int, perimeter: Perimeter):
    """The indicators of the perimeter, with its narratives."""
    indicators, freshness = indicators_read(
        year, perimeter.user, perimeter.snapshot_structure
    )
    narratives_apply(indicators, year, perimeter.narrative_organisation_id)
    return indicators, freshness


@login_required
def dashboard(request: HttpRequest, year: int) -> HttpResponse:
    if not user_reads_indicators(request.user):
        raise PermissionDenied
    if not YEAR_MIN <= year <= atlas_year_max():
        return render(
            request,
            "indicateurs/dashboard.html",
            {"year": year, "error": True},
            status=404,
        )
    perimeter = perimeter_of(request)
    indicators, freshness = _read(year, perimeter)
    _narratives_html(indicators)
    this_year = timezone.localdate().year
    return render(
        request,
        "indicateurs/dashboard.html",
        {
            "freshness": freshness,
            "history": presence_summary_state(),
            "find_groups": _find_groups(indicators["details"]["finds"]),
            "history_requested": request.GET.get("historique") == "demande",
            "year": year,
            "indicators": indicators,
            "details": indicators["details"],
            "perimeter": perimeter,
            "structures": network_structures()
            if request.user.read_scope == Scope.ALL
            else None,
            "series": series_read(year, perimeter, indicators["sections"]),
            "years": list(range(this_year, this_year - 8, -1)),
            "map_tiles": settings.LEAFLET_CONFIG.get("TILES", []),
            "find_statuses": RemarkableFind.Status.choices,
            "reports": AnnualReport.objects.filter(
                year=year, requested_by=request.user
            )[:5],
        },
    )


def _narratives_html(indicators: dict) -> None:
    """Each section's narrative as safe HTML, for the templates (``narrative_html``)."""
    for section in indicators["sections"]:
        text = indicators["narratives"].get(str(section["action"]), "")
        section["narrative_html"] = narrative_html(text) if text else ""


# The finds of each kind in remarkable_finds' answer.
FIND_LISTS = {
    RemarkableFind.Kind.FIRST_DEPARTEMENT: "first_departement",
    RemarkableFind.Kind.FIRST_TERRITORY: "first_territory",
    RemarkableFind.Kind.RETURN: "returns",
    RemarkableFind.Kind.RARE: "rare_or_threatened",
}
# The dashboard shows the first finds of each kind, the finds page all of them.
DASHBOARD_FINDS = 10
FINDS_PER_PAGE = 50
FIND_ORDERS = {
    "date": ("Date", lambda f: (f.get("date") or f.get("first_date"), f["taxon"])),
    "taxon": ("Taxon", lambda f: (f["taxon"], f.get("date") or f.get("first_date"))),
    "kind": ("Type", lambda f: (f["kind_label"], f["taxon"])),
}


def _find_groups(finds: dict) -> list[dict]:
    """The dashboard's tables of finds, one per kind (its first DASHBOARD_FINDS)."""
    titles = {
        RemarkableFind.Kind.FIRST_DEPARTEMENT: "Premières mentions pour un département",
        RemarkableFind.Kind.FIRST_TERRITORY: (
            "Premières mentions sur le territoire de la structure"
        ),
        RemarkableFind.Kind.RETURN: (
            f"Retours après plus de {finds['gap_years']} ans sans donnée dans le "
            "département"
        ),
        RemarkableFind.Kind.RARE: (
            "Espèces rares (E à R) ou menacées (CR, EN, VU) observées"
        ),
    }
    groups = [
        {"key": kind.value, "title": title, "finds": finds[FIND_LISTS[kind]]}
        for kind, title in titles.items()
    ]
    for group in groups:
        group["count"] = len(group["finds"])
        group["finds"] = group["finds"][:DASHBOARD_FINDS]
    return groups


@login_required
def finds(request: HttpRequest, year: int) -> HttpResponse:
    """Every find of the year, filtered (kind, coordinator's status, taxon), sorted and
    paginated, each with the coordinator's form."""
    perimeter = _opened(request, year)
    indicators, freshness = indicators_read(
        year, request.user, perimeter.snapshot_structure
    )
    found = indicators["details"]["finds"]
    filters = {
        "kind": request.GET.get("kind", ""),
        "status": request.GET.get("status", ""),
        "q": request.GET.get("q", "").strip()[:100],
        "order": request.GET.get("order", "date"),
    }
    kinds = [filters["kind"]] if filters["kind"] in FIND_LISTS else list(FIND_LISTS)
    rows = [find for kind in kinds for find in found[FIND_LISTS[kind]]]
    if filters["status"] in RemarkableFind.Status.values:
        rows = [find for find in rows if find["status"] == filters["status"]]
    if filters["q"]:
        text = filters["q"].casefold()
        rows = [
            find
            for find in rows
            if text in f"{find['taxon']} {find.get('vernacular', '')}".casefold()
        ]
    if filters["order"] not in FIND_ORDERS:
        filters["order"] = "date"
    rows.sort(key=FIND_ORDERS[filters["order"]][1])
    page = Paginator(rows, FINDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "indicateurs/finds.html",
        {
            "year": year,
            "freshness": freshness,
            "page": page,
            "filters": filters,
            "kinds": RemarkableFind.Kind.choices,
            "orders": [(key, label) for key, (label, _) in FIND_ORDERS.items()],
            "find_statuses": RemarkableFind.Status.choices,
            "next": request.get_full_path(),
        },
    )


# The detail template of each action in the printable report, below its figures
# (templates/indicateurs/print/); the map of the actions where places matter.
PRINT_DETAILS = {
    1: "indicateurs/print/_action_1.html",
    2: "indicateurs/print/_action_2.html",
    3: "indicateurs/print/_action_3.html",
}


def _print_map(action: int, year: int, user, organisation, details: dict):
    if action == 1:
        return records_map(year, user, organisation)
    if action == 2:
        return wetlands_map(year, user, organisation, details["pop"]["per_aire"])
    return None


@login_required
def printable(request: HttpRequest, year: int) -> HttpResponse:
    """The report as a printable page (print to PDF from the browser): a cover, then per
    action its figures, its narrative, its map (SVG drawn here, no tile server), its
    charts and detail tables; the finds the coordinators chose (and how many others were
    detected)."""
    perimeter = _opened(request, year)
    indicators, freshness = _read(year, perimeter)
    chosen, others = chosen_finds(indicators["details"]["finds"])
    return _printable(
        request,
        year,
        indicators,
        freshness,
        organisation=perimeter.structure,
        maps_for=perimeter.reader,
        finds=chosen,
        other_finds=others,
    )


def _printable(
    request, year, indicators, freshness, *, organisation, maps_for=None, **context
) -> HttpResponse:
    """The printable page of ``indicators``; its maps drawn for the reader ``maps_for``
    (none in a report shared by link: its reader has no account)."""
    _narratives_html(indicators)
    details = indicators["details"]
    actions = [
        {
            "number": section["action"],
            "section": section,
            "details": PRINT_DETAILS.get(section["action"]),
            "map": maps_for
            and _print_map(section["action"], year, maps_for, organisation, details),
        }
        for section in indicators["sections"]
    ]
    return render(
        request,
        "indicateurs/printable.html",
        {
            "freshness": freshness,
            "year": year,
            "indicators": indicators,
            "details": details,
            "actions": actions,
            "organisation": organisation,
            "edited_on": timezone.localdate(),
            **context,
        },
    )


def _report(request: HttpRequest, uuid) -> AnnualReport:
    if not user_reads_indicators(request.user):
        raise PermissionDenied
    reports = AnnualReport.objects.all()
    if not request.user.is_superuser:
        reports = reports.filter(requested_by=request.user)
    return get_object_or_404(reports, uuid=uuid)


@login_required
@require_POST
def report_request(request: HttpRequest, year: int) -> HttpResponse:
    """The dashboard's button: queue the report file of ``year``."""
    perimeter = _opened(request, year)
    report = report_create(
        year=year, user=request.user, structure=perimeter.snapshot_structure
    )
    return redirect("indicateurs:report_detail", uuid=report.uuid)


@login_required
def report_detail(request: HttpRequest, uuid) -> HttpResponse:
    report = _report(request, uuid)
    return render(
        request,
        "indicateurs/report_detail.html",
        {
            "report": report,
            **job_page_context(
                report, reverse("indicateurs:report_status", args=[report.uuid])
            ),
        },
    )


@login_required
def report_status(request: HttpRequest, uuid) -> JsonResponse:
    return job_status_response(_report(request, uuid))


@login_required
def report_download(request: HttpRequest, uuid) -> HttpResponse:
    report = _report(request, uuid)
    if report.status != AnnualReport.Status.DONE or not report.file:
        raise Http404
    response = FileResponse(report.file.open("rb"), as_attachment=True)
    response["Content-Disposition"] = attachment_header(report.filename)
    return response


@login_required
@require_POST
def find_decision(request: HttpRequest, year: int, uuid) -> HttpResponse:
    """Confirm or set aside a find (shown with its record ``uuid``), comment it, pick it
    for the report: the decision of the coordinator's organisation on the taxon
    (``cd_ref`` posted, else the record's) and kind of find."""
    if not user_reads_indicators(request.user):
        raise PermissionDenied
    occurrence = get_object_or_404(
        Occurrence.objects.visible_to(request.user).select_related("taxon"), uuid=uuid
    )
    status = request.POST.get("status", RemarkableFind.Status.TO_CONFIRM)
    if status not in RemarkableFind.Status.values:
        return HttpResponseBadRequest("Statut inconnu.")
    kind = request.POST.get("kind", RemarkableFind.Kind.FIRST_DEPARTEMENT)
    if kind not in RemarkableFind.Kind.values:
        return HttpResponseBadRequest("Type de découverte inconnu.")
    try:
        cd_ref = int(request.POST.get("cd_ref", "")) or None
    except ValueError:
        cd_ref = None
    find_decide(
        user=request.user,
        year=year,
        occurrence=occurrence,
        kind=kind,
        status=status,
        in_report=request.POST.get("in_report") == "on",
        comment=request.POST.get("comment", ""),
        cd_ref=cd_ref,
    )
    # Back to the page of the form (the finds page keeps its filters and page).
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("indicateurs:dashboard", args=[year])
    return redirect(f"{back}#finds")


@login_required
def freshness(request: HttpRequest, year: int) -> JsonResponse:
    """Polled by the dashboard while its figures are being recomputed."""
    perimeter = _opened(request, year)
    return JsonResponse(freshness_of(year, request.user, perimeter.snapshot_structure))


@login_required
@require_POST
def history_refresh(request: HttpRequest, year: int) -> HttpResponse:
    """The dashboard's button: rebuild the presence history and recompute the figures
    now, in the worker."""
    if not user_reads_indicators(request.user):
        raise PermissionDenied
    try:
        indicators_refresh_task.delay(presences=True, everything=True)
    except Exception:
        logger.exception("Recalcul de l'historique des présences")
        messages.error(
            request,
            "Le service de traitement en arrière-plan est injoignable : réessayez plus "
            "tard.",
        )
        return redirect(reverse("indicateurs:dashboard", args=[year]) + "#finds")
    return redirect(
        reverse("indicateurs:dashboard", args=[year]) + "?historique=demande#finds"
    )


# --- the coordinators' narrative of each action -------------------------------------------


@login_required
def narrative_edit(request: HttpRequest, year: int) -> HttpResponse:
    """The narrative of each action of the perimeter's report (its structure's, or the
    reader's organisation's for the network's view)."""
    perimeter = _opened(request, year)
    organisation_id = perimeter.narrative_organisation_id
    if organisation_id is None:
        raise PermissionDenied("Choisissez d'abord une structure.")
    titles = {section.action: section.title for section in SECTIONS if section.action}
    texts = narratives_of(year, organisation_id)
    form = NarrativeForm(
        request.POST or None,
        titles=titles,
        initial={f"action_{action}": text for action, text in texts.items()},
    )
    if request.method == "POST" and form.is_valid():
        narratives_save(
            year=year,
            organisation_id=organisation_id,
            texts=form.texts(),
            user=request.user,
        )
        messages.success(request, "Récits enregistrés.")
        return redirect(reverse("indicateurs:dashboard", args=[year]) + perimeter.query)
    return render(
        request,
        "indicateurs/narrative_form.html",
        {"year": year, "form": form, "perimeter": perimeter},
        status=400 if form.is_bound else 200,
    )


# --- a regional coordinator's side-by-side of two structures ------------------------------


@login_required
def compare(request: HttpRequest, year: int) -> HttpResponse:
    """The headline figures of two structures side by side (regional coordinators)."""
    if not user_reads_indicators(request.user):
        raise PermissionDenied
    if request.user.read_scope != Scope.ALL:
        raise PermissionDenied(
            "La comparaison de deux structures est réservée à la coordination régionale."
        )
    if not YEAR_MIN <= year <= atlas_year_max():
        raise Http404
    structures = list(network_structures())
    by_id = {str(s.pk): s for s in structures}
    chosen = [by_id.get(request.GET.get(name, "")) for name in ("a", "b")]
    columns = []
    if all(chosen):
        columns = [
            _read(year, perimeter_for(request.user, structure))[0]
            for structure in chosen
        ]
    rows = []
    if columns:
        first, second = columns
        for left, right in zip(first["sections"], second["sections"], strict=True):
            rows.append(
                {
                    "title": left["title"],
                    "figures": [
                        {"label": a["label"], "a": a["value"], "b": b["value"]}
                        for a, b in zip(left["figures"], right["figures"], strict=True)
                    ],
                }
            )
    return render(
        request,
        "indicateurs/compare.html",
        {"year": year, "structures": structures, "chosen": chosen, "sections": rows},
    )


# --- share links for the Region's officer -------------------------------------------------


@login_required
def share_list(request: HttpRequest, year: int) -> HttpResponse:
    """The perimeter's share links of ``year``: create one, revoke one, read the log."""
    perimeter = _opened(request, year)
    if perimeter.structure is None:
        raise PermissionDenied("Choisissez d'abord une structure.")
    form = ShareLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        link = share_create(
            organisation=perimeter.structure,
            year=year,
            recipient=form.cleaned_data["recipient"],
            expires_at=form.expires_at(),
            user=request.user,
        )
        messages.success(
            request,
            "Lien créé : copiez-le et envoyez-le à son destinataire.",
        )
        return redirect(
            reverse("indicateurs:share_list", args=[year])
            + perimeter.query
            + f"#lien-{link.uuid}"
        )
    links = ShareLink.objects.filter(
        organisation=perimeter.structure, year=year
    ).prefetch_related("events")
    return render(
        request,
        "indicateurs/share_list.html",
        {
            "year": year,
            "form": form,
            "perimeter": perimeter,
            "share_links": [
                {
                    "link": link,
                    "state": share_state(link),
                    "url": request.build_absolute_uri(
                        reverse("indicateurs:shared", args=[share_token(link)])
                    ),
                }
                for link in links
            ],
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def share_revoke_view(request: HttpRequest, uuid) -> HttpResponse:
    if not user_reads_indicators(request.user):
        raise PermissionDenied
    link = get_object_or_404(ShareLink, uuid=uuid)
    perimeter = perimeter_for(request.user, link.organisation)
    share_revoke(link, user=request.user)
    messages.success(request, "Lien révoqué : il n'ouvre plus rien.")
    return redirect(
        reverse("indicateurs:share_list", args=[link.year]) + perimeter.query
    )


@require_GET
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """The printable report a share link opens, without an account."""
    link = share_link_of(token)
    if link is None:
        return render(
            request, "indicateurs/shared_closed.html", {"state": "unknown"}, status=404
        )
    state = share_state(link)
    share_opened(
        link, ok=state == "valid", address=request.META.get("REMOTE_ADDR") or None
    )
    if state != "valid":
        return render(
            request,
            "indicateurs/shared_closed.html",
            {"state": state, "link": link},
            status=410,
        )
    author = link.created_by
    perimeter = perimeter_for(author, link.organisation)
    indicators, freshness = _read(link.year, perimeter)
    chosen, others = chosen_finds(indicators["details"]["finds"])
    finds = public_finds(chosen)
    response = _printable(
        request,
        link.year,
        public_digest(indicators),
        freshness,
        organisation=link.organisation,
        finds=finds,
        other_finds=others,
        shared=link,
    )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
