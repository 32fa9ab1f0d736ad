from django.apps import AppConfig


class BaguageConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "baguage"
