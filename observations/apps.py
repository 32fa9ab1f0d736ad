from django.apps import AppConfig


class ObservationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "observations"

    def ready(self):
        from referentiel.signals import sensitivity_rules_changed

        from .tasks import sensitivity_refresh_enqueue

        sensitivity_rules_changed.connect(
            sensitivity_refresh_enqueue, dispatch_uid="observations-sensitivity"
        )
