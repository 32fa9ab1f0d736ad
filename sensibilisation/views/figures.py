"""The year's figures per action line of the annual report (``/sensibilisation/bilan/``)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from referentiel.permissions import can_read_network
from sensibilisation.permissions import actions_visible_to
from sensibilisation.selectors import figures_for_year


@login_required
def bilan_latest(request: HttpRequest) -> HttpResponse:
    return redirect("sensibilisation:bilan", year=timezone.localdate().year - 1)


@require_safe
@login_required
def bilan(request: HttpRequest, year: int) -> HttpResponse:
    if not can_read_network(request.user):
        raise PermissionDenied
    figures = figures_for_year(actions=actions_visible_to(request.user), year=year)
    return render(
        request,
        "sensibilisation/bilan.html",
        {"figures": figures, "year": year, "previous": year - 1, "next": year + 1},
    )
