"""How the crawler fills each route: by viewset model, by admin model, by URL name, by
parameter name — and nothing else. ``urls_of`` raises ``UnfilledRoute`` for a route it cannot
fill, with the route and the parameter, so that a new channel fails the test until this file
says how to reach it."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from tests.security.crawler import Route, UnfilledRoute, build_path, with_query

# Parameters filled the same way on every route.
PARAM_FILLERS: dict[str, Callable] = {
    "year": lambda c: [c.year],
    "filename_year": lambda c: [c.year],
    "season": lambda c: [c.year],
    "cd_nom": lambda c: sorted({t.cd_nom for t in c.taxa}),
}

# Page routes (function views): URL name → parameter → (model label, attribute path) or a
# callable of the canaries.
PAGE_FILLERS: dict[str, dict[str, tuple[str, str] | Callable]] = {}


def _page(names: str, **params):
    for name in names.split():
        PAGE_FILLERS[name] = params


OCC = ("observations.Occurrence", "uuid")
_page(
    "observations:occurrence_detail observations:occurrence_update "
    "observations:occurrence_delete observations:occurrence_validate",
    uuid=OCC,
)
_page(
    "observations:media_file observations:media_thumbnail",
    uuid=("observations.OccurrenceMedia", "uuid"),
)
_page("observations:occurrence_media_add", uuid=OCC)
_page(
    "observations:extract_detail observations:extract_status observations:extract_download",
    uuid=("observations.Extract", "uuid"),
)
_page(
    "observations:import_detail observations:import_mapping observations:import_status "
    "observations:import_errors observations:import_refused observations:import_undo",
    uuid=("observations.ImportBatch", "uuid"),
)
_page(
    "observations:sinp_export_detail observations:sinp_export_status "
    "observations:sinp_export_download",
    uuid=("observations.SinpExport", "uuid"),
)
_page(
    "observations:count_programme observations:count_season_grid observations:count_season "
    "observations:count_season_xlsx observations:count_species observations:count_trends "
    "observations:count_import",
    code=("observations.CountProgramme", "programme.code"),
)
_page(
    "baguage:import_detail baguage:import_status",
    uuid=("baguage.RingingImport", "uuid"),
)
_page(
    "baguage:session_detail baguage:session_update",
    pk=("baguage.Session", "pk"),
)
_page("terrils:campaign_detail", pk=("terrils.Campaign", "pk"))
_page("terrils:terril_detail", number=("terrils.Terril", "number"))
_page(
    "zones_humides:site_sheet zones_humides:water_level_entry",
    pk=("referentiel.Site", "pk"),
)
_page("zones_humides:aire_detail", pk=("zones_humides.PopAire", "pk"))
_page("zones_humides:passage_create", site_pk=("zones_humides.PopSite", "pk"))
_page("zones_humides:passage_update", pk=("zones_humides.PopPassage", "pk"))
_page(
    "zones_humides:fence_detail zones_humides:fence_check_entry",
    pk=("zones_humides.DriftFence", "pk"),
)
_page("zones_humides:operation_create", site_pk=("referentiel.Site", "pk"))
_page("zones_humides:operation_update", pk=("zones_humides.ManagementOperation", "pk"))
_page(
    "zones_humides:newt_capture_tag zones_humides:newt_photo zones_humides:newt_thumbnail",
    pk=("zones_humides.NewtCapture", "pk"),
)
_page("zones_humides:newt_individual", pk=("zones_humides.NewtIndividual", "pk"))
_page(
    "sensibilisation:campaign_detail sensibilisation:report_sent "
    "sensibilisation:campaign_map",
    slug=("sensibilisation.Campaign", "slug"),
)
_page("sensibilisation:report_confirm", token=lambda c: c.report_tokens())
_page("sensibilisation:report_photo", uuid=("sensibilisation.Report", "uuid"))
_page(
    "sensibilisation:action_detail sensibilisation:action_update "
    "sensibilisation:action_delete sensibilisation:action_participants "
    "sensibilisation:action_session sensibilisation:action_document_add",
    pk=("sensibilisation.Action", "pk"),
)
_page("sensibilisation:action_document", pk=("sensibilisation.ActionDocument", "pk"))
_page(
    "sensibilisation:volunteer_detail sensibilisation:volunteer_erase",
    pk=("sensibilisation.Volunteer", "pk"),
)
_page(
    "sensibilisation:volunteer_export",
    pk=("sensibilisation.Volunteer", "pk"),
    fmt=lambda c: ["json", "csv"],
)
_page("indicateurs:find_decide", uuid=("indicateurs.RemarkableFind", "occurrence.uuid"))
_page(
    "indicateurs:report_detail indicateurs:report_status indicateurs:report_download",
    uuid=("indicateurs.AnnualReport", "uuid"),
)
_page("indicateurs:share_revoke", uuid=("indicateurs.ShareLink", "uuid"))
_page("indicateurs:shared", token=lambda c: c.share_tokens())


# OGC API – Features (/ogc/): every declared collection, and as feature ids the canaries'
# rows of every collection's model (each id is asked of every collection).
def _ogc_collections(canaries) -> list[str]:
    from cpie_naturaliste.core.ogc.collections import declared_collections

    return [collection.id for collection in declared_collections()]


def _ogc_features(canaries) -> list[int]:
    from django.contrib.auth.models import AnonymousUser

    from cpie_naturaliste.core.ogc.collections import declared_collections

    models = {c.rows(AnonymousUser()).model for c in declared_collections()}
    return sorted({obj.pk for model in models for obj in canaries.instances(model)})


def _ogc_boxes(canaries) -> list[dict]:
    """A full page, and a small bbox around each canary point (WGS84)."""
    from django.contrib.gis.geos import Point

    queries = [{"limit": 1000}]
    for x, y in canaries.canaries.points:
        point = Point(x, y, srid=2154).transform(4326, clone=True)
        box = (point.x - 0.001, point.y - 0.001, point.x + 0.001, point.y + 0.001)
        queries.append({"bbox": ",".join(f"{v:.5f}" for v in box), "limit": 1000})
    return queries


_page(
    "ogc:collection ogc:schema ogc:items",
    collection_id=_ogc_collections,
)
_page(
    "ogc:item",
    collection_id=_ogc_collections,
    feature_id=_ogc_features,
)
# Route → query variants asked besides the bare URL (callables of the canaries).
QUERY_FILLERS: dict[str, Callable] = {"ogc:items": _ogc_boxes}

# Vector tiles: the zooms at which the tiles holding each canary point are asked (cells
# of 50, 10 and 2 km below zoom 12, one feature per record from it).
TILE_ZOOMS = (6, 9, 11, 12, 14, 17)


def _canary_tiles(canaries) -> list[dict]:
    """The tile holding each canary point at each of ``TILE_ZOOMS``, and its neighbour to
    the east (a point near the edge is drawn in the buffer of the next tile too)."""
    from django.contrib.gis.geos import Point

    from tests.mvt import lonlat_of_tile

    tiles = set()
    for x, y in canaries.canaries.points:
        point = Point(x, y, srid=2154).transform(4326, clone=True)
        for z in TILE_ZOOMS:
            column, row = lonlat_of_tile(point.x, point.y, z)
            tiles.update({(z, column, row), (z, column + 1, row)})
    return [{"z": z, "x": x, "y": y} for z, x, y in sorted(tiles)]


# Route → the combinations of its parameters (when they are not independent, as a tile's
# z, x and y), its other parameters filled as usual.
COMBINED_FILLERS: dict[str, Callable] = {"occurrence-tiles": _canary_tiles}


def attribute(obj, path: str):
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def values_of(canaries, label: str, path: str) -> list:
    model = apps.get_model(label)
    return sorted({attribute(obj, path) for obj in canaries.instances(model)}, key=str)


def urls_of(route: Route, canaries) -> list[str]:
    """Every URL of ``route`` the canaries fill (all combinations of their values)."""
    if not route.converters:
        return [build_path(route, {})]
    combined = (
        COMBINED_FILLERS[route.name](canaries) if route.name in COMBINED_FILLERS else []
    )
    fixed = {name for combination in combined for name in combination}
    choices = {
        name: _values(route, name, canaries)
        for name in route.converters
        if name not in fixed
    }
    for name, values in choices.items():
        if not values:
            raise UnfilledRoute(
                f"{route.pattern} ({route.name}): no canary value for <{name}>"
            )
    combinations = combined or [{}]
    for name, values in choices.items():
        combinations = [{**c, name: v} for c in combinations for v in values]
    paths = [build_path(route, values) for values in combinations]
    queries = QUERY_FILLERS[route.name](canaries) if route.name in QUERY_FILLERS else []
    return paths + [with_query(path, query) for path in paths for query in queries]


def _values(route: Route, name: str, canaries) -> list:
    viewset = route.viewset
    if name == "format":
        if "drf_format_suffix" in route.pattern:
            return [f".{fmt}" for fmt in _formats(route)]
        return _formats(route)
    if viewset is not None and hasattr(viewset, "lookup_field"):
        kwarg = getattr(viewset, "lookup_url_kwarg", None) or viewset.lookup_field
        if name == kwarg:
            model = _viewset_model(viewset)
            return values_of(
                canaries, model._meta.label, viewset.lookup_field.replace("__", ".")
            )
        if (
            name == "code"
            and _viewset_model(viewset)._meta.label == "observations.CountProgramme"
        ):
            return values_of(canaries, "observations.CountProgramme", "programme.code")
    if route.model_admin is not None or route.pattern.startswith("admin/"):
        admin_values = _admin_values(route, name, canaries)
        if admin_values is not None:
            return admin_values
    page = PAGE_FILLERS.get(route.name, {})
    if name in page:
        filler = page[name]
        if callable(filler):
            return list(filler(canaries))
        return values_of(canaries, *filler)
    if name in PARAM_FILLERS:
        return list(PARAM_FILLERS[name](canaries))
    raise UnfilledRoute(f"{route.pattern} ({route.name}): unknown parameter <{name}>")


# Viewsets whose queryset is built per request (no ``queryset`` attribute to read).
VIEWSET_MODELS = {"CommuneViewSet": "referentiel.Commune"}


def _viewset_model(viewset):
    if viewset.__name__ in VIEWSET_MODELS:
        return apps.get_model(VIEWSET_MODELS[viewset.__name__])
    if getattr(viewset, "queryset", None) is not None:
        return viewset.queryset.model
    serializer = getattr(viewset, "serializer_class", None)
    if serializer is not None and hasattr(serializer, "Meta"):
        return serializer.Meta.model
    raise UnfilledRoute(f"{viewset.__name__}: no model to fill its lookup from")


def _formats(route: Route) -> list[str]:
    viewset = route.viewset
    if viewset is None or not hasattr(viewset, "renderer_classes"):
        return ["json"]
    formats = {renderer.format for renderer in viewset.renderer_classes}
    formats.discard("api")  # the browsable API renders the JSON it would give
    return sorted(formats) + ["api"]


def _admin_values(route: Route, name: str, canaries) -> list | None:
    model_admin = route.model_admin
    if name == "app_label":
        group = re.search(r"\(\?P<app_label>([^)]*)\)", route.regex).group(1)
        return group.split("|")
    if name in ("object_id", "id") and model_admin is not None:
        instances = canaries.instances(model_admin.model)
        if not instances:
            first = model_admin.model._default_manager.order_by("pk").first()
            instances = [first] if first is not None else []
        # A model without any row (a beat schedule in the tests): its routes are still
        # requested, with an id that names nothing.
        return [obj.pk for obj in instances] or [1]
    if name == "id":  # the admin's password form of a user
        return [canaries.canaries.coordinator.pk]
    if name == "content_type_id":
        return [ContentType.objects.get_for_model(canaries.occurrence_model()).pk]
    if name == "object_id":
        return [obj.pk for obj in canaries.instances(canaries.occurrence_model())]
    if name == "url":
        return ["inconnu/"]
    return None
