from django.apps import AppConfig


class IndicateursConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "indicateurs"

    def ready(self) -> None:
        from indicateurs import snapshots
        from observations.signals import occurrences_changed

        # Bulk changes of records (imports, undos, validations) rebuild the presence
        # history of the finds and plan the refresh of the dashboard's snapshots; every
        # other change only makes them stale (the data generation's triggers), and the
        # page or the quarter-hourly run plans their refresh.
        occurrences_changed.connect(
            snapshots.occurrences_changed, dispatch_uid="indicateurs-occurrences"
        )
