"""``manage.py load_demo``: the 2019–2021 demo, idempotent (run it as often as you like)."""

import time

from django.core.management.base import BaseCommand

from cpie_naturaliste.core.apps import app_submodules
from referentiel.demo import demo_load


class Command(BaseCommand):
    help = (
        "Charge les référentiels livrés (communes, taxons de démonstration) et la "
        "démonstration 2019–2021 : organismes, personnes, sites, programmes, jeux de "
        "données et comptes. Peut être relancée sans créer de doublons."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--departements",
            nargs="+",
            metavar="CODE",
            help="Limite l'import des communes à ces départements (ex. 59 62).",
        )
        parser.add_argument(
            "--referentiel-seul",
            action="store_true",
            dest="referential_only",
            help="Ne charge que la démonstration du référentiel, sans celles des "
            "applications (observations, baguage…).",
        )

    def handle(self, *args, departements=None, referential_only=False, **options):
        started = time.monotonic()
        log = self.stdout.write
        demo_load(departements=tuple(departements) if departements else None, log=log)
        # Each app above the referential extends the demo with a ``demo`` module exposing
        # ``load_demo(*, log)``; it is found through the app registry, in INSTALLED_APPS
        # order (which follows the layers), so the referential never imports those apps.
        if not referential_only:
            for module in app_submodules("demo", exclude=frozenset({"referentiel"})):
                if hasattr(module, "load_demo"):
                    module.load_demo(log=log)
        self.stdout.write(
            self.style.SUCCESS(
                f"Démonstration prête en {time.monotonic() - started:.1f} s. "
                "Comptes : manage.py demo_accounts"
            )
        )
