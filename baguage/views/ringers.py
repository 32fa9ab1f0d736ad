"""Ringers and their CRBPO permits (``/baguage/bagueurs/``)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from baguage.models import Ringer
from referentiel.permissions import is_network_staff


@login_required
def ringer_list(request: HttpRequest) -> HttpResponse:
    # Names, organisations and CRBPO permit numbers: for the network's staff, not partners.
    if not is_network_staff(request.user):
        raise PermissionDenied(_("La liste des bagueurs est réservée au personnel."))
    today = timezone.localdate()
    ringers = list(Ringer.objects.select_related("person__organisation"))
    for ringer in ringers:
        ringer.expired = ringer.valid_until is not None and ringer.valid_until < today
        ringer.valid_today = ringer.is_valid_on(today)
    return render(
        request, "baguage/ringer_list.html", {"ringers": ringers, "today": today}
    )
