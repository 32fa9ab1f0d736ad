"""Whose figures a dashboard shows: the reader's own perimeter, or one structure of the
network chosen by a regional coordinator (``?organisme=<id>``).

A regional coordinator (or a superuser) reads the whole network: with ``?organisme=`` the
figures are those of that structure, computed as its own coordinator would read them
(:func:`structure_reader`) and kept in their own snapshot (IndicatorSnapshot.structure).
A structure's coordinator reads their structure only: asking for another one is refused
(403), asking for their own is the same as asking for nothing."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from referentiel.models import Organisation, Role, Scope, User

PARAMETER = "organisme"


def structure_reader(user, organisation: Organisation) -> User:
    """An unsaved stand-in for a coordinator of ``organisation`` with ``user``'s id (the
    queries that name the reader keep naming the real one): every selector reads through
    ``read_scope``/``organisation``, so it reads what that structure's coordinator
    reads, at that coordinator's clearance."""
    reader = User(
        pk=user.pk,
        username=user.username,
        organisation=organisation,
        is_regional=False,
        is_superuser=False,
        is_staff=False,
        is_active=True,
    )
    reader._roles = {Role.COORDINATEUR}
    return reader


@dataclass
class Perimeter:
    """The figures shown: of ``structure`` (None: the whole network, for a regional
    reader), computed for ``reader``, kept under the snapshot key ``snapshot_structure``
    (None: the reader's own snapshot)."""

    user: User
    structure: Organisation | None
    snapshot_structure: Organisation | None

    @property
    def reader(self):
        if self.snapshot_structure is None:
            return self.user
        return structure_reader(self.user, self.snapshot_structure)

    @property
    def narrative_organisation_id(self) -> int | None:
        """Whose narrative: the structure's, or the reader's organisation's for the
        network's view."""
        return self.structure.pk if self.structure else self.user.organisation_id

    @property
    def query(self) -> str:
        """The query string that keeps this perimeter on the next link."""
        if self.snapshot_structure is None:
            return ""
        return f"?{PARAMETER}={self.snapshot_structure.pk}"


def network_structures():
    return Organisation.objects.filter(is_network_member=True).order_by("name")


def perimeter_for(user, organisation: Organisation | None) -> Perimeter:
    """The perimeter of ``user`` reading ``organisation`` (None: their own); refused
    (PermissionDenied) for a structure's reader asking for another structure."""
    network_wide = user.read_scope == Scope.ALL
    if organisation is None or (
        not network_wide and organisation.pk == user.organisation_id
    ):
        own = None if network_wide else user.organisation
        return Perimeter(user=user, structure=own, snapshot_structure=None)
    if not network_wide:
        raise PermissionDenied(
            "Vous ne pouvez consulter que les indicateurs de votre structure."
        )
    return Perimeter(user=user, structure=organisation, snapshot_structure=organisation)


def perimeter_of(request, value: str | None = None) -> Perimeter:
    """The perimeter asked for by ``?organisme=`` (or ``value``); an unknown structure is
    a 404 for a regional reader, a 403 for a structure's."""
    value = request.GET.get(PARAMETER, "") if value is None else value
    if not value:
        return perimeter_for(request.user, None)
    organisation = (
        Organisation.objects.filter(pk=int(value)).first() if value.isdigit() else None
    )
    if organisation is None:
        if request.user.read_scope != Scope.ALL:
            raise PermissionDenied(
                "Vous ne pouvez consulter que les indicateurs de votre structure."
            )
        from django.http import Http404

        raise Http404("Structure inconnue.")
    return perimeter_for(request.user, organisation)
