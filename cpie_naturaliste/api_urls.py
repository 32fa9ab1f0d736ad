"""The one DRF router of the site-wide API (``/api/v1/``): every app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from baguage import api as baguage_api
from observations import api as observations_api
from referentiel import api as referentiel_api

router = DefaultRouter()
referentiel_api.register(router)
observations_api.register(router)
baguage_api.register(router)

urlpatterns = router.urls
