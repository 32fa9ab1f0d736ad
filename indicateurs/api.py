"""``/api/v1/indicateurs/<year>/``: the indicators of a year as JSON (coordinators, the
regional observatory's account being a regional coordinator).

A light answer: the figures, not every record. The indicator tables, the narratives,
the five-year series, the charts and the detail tables, but of the finds only their
counts and those retained for the report, and nothing of the year before but the
figures' ``previous`` values (its whole facts made 1.8 of the 2.0 MB the demo's 2020
answered before: docs in tests/indicateurs/test_coordinators.py)."""

from django.http import HttpRequest
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from indicateurs.narratives import narratives_apply
from indicateurs.report import chosen_finds
from indicateurs.series import series_read
from indicateurs.services import user_reads_indicators
from indicateurs.snapshots import indicators_read
from indicateurs.structures import Perimeter, perimeter_of
from indicateurs.views import FIND_LISTS
from observations.atlas import YEAR_MIN, atlas_year_max
from referentiel.permissions import role_permission

ReadsIndicators = role_permission(
    read=user_reads_indicators, message="Réservé aux coordinateurs."
)


def light_indicators(indicators: dict, year: int, perimeter: Perimeter) -> dict:
    """The figures of the indicators, without the records behind them."""
    details = dict(indicators["details"])
    finds = details.pop("finds")
    details["finds"] = {
        "counts": {kind.value: len(finds[key]) for kind, key in FIND_LISTS.items()},
        "gap_years": finds["gap_years"],
        "retained": chosen_finds(finds)[0],
    }
    narratives_apply(indicators, year, perimeter.narrative_organisation_id)
    return {
        "year": indicators["year"],
        "previous_year": indicators["previous_year"],
        "structure": perimeter.structure.name if perimeter.structure else None,
        "sections": indicators["sections"],
        "atlas_definition": indicators["atlas_definition"],
        "narratives": indicators["narratives"],
        "series": series_read(year, perimeter, indicators["sections"]),
        "details": details,
        "charts": indicators["charts"],
    }


class IndicatorsView(APIView):
    permission_classes = [IsAuthenticated, ReadsIndicators]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        summary="Indicateurs du bilan annuel d'une année",
        parameters=[
            OpenApiParameter(
                "organisme",
                int,
                description=(
                    "Coordination régionale : les indicateurs de cette structure "
                    "(identifiant). Refusé (403) à la coordination d'une autre structure."
                ),
            )
        ],
        description=(
            "Chaque indicateur de l'année avec sa définition, sa valeur de l'année "
            "précédente, l'écart et le lien vers les données ; les récits des actions ; "
            "les séries sur cinq ans ; les tableaux de détail (atlas, baguage, POP, "
            "terrils, échanges, sensibilisation) ; des découvertes remarquables, leur "
            "nombre par type et celles retenues pour le bilan ; ``freshness`` dit quand "
            "ils ont été calculés (``computed_at``) et si des données ont changé depuis "
            "(``stale`` : le recalcul est en cours)."
        ),
    )
    def get(self, request: HttpRequest, year: int):
        if not YEAR_MIN <= year <= atlas_year_max():
            raise NotFound("Année hors limites.")
        perimeter = perimeter_of(
            request._request if hasattr(request, "_request") else request
        )
        indicators, freshness = indicators_read(
            year, request.user, perimeter.snapshot_structure
        )
        return Response(
            {
                **light_indicators(indicators, year, perimeter),
                "freshness": freshness.as_dict(),
            }
        )
