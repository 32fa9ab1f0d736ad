from django.urls import path

from indicateurs import views

app_name = "indicateurs"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.dashboard, name="dashboard"),
    path("<int:year>/rapport/", views.report_request, name="report_request"),
    path("<int:year>/decouvertes/", views.finds, name="finds"),
    path(
        "<int:year>/decouvertes/<uuid:uuid>/", views.find_decision, name="find_decide"
    ),
    path("<int:year>/historique/", views.history_refresh, name="history_refresh"),
    path("<int:year>/fraicheur/", views.freshness, name="freshness"),
    path("<int:year>/imprimer/", views.printable, name="printable"),
    path("<int:year>/recit/", views.narrative_edit, name="narrative_edit"),
    path("<int:year>/comparer/", views.compare, name="compare"),
    path("<int:year>/partage/", views.share_list, name="share_list"),
    path(
        "partage/<uuid:uuid>/revoquer/",
        views.share_revoke_view,
        name="share_revoke",
    ),
    path("partage/<str:token>/", views.shared, name="shared"),
    path("rapports/<uuid:uuid>/", views.report_detail, name="report_detail"),
    path("rapports/<uuid:uuid>/statut/", views.report_status, name="report_status"),
    path(
        "rapports/<uuid:uuid>/fichier/", views.report_download, name="report_download"
    ),
]
