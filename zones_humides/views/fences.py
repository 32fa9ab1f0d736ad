"""Drift fences: a season's chronology, first arrivals across years, yearly totals, for
the fences the user may see (``zones_humides.selectors.fences``)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from cpie_naturaliste.core.filters import page_year
from referentiel.permissions import may_write_in
from zones_humides.selectors.fences import (
    fence_check_records,
    fence_chronology,
    fence_first_arrivals,
    fence_yearly_totals,
    fence_years,
    fences_visible_to,
)


@login_required
def fence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    fence = get_object_or_404(fences_visible_to(user).select_related("site"), pk=pk)
    years = fence_years(fence)
    try:
        year = int(page_year(request.GET))
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
            "chronology": fence_chronology(fence=fence, year=year, user=user)
            if year
            else None,
            "arrivals": fence_first_arrivals(fence=fence, user=user),
            "totals": fence_yearly_totals(fence=fence, user=user),
            "buckets": fence.buckets.all(),
            # Each round's records: their page shows the photos and takes new ones.
            "rounds": fence_check_records(fence=fence, user=user, date__year=year)
            if year
            else [],
            "can_enter": may_write_in(user, fence.dataset_id),
        },
    )
