"""A URLconf where the "sensibilisation" app has a landing page and the "indicateurs" app
is not mounted (so it has none), for the navigation test."""

from django.http import HttpResponse
from django.urls import include, path

from cpie_naturaliste import urls as site_urls

sensibilisation_patterns = (
    [path("", lambda request: HttpResponse("Sensibilisation"), name="index")],
    "sensibilisation",
)

urlpatterns = [
    *(
        pattern
        for pattern in site_urls.urlpatterns
        if str(pattern.pattern) != "indicateurs/"
    ),
    path("sensibilisation/", include(sensibilisation_patterns)),
]
