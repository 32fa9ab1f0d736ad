"""Entry pages of the wetlands app beyond the POP passage: the drift-fence morning round,
a water-level reading (quick form of the site sheet) and management operations (drawn on
the map). Writes go through zones_humides.services or the model's own validation.

Write scope (``zones_humides.permissions``): a morning round is entered in a fence of the
user's organisation, and a round already saved for that day is replaced only by those who
may change it; a water level or an operation is entered on a site the user sees by any
writing role, and corrected by its author (or their organisation's coordinators)."""

import datetime as dt
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from observations.forms.geometry import geometry_as_geojson
from referentiel.permissions import can_enter, may_write_in
from zones_humides.forms import FenceCheckForm, ManagementOperationForm, WaterLevelForm
from zones_humides.models import FenceCheck, FenceCount, ManagementOperation
from zones_humides.permissions import may_save_fence_check, may_write_authored
from zones_humides.selectors.fences import (
    fence_check_records,
    fence_taxa,
    fences_visible_to,
)
from zones_humides.selectors.sites import wetland_sites
from zones_humides.services import (
    fence_check_media_add,
    fence_check_save,
    water_level_save,
)
from zones_humides.services.wetlands import water_level_existing


@login_required
def fence_check_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """The morning form: ``?date=`` opens that day's round to correct it."""
    fence = get_object_or_404(
        fences_visible_to(request.user).select_related("site", "dataset"), pk=pk
    )
    if not may_write_in(request.user, fence.dataset_id):
        raise PermissionDenied
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    instance = FenceCheck.objects.filter(fence=fence, date=day).first()
    if not may_save_fence_check(request.user, fence, instance):
        raise PermissionDenied
    existing = {}
    if instance is not None:
        existing = {
            (c.taxon.cd_nom, c.sex, c.alive): c.count
            for c in instance.counts.select_related("taxon")
        }
    initial = {"date": day}
    if instance is None:
        initial["time"] = dt.time(7, 30)
    form = FenceCheckForm(
        request.POST or None,
        request.FILES or None,
        instance=instance or FenceCheck(fence=fence),
        initial=initial,
        user=request.user,
        taxa=fence_taxa(fence),
        existing=existing,
    )
    if instance is None and day == timezone.localdate():
        # Opened offline another day, the page starts on that day (offline.js).
        form.fields["date"].widget.attrs["data-default-today"] = ""
    if request.method == "POST" and form.is_valid():
        # The posted date may be another day than the one opened.
        day = form.cleaned_data["date"]
        if not may_save_fence_check(
            request.user,
            fence,
            FenceCheck.objects.filter(fence=fence, date=day).first(),
        ):
            raise PermissionDenied
        try:
            with transaction.atomic():
                check = fence_check_save(
                    user=request.user,
                    fence=fence,
                    fields=form.check_fields(),
                    counts=form.counts(),
                    observers=form.cleaned_data["observers"],
                )
                # The photos of each species go to the record of its first count.
                fence_check_media_add(
                    check=check, user=request.user, media=form.species_media()
                )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            total = sum(c.individuals for c in check.counts.all())
            messages.success(
                request,
                f"Relevé du {check.date:%d/%m/%Y} enregistré : {total} animaux.",
            )
            return redirect(
                f"{reverse('zones_humides:fence_detail', args=[fence.pk])}"
                f"?year={check.date.year}"
            )
    return render(
        request,
        "zones_humides/fence_check_form.html",
        {
            "form": form,
            "fence": fence,
            "check": instance,
            "records": (
                fence_check_records(fence=fence, user=request.user, pk=instance.pk)
                if instance is not None
                else []
            ),
            "sex_choices": FenceCount.Sex.choices,
        },
    )


@login_required
@require_POST
def water_level_entry(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_object_or_404(wetland_sites(request.user), pk=pk)
    if not can_enter(request.user):
        raise PermissionDenied
    form = WaterLevelForm(request.POST)
    url = f"{reverse('zones_humides:site_sheet', args=[site.pk])}#sheet-levels"
    if form.is_valid():
        existing = water_level_existing(
            site=site,
            date=form.cleaned_data["date"],
            gauge=form.cleaned_data.get("gauge") or "",
        )
        if existing is not None and not may_write_authored(request.user, existing):
            raise PermissionDenied
        try:
            reading = water_level_save(
                user=request.user, site=site, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"Niveau du {reading.date:%d/%m/%Y} enregistré : {reading.level_cm} cm.",
            )
        return redirect(url)
    errors = [
        f"{form.fields[f].label if f in form.fields else ''} : {e}"
        for f, es in form.errors.items()
        for e in es
    ]
    messages.error(request, "Relevé non enregistré. " + " ; ".join(errors))
    return redirect(url)


def _operation_page(request, site, operation: ManagementOperation | None):
    if operation is None:
        allowed = can_enter(request.user)
    else:
        allowed = may_write_authored(request.user, operation)
    if not allowed:
        raise PermissionDenied
    instance = operation or ManagementOperation(site=site, created_by=request.user)
    form = ManagementOperationForm(
        request.POST or None,
        instance=instance,
        site=site,
        initial={} if operation else {"date_start": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.site = site
        saved.geom = form.cleaned_data["geometry"]
        saved.updated_by = request.user
        try:
            with transaction.atomic():
                # The form checked the shape; Django cannot evaluate the geometry
                # CHECK constraint on an empty geometry, PostGIS still enforces it.
                saved.full_clean(exclude=["geom"])
                saved.save()
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Opération enregistrée : {saved}.")
            return redirect(
                f"{reverse('zones_humides:site_sheet', args=[site.pk])}#sheet-works"
            )
    return render(
        request,
        "zones_humides/operation_form.html",
        {
            "form": form,
            "site": site,
            "operation": operation,
            "site_geometry": json.loads(geometry_as_geojson(site.geom) or "null"),
            "map_tiles": settings.LEAFLET_CONFIG.get("TILES", []),
        },
    )


@login_required
def operation_create(request: HttpRequest, site_pk: int) -> HttpResponse:
    site = get_object_or_404(wetland_sites(request.user), pk=site_pk)
    return _operation_page(request, site, None)


@login_required
def operation_update(request: HttpRequest, pk: int) -> HttpResponse:
    operation = get_object_or_404(
        ManagementOperation.objects.filter(site__in=wetland_sites(request.user)), pk=pk
    )
    return _operation_page(request, operation.site, operation)
