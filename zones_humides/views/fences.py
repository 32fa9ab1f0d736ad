"""Drift fences: a season's chronology, first arrivals across years, yearly totals."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from referentiel.models import Dataset
from zones_humides.models import DriftFence
from zones_humides.permissions import dataset_writable
from zones_humides.selectors.fences import (
    fence_chronology,
    fence_first_arrivals,
    fence_yearly_totals,
    fence_years,
)


def fences_visible_to(user):
    if not user.is_authenticated:
        return DriftFence.objects.none()
    return DriftFence.objects.filter(dataset__in=Dataset.objects.visible_to(user))


@login_required
def fence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fence = get_object_or_404(
        fences_visible_to(request.user).select_related("site"), pk=pk
    )
    years = fence_years(fence)
    try:
        year = int(request.GET.get("annee", ""))
    except ValueError:
        year = years[-1] if years else None
    checks = fence.checks.filter(date__year=year) if year else fence.checks.none()
    return render(
        request,
        "zones_humides/fence_detail.html",
        {
            "fence": fence,
            "years": years,
            "year": year,
            "check_count": checks.count(),
            "chronology": fence_chronology(fence=fence, year=year) if year else None,
            "arrivals": fence_first_arrivals(fence=fence),
            "totals": fence_yearly_totals(fence=fence),
            "buckets": fence.buckets.all(),
            "can_enter": dataset_writable(request.user, fence.dataset_id),
        },
    )
