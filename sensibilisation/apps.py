from django.apps import AppConfig


class SensibilisationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sensibilisation"
