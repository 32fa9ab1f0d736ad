"""Request guards and error pages shared by the whole site: JSON for the API, HTML elsewhere."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


class RejectNulMiddleware:
    """Refuse (400) a URL or query string holding a NUL character.

    PostgreSQL text cannot hold NUL: a lookup by code or slug, or a filter value, that
    carries one makes the query fail with a DataError (a 500). No form field, filter or
    identifier of the site ever needs one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            message = _("Caractère nul (NUL) interdit dans l'adresse.")
            if _is_api(request):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)


def page_not_found(request, exception):
    """``handler404``: API clients get JSON ({"detail": …}) even for a URL that matches no
    route (a malformed id), as for any other API error; pages get the HTML 404."""
    if _is_api(request):
        return JsonResponse({"detail": _("Introuvable.")}, status=404)
    return defaults.page_not_found(request, exception)
