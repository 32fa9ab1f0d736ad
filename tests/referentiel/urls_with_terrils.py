"""A URLconf where a "terrils" app has a landing page, for the navigation test."""

from django.http import HttpResponse
from django.urls import include, path

terrils_patterns = (
    [path("", lambda request: HttpResponse("Terrils"), name="index")],
    "terrils",
)

urlpatterns = [
    path("", include("cpie_naturaliste.urls")),
    path("terrils/", include(terrils_patterns)),
]
