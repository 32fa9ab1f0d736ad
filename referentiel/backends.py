"""The authentication backend: Django's ``ModelBackend``, whose ``get_user`` (run by every
request that carries a session) reads in one query what every page and API route then
asks of its user: the account, its organisation, its roles (``User.roles``) and the
datasets its organisation produces (``observations.blurring.Reader``), instead of one
query for each. Nothing is cached across requests: a role withdrawn, a dataset moved or an
account deactivated holds from the next request, as with ``ModelBackend``."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef

from referentiel.models import Dataset


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = (
                model._default_manager.select_related("organisation")
                .annotate(
                    role_names=ArraySubquery(
                        Group.objects.filter(user=OuterRef("pk")).values("name")
                    ),
                    organisation_dataset_ids=ArraySubquery(
                        Dataset.objects.filter(producer_id=OuterRef("organisation_id"))
                        .order_by()
                        .values("pk")
                    ),
                )
                .get(pk=user_id)
            )
        except model.DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        user._roles = set(user.role_names)
        user.organisation_datasets = frozenset(user.organisation_dataset_ids)
        return user
