from django.apps import AppConfig


class IndicateursConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "indicateurs"

    def ready(self) -> None:
        from django.db.models.signals import (
            m2m_changed,
            post_delete,
            post_migrate,
            post_save,
        )

        from indicateurs import snapshots
        from observations.signals import occurrences_changed

        # Any change to the field data makes the dashboard's snapshots stale (database
        # triggers, indicateurs.snapshots) and plans their refresh; bulk changes of
        # records also rebuild the presence history of the finds.
        post_migrate.connect(
            snapshots.triggers_install, sender=self, dispatch_uid="indicateurs-triggers"
        )
        occurrences_changed.connect(
            snapshots.occurrences_changed, dispatch_uid="indicateurs-occurrences"
        )
        for name, signal in (
            ("save", post_save),
            ("delete", post_delete),
            ("m2m", m2m_changed),
        ):
            signal.connect(snapshots.model_changed, dispatch_uid=f"indicateurs-{name}")
