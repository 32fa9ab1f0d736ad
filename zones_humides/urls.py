"""Pages of the wetlands app, under ``/zones-humides/``."""

from django.urls import path

from zones_humides.views import entry, fences, newts, pop, sites

app_name = "zones_humides"

urlpatterns = [
    path("", sites.index, name="index"),
    path("sites.geojson", sites.sites_geojson, name="sites_geojson"),
    path("sites/<int:pk>/", sites.site_sheet, name="site_sheet"),
    path("pop/", pop.pop_index, name="pop_index"),
    path("pop/<int:year>/", pop.pop_results_page, name="pop_results"),
    path(
        "pop/<int:year>/pop-amphibien-<int:filename_year>.csv",
        pop.pop_export,
        name="pop_export",
    ),
    path("pop/aires/<int:pk>/", pop.aire_detail, name="aire_detail"),
    path(
        "pop/sites/<int:site_pk>/passages/nouveau/",
        pop.passage_create,
        name="passage_create",
    ),
    path("pop/passages/<int:pk>/", pop.passage_update, name="passage_update"),
    path("barrieres/<int:pk>/", fences.fence_detail, name="fence_detail"),
    path(
        "barrieres/<int:pk>/releve/",
        entry.fence_check_entry,
        name="fence_check_entry",
    ),
    path("sites/<int:pk>/niveaux/", entry.water_level_entry, name="water_level_entry"),
    path(
        "sites/<int:site_pk>/operations/nouvelle/",
        entry.operation_create,
        name="operation_create",
    ),
    path("operations/<int:pk>/", entry.operation_update, name="operation_update"),
    path("tritons/", newts.newt_index, name="newt_index"),
    path(
        "tritons/historiques-de-capture.csv",
        newts.newt_matrix_csv,
        name="newt_matrix_csv",
    ),
    path(
        "tritons/captures/nouvelle/",
        newts.newt_capture_create_page,
        name="newt_capture_create",
    ),
    path(
        "tritons/captures/<int:pk>/identifier/",
        newts.newt_capture_tag_page,
        name="newt_capture_tag",
    ),
    path("tritons/captures/<int:pk>/photo/", newts.newt_photo, name="newt_photo"),
    path(
        "tritons/captures/<int:pk>/miniature/",
        newts.newt_thumbnail,
        name="newt_thumbnail",
    ),
    path("tritons/individus/<int:pk>/", newts.newt_individual, name="newt_individual"),
]
