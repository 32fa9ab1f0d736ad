"""The one DRF router of the site-wide API (``/api/v1/``): every app registers its viewsets here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from baguage import api as baguage_api
from indicateurs.api import IndicatorsView
from observations import api as observations_api
from observations.counts import api as counts_api
from referentiel import api as referentiel_api
from sensibilisation import api as sensibilisation_api
from terrils import api as terrils_api
from zones_humides import api as zones_humides_api

router = DefaultRouter()
# No ".json" suffix routes: the format is negotiated (Accept, ?format=); the suffix variants
# doubled every route and broke each custom action that does not take ``format``.
router.include_format_suffixes = False
referentiel_api.register(router)
observations_api.register(router)
counts_api.register(router)
baguage_api.register(router)
terrils_api.register(router)
zones_humides_api.register(router)
sensibilisation_api.register(router)

urlpatterns = [
    *router.urls,
    *observations_api.tile_urls(),
    path("indicateurs/<int:year>/", IndicatorsView.as_view(), name="indicateurs-year"),
]
