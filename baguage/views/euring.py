"""The EURING2000+ export of a year from the interface: counts and invalid captures with their
reasons (``/baguage/euring/<year>/``), and the file itself, streamed
(``/baguage/euring/<year>/euring-<year>.txt``). Only the sessions whose dataset the user may
read are exported."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from baguage.euring import euring_export, euring_hidden, euring_rows, euring_years

MAX_LISTED = 500  # invalid captures listed on the page (all are counted)


@require_safe
@login_required
def euring_year(request: HttpRequest, year: int) -> HttpResponse:
    written, invalid = euring_export(year=year, out=None, user=request.user)
    return render(
        request,
        "baguage/euring_year.html",
        {
            "year": year,
            "written": written,
            "invalid": invalid[:MAX_LISTED],
            "invalid_count": len(invalid),
            "total": written + len(invalid),
            "hidden": euring_hidden(year=year, user=request.user),
            "years": euring_years(request.user),
            "download_url": reverse(
                "baguage:euring_download", kwargs={"year": year, "filename_year": year}
            ),
        },
    )


@require_safe
@login_required
def euring_download(
    request: HttpRequest, year: int, filename_year: int
) -> StreamingHttpResponse:
    if filename_year != year:
        raise Http404
    lines = (
        record + "\n"
        for record, problem in euring_rows(year=year, user=request.user)
        if problem is None
    )
    response = StreamingHttpResponse(lines, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="euring-{year}.txt"'
    return response
