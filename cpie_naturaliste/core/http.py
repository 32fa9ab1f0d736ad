"""Request guards and error pages shared by the whole site: JSON for the API, HTML elsewhere."""

import sys

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"
# Paths answered in JSON, errors included: the REST API and the OGC API.
JSON_PREFIXES = (API_PREFIX, "/ogc/")


def _is_api(request) -> bool:
    return request.path.startswith(JSON_PREFIXES)


# What an HTML page can send: a link (GET, HEAD) or a form (POST).
PAGE_METHODS = ("GET", "HEAD", "POST", "OPTIONS")


class PageMethodsMiddleware:
    """Refuse (405) PUT, PATCH and DELETE outside the API: no page takes them, and a view
    written for GET and POST would otherwise answer a PUT with its page (200), as if it
    had been done (the crawler of issue 17 sends every method to every route)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in PAGE_METHODS and not _is_api(request):
            response = HttpResponse(
                _("Méthode %(method)s non acceptée par cette page.")
                % {"method": escape(request.method)},
                status=405,
                content_type="text/plain; charset=utf-8",
            )
            response["Allow"] = ", ".join(PAGE_METHODS)
            return response
        return self.get_response(request)


class RejectNulMiddleware:
    """Refuse (400) a URL, query string or form-encoded body holding a NUL character.

    PostgreSQL text cannot hold NUL: a lookup by code or slug, a filter value or a field
    that carries one makes the query fail with a DataError (a 500). No form field,
    filter or identifier of the site ever needs one. JSON bodies are the serializers'
    (a field error naming the field: DRF's CharField, and core.serializers'
    SlugRelatedField); multipart bodies are left alone: their files are binary, and the
    import views choose their upload handlers before the body is read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return _nul_refused(
                request, _("Caractère nul (NUL) interdit dans l'adresse.")
            )
        if _body_has_nul(request):
            return _nul_refused(
                request, _("Caractère nul (NUL) interdit dans les données envoyées.")
            )
        return self.get_response(request)


def _body_has_nul(request) -> bool:
    """A NUL in a form-encoded body (raw, or ``%00``)."""
    if request.content_type != "application/x-www-form-urlencoded":
        return False
    try:
        body = request.body
    except Exception:  # too big, or already read: left to the view, which answers it
        return False
    return b"\x00" in body or b"%00" in body


def _nul_refused(request, message: str):
    if _is_api(request):
        return JsonResponse({"detail": message}, status=400)
    return HttpResponseBadRequest(message)


TOO_LARGE = (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)


def request_too_large(request, exception=None):
    """413: a body too large to read into memory (``DATA_UPLOAD_MAX_MEMORY_SIZE``: a form,
    a JSON body, a multipart field other than a file), or with too many fields
    (``DATA_UPLOAD_MAX_NUMBER_FIELDS``) or files. Django checks the declared length
    before reading anything, wherever the body is read first (the CSRF check, a form,
    DRF's parsers), and raises; :func:`bad_request` turns that into this answer."""
    message = _(
        "Les données envoyées sont trop volumineuses (%(max)s Mo au plus hors "
        "fichiers joints, %(fields)s champs au plus)."
    ) % {
        "max": f"{round(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20, 1):g}".replace(
            ".", ","
        ),
        "fields": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
    }
    if _is_api(request):
        return JsonResponse({"detail": message}, status=413)
    return render(request, "413.html", {"message": message}, status=413)


def bad_request(request, exception):
    """``handler400``: Django's refusals of a request it cannot read (a suspicious
    operation: a Host not allowed, a broken cookie or multipart body…). A body too large
    or with too many fields is a 413; the rest a 400. JSON for the API, a French page
    elsewhere; neither says more than that (the reason goes to the security log)."""
    if isinstance(exception, TOO_LARGE):
        return request_too_large(request, exception)
    if _is_api(request):
        return JsonResponse({"detail": _("Requête invalide.")}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    """``handler403``: JSON for the API (DRF's views answer their own refusals; this is
    for the others), the French page elsewhere (``templates/403.html``, with the view's
    reason when it gave one)."""
    if _is_api(request):
        return JsonResponse({"detail": _("Accès refusé.")}, status=403)
    return defaults.permission_denied(request, exception)


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: a form sent without its CSRF token (an expired session, a
    page kept open for a long time, cookies refused) gets the French 403 page instead
    of Django's English one; the technical reason stays in the log."""
    return render(
        request,
        "403.html",
        {
            "exception": _(
                "Le formulaire n'a pas pu être vérifié (session expirée ou cookies "
                "refusés) : rechargez la page et recommencez."
            )
        },
        status=403,
    )


def page_not_found(request, exception):
    """``handler404``: API clients get JSON ({"detail": …}) even for a URL that matches no
    route (a malformed id), as for any other API error; pages get the French HTML 404,
    which names neither the routes nor the reason (``templates/404.html``)."""
    if _is_api(request):
        return JsonResponse({"detail": _("Introuvable.")}, status=404)
    return defaults.page_not_found(request, exception)


# Seconds a client should wait before asking again while the database does not answer.
RETRY_AFTER_SECONDS = 30
ERROR_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>{title}</h1><p>{message}</p></body></html>"""


def server_error(request):
    """``handler500``: a database that does not answer (a restart, a failover, a
    maintenance) is a 503 with Retry-After, which clients and proxies retry; any other
    error a 500. JSON for the API, a page of its own elsewhere (no template, no query:
    the error may be the database itself)."""
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        status = 503
        title = _("Service momentanément indisponible")
        message = _("La base de données ne répond pas : réessayez dans un instant.")
    else:
        status = 500
        title = _("Erreur interne du serveur")
        message = _("L'erreur a été enregistrée ; réessayez plus tard.")
    if _is_api(request):
        response = JsonResponse({"detail": f"{title}. {message}"}, status=status)
    else:
        response = HttpResponse(
            ERROR_PAGE.format(title=escape(title), message=escape(message)),
            status=status,
        )
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
