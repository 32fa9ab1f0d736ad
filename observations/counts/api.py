"""Site-count API under ``/api/v1/comptages/programmes/``: programmes, a season's site ×
species table (GET) and its grid entry (POST), a species' site × season matrix, and TRIM
trends (all species, or one in full). Missing counts are ``null``, never 0.

Read when the programme's dataset is visible to the user, as the pages read it: a count is
given with its site, date and number only when the user may place the occurrence it
publishes, a site only when it is listed for the user; ``hidden`` says how many counts were
left out. Trends are aggregates over every site and name none. The grid is written under the
write rule (``referentiel.permissions``, through ``season_grid_save``): entry in the
programme's dataset, a visit changed only by whoever may change it."""

from uuid import UUID

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from cpie_naturaliste.core.resend import ENTRY_REQUEST, form_refusal
from cpie_naturaliste.core.schema import VALIDATION_SCHEMA
from observations.models import CountProgramme, CountVisit
from referentiel.models import Person
from referentiel.permissions import may_write_in

from .forms import season_grid_form
from .selectors import season_table, shown_sites, species_table
from .services import VisitEntry, season_grid_save
from .trends import programme_trends, species_trend


class CountProgrammeSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="programme.code")
    name = serializers.CharField(source="programme.name")
    taxa = serializers.SerializerMethodField()
    sites = serializers.SerializerMethodField()

    class Meta:
        model = CountProgramme
        fields = ["code", "name", "kind", "season_start_month", "taxa", "sites"]

    def get_taxa(self, programme) -> list[dict]:
        return [
            {"cd_nom": t.pk, "scientific_name": t.scientific_name}
            for t in programme.taxa.order_by("scientific_name")
        ]

    def get_sites(self, programme) -> list[dict]:
        return [
            {"id": s.pk, "name": s.site.name, "code": s.code, "habitat": s.habitat}
            for s in shown_sites(programme, self.context["request"].user)
        ]


class GridRowSerializer(serializers.Serializer):
    site = serializers.IntegerField(help_text="identifiant du site de comptage")
    date = serializers.DateField()
    coverage = serializers.ChoiceField(
        choices=CountVisit.Coverage.choices, default=CountVisit.Coverage.COMPLETE
    )
    temperature = serializers.DecimalField(
        max_digits=4, decimal_places=1, required=False, allow_null=True
    )
    humidity = serializers.IntegerField(
        min_value=0, max_value=100, required=False, allow_null=True
    )
    counts = serializers.DictField(
        child=serializers.IntegerField(min_value=0, allow_null=True),
        help_text="cd_nom → effectif (null : non compté)",
    )


class GridSerializer(serializers.Serializer):
    observers = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), many=True, required=False
    )
    rows = GridRowSerializer(many=True)


def _table_json(programme, season, user) -> dict:
    table = season_table(programme=programme, season=season, user=user)
    taxa, rows = table.taxa, table.rows
    return {
        "season": season,
        "hidden": table.hidden,
        "taxa": [{"cd_nom": t.pk, "scientific_name": t.scientific_name} for t in taxa],
        "rows": [
            {
                "site": row.count_site.pk,
                "name": row.count_site.site.name,
                "date": row.visit.date if row.visit else None,
                "coverage": row.visit.coverage if row.visit else None,
                "counts": {
                    str(t.pk): value for t, value in zip(taxa, row.values, strict=True)
                },
            }
            for row in rows
        ],
    }


class CountProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CountProgrammeSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "programme__code"
    lookup_url_kwarg = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return CountProgramme.objects.visible_to(self.request.user).select_related(
            "programme", "dataset"
        )

    @extend_schema(request=GridSerializer, summary="Tableau ou saisie d'une saison")
    @action(detail=True, methods=["get", "post"], url_path=r"saisons/(?P<season>\d{4})")
    def season(self, request, code=None, season=None):
        programme, season = self.get_object(), int(season)
        if request.method == "POST":
            self._grid_save(request, programme, season)
        return Response(_table_json(programme, season, request.user))

    def _grid_save(self, request, programme, season) -> None:
        if not may_write_in(request.user, programme.dataset_id):
            raise PermissionDenied("Saisie réservée aux organismes du jeu de données.")
        grid = GridSerializer(data=request.data)
        grid.is_valid(raise_exception=True)
        sites = {s.pk: s for s in programme.sites.select_related("site")}
        entries = []
        for row in grid.validated_data["rows"]:
            if row["site"] not in sites:
                raise serializers.ValidationError({"rows": "Site hors du programme."})
            entries.append(
                VisitEntry(
                    count_site=sites[row["site"]],
                    date=row["date"],
                    coverage=row["coverage"],
                    observers=grid.validated_data.get("observers", []),
                    conditions={
                        k: row.get(k) for k in ("temperature", "humidity") if k in row
                    },
                    counts={int(k): v for k, v in row["counts"].items()},
                )
            )
        try:
            season_grid_save(
                programme=programme, season=season, entries=entries, user=request.user
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from error

    @extend_schema(
        request={"multipart/form-data": ENTRY_REQUEST},
        responses={
            200: OpenApiTypes.OBJECT,
            201: OpenApiTypes.OBJECT,
            400: VALIDATION_SCHEMA,
        },
        summary="Grille d'une saison saisie hors connexion",
        description=(
            "Les champs du formulaire de la page « Saisie de la saison » (multipart) et "
            "« uuid », l'identifiant fabriqué par l'appareil. Un nouvel envoi du même "
            "« uuid » répond le tableau sans rien réécrire (200). Refus (400) : les "
            "messages par champ du formulaire, et « labels »."
        ),
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"saisons/(?P<season>\d{4})/saisie",
        url_name="season-entry",
        parser_classes=[MultiPartParser, FormParser],
    )
    def season_entry(self, request, code=None, season=None):
        programme, season = self.get_object(), int(season)
        if not may_write_in(request.user, programme.dataset_id):
            raise PermissionDenied("Saisie réservée aux organismes du jeu de données.")
        form = season_grid_form(
            request.data, user=request.user, programme=programme, season=season
        )
        try:
            uuid = UUID(str(request.data.get("uuid", "")))
        except ValueError:
            form.is_valid()
            form.add_error(None, "Identifiant de la saisie (uuid) absent ou invalide.")
            return Response(form_refusal(form), status=status.HTTP_400_BAD_REQUEST)
        sent = CountVisit.objects.filter(
            count_site__programme=programme, season=season, entry_uuid=uuid
        )
        if sent.exists():
            return Response(_table_json(programme, season, request.user))
        if form.is_valid():
            try:
                season_grid_save(
                    programme=programme,
                    season=season,
                    entries=form.entries(),
                    user=request.user,
                    entry_uuid=uuid,
                )
            except (DjangoValidationError, DjangoPermissionDenied) as error:
                form.add_error(None, list(getattr(error, "messages", [str(error)])))
            else:
                return Response(
                    _table_json(programme, season, request.user),
                    status=status.HTTP_201_CREATED,
                )
        return Response(
            form_refusal(form, labels=form.labels()),
            status=status.HTTP_400_BAD_REQUEST,
        )

    @extend_schema(summary="Matrice sites × saisons d'une espèce (null : manquant)")
    @action(detail=True, methods=["get"], url_path=r"especes/(?P<cd_nom>\d+)")
    def species(self, request, code=None, cd_nom=None):
        programme = self.get_object()
        taxon = get_object_or_404(programme.taxa, pk=cd_nom)
        table = species_table(programme=programme, taxon=taxon, user=request.user)
        return Response(
            {
                "cd_nom": taxon.pk,
                "seasons": table.seasons,
                "hidden": table.hidden,
                "sites": [
                    {"site": site.pk, "name": site.site.name, "counts": values}
                    for site, values in table.matrix
                ],
            }
        )

    @extend_schema(
        operation_id="comptages_programmes_tendances_list",
        summary="Tendances TRIM de toutes les espèces du programme",
    )
    @action(detail=True, methods=["get"], url_path="tendances")
    def trends(self, request, code=None):
        summary = []
        for trend in programme_trends(programme=self.get_object()):
            item = {"taxon": trend["taxon"], "ok": trend["ok"]}
            if trend["ok"]:
                item.update(
                    sites=trend["sites"],
                    imputed_share=trend["imputed_share"],
                    slope=trend["slope_imputed"],
                )
            else:
                item["error"] = trend["error"]
            summary.append(item)
        return Response(summary)

    @extend_schema(
        operation_id="comptages_programmes_tendance_espece",
        summary="Tendance TRIM complète d'une espèce",
    )
    @action(detail=True, methods=["get"], url_path=r"tendances/(?P<cd_nom>\d+)")
    def trend(self, request, code=None, cd_nom=None):
        programme = self.get_object()
        taxon = get_object_or_404(programme.taxa, pk=cd_nom)
        trend = species_trend(programme=programme, taxon=taxon)
        if "dropped_sites" in trend:
            # The model's sites are every site; only those shown to the user are named.
            shown = {str(site.pk) for site in shown_sites(programme, request.user)}
            trend = {
                **trend,
                "dropped_sites": [s for s in trend["dropped_sites"] if s in shown],
            }
        return Response(trend, status.HTTP_200_OK)


def register(router) -> None:
    router.register(
        "comptages/programmes", CountProgrammeViewSet, basename="count-programme"
    )
