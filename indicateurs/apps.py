from django.apps import AppConfig


class IndicateursConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "indicateurs"

    def ready(self) -> None:
        from indicateurs.tasks import presence_summary_schedule
        from observations.signals import occurrences_changed

        occurrences_changed.connect(
            presence_summary_schedule, dispatch_uid="indicateurs-presences"
        )
