"""``manage.py import_crbpo FILE --dataset UUID [--dry-run] [--user LOGIN]``."""

import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from baguage.imports import crbpo_import
from cpie_naturaliste.core.tabular.errors import error_text
from referentiel.models import Dataset, User

SHOWN_ERRORS = 200


class Command(BaseCommand):
    help = (
        "Importe une saison de baguage saisie dans le masque CRBPO (CSV ou XLSX). Chaque "
        "ligne est vérifiée d'abord ; une seule erreur et rien n'est importé. Les lignes "
        "déjà importées (même session, bague et action) sont ignorées."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Fichier CSV ou XLSX.")
        parser.add_argument(
            "--dataset",
            required=True,
            help="UUID du jeu de données des observations publiées.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Vérifier seulement, sans rien enregistrer.",
        )
        parser.add_argument(
            "--user",
            default="",
            help="Identifiant de l'utilisateur auteur de l'import.",
        )

    def handle(self, *args, file: Path, dataset, dry_run, user, **options):
        dataset_obj = self._dataset(dataset)
        user_obj = self._user(user, dataset_obj)
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        result = crbpo_import(
            path=file, user=user_obj, dataset=dataset_obj, dry_run=dry_run
        )
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(f"{result.summary()} ({result.seconds:.1f} s)")
            )
            for warning in result.warnings[:SHOWN_ERRORS]:
                self.stdout.write("Avertissement – " + error_text(warning))
            return
        entries = result.error_entries()
        lines = [result.summary()]
        lines += [error_text(error) for error in entries[:SHOWN_ERRORS]]
        if result.errors.total > SHOWN_ERRORS:
            lines.append(f"… et {result.errors.total - SHOWN_ERRORS} autres erreurs.")
        raise CommandError("\n".join(lines))

    def _dataset(self, value: str) -> Dataset:
        try:
            key = uuid.UUID(value)
        except ValueError as error:
            raise CommandError(f"UUID de jeu de données invalide : {value}") from error
        found = Dataset.objects.filter(uuid=key).first()
        if found is None:
            raise CommandError(f"Jeu de données introuvable : {value}")
        return found

    def _user(self, username: str, dataset: Dataset) -> User | None:
        if not username:
            return None
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as error:
            raise CommandError(f"Utilisateur introuvable : {username}") from error
        if not Dataset.objects.writable_by(user).filter(pk=dataset.pk).exists():
            raise CommandError(
                f"{username} n'a pas le droit d'importer dans « {dataset} »."
            )
        return user
