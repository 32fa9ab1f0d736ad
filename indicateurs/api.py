"""``/api/v1/indicateurs/<year>/``: the indicators of a year as JSON (coordinators, the
regional observatory's account being a regional coordinator)."""

from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from indicateurs.services import user_reads_indicators
from indicateurs.snapshots import indicators_read
from observations.atlas import YEAR_MIN, atlas_year_max
from referentiel.permissions import role_permission

ReadsIndicators = role_permission(
    read=user_reads_indicators, message="Réservé aux coordinateurs."
)


class IndicatorsView(APIView):
    permission_classes = [IsAuthenticated, ReadsIndicators]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        summary="Indicateurs du bilan annuel d'une année",
        description=(
            "Chaque indicateur de l'année avec sa définition, sa valeur de l'année "
            "précédente, l'écart et le lien vers les données ; les tableaux de détail (atlas, baguage, POP, "
            "terrils, échanges, sensibilisation) ; ``freshness`` dit quand ils ont été "
            "calculés (``computed_at``) et si des données ont changé depuis (``stale`` : "
            "le recalcul est en cours)."
        ),
    )
    def get(self, request, year: int):
        if not YEAR_MIN <= year <= atlas_year_max():
            raise NotFound("Année hors limites.")
        indicators, freshness = indicators_read(year, request.user)
        return Response({**indicators, "freshness": freshness.as_dict()})
