"""``manage.py terrils_recompute [--version CODE]``: recompute every campaign's score."""

from django.core.management.base import BaseCommand, CommandError

from terrils.models import MethodVersion
from terrils.services import scores_recompute


class Command(BaseCommand):
    help = (
        "Recalcule les notes de toutes les campagnes d'évaluation des terrils, pour une "
        "version de la méthode ou pour toutes (les notes des autres versions restent)."
    )

    def add_arguments(self, parser):
        # ``--version`` names the method version here, replacing Django's own flag (which
        # prints Django's version): argparse lets a later option win with "resolve".
        parser.conflict_handler = "resolve"
        parser._optionals.conflict_handler = "resolve"
        parser.add_argument(
            "--version", dest="code", help="Code de la version (ex. v2)."
        )

    def handle(self, *args, code=None, **options):
        version = None
        if code:
            version = MethodVersion.objects.filter(code=code).first()
            if version is None:
                raise CommandError(f"Version de méthode inconnue : {code}")
        written = scores_recompute(version=version)
        self.stdout.write(f"{written} notes recalculées.")
