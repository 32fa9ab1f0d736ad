from django.apps import AppConfig


class ZonesHumidesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zones_humides"
