"""Mes saisies (``/observations/mes-saisies/``): the records the user entered, newest
entered first, with their validation status.

Read through the one read policy like every other list (``visible_to``, then the
blurring): a user's own records are readable and precise for them today, but a record of a
dataset their organisation has since lost, or a sensitivity rule, stays the policy's call."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cpie_naturaliste.core.pagination import CappedPage
from observations.blurring import Reader, blur_instance
from observations.models import Occurrence
from observations.permissions import EDITABLE_SOURCES

PER_PAGE = 25
COUNT_CAP = 10000
COLUMNS = [
    "uuid",
    "created_at",
    "date_start",
    "count_min",
    "count_max",
    "observation_status",
    "validation_status",
    "source",
    "sensitivity_level",
    "taxon",
    "taxon__scientific_name",
    "taxon__vernacular_name",
    "commune",
    "commune__name",
    "dataset",
    "dataset__title",
    "created_by",
]


def my_records(user):
    """The records ``user`` entered and may read, newest entered first (index
    occ_created_by_recent)."""
    return (
        Occurrence.objects.visible_to(user)
        .filter(created_by=user)
        .order_by("-created_at", "-id")
    )


@login_required
def my_records_view(request: HttpRequest) -> HttpResponse:
    rows = (
        my_records(request.user)
        .select_related("taxon", "commune", "dataset")
        .only(*COLUMNS)
    )
    page = CappedPage(rows, request.GET.get("page"), per_page=PER_PAGE, cap=COUNT_CAP)
    reader = Reader.for_user(request.user)
    for occurrence in page.object_list:
        blur_instance(occurrence, reader)
    return render(
        request,
        "observations/my_records.html",
        {"page": page, "editable_sources": EDITABLE_SOURCES},
    )
