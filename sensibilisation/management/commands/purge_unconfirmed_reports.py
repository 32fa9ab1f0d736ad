"""``manage.py purge_unconfirmed_reports``: delete campaign reports never confirmed by
email within 7 days (run daily by cron or Celery beat)."""

from django.core.management.base import BaseCommand

from sensibilisation.services import reports_purge_unconfirmed


class Command(BaseCommand):
    help = (
        "Supprime les signalements des campagnes participatives jamais confirmés par "
        "courriel dans les 7 jours (et leurs photos)."
    )

    def handle(self, *args, **options):
        deleted = reports_purge_unconfirmed()
        self.stdout.write(f"{deleted} signalements non confirmés supprimés.")
