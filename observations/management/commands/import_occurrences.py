import uuid
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from observations.imports import (
    ImportRefused,
    error_text,
    import_batch_create,
    import_batch_needs_mapping,
    import_batch_process,
    import_mapping_propose,
    mapping_problems,
)
from observations.models import ImportBatch, ImportMapping
from referentiel.models import Dataset, User

SHOWN_ERRORS = 200


class Command(BaseCommand):
    help = (
        "Importe un fichier d'observations (CSV ou XLSX, colonnes du standard SINP ou "
        "modèle d'import de l'organisme) dans un jeu de données. Chaque ligne est "
        "vérifiée d'abord ; une seule erreur et rien n'est importé."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Fichier CSV ou XLSX.")
        parser.add_argument(
            "--dataset", required=True, help="UUID du jeu de données (idSINPJdd)."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Vérifier seulement, sans rien enregistrer.",
        )
        parser.add_argument(
            "--mapping",
            default="",
            help="Nom du modèle d'import (correspondance des colonnes) de l'organisme.",
        )
        parser.add_argument(
            "--user",
            default="",
            help="Identifiant de l'utilisateur auteur de l'import.",
        )

    def handle(self, *args, file: Path, dataset, dry_run, mapping, user, **options):
        dataset_obj = self._dataset(dataset)
        user_obj = self._user(user, dataset_obj)
        organisation = user_obj.organisation if user_obj else dataset_obj.producer
        chosen = self._mapping(mapping, organisation) if mapping else None
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        try:
            with file.open("rb") as handle:
                batch = import_batch_create(
                    user=user_obj,
                    dataset=dataset_obj,
                    file=File(handle, name=file.name),
                    filename=file.name,
                    dry_run=dry_run,
                    mapping=chosen,
                )
        except ImportRefused as refusal:
            raise CommandError(f"Fichier refusé : {refusal.as_text()}") from refusal
        if import_batch_needs_mapping(batch):
            self._map_with_default(batch, organisation)
        batch = import_batch_process(batch_id=batch.pk)
        self._report(batch)

    def _dataset(self, value: str) -> Dataset:
        try:
            key = uuid.UUID(value)
        except ValueError as error:
            raise CommandError(f"UUID de jeu de données invalide : {value}") from error
        found = Dataset.objects.select_related("producer").filter(uuid=key).first()
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

    def _mapping(self, name: str, organisation) -> dict:
        found = ImportMapping.objects.filter(
            organisation=organisation, name=name
        ).first()
        if found is None:
            raise CommandError(
                f"Modèle d'import « {name} » introuvable pour {organisation}."
            )
        return found.mapping

    def _map_with_default(self, batch: ImportBatch, organisation) -> None:
        headers = batch.mapping.get("headers", [])
        proposed, note = import_mapping_propose(
            organisation=organisation, headers=headers
        )
        problems = mapping_problems(proposed, headers)
        if problems:
            batch.delete()
            raise CommandError(
                "Colonnes non reconnues : le fichier n'a pas les noms du standard SINP "
                "et aucun modèle d'import ne convient.\n" + "\n".join(problems)
            )
        batch.mapping = {**batch.mapping, **proposed}
        batch.save(update_fields=["mapping"])
        if note:
            self.stdout.write(note)

    def _report(self, batch: ImportBatch) -> None:
        Status = ImportBatch.Status
        if batch.status in (Status.DONE, Status.CHECKED):
            self.stdout.write(self.style.SUCCESS(f"{batch.message} (lot {batch.uuid})"))
            return
        lines = [batch.message or batch.get_status_display()]
        lines += [error_text(error) for error in batch.errors[:SHOWN_ERRORS]]
        if len(batch.errors) > SHOWN_ERRORS:
            lines.append(
                f"… {len(batch.errors) - SHOWN_ERRORS} autres erreurs enregistrées "
                f"dans le lot {batch.uuid}."
            )
        raise CommandError("\n".join(lines))
