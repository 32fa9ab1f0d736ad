"""Rings: the stock page (``/baguage/bagues/``) and two small JSON helpers of the capture
grid, the history of a ring and the next free ring of a species' size."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from baguage.models import FRANCE_SCHEME, Capture, EuringSpecies, RingSeries
from baguage.permissions import captures_shown_to
from baguage.services import (
    LOW_STOCK,
    next_free_ring,
    ring_history,
    ring_normalise,
    ring_stock,
)
from referentiel.models import Taxon


@login_required
def ring_stock_page(request: HttpRequest) -> HttpResponse:
    series = list(RingSeries.objects.select_related("ringer__person"))
    for item in series:
        item.ring_first, item.ring_last = item.ring(item.first), item.ring(item.last)
    return render(
        request,
        "baguage/ring_stock.html",
        {
            "stock": ring_stock(),
            "series": series,
            "low_stock": LOW_STOCK,
        },
    )


@login_required
def ring_history_json(request: HttpRequest) -> JsonResponse:
    """``?bague=…&centre=FRP``: the captures of this ring shown to the user (readable
    session, occurrence they may place), oldest first, and how many others exist (other
    organisations' data, sensitive records)."""
    number = ring_normalise(request.GET.get("bague", ""))
    scheme = (request.GET.get("centre") or FRANCE_SCHEME).strip().upper()
    captures = ring_history(scheme, number) if number else []
    visible = set(
        captures_shown_to(
            request.user,
            Capture.objects.filter(pk__in=[capture.pk for capture in captures]),
        ).values_list("pk", flat=True)
    )
    shown = [capture for capture in captures if capture.pk in visible]
    return JsonResponse(
        {
            "scheme": scheme,
            "ring": number,
            "known": bool(captures),
            "hidden": len(captures) - len(shown),
            "captures": [
                {
                    "id": capture.pk,
                    "action": capture.action,
                    "date": capture.session.date.isoformat(),
                    "station": capture.session.station.name,
                    "taxon": capture.taxon_id,
                    "taxon_name": capture.taxon.scientific_name,
                    "age": capture.age,
                    "sex": capture.sex,
                    "url": reverse("baguage:session_detail", args=[capture.session_id]),
                }
                for capture in shown
            ],
        }
    )


@login_required
def ring_next_json(request: HttpRequest) -> JsonResponse:
    """``?taxon=<cd_nom>`` (the species' usual size) or ``?taille=A``: the lowest unused
    ring of that size, or null."""
    size = request.GET.get("taille", "").strip().upper()
    taxon = request.GET.get("taxon", "")
    if not size and taxon.isdigit():
        # The species' row, or that of its valid name when a synonym was chosen.
        cd_ref = Taxon.objects.filter(cd_nom=int(taxon)).values("cd_ref")
        species = (
            EuringSpecies.objects.filter(taxon__cd_nom=int(taxon)).first()
            or EuringSpecies.objects.filter(taxon__cd_ref__in=cd_ref).first()
        )
        size = species.ring_size if species else ""
    return JsonResponse({"size": size, "ring": next_free_ring(size) if size else None})
