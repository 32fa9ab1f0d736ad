"""Great crested newt photo-identification: the individuals, a capture's upload, the
side-by-side comparison that tags it, an individual's history, the capture-history
matrix (CSV) and the photos (served only to users who may read the capture).

Captures and individuals are those the user may place (``selectors.newts``: Triturus
cristatus is a sensitive species); a capture is created in a dataset of the user's
organisation and tagged by those who may change it (``zones_humides.permissions``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from referentiel.permissions import can_enter, may_write_in, writable_datasets
from zones_humides.forms import NewtCaptureForm
from zones_humides.models import FenceCheck
from zones_humides.permissions import may_write_newt
from zones_humides.selectors.fences import fences_visible_to
from zones_humides.selectors.newts import (
    capture_history_csv,
    capture_history_matrix,
    captures_visible_to,
    individuals_visible_to,
    newt_candidates,
    with_last_capture,
)
from zones_humides.selectors.pop import passages_visible_to
from zones_humides.selectors.reading import sites_visible_to
from zones_humides.selectors.sites import wetland_sites
from zones_humides.services import newt_capture_create, newt_capture_tag
from zones_humides.services.newts import capture_context


@login_required
def newt_index(request: HttpRequest) -> HttpResponse:
    captures = captures_visible_to(request.user)
    individuals = with_last_capture(
        individuals_visible_to(request.user), captures
    ).select_related("first_site")
    pending = captures.filter(individual__isnull=True).select_related("site")[:50]
    years, rows = capture_history_matrix(user=request.user)
    return render(
        request,
        "zones_humides/newt_index.html",
        {
            "individuals": individuals.order_by("code"),
            "pending": pending,
            "years": years,
            "matrix": rows,
            "can_enter": can_enter(request.user),
        },
    )


@login_required
def newt_matrix_csv(request: HttpRequest) -> HttpResponse:
    site = None
    if request.GET.get("site", "").isdigit():
        site = get_object_or_404(sites_visible_to(request.user), pk=request.GET["site"])
    response = HttpResponse(
        capture_history_csv(user=request.user, site=site),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        'attachment; filename="triton-crete-historiques-de-capture.csv"'
    )
    return response


def _context_from_request(request) -> dict:
    """The fence check or POP passage the capture is made at (``?releve=`` or
    ``?passage=``), among those the user may read."""
    source = request.POST if request.method == "POST" else request.GET
    if source.get("releve", "").isdigit():
        check = get_object_or_404(
            FenceCheck.objects.filter(
                fence__in=fences_visible_to(request.user)
            ).select_related("fence__site", "fence__dataset"),
            pk=source["releve"],
        )
        return capture_context(fence_check=check)
    if source.get("passage", "").isdigit():
        passage = get_object_or_404(
            passages_visible_to(request.user).select_related(
                "pop_site__site", "pop_site__aire__dataset"
            ),
            pk=source["passage"],
        )
        try:
            return capture_context(passage=passage)
        except ValidationError as error:
            raise Http404(error.messages[0]) from None
    return {}


@login_required
def newt_capture_create_page(request: HttpRequest) -> HttpResponse:
    if not can_enter(request.user):
        raise PermissionDenied
    context = _context_from_request(request)
    if context and not may_write_in(request.user, context["dataset"].pk):
        raise PermissionDenied
    form = NewtCaptureForm(
        request.POST or None,
        request.FILES or None,
        sites=wetland_sites(request.user).order_by("name"),
        datasets=writable_datasets(request.user).order_by("title"),
        context=context,
        initial={"date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        values = {**form.cleaned_data, **context}
        if not may_write_in(request.user, values["dataset"].pk):
            raise PermissionDenied
        try:
            capture = newt_capture_create(
                user=request.user,
                date=values["date"],
                site=values["site"],
                dataset=values["dataset"],
                photo=values["photo"],
                sex=values.get("sex") or "",
                comment=values.get("comment") or "",
                fence_check=context.get("fence_check"),
                passage=context.get("passage"),
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("zones_humides:newt_capture_tag", pk=capture.pk)
    return render(
        request,
        "zones_humides/newt_capture_form.html",
        {"form": form, "context": context},
    )


@login_required
def newt_capture_tag_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The new photo next to the candidates' latest photos; the person picks one or
    creates a new individual."""
    capture = get_object_or_404(
        captures_visible_to(request.user).select_related("site", "individual"), pk=pk
    )
    can_tag = may_write_newt(request.user, capture)
    candidates = newt_candidates(capture=capture, user=request.user)
    if request.method == "POST":
        if not can_tag:
            raise PermissionDenied
        choice = request.POST.get("individual", "")
        if choice == "new":
            individual = None
        elif choice.isdigit():
            individual = get_object_or_404(
                individuals_visible_to(request.user), pk=choice
            )
            # Tagging may move the individual's first capture and set its sex.
            if not may_write_in(request.user, individual.dataset_id):
                raise PermissionDenied
        else:
            messages.error(request, "Choisissez un individu ou « Nouvel individu ».")
            return redirect("zones_humides:newt_capture_tag", pk=capture.pk)
        tagged = newt_capture_tag(
            user=request.user, capture=capture, individual=individual
        )
        messages.success(
            request,
            f"Capture du {capture.date:%d/%m/%Y} rattachée à {tagged.code}"
            f"{' (nouvel individu)' if individual is None else ''}.",
        )
        return redirect("zones_humides:newt_individual", pk=tagged.pk)
    return render(
        request,
        "zones_humides/newt_capture_tag.html",
        {"capture": capture, "candidates": candidates, "can_tag": can_tag},
    )


@login_required
def newt_individual(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    individual = get_object_or_404(
        individuals_visible_to(user).select_related("first_site"), pk=pk
    )
    captures = list(
        captures_visible_to(user)
        .filter(individual=individual)
        .select_related("site", "fence_check__fence", "passage__pop_site")
        .order_by("date", "id")
    )
    # A capture's fence or pond is named only when the user sees it.
    fences = set(
        fences_visible_to(user)
        .filter(checks__newt_captures__in=captures)
        .values_list("pk", flat=True)
    )
    passages = set(
        passages_visible_to(user)
        .filter(newt_captures__in=captures)
        .values_list("pk", flat=True)
    )
    for capture in captures:
        check = capture.fence_check
        capture.shown_fence = (
            check.fence if check and check.fence_id in fences else None
        )
        capture.shown_passage = (
            capture.passage if capture.passage_id in passages else None
        )
    years = sorted({c.date.year for c in captures})
    return render(
        request,
        "zones_humides/newt_individual.html",
        {"individual": individual, "captures": captures, "years": years},
    )


def _photo_response(request, pk: int, field: str) -> FileResponse:
    capture = get_object_or_404(captures_visible_to(request.user), pk=pk)
    file = getattr(capture, field)
    if not file:
        raise Http404
    content_type = "image/jpeg"
    if field == "photo":
        extension = file.name.rsplit(".", 1)[-1].lower()
        content_type = {"png": "image/png", "webp": "image/webp"}.get(
            extension, "image/jpeg"
        )
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def newt_photo(request: HttpRequest, pk: int) -> FileResponse:
    return _photo_response(request, pk, "photo")


@login_required
def newt_thumbnail(request: HttpRequest, pk: int) -> FileResponse:
    return _photo_response(request, pk, "thumbnail")
