from django.urls import path

from terrils.views import campaigns, rankings, registry

app_name = "terrils"

urlpatterns = [
    path("", registry.terril_list, name="index"),
    path("classement/", rankings.ranking_page, name="ranking"),
    path("etat-zero/import/", rankings.state_zero_upload, name="state_zero_import"),
    path("campagnes/<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("<str:number>/", registry.terril_detail, name="terril_detail"),
]
