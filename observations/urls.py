"""Pages of the observations app, mounted at ``/observations/``."""

from django.urls import path

from observations.views import (
    counts,
    exchanges,
    exports_sinp,
    extracts,
    imports,
    media,
    my_records,
    occurrence_detail,
    occurrence_entry,
    occurrence_list,
    outbox,
    validation,
)
from observations.views.atlas import atlas_page

app_name = "observations"

urlpatterns = [
    path("", occurrence_list.occurrence_list, name="occurrence_list"),
    path(
        "nouvelle/",
        occurrence_entry.occurrence_create_view,
        name="occurrence_create",
    ),
    path("mes-saisies/", my_records.my_records_view, name="my_records"),
    path("a-envoyer/", outbox.outbox_view, name="outbox"),
    path("validation/", validation.validation_queue, name="validation_queue"),
    path("medias/exif.json", media.media_exif, name="media_exif"),
    path("medias/<uuid:uuid>/", media.media_file, name="media_file"),
    path(
        "medias/<uuid:uuid>/miniature/", media.media_thumbnail, name="media_thumbnail"
    ),
    path(
        "<uuid:uuid>/",
        occurrence_detail.occurrence_detail,
        name="occurrence_detail",
    ),
    path(
        "<uuid:uuid>/modifier/",
        occurrence_entry.occurrence_update_view,
        name="occurrence_update",
    ),
    path(
        "<uuid:uuid>/supprimer/",
        occurrence_entry.occurrence_delete_view,
        name="occurrence_delete",
    ),
    path(
        "<uuid:uuid>/valider/",
        occurrence_detail.occurrence_validate,
        name="occurrence_validate",
    ),
    path(
        "<uuid:uuid>/medias/",
        occurrence_detail.occurrence_media_add_view,
        name="occurrence_media_add",
    ),
    path("atlas/", atlas_page, name="atlas"),
    path("extractions/", extracts.extract_list, name="extract_list"),
    path(
        "extractions/echanges/nouveau/",
        exchanges.exchange_create,
        name="exchange_create",
    ),
    path(
        "extractions/estimation.json",
        extracts.extract_estimate_view,
        name="extract_estimate",
    ),
    path("extractions/<uuid:uuid>/", extracts.extract_detail, name="extract_detail"),
    path(
        "extractions/<uuid:uuid>/etat.json",
        extracts.extract_status,
        name="extract_status",
    ),
    path(
        "extractions/<uuid:uuid>/fichier/",
        extracts.extract_download,
        name="extract_download",
    ),
    path("import/", imports.import_upload, name="import"),
    path("import/modele.csv", imports.import_template_csv, name="import_template"),
    path("import/<uuid:uuid>/", imports.import_detail, name="import_detail"),
    path("import/<uuid:uuid>/colonnes/", imports.import_mapping, name="import_mapping"),
    path("import/<uuid:uuid>/etat.json", imports.import_status, name="import_status"),
    path(
        "import/<uuid:uuid>/erreurs.csv",
        imports.import_errors_csv,
        name="import_errors",
    ),
    path(
        "import/<uuid:uuid>/lignes-refusees.csv",
        imports.import_refused_csv,
        name="import_refused",
    ),
    path("import/<uuid:uuid>/annuler/", imports.import_undo, name="import_undo"),
    path("exports-sinp/", exports_sinp.sinp_export_list, name="sinp_exports"),
    path(
        "exports-sinp/<uuid:uuid>/",
        exports_sinp.sinp_export_detail,
        name="sinp_export_detail",
    ),
    path(
        "exports-sinp/<uuid:uuid>/etat.json",
        exports_sinp.sinp_export_status,
        name="sinp_export_status",
    ),
    path(
        "exports-sinp/<uuid:uuid>/fichier/",
        exports_sinp.sinp_export_download,
        name="sinp_export_download",
    ),
    path("comptages/", counts.count_programme_list, name="count_programmes"),
    path(
        "comptages/<str:code>/",
        counts.count_programme_detail,
        name="count_programme",
    ),
    path(
        "comptages/<str:code>/saisie/<int:season>/",
        counts.count_season_grid,
        name="count_season_grid",
    ),
    path(
        "comptages/<str:code>/saison/<int:season>/",
        counts.count_season,
        name="count_season",
    ),
    path(
        "comptages/<str:code>/saison/<int:season>/tableau.xlsx",
        counts.count_season_xlsx,
        name="count_season_xlsx",
    ),
    path(
        "comptages/<str:code>/espece/<int:cd_nom>/",
        counts.count_species,
        name="count_species",
    ),
    path("comptages/<str:code>/tendances/", counts.count_trends, name="count_trends"),
    path("comptages/<str:code>/import/", counts.count_import, name="count_import"),
]
