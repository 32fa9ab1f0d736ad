"""Pages of the sensibilisation app, under ``/sensibilisation/``."""

from django.urls import path

from sensibilisation.views import actions, campaigns, figures, volunteers

app_name = "sensibilisation"

urlpatterns = [
    path("", campaigns.index, name="index"),
    path("campagnes/<slug:slug>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campagnes/<slug:slug>/envoye/", campaigns.report_sent, name="report_sent"),
    path(
        "campagnes/<slug:slug>/carte.geojson",
        campaigns.campaign_map,
        name="campaign_map",
    ),
    path(
        "confirmer/<str:token>/",
        campaigns.report_confirm_page,
        name="report_confirm",
    ),
    path("signalements/", campaigns.report_list, name="report_list"),
    path(
        "signalements/<uuid:uuid>/photo/",
        campaigns.report_photo,
        name="report_photo",
    ),
    path("actions/", actions.action_list, name="action_list"),
    path("actions/nouvelle/", actions.action_create, name="action_create"),
    path("actions/<int:pk>/", actions.action_detail, name="action_detail"),
    path("actions/<int:pk>/modifier/", actions.action_update, name="action_update"),
    path("actions/<int:pk>/supprimer/", actions.action_delete, name="action_delete"),
    path(
        "actions/<int:pk>/participants/",
        actions.action_participants,
        name="action_participants",
    ),
    path(
        "actions/<int:pk>/seances/", actions.action_session_add, name="action_session"
    ),
    path(
        "actions/<int:pk>/documents/",
        actions.action_document_add,
        name="action_document_add",
    ),
    path("documents/<int:pk>/", actions.action_document, name="action_document"),
    path("benevoles/", volunteers.volunteer_list, name="volunteer_list"),
    path("benevoles/nouveau/", volunteers.volunteer_create, name="volunteer_create"),
    path("benevoles/<int:pk>/", volunteers.volunteer_detail, name="volunteer_detail"),
    path(
        "benevoles/<int:pk>/export.<str:fmt>",
        volunteers.volunteer_export,
        name="volunteer_export",
    ),
    path(
        "benevoles/<int:pk>/effacer/",
        volunteers.volunteer_erase,
        name="volunteer_erase",
    ),
    path("bilan/", figures.bilan_latest, name="bilan_latest"),
    path("bilan/<int:year>/", figures.bilan, name="bilan"),
]
