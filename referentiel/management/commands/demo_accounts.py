"""``manage.py demo_accounts``: the demo logins and passwords, as a French table."""

from django.core.management.base import BaseCommand

from referentiel.demo.accounts import DEMO_ACCOUNTS
from referentiel.models import Organisation, User

HEADERS = ("Identifiant", "Mot de passe", "Rôle", "Organisme")


class Command(BaseCommand):
    help = "Affiche les comptes de démonstration (identifiant, mot de passe, rôle, organisme)."

    def handle(self, *args, **options):
        existing = set(
            User.objects.filter(
                username__in=[spec.username for spec in DEMO_ACCOUNTS]
            ).values_list("username", flat=True)
        )
        short_names = dict(Organisation.objects.values_list("name", "short_name"))
        rows = [
            (
                spec.username,
                spec.password,
                spec.role_label,
                short_names.get(spec.organisation) or spec.organisation,
            )
            for spec in DEMO_ACCOUNTS
        ]
        widths = [max(len(row[i]) for row in (HEADERS, *rows)) for i in range(4)]

        def line(cells) -> str:
            return " | ".join(
                cell.ljust(width) for cell, width in zip(cells, widths, strict=True)
            ).rstrip()

        self.stdout.write(
            "Comptes de démonstration (mots de passe publics : démo seulement)"
        )
        self.stdout.write(line(HEADERS))
        self.stdout.write("-+-".join("-" * width for width in widths))
        for row in rows:
            self.stdout.write(line(row))
        missing = [
            spec.username for spec in DEMO_ACCOUNTS if spec.username not in existing
        ]
        if missing:
            self.stdout.write(
                self.style.WARNING(
                    "Comptes absents de la base (lancez manage.py load_demo) : "
                    + ", ".join(missing)
                )
            )
