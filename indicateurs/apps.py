from django.apps import AppConfig


class IndicateursConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "indicateurs"
