"""Partner extracts (``/observations/extractions/``): choose the records, see how many (and how
many come blurred) as the filters change, launch the files in the background, follow them,
download them while they are kept; and the log of every data exchange."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from cpie_naturaliste.core.jobs.status import (
    job_page_context,
    job_status,
    job_status_response,
)
from observations.display import area_label
from observations.exports.extracts import (
    extract_create,
    extract_estimate,
    extract_path,
    extract_reader,
    extract_recipients,
    extract_retention_days,
    extracts_visible_to,
)
from observations.forms.extract import ExtractForm, sites_for
from observations.models import Extract
from observations.views.exchanges import manual_exchanges_of
from referentiel.models import AtlasGroup, Commune, Programme, Site, Taxon
from referentiel.permissions import can_coordinate, can_extract

LOG_PER_PAGE = 20
# Exchanges recorded by hand shown under the log (the most recent first).
MANUAL_SHOWN = 50
CONTENT_TYPES = {
    Extract.Format.CSV: "text/csv; charset=utf-8",
    Extract.Format.XLSX: (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    Extract.Format.GEOJSON: "application/geo+json",
    Extract.Format.GPKG: "application/geopackage+sqlite3",
    "zip": "application/zip",
}


def _require(request: HttpRequest) -> None:
    if not can_extract(request.user):
        raise PermissionDenied(
            _("Les extractions sont réservées aux coordinateurs et aux partenaires.")
        )


def _form(request: HttpRequest, data) -> ExtractForm:
    user = request.user
    return ExtractForm(
        data, user=user, recipients=extract_recipients(user), sites=sites_for(user)
    )


def _estimate(request: HttpRequest, form: ExtractForm) -> dict:
    """The rows of a valid request, how many come blurred, and a sentence saying so."""
    data = form.cleaned_data
    reader = extract_reader(user=request.user, recipient=data["recipient"])
    counts = extract_estimate(
        user=request.user, reader=reader, filters=form.filters(), area=data["area"]
    )
    counts["area"] = area_label(data["area"].area) if data["area"] else ""
    counts["text"] = estimate_sentence(counts, recipient=data["recipient"])
    return counts


def estimate_sentence(counts: dict, *, recipient) -> str:
    rows, blurred = counts["rows"], counts["blurred"]
    text = _("%(rows)s observation(s) correspondent à ces filtres") % {
        "rows": number_format(rows, force_grouping=True)
    }
    if rows:
        text += _(", dont %(blurred)s floutée(s) pour %(recipient)s") % {
            "blurred": number_format(blurred, force_grouping=True),
            "recipient": recipient,
        }
    if counts.get("area"):
        text += _(" (territoire dessiné : %(area)s)") % {"area": counts["area"]}
    return text + "."


@login_required
def extract_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    user = request.user
    form = _form(request, request.POST or None)
    estimate = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if request.POST.get("action") == "launch":
                extract = extract_create(
                    user=user,
                    recipient=form.cleaned_data["recipient"],
                    filters=form.filters(),
                    area=form.cleaned_data["area"],
                    formats=form.cleaned_data["formats"],
                    purpose=form.cleaned_data["purpose"],
                )
                return redirect("observations:extract_detail", uuid=extract.uuid)
            estimate = _estimate(request, form)
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
            "estimate": estimate,
            "count": None if estimate is None else estimate["rows"],
            "chosen_communes": form.chosen("communes"),
            "chosen_taxa": form.chosen("taxa"),
            "log": log,
            "now": timezone.now(),
            "retention_days": extract_retention_days(),
            "map_tiles": settings.LEAFLET_CONFIG.get("TILES", []),
            "manual_exchanges": manual_exchanges_of(user)[:MANUAL_SHOWN],
            "can_record_exchange": can_coordinate(user) and bool(user.organisation_id),
        },
        status=status,
    )


@login_required
def extract_estimate_view(request: HttpRequest) -> JsonResponse:
    """``GET`` with the form's fields: ``{rows, blurred, area, text}``, or 400 with the
    errors of each field (``errors``), for the page to update its count as filters change."""
    _require(request)
    form = _form(request, request.GET)
    if not form.is_valid():
        return JsonResponse(
            {
                "errors": {
                    name: [str(message) for message in messages]
                    for name, messages in form.errors.items()
                },
                "text": _("Corrigez les filtres signalés pour compter les lignes."),
            },
            status=400,
        )
    return JsonResponse(_estimate(request, form))


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
        content_type=CONTENT_TYPES[extract.extension],
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
