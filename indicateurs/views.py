"""The annual dashboard: ``/indicateurs/<year>/`` (coordinators)."""

import logging

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
from django.views.decorators.http import require_POST

from cpie_naturaliste.core.jobs.status import job_page_context, job_status_response
from indicateurs.finds import report_finds
from indicateurs.jobs import report_create
from indicateurs.models import AnnualReport, RemarkableFind
from indicateurs.services import find_decide, user_reads_indicators
from indicateurs.snapshots import freshness_of, indicators_read
from indicateurs.summary import presence_summary_state
from indicateurs.tasks import indicators_refresh_task
from observations.atlas import YEAR_MIN, atlas_year_max
from observations.models import Occurrence

logger = logging.getLogger(__name__)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The dashboard of last year (the year the report is written for)."""
    return redirect("indicateurs:dashboard", year=timezone.localdate().year - 1)


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
    indicators, freshness = indicators_read(year, request.user)
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
            "years": list(range(this_year, this_year - 8, -1)),
            "map_tiles": settings.LEAFLET_CONFIG.get("TILES", []),
            "find_statuses": RemarkableFind.Status.choices,
            "reports": AnnualReport.objects.filter(
                year=year, requested_by=request.user
            )[:5],
        },
    )


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
    if not user_reads_indicators(request.user):
        raise PermissionDenied
    if not YEAR_MIN <= year <= atlas_year_max():
        raise Http404
    indicators, freshness = indicators_read(year, request.user)
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


@login_required
def printable(request: HttpRequest, year: int) -> HttpResponse:
    """The report as a printable page (print to PDF from the browser): the indicator
    tables of the three actions, the charts and the detail tables, with the finds the
    coordinators picked."""
    if not user_reads_indicators(request.user):
        raise PermissionDenied
    if not YEAR_MIN <= year <= atlas_year_max():
        raise Http404
    indicators, freshness = indicators_read(year, request.user)
    details = indicators["details"]
    finds = details["finds"]
    return render(
        request,
        "indicateurs/printable.html",
        {
            "freshness": freshness,
            "year": year,
            "indicators": indicators,
            "details": details,
            "finds": report_finds(finds),
            "organisation": request.user.organisation,
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
    if not user_reads_indicators(request.user):
        raise PermissionDenied
    report = report_create(year=year, user=request.user)
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
    return FileResponse(
        report.file.open("rb"), as_attachment=True, filename=report.filename
    )


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
    if not user_reads_indicators(request.user):
        raise PermissionDenied
    return JsonResponse(freshness_of(year, request.user))


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
