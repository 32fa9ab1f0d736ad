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

        from django.db.models.signals import post_delete

        from .models import OccurrenceMedia
        from .services.media import media_files_delete

        # A record deleted takes its photos and sounds (CASCADE): their files too.
        post_delete.connect(
            media_files_delete,
            sender=OccurrenceMedia,
            dispatch_uid="observations-media",
        )
