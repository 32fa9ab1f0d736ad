from django.apps import AppConfig


class TerrilsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "terrils"
