"""Data exchanges made outside the app, recorded by hand by a coordinator
(``/observations/extractions/echanges/nouveau/``): partner, date, content and number of
data. They are listed with the app's own extracts (``extract_list``) and counted by the
report (``indicateurs.selectors.exchanges``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from observations.forms.exchange import DataExchangeForm
from observations.models import DataExchange
from referentiel.permissions import can_coordinate


def manual_exchanges_of(user):
    """The exchanges recorded by hand for the user's structure (none without one)."""
    if not user.organisation_id:
        return DataExchange.objects.none()
    return DataExchange.objects.filter(
        organisation_id=user.organisation_id
    ).select_related("partner", "created_by")


@login_required
def exchange_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (can_coordinate(user) and user.organisation_id):
        raise PermissionDenied(
            _("Seul un coordinateur peut enregistrer un échange pour sa structure.")
        )
    form = DataExchangeForm(request.POST or None, organisation=user.organisation)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            exchange = form.save(commit=False)
            exchange.created_by = user
            exchange.save()
            messages.success(
                request,
                _("Échange avec %(partner)s enregistré (%(rows)s données).")
                % {"partner": exchange.partner, "rows": exchange.rows},
            )
            return redirect("observations:extract_list")
        status = 400
    return render(
        request, "observations/exchange_form.html", {"form": form}, status=status
    )
