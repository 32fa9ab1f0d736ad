from django.apps import AppConfig


class ObservationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "observations"

    def ready(self):
        from referentiel.signals import sensitivity_rules_changed, sites_listed

        from .protocol_reads import narrow_listed_sites
        from .tasks import sensitivity_refresh_enqueue

        sensitivity_rules_changed.connect(
            sensitivity_refresh_enqueue, dispatch_uid="observations-sensitivity"
        )
        sites_listed.connect(narrow_listed_sites, dispatch_uid="observations-sites")
