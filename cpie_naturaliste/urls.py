from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from cpie_naturaliste import offline_data, pwa
from cpie_naturaliste.core.auth import ObtainAuthTokenView
from cpie_naturaliste.core.ogc.views import LandingView

handler400 = "cpie_naturaliste.core.http.bad_request"
handler403 = "cpie_naturaliste.core.http.permission_denied"
handler404 = "cpie_naturaliste.core.http.page_not_found"
handler500 = "cpie_naturaliste.core.http.server_error"

admin.site.site_header = "CPIE Naturaliste — administration"
admin.site.site_title = "CPIE Naturaliste"

urlpatterns = [
    path("", include("referentiel.urls")),
    # The installable app: its worker answers from the root, its scope is the whole site.
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("hors-ligne/donnees.json", offline_data.offline_data, name="offline_data"),
    path("admin/", admin.site.urls),
    path("observations/", include("observations.urls")),
    path("baguage/", include("baguage.urls")),
    path("terrils/", include("terrils.urls")),
    path("zones-humides/", include("zones_humides.urls")),
    path("sensibilisation/", include("sensibilisation.urls")),
    path("indicateurs/", include("indicateurs.urls")),
    path("api/v1/", include("cpie_naturaliste.api_urls")),
    path("api/v1/token/", ObtainAuthTokenView.as_view(), name="api_token"),
    # OGC API – Features for GIS clients. Its landing page answers at /ogc too: QGIS
    # does not follow the redirect APPEND_SLASH would send.
    path("ogc", LandingView.as_view(), name="ogc_landing"),
    path("ogc/", include("cpie_naturaliste.core.ogc.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema"),
        name="swagger-ui",
    ),
    # Redoc (templates/drf_spectacular/redoc.html) runs its search in a worker it
    # builds from a blob: URL, which the site's policy does not allow elsewhere.
    path(
        "api/redoc/",
        csp_update({"worker-src": ["'self'", "blob:"]})(
            SpectacularRedocView.as_view(url_name="schema")
        ),
        name="redoc",
    ),
]
