"""The role predicates of ``referentiel.permissions``, the one place that asks the roles,
and the DRF permission class made of them."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from referentiel.models import Role
from referentiel.permissions import (
    can_coordinate,
    can_enter,
    can_extract,
    can_read_network,
    can_validate,
    is_network_staff,
    role_permission,
    signed_in,
)
from tests.factories.referentiel import UserFactory

PREDICATES = (
    signed_in,
    can_read_network,
    can_enter,
    can_validate,
    can_coordinate,
    can_extract,
    is_network_staff,
)

# What each role may do, one column per predicate above.
ROLES = {
    "sans rôle": ([], (1, 0, 0, 0, 0, 0, 0)),
    Role.SAISIE: ([Role.SAISIE], (1, 1, 1, 0, 0, 0, 1)),
    # A validator validates and enters nothing (issue 17); with the saisie role too, both.
    Role.VALIDATEUR: ([Role.VALIDATEUR], (1, 1, 0, 1, 0, 0, 1)),
    "saisie et validateur": ([Role.SAISIE, Role.VALIDATEUR], (1, 1, 1, 1, 0, 0, 1)),
    Role.COORDINATEUR: ([Role.COORDINATEUR], (1, 1, 1, 1, 1, 1, 1)),
    Role.PARTENAIRE: ([Role.PARTENAIRE], (1, 1, 0, 0, 0, 1, 0)),
}


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_may_what_it_may(organisation, role):
    roles, expected = ROLES[role]
    user = UserFactory(username="u", organisation=organisation, roles=roles)
    assert tuple(int(predicate(user)) for predicate in PREDICATES) == expected


def test_superusers_may_everything_and_anonymous_visitors_nothing(db):
    superuser = UserFactory(username="admin", is_superuser=True)
    assert all(predicate(superuser) for predicate in PREDICATES)
    assert not any(predicate(AnonymousUser()) for predicate in PREDICATES)


def test_role_permission_reads_writes_and_changes_with_its_predicates():
    permission = role_permission(
        read=lambda user: user == "reader",
        write=lambda user: user == "writer",
        may_change=lambda user, obj: obj == "mine",
    )()

    def allowed(method: str, user: str, obj=None) -> bool:
        request = getattr(RequestFactory(), method.lower())("/")
        request.user = user
        return permission.has_permission(request, None) and (
            obj is None or permission.has_object_permission(request, None, obj)
        )

    assert allowed("GET", "reader", "theirs") and not allowed("GET", "writer")
    assert allowed("POST", "writer") and not allowed("POST", "reader")
    assert allowed("PATCH", "writer", "mine") and not allowed(
        "PATCH", "writer", "theirs"
    )
    read_only = role_permission(read=lambda user: user == "reader")()
    request = RequestFactory().post("/")
    request.user = "reader"
    assert read_only.has_permission(request, None)
