"""Pages of the ringing app, under ``/baguage/``."""

from django.urls import path

from baguage.views import ringers, rings, sessions

app_name = "baguage"

urlpatterns: list = [
    path("", sessions.session_list, name="session_list"),
    path("sessions/nouvelle/", sessions.session_create, name="session_create"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session_detail"),
    path("sessions/<int:pk>/modifier/", sessions.session_update, name="session_update"),
    path("bagues/", rings.ring_stock_page, name="ring_stock"),
    path("bagues/historique.json", rings.ring_history_json, name="ring_history"),
    path("bagues/suivante.json", rings.ring_next_json, name="ring_next"),
    path("bagueurs/", ringers.ringer_list, name="ringer_list"),
]

# CRBPO import (baguage/views/imports.py).
from baguage.views import imports as crbpo_imports  # noqa: E402

urlpatterns += [
    path("import/", crbpo_imports.crbpo_import_page, name="import"),
    path(
        "import/modele-crbpo.csv",
        crbpo_imports.crbpo_import_template,
        name="import_template",
    ),
    path(
        "import/<uuid:uuid>/", crbpo_imports.crbpo_import_detail, name="import_detail"
    ),
    path(
        "import/<uuid:uuid>/etat.json",
        crbpo_imports.crbpo_import_status,
        name="import_status",
    ),
]

from baguage.views import euring  # noqa: E402

urlpatterns += [
    path("euring/<int:year>/", euring.euring_year, name="euring_year"),
    path(
        "euring/<int:year>/euring-<int:filename_year>.txt",
        euring.euring_download,
        name="euring_download",
    ),
]

# Annual table per site and programme (baguage/views/reports.py).
from baguage.views import reports as ringing_reports  # noqa: E402

urlpatterns += [
    path("bilan/", ringing_reports.bilan_latest, name="bilan_latest"),
    path("bilan/<int:year>/", ringing_reports.bilan, name="bilan"),
    path(
        "bilan/<int:year>/bilan-baguage-<int:filename_year>.xlsx",
        ringing_reports.bilan_xlsx,
        name="bilan_xlsx",
    ),
]
