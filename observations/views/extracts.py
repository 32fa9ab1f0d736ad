"""Partner extracts (``/observations/extractions/``): choose the records, see how many, launch
the file in the background, follow it, download it while it is kept; and the log of every
data exchange."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cpie_naturaliste.core.jobs.status import (
    job_page_context,
    job_status,
    job_status_response,
)
from observations.exports.extracts import (
    extract_can_request,
    extract_create,
    extract_path,
    extract_queryset,
    extract_reader,
    extract_recipients,
    extract_retention_days,
    extracts_visible_to,
)
from observations.forms.extract import ExtractForm, sites_for
from observations.models import Extract
from referentiel.models import AtlasGroup, Commune, Programme, Site, Taxon

LOG_PER_PAGE = 20
CONTENT_TYPES = {
    Extract.Format.CSV: "text/csv; charset=utf-8",
    Extract.Format.XLSX: (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    Extract.Format.GEOJSON: "application/geo+json",
    Extract.Format.GPKG: "application/geopackage+sqlite3",
}


def _require(request: HttpRequest) -> None:
    if not extract_can_request(request.user):
        raise PermissionDenied(
            _("Les extractions sont réservées aux coordinateurs et aux partenaires.")
        )


@login_required
def extract_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    user = request.user
    form = ExtractForm(
        request.POST or None,
        user=user,
        recipients=extract_recipients(user),
        sites=sites_for(user),
    )
    count = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            recipient = form.cleaned_data["recipient"]
            if request.POST.get("action") == "launch":
                extract = extract_create(
                    user=user,
                    recipient=recipient,
                    filters=form.filters(),
                    area=form.cleaned_data["area"],
                    fmt=form.cleaned_data["format"],
                    purpose=form.cleaned_data["purpose"],
                )
                return redirect("observations:extract_detail", uuid=extract.uuid)
            count = extract_queryset(
                user=user,
                reader=extract_reader(user=user, recipient=recipient),
                filters=form.filters(),
                area=form.cleaned_data["area"],
            ).count()
        else:
            status = 400
    log = Paginator(extracts_visible_to(user), LOG_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "observations/extract_list.html",
        {
            "form": form,
            "count": count,
            "log": log,
            "now": timezone.now(),
            "retention_days": extract_retention_days(),
            "map_tiles": settings.LEAFLET_CONFIG.get("TILES", []),
        },
        status=status,
    )


def _extract(request: HttpRequest, uuid) -> Extract:
    _require(request)
    return get_object_or_404(extracts_visible_to(request.user), uuid=uuid)


def _expired(extract: Extract) -> bool:
    return extract.current_status() == Extract.Status.EXPIRED


@login_required
def extract_detail(request: HttpRequest, uuid) -> HttpResponse:
    extract = _extract(request, uuid)
    return render(
        request,
        "observations/extract_detail.html",
        {
            "extract": extract,
            **job_page_context(
                extract, reverse("observations:extract_status", args=[extract.uuid])
            ),
            "filters": filters_summary(extract.filters),
            "expired": _expired(extract),
            "retention_days": extract_retention_days(),
        },
    )


@login_required
def extract_status(request: HttpRequest, uuid) -> JsonResponse:
    return job_status_response(_extract(request, uuid))


@login_required
def extract_download(request: HttpRequest, uuid) -> HttpResponse:
    extract = _extract(request, uuid)
    if _expired(extract):
        return render(
            request,
            "observations/extract_detail.html",
            {"extract": extract, "status": job_status(extract), "expired": True},
            status=410,
        )
    path = extract_path(extract)
    if extract.status != Extract.Status.DONE or not path.exists():
        return render(
            request,
            "observations/extract_detail.html",
            {"extract": extract, "status": job_status(extract), "unavailable": True},
            status=404,
        )
    Extract.objects.filter(pk=extract.pk).update(downloads=F("downloads") + 1)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=extract.filename,
        content_type=CONTENT_TYPES[extract.format],
    )


def filters_summary(filters: dict) -> list[tuple[str, str]]:
    """The logged filters as people read them."""
    rows = []
    if codes := filters.get("communes"):
        names = Commune.objects.filter(insee__in=codes).order_by("name")
        rows.append((_("Communes"), ", ".join(str(c) for c in names)))
    if ids := filters.get("sites"):
        rows.append(
            (_("Sites"), ", ".join(s.name for s in Site.objects.filter(pk__in=ids)))
        )
    if codes := filters.get("atlas_groups"):
        groups = AtlasGroup.objects.filter(code__in=codes)
        rows.append((_("Groupes"), ", ".join(str(g) for g in groups)))
    if cd_noms := filters.get("taxa"):
        taxa = Taxon.objects.filter(pk__in=cd_noms)
        rows.append((_("Taxons"), ", ".join(t.scientific_name for t in taxa)))
    low, high = filters.get("year_min"), filters.get("year_max")
    if low or high:
        rows.append((_("Années"), f"{low or '…'} – {high or '…'}"))
    if codes := filters.get("programmes"):
        programmes = Programme.objects.filter(code__in=codes)
        rows.append((_("Programmes"), ", ".join(str(p) for p in programmes)))
    if statuses := filters.get("validation"):
        from observations.models import VALIDATION_CHOICES

        labels = dict(VALIDATION_CHOICES)
        rows.append((_("Validation"), ", ".join(str(labels[s]) for s in statuses)))
    return rows
