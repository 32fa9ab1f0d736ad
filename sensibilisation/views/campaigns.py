"""Public pages of the citizen-science campaigns (no login): the list, a campaign with
its report form and its blurred map, the email confirmation; and, for validators and
coordinators, the reports with their photos."""

import time

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from cpie_naturaliste.core.throttling import client_address, wait_phrase
from referentiel.permissions import can_coordinate, can_read_network, can_validate
from sensibilisation.forms import ReportForm
from sensibilisation.models import Campaign, Report
from sensibilisation.permissions import (
    in_organising_structure,
    report_photo_can_view,
    reports_placeable,
    reports_readable,
)
from sensibilisation.protection import (
    MIN_FILL_SECONDS,
    PHOTO_MAX_BYTES,
    client_hash,
    email_rate_limit_wait,
    form_token,
    rate_limit_wait,
    sent_too_fast,
)
from sensibilisation.selectors import campaign_public_map
from sensibilisation.services import report_confirm, report_submit, site_url_of

# Room for the other fields and the multipart envelope around the photo.
BODY_MAX_BYTES = PHOTO_MAX_BYTES + 256 * 1024


def index(request: HttpRequest) -> HttpResponse:
    """``/sensibilisation/``: the open campaigns for everyone, the staff's pages below."""
    return render(
        request,
        "sensibilisation/index.html",
        {
            "campaigns": Campaign.objects.filter(is_open=True).select_related(
                "programme"
            ),
            "staff": can_read_network(request.user),
            "coordinator": can_coordinate(request.user),
            "sees_reports": can_coordinate(request.user) or can_validate(request.user),
        },
    )


def _open_campaign(slug: str) -> Campaign:
    return get_object_or_404(
        Campaign.objects.select_related("programme", "dataset"), slug=slug, is_open=True
    )


def _page(request, campaign, form, *, status=200, refused=""):
    return render(
        request,
        "sensibilisation/campaign_detail.html",
        {
            "campaign": campaign,
            "form": form,
            "refused": refused,
            "species": campaign.species.select_related("taxon"),
            "map_tiles": settings.LEAFLET_CONFIG["TILES"],
        },
        status=status,
    )


def _too_many(request, campaign, form, wait: int, reason: str) -> HttpResponse:
    """429 with Retry-After: the form again, and when to send it."""
    message = _("%(reason)s : %(wait)s.") % {
        "reason": reason,
        "wait": wait_phrase(wait),
    }
    response = _page(request, campaign, form, status=429, refused=message)
    response["Retry-After"] = str(wait)
    return response


@never_cache
def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _open_campaign(slug)
    if request.method != "POST":
        form = ReportForm(campaign=campaign, initial={"started": form_token()})
        return _page(request, campaign, form)
    wait = rate_limit_wait(key=client_hash(client_address(request)))
    if wait:
        form = ReportForm(campaign=campaign, initial={"started": form_token()})
        return _too_many(
            request,
            campaign,
            form,
            wait,
            _("Trop de signalements ont été envoyés depuis votre connexion"),
        )
    if int(request.META.get("CONTENT_LENGTH") or 0) > BODY_MAX_BYTES:
        form = ReportForm(campaign=campaign, initial={"started": form_token()})
        return _page(
            request,
            campaign,
            form,
            status=413,
            refused=_(
                "L'envoi est trop volumineux : la photo doit faire 5 Mo au plus."
            ),
        )
    form = ReportForm(request.POST, request.FILES, campaign=campaign)
    if form.is_spam:
        # Robots fill the hidden field: refuse without saying why.
        form = ReportForm(campaign=campaign, initial={"started": form_token()})
        return _page(
            request,
            campaign,
            form,
            status=400,
            refused=_("Votre signalement n'a pas pu être enregistré."),
        )
    refused = ""
    if form.is_valid() and sent_too_fast(request.POST.get("started", "")):
        # Implausibly fast for a person (or no valid time): not saved, nothing lost but a
        # photo (a browser never sends a file back); sent again, it goes through.
        refused = _(
            "Votre signalement n'est pas encore envoyé : vérifiez-le puis appuyez de "
            "nouveau sur « Envoyer le signalement »."
        )
        if request.FILES.get("photo"):
            refused += " " + _("Joignez de nouveau votre photo.")
    elif form.is_valid():
        data = form.cleaned_data
        wait = email_rate_limit_wait(data["email"])
        if wait:
            return _too_many(
                request,
                campaign,
                form,
                wait,
                _("Trop de signalements ont été envoyés avec ce courriel"),
            )
        try:
            report_submit(
                species=data["species"],
                observed_on=data["observed_on"],
                geom=form.geom,
                precision_m=form.precision_m,
                count=data["count"],
                email=data["email"],
                address=data["address"],
                comment=data["comment"],
                photo_jpeg=form.photo_jpeg,
                client_hash=client_hash(client_address(request)),
                site_url=site_url_of(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("sensibilisation:report_sent", slug=campaign.slug)
    # A person correcting the form has already spent time on it: no second wait.
    data = request.POST.copy()
    data["started"] = form_token(issued_at=time.time() - MIN_FILL_SECONDS)
    form.data = data
    return _page(request, campaign, form, status=400, refused=refused)


@require_safe
def report_sent(request: HttpRequest, slug: str) -> HttpResponse:
    return render(
        request, "sensibilisation/report_sent.html", {"campaign": _open_campaign(slug)}
    )


@never_cache
def report_confirm_page(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the confirmation email. GET shows a button (mail scanners follow
    links: only the person's click, a POST, publishes the report)."""
    if request.method == "POST":
        try:
            report = report_confirm(token=token, site_url=site_url_of(request))
        except ValidationError as exc:
            return render(
                request,
                "sensibilisation/report_confirm.html",
                {"error": " ".join(exc.messages)},
                status=400,
            )
        return render(
            request,
            "sensibilisation/report_confirm.html",
            {"report": report, "confirmed": True},
        )
    return render(request, "sensibilisation/report_confirm.html", {"token": token})


@require_GET
def campaign_map(request: HttpRequest, slug: str) -> JsonResponse:
    campaign = get_object_or_404(Campaign, slug=slug)
    response = JsonResponse(campaign_public_map(campaign=campaign))
    response["Content-Type"] = "application/geo+json"
    return response


@login_required
def report_photo(request: HttpRequest, uuid) -> FileResponse:
    report = get_object_or_404(Report.objects.select_related("campaign"), uuid=uuid)
    if not report_photo_can_view(request.user, report):
        raise PermissionDenied
    if not report.photo:
        raise Http404
    response = FileResponse(report.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    return response


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """The reports with their photos: all those of the coordinator's organisation's
    campaigns; for a validator, those whose observation they may validate. A report whose
    observation the reader may not place is left out (counted only), and a photo is shown
    inside the organising structure only (sensibilisation.permissions)."""
    user = request.user
    if not (can_coordinate(user) or can_validate(user)):
        raise PermissionDenied
    readable = reports_readable(user)
    reports = list(
        reports_placeable(readable, user)
        .select_related("campaign", "species__taxon", "occurrence")
        .order_by("-created_at")[:200]
    )
    # Listed reports are placeable, and a validator's are those they may validate: what
    # is left of report_photo_can_view is the organising structure.
    for report in reports:
        report.photo_shown = bool(report.photo) and in_organising_structure(
            user, report.campaign.organisation_id
        )
    not_shown = readable.count() - reports_placeable(readable, user).count()
    return render(
        request,
        "sensibilisation/report_list.html",
        {"reports": reports, "not_shown": not_shown},
    )
