"""``manage.py import_state_zero FICHIER``: the 2005–2012 state zero (terril, groupe,
espece), all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from terrils.services import state_zero_import


class Command(BaseCommand):
    help = (
        "Importe l'état zéro des terrils (2005–2012) depuis un CSV ou XLSX aux colonnes "
        "terril, groupe, espece [, annee] : tout ou rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path, **options):
        if not path.exists():
            raise CommandError(f"Fichier introuvable : {path}")
        result = state_zero_import(path=path, filename=path.name)
        if not result.ok:
            raise CommandError("Rien n'a été importé :\n" + "\n".join(result.errors))
        self.stdout.write(
            f"État zéro importé : {result.terrils} terrils, {result.taxa} espèces "
            f"({result.rows} lignes)."
        )
