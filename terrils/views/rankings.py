"""The ranking of a year (``/terrils/classement/?year=``) and the state-zero upload."""

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse

from cpie_naturaliste.core.filters import page_year
from terrils.forms import StateZeroUploadForm
from terrils.models import MethodVersion
from terrils.permissions import can_import_state_zero, state_zero_writable
from terrils.selectors import ranking, ranking_years
from terrils.services import state_zero_import, version_resolve


@login_required
def ranking_page(request):
    years = ranking_years()
    year_param = page_year(request.GET)
    year = int(year_param) if year_param.isdigit() else (years[0] if years else None)
    version = version_resolve(request.GET.get("version"))
    rows = ranking(year=year, version=version) if year and version else []
    return render(
        request,
        "terrils/ranking.html",
        {
            "year": year,
            "years": years,
            "version": version,
            "versions": MethodVersion.objects.all(),
            "rows": rows,
            "score_classes": version.score_classes if version else [],
            "map_tiles": settings.LEAFLET_CONFIG.get("TILES", []),
            "can_import": can_import_state_zero(request.user),
        },
    )


@login_required
def state_zero_upload(request):
    if not can_import_state_zero(request.user):
        raise PermissionDenied
    form = StateZeroUploadForm(
        request.POST or None, request.FILES or None, user=request.user
    )
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix
        with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            result = state_zero_import(
                path=Path(handle.name),
                filename=upload.name,
                dataset=form.cleaned_data["dataset"],
                writable_campaigns=state_zero_writable(request.user),
            )
        if result.ok:
            messages.success(
                request,
                f"État zéro importé : {result.terrils} terrils, {result.taxa} espèces.",
            )
            return redirect(reverse("terrils:ranking"))
        errors = result.errors
    return render(
        request, "terrils/state_zero_import.html", {"form": form, "errors": errors}
    )
