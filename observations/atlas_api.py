"""Atlas contributions API: ``/api/v1/atlas/?year=2020``.

Registered on the site-wide router by ``observations.api.register``.
"""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from observations.atlas import (
    AtlasLine,
    atlas_contributions,
    atlas_year_parse,
    atlas_years,
)
from observations.models import Occurrence


class AtlasLineSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text=_("Code du groupe d'atlas, du règne (faune, flore…) ou « total ».")
    )
    name = serializers.CharField(help_text=_("Libellé en français."))
    kingdom = serializers.CharField(
        help_text=_("Règne du groupe : faune, flore, fonge.")
    )
    records = serializers.IntegerField(
        help_text=_("Nombre de données de présence de l'année.")
    )
    species = serializers.IntegerField(
        help_text=_(
            "Nombre d'espèces : taxons valides au rang d'espèce ou inférieur, une "
            "sous-espèce comptant pour son espèce."
        )
    )
    occurrences_url = serializers.CharField(
        allow_null=True,
        help_text=_("Liste des observations comptées (API), ou null pour un règne."),
    )


@extend_schema_serializer(many=False)  # one object, even from the ``list`` action
class AtlasContributionsSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text=_("Année des données."))
    groups = AtlasLineSerializer(
        many=True,
        help_text=_(
            "Tous les groupes d'atlas dans l'ordre d'affichage, zéros compris."
        ),
    )
    ungrouped = AtlasLineSerializer(
        allow_null=True,
        help_text=_("Taxons sans groupe d'atlas, ou null s'il n'y en a pas."),
    )
    kingdoms = AtlasLineSerializer(many=True, help_text=_("Lignes faune, flore…"))
    total = AtlasLineSerializer()


YEAR_PARAM = OpenApiParameter(
    "year",
    OpenApiTypes.INT,
    description=_(
        "Année (par défaut : la dernière année qui a des observations visibles)."
    ),
)


class AtlasViewSet(viewsets.ViewSet):
    """Contributions aux atlas régionaux : données et espèces par groupe pour une année."""

    @extend_schema(
        parameters=[YEAR_PARAM],
        responses={200: AtlasContributionsSerializer},
        description=_(
            "Pour une année, le nombre de données de présence et d'espèces de chaque "
            "groupe d'atlas régional, avec les lignes faune, flore et total, sur les "
            "observations que l'utilisateur peut consulter."
        ),
    )
    def list(self, request):
        queryset = Occurrence.objects.visible_to(request.user)
        value = request.query_params.get("year") or None
        try:
            year = atlas_year_parse(
                value,
                default=atlas_years(queryset=queryset)[0] if value is None else 0,
            )
        except ValueError as error:
            raise ValidationError({"year": [str(error)]}) from None
        # Everything the user reads: counted from the summary (observations.atlas).
        table = atlas_contributions(year=year, user=request.user)
        list_url = request.build_absolute_uri(reverse("occurrence-list"))

        def line(item: AtlasLine, *, filtered: bool = True) -> dict:
            params = {"year": year}
            if item.code and item.code != "total":
                params["atlas_group"] = item.code
            return {
                **item.as_dict(),
                "occurrences_url": (
                    f"{list_url}?{urlencode({**params, 'presence': 'Pr'})}"
                    if filtered
                    else None
                ),
            }

        data = {
            "year": year,
            "groups": [line(group) for group in table.groups],
            "ungrouped": (
                line(table.ungrouped, filtered=False) if table.ungrouped else None
            ),
            "kingdoms": [line(kingdom, filtered=False) for kingdom in table.kingdoms],
            "total": line(table.total),
        }
        return Response(AtlasContributionsSerializer(data).data)
