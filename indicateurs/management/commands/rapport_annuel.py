"""``python manage.py rapport_annuel --year 2020 --out bilan-2020.xlsx``: the annual report
workbook, computed with the rights of a superuser (or of ``--user``)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from indicateurs.report import report_write
from indicateurs.services import indicators_for_year, user_reads_indicators


class Command(BaseCommand):
    help = "Écrit le classeur XLSX du bilan annuel d'une année."

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, default=timezone.localdate().year - 1, help="Année"
        )
        parser.add_argument("--out", required=True, help="Fichier .xlsx à écrire")
        parser.add_argument(
            "--user",
            help="Nom d'utilisateur dont les droits s'appliquent "
            "(défaut : le premier superutilisateur)",
        )

    def handle(self, *args, year, out, user=None, **options):
        users = get_user_model().objects
        account = (
            users.filter(username=user).first()
            if user
            else users.filter(is_superuser=True, is_active=True).order_by("pk").first()
        )
        if account is None:
            raise CommandError("Aucun utilisateur : indiquez --user.")
        if not user_reads_indicators(account):
            raise CommandError(f"{account} n'est pas coordinateur.")
        organisation = account.organisation
        path = report_write(
            indicators_for_year(year, account),
            out,
            organisation.name if organisation else None,
        )
        self.stdout.write(f"Bilan {year} écrit dans {path}")
