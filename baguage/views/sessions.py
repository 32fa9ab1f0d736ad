"""Ringing sessions: the list (``/baguage/``), the form, and the session page with its
capture grid (entered through the API, one line per bird, no page reload)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from baguage.filters import SessionFilter
from baguage.forms import SessionForm, station_nets
from baguage.models import FRANCE_SCHEME, Session
from baguage.permissions import (
    captures_writable_by,
    may_add_capture,
    session_can_edit,
    sessions_visible_to,
)
from baguage.selectors import session_captures, sessions_with_action_counts
from baguage.services import session_protocol_problems, session_save
from baguage.views.grid import GRID_COLUMNS, capture_row
from cpie_naturaliste.core.pagination import CappedPage
from referentiel.permissions import can_enter, is_network_staff

PER_PAGE = 25
ORDERINGS = {"date": ("date", "id"), "-date": ("-date", "-id")}
# What the entry row is reset to after each saved line.
ENTRY_DEFAULTS = {
    "action": "B",
    "ring_scheme": FRANCE_SCHEME,
    "condition": "8",
    "circumstances": "20",
    "other_marks": "ZZ",
    "sex": "U",
}


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    queryset = sessions_visible_to(request.user).select_related(
        "station", "programme__programme"
    )
    filterset = SessionFilter(request.GET, queryset=queryset, request=request)
    ordering = request.GET.get("ordering", "-date")
    if ordering not in ORDERINGS:
        ordering = "-date"
    rows = sessions_with_action_counts(filterset.qs, request.user).order_by(
        *ORDERINGS[ordering]
    )
    page = CappedPage(rows, request.GET.get("page"), per_page=PER_PAGE)
    for session in page.object_list:
        session.problems = session_protocol_problems(session)
    return render(
        request,
        "baguage/session_list.html",
        {
            "filter": filterset,
            "page": page,
            "ordering": ordering,
            "can_enter": can_enter(request.user),
            "reads_ringers": is_network_staff(request.user),
        },
    )


def _visible_session(request: HttpRequest, pk: int) -> Session:
    return get_object_or_404(
        sessions_visible_to(request.user).select_related(
            "station__site", "programme__programme", "dataset"
        ),
        pk=pk,
    )


def _render_form(request, form, session=None) -> HttpResponse:
    return render(
        request,
        "baguage/session_form.html",
        {
            "form": form,
            "session": session,
            "station_nets": station_nets(),
            "no_dataset": not form.fields["dataset"].queryset.exists(),
        },
    )


def _save(request, form, session=None) -> Session | None:
    try:
        return session_save(
            user=request.user,
            fields=form.session_fields(),
            ringers=form.cleaned_data["ringers"],
            session=session,
        )
    except ValidationError as error:
        form.add_service_errors(error)
        return None


@login_required
def session_create(request: HttpRequest) -> HttpResponse:
    if not can_enter(request.user):
        raise PermissionDenied(_("La saisie est réservée aux rôles de saisie."))
    form = SessionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        session = _save(request, form)
        if session is not None:
            messages.success(request, _("Session créée : saisissez les captures."))
            return redirect("baguage:session_detail", pk=session.pk)
    return _render_form(request, form)


@login_required
def session_update(request: HttpRequest, pk: int) -> HttpResponse:
    session = _visible_session(request, pk)
    if not session_can_edit(request.user, session):
        raise PermissionDenied(_("Vous ne pouvez pas modifier cette session."))
    form = SessionForm(request.POST or None, user=request.user, instance=session)
    if request.method == "POST" and form.is_valid():
        if _save(request, form, Session.objects.get(pk=session.pk)) is not None:
            messages.success(request, _("Session modifiée."))
            return redirect("baguage:session_detail", pk=session.pk)
    return _render_form(request, form, session)


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The session and the captures shown to the user (the others counted); the entry row
    for whoever may enter in its dataset, edit buttons on the lines they may change."""
    session = _visible_session(request, pk)
    captures = list(session_captures(session, request.user))
    session.capture_count = len(captures)
    hidden = session.captures.count() - len(captures)
    editable = set(
        captures_writable_by(request.user)
        .filter(session=session)
        .values_list("pk", flat=True)
    )
    rows = []
    for capture in captures:
        row = capture_row(capture)
        row["editable"] = capture.pk in editable
        rows.append(row)
    return render(
        request,
        "baguage/session_detail.html",
        {
            "session": session,
            "ringers": session.ringers.select_related("person"),
            "problems": session_protocol_problems(session),
            "rows": rows,
            "hidden": hidden,
            "columns": GRID_COLUMNS,
            "can_edit": may_add_capture(request.user, session),
            "can_edit_session": session_can_edit(request.user, session),
            "grid_config": {
                "session": session.pk,
                "capturesUrl": reverse("ringing-capture-list"),
                "sessionUrl": reverse("ringing-session-detail", args=[session.pk]),
                "historyUrl": reverse("baguage:ring_history"),
                "nextRingUrl": reverse("baguage:ring_next"),
                "defaults": ENTRY_DEFAULTS,
                "columns": GRID_COLUMNS,
            },
        },
    )
