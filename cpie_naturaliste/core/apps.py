from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cpie_naturaliste.core"
    label = "core"
    verbose_name = "Noyau"
