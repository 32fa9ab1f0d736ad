"""The set-up every app's no-leak test starts from (issue 17), written once.

Two organisations: B records in a public dataset, A reads it. Their readers, by role: an
anonymous visitor, A's partner, field staff, validator and coordinator, B's field staff and
coordinator (the control who places everything, so that each assertion can fail). And what a
response must not hold of a hidden record: its marker strings and its point, written as any
channel may write it (WGS84 to 4 decimals, rounded or truncated; Lambert-93 to 10 m).

Each app's ``test_no_leak.py`` builds its own records on top of :func:`two_organisations`.
"""

import io
from dataclasses import dataclass, field

from django.contrib.gis.geos import Point
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cpie_naturaliste.core.geo import to_api_transform
from referentiel.models import Organisation, Role
from tests.factories.referentiel import OrganisationFactory, UserFactory

# Reader name → (username suffix, organisation, role).
READERS = {
    "partner_a": ("partenaire-a", "a", Role.PARTENAIRE),
    "saisie_a": ("saisie-a", "a", Role.SAISIE),
    "validator_a": ("validateur-a", "a", Role.VALIDATEUR),
    "coordinator_a": ("coordinateur-a", "a", Role.COORDINATEUR),
    "saisie_b": ("saisie-b", "b", Role.SAISIE),
    "coordinator_b": ("coordinateur-b", "b", Role.COORDINATEUR),
}
# The readers who see B's sensitive records blurred, or not at all.
BLURRED_READERS = ("anonymous", "partner_a", "saisie_a")


@dataclass
class TwoOrganisations:
    """A reads B's public dataset; ``users`` maps each reader's name to its user (``None``
    for the anonymous visitor), also readable as attributes (``world.partner_a``)."""

    org_a: Organisation
    org_b: Organisation
    users: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["users"][name]
        except KeyError:
            raise AttributeError(name) from None


def two_organisations(
    *,
    org_a: Organisation | None = None,
    org_b: Organisation | None = None,
    names: tuple[str, str] = ("Organisme A", "Organisme B"),
    kinds: tuple[str, str] = ("cpie", "cpie"),
) -> TwoOrganisations:
    """Organisations A and B (made here unless given) and one user per reader of
    :data:`READERS`."""
    org_a = org_a or OrganisationFactory(name=names[0], kind=kinds[0])
    org_b = org_b or OrganisationFactory(name=names[1], kind=kinds[1])
    world = TwoOrganisations(org_a=org_a, org_b=org_b, users={"anonymous": None})
    for name, (username, side, role) in READERS.items():
        world.users[name] = UserFactory(
            username=username,
            organisation=org_a if side == "a" else org_b,
            roles=[role],
        )
    return world


def point_texts(x: float, y: float) -> list[str]:
    """How a Lambert-93 point may be written, in this order: its WGS84 longitude and
    latitude to 4 decimals, each rounded then truncated (any longer writing contains one of
    them), its Lambert-93 x and y truncated to 10 m; then the same WGS84 figures by PROJ's
    default pipeline and the Lambert-93 ones rounded to 10 m."""
    texts, extras = [], []
    for transform, out in ((to_api_transform(), texts), (4326, extras)):
        wgs84 = Point(x, y, srid=2154).transform(transform, clone=True)
        for value in (wgs84.x, wgs84.y):
            out.append(f"{value:.4f}")
            out.append(f"{int(value * 10_000) / 10_000:.4f}")
    texts += [str(int(x))[:-1], str(int(y))[:-1]]
    extras += [f"{round(x, -1):.0f}", f"{round(y, -1):.0f}"]
    return texts + extras


def assert_hidden(text: str, secrets) -> None:
    """None of ``secrets`` is in ``text`` (the first one found is named)."""
    for secret in secrets:
        assert secret not in text, secret


def signed_in(client, user, *, session: bool = True):
    """``client`` signed in as ``user`` (anonymous for ``None``): by session, as a browser
    is, or with DRF's ``force_authenticate`` (``session=False``, API clients only)."""
    if user is not None and session:
        client.force_login(user)
    elif user is not None:
        client.force_authenticate(user)
    return client


def page_client(user) -> Client:
    """A page client signed in as ``user``."""
    return signed_in(Client(), user)


def api_client(user) -> APIClient:
    """An API client authenticated as ``user`` (no session: the API's token path)."""
    return signed_in(APIClient(), user, session=False)


def session_client(user) -> APIClient:
    """An API client signed in by session as ``user``: reads pages and the API alike."""
    return signed_in(APIClient(), user)


def text_of(response) -> str:
    """A response's body as text, streamed or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def xlsx_text(response) -> str:
    """Every cell of an XLSX response, as text."""
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return "\n".join(
        " ".join("" if cell is None else str(cell) for cell in row)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    )
