"""Who may read and write the wetlands data.

POP aires and drift fences belong to a dataset: readable when the dataset is visible to the
user, writable by a writing role in a dataset the user may enter data into (as ringing
sessions). Wetland sites are the shared referential: every logged-in user reads them."""

from referentiel.models import Dataset


def user_can_enter(user) -> bool:
    return bool(user.is_authenticated and user.write_scope is not None)


def dataset_writable(user, dataset_id: int) -> bool:
    return (
        user_can_enter(user)
        and Dataset.objects.writable_by(user).filter(pk=dataset_id).exists()
    )
