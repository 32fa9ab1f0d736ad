"""``/ogc/``: OGC API – Features (see ``cpie_naturaliste.core.ogc.views``). Paths without
a trailing slash, as the standard writes them (``/collections/{collectionId}/items``)."""

from django.urls import path

from cpie_naturaliste.core.ogc import views

app_name = "ogc"

urlpatterns = [
    path("", views.LandingView.as_view(), name="landing"),
    path("conformance", views.ConformanceView.as_view(), name="conformance"),
    path("api", views.OpenApiView.as_view(), name="openapi"),
    path("collections", views.CollectionsView.as_view(), name="collections"),
    path(
        "collections/<str:collection_id>",
        views.CollectionView.as_view(),
        name="collection",
    ),
    path(
        "collections/<str:collection_id>/schema",
        views.SchemaView.as_view(),
        name="schema",
    ),
    path(
        "collections/<str:collection_id>/items",
        views.ItemsView.as_view(),
        name="items",
    ),
    path(
        "collections/<str:collection_id>/items/<int:feature_id>",
        views.ItemView.as_view(),
        name="item",
    ),
]
