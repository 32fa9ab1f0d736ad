"""Who may see and undo which import batches (DESIGN §7 roles and scopes); importing
itself needs a writing role (``referentiel.permissions.can_enter``)."""

from django.db.models import QuerySet

from observations.models import ImportBatch
from referentiel.permissions import (
    can_coordinate,
    can_enter,
    import_jobs_readable,
    writable_datasets,
)


def import_batches_visible_to(user) -> QuerySet[ImportBatch]:
    """Batches of the user's organisation's datasets and their own; all for the network."""
    return import_jobs_readable(
        ImportBatch.objects.select_related("dataset", "created_by"), user
    )


def import_batch_is_coordinated_by(user, batch: ImportBatch) -> bool:
    """A coordinator (or superuser) whose scope covers the batch's dataset."""
    return (
        can_coordinate(user)
        and writable_datasets(user).filter(pk=batch.dataset_id).exists()
    )


def import_batch_can_undo(user, batch: ImportBatch) -> bool:
    """The person who imported the batch, or a coordinator of its dataset."""
    if batch.status != ImportBatch.Status.DONE:
        return False
    if batch.created_by_id is not None and batch.created_by_id == user.pk:
        return can_enter(user)
    return import_batch_is_coordinated_by(user, batch)


def import_batch_validated_count(batch: ImportBatch) -> int:
    """Occurrences created by the batch that a validator has rated since."""
    return batch.occurrences.exclude(validation_status=0).count()
