"""Permission matrix (issue 11, item 2): every API list endpoint of the router, the main
page of every app, the occurrence and ringing write API and a few object-level checks,
for six roles, asserted from ONE table (``TABLE``).

Roles: ``anonymous``; ``saisie``, ``validateur``, ``coordinateur`` and ``partenaire`` of
organisation A; ``partenaire`` of organisation B. Each case builds only the data its row
needs (``World`` is lazy), so the ~600 cases stay fast.

Expected status classes (``check``): ``200``, ``201``, ``400``, ``403``, ``404``, ``405``,
``DENIED`` (401 or 403: anonymous on the API), ``LOGIN`` (302 to the sign-in page),
``REDIRECT`` (302 elsewhere). A wrong behaviour of the product is never encoded as
expected: it is an ``xfail(strict=True)`` with the reason (``Row.xfail``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cpie_naturaliste.api_urls import router
from referentiel.models import Role
from tests.factories.baguage import (
    BirdTaxonFactory,
    CaptureFactory,
    EuringSpeciesFactory,
    RingSeriesFactory,
    SessionFactory,
    StationFactory,
)
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    DatasetFactory,
    OrganisationFactory,
    TaxonFactory,
    UserFactory,
)
from tests.factories.terrils import MethodVersionFactory

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "saisie_a",
    "validateur_a",
    "coordinateur_a",
    "partenaire_a",
    "partenaire_b",
)
USER_ROLES = {
    "saisie_a": ("a", Role.SAISIE),
    "validateur_a": ("a", Role.VALIDATEUR),
    "coordinateur_a": ("a", Role.COORDINATEUR),
    "partenaire_a": ("a", Role.PARTENAIRE),
    "partenaire_b": ("b", Role.PARTENAIRE),
}

DENIED = "401/403"
LOGIN = "login"
REDIRECT = "redirect"


def check(response, expected) -> bool:
    status = response.status_code
    if expected == DENIED:
        return status in (401, 403)
    if expected in (LOGIN, REDIRECT):
        if status != 302:
            return False
        to_login = response["Location"].startswith(reverse("login"))
        return to_login if expected == LOGIN else not to_login
    return status == expected


class World:
    """Organisations A and B, one user per role, and the records rows ask for; every
    piece is made on first use only."""

    @cached_property
    def org_a(self):
        return OrganisationFactory(name="CPIE A", kind="cpie")

    @cached_property
    def org_b(self):
        return OrganisationFactory(name="Partenaire B", kind="gestionnaire")

    def user(self, role: str):
        if role == "anonymous":
            return None
        if not hasattr(self, f"_user_{role}"):
            org, group = USER_ROLES[role]
            user = UserFactory(
                username=role,
                organisation=self.org_a if org == "a" else self.org_b,
                roles=[group],
            )
            setattr(self, f"_user_{role}", user)
        return getattr(self, f"_user_{role}")

    # Observations ------------------------------------------------------------------
    @cached_property
    def dataset_a(self):
        return DatasetFactory(producer=self.org_a, title="Inventaires A")

    @cached_property
    def dataset_b(self):
        return DatasetFactory(producer=self.org_b, title="Inventaires B")

    @cached_property
    def taxon(self):
        return TaxonFactory(
            cd_nom=351,
            scientific_name="Rana temporaria",
            vernacular_name="Grenouille rousse",
        )

    @cached_property
    def occurrence_a(self):
        """A record of A's private dataset, entered by nobody in particular."""
        return OccurrenceFactory(dataset=self.dataset_a, taxon=self.taxon)

    @cached_property
    def occurrence_b(self):
        return OccurrenceFactory(dataset=self.dataset_b, taxon=self.taxon)

    def occurrence_payload(self) -> dict:
        return {
            "dataset": str(self.dataset_a.uuid),
            "taxon": self.taxon.cd_nom,
            "date_start": "2020-04-02",
            "geometry": {"type": "Point", "coordinates": [2.7785, 50.4577]},
            "count_min": 1,
            "count_max": 2,
        }

    # Ringing -------------------------------------------------------------------------
    @cached_property
    def robin(self):
        robin = BirdTaxonFactory(
            cd_nom=4001,
            scientific_name="Erithacus rubecula",
            vernacular_name="Rougegorge",
        )
        EuringSpeciesFactory(taxon=robin, code="10990", crbpo_code="ERIRUB")
        RingSeriesFactory(size="A", first=1000, last=1099)
        return robin

    @cached_property
    def station(self):
        return StationFactory(name="Marais de la Glissoire")

    @cached_property
    def session_a(self):
        return SessionFactory(station=self.station, dataset=self.dataset_a)

    @cached_property
    def session_b(self):
        return SessionFactory(station=self.station, dataset=self.dataset_b)

    @cached_property
    def capture_a(self):
        return CaptureFactory(session=self.session_a, taxon=self.robin)

    @cached_property
    def capture_b(self):
        return CaptureFactory(session=self.session_b, taxon=self.robin)

    def capture_payload(self) -> dict:
        return {
            "session": self.session_a.pk,
            "action": "B",
            "ring_number": "0001000",
            "taxon": self.robin.cd_nom,
            "age": "3",
        }

    def session_payload(self) -> dict:
        return {
            "station": self.station.pk,
            "programme": self.session_a.programme.pk,
            "dataset": str(self.dataset_a.uuid),
            "date": "2021-06-12",
            "start_time": "06:00",
            "end_time": "11:00",
            "nets_count": 10,
            "nets_length_m": "120",
        }

    # Terrils -------------------------------------------------------------------------
    @cached_property
    def method_version(self):
        return MethodVersionFactory(code="v1", date=dt.date(2019, 1, 1))


@dataclass(frozen=True)
class Row:
    """One line of the matrix: ``path`` is a URL or a function of the world, ``payload``
    a function of the world, ``needs`` world attributes to create first, ``xfail`` the
    roles whose expected value the product does not give today (role → reason)."""

    name: str
    method: str
    path: str | Callable[[World], str]
    expected: tuple  # one status class per role, in ROLES order
    payload: Callable[[World], dict] | None = None
    needs: tuple[str, ...] = ()
    xfail: dict[str, str] = field(default_factory=dict)


def roles(
    anonymous, saisie_a, validateur_a, coordinateur_a, partenaire_a, partenaire_b
):
    return (
        anonymous,
        saisie_a,
        validateur_a,
        coordinateur_a,
        partenaire_a,
        partenaire_b,
    )


LOGGED_IN = roles(DENIED, 200, 200, 200, 200, 200)  # API list, any signed-in user
PUBLIC = roles(200, 200, 200, 200, 200, 200)
PAGE_LOGGED_IN = roles(LOGIN, 200, 200, 200, 200, 200)
PAGE_WRITERS = roles(LOGIN, 200, 403, 200, 403, 403)
PAGE_COORDINATOR = roles(LOGIN, 403, 403, 200, 403, 403)
PAGE_REDIRECT = roles(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)


def api(prefix: str) -> str:
    return f"/api/v1/{prefix}/"


# --- API list endpoints: GET ---------------------------------------------------------
API_LIST = {
    "taxa": LOGGED_IN,
    "sites": PUBLIC,  # public sites only for anonymous visitors (SiteQuerySet.visible_to)
    "communes": LOGGED_IN,
    "datasets": LOGGED_IN,
    "programmes": LOGGED_IN,
    "atlas-groups": LOGGED_IN,
    "organisations": LOGGED_IN,
    "persons": LOGGED_IN,  # the people each may name: PersonQuerySet.selectable_by
    "occurrences": LOGGED_IN,
    "atlas": LOGGED_IN,
    "comptages/programmes": LOGGED_IN,
    "baguage/sessions": LOGGED_IN,
    "baguage/captures": LOGGED_IN,
    "terrils/scores": LOGGED_IN,
    "terrils/classement": LOGGED_IN,
    "terrils": LOGGED_IN,
    "zones-humides/pop/aires": LOGGED_IN,
    "zones-humides/pop/sites": LOGGED_IN,
    "zones-humides/pop/passages": LOGGED_IN,
    "zones-humides/sites": LOGGED_IN,
    "zones-humides/operations": LOGGED_IN,
    "zones-humides/niveaux-eau": LOGGED_IN,
    "zones-humides/barrieres": LOGGED_IN,
    "sensibilisation/campaigns": PUBLIC,  # the public participatory campaigns
    "sensibilisation/actions": LOGGED_IN,
}
API_NEEDS = {"terrils/classement": ("method_version",)}

# --- API list endpoints: POST of an empty body ---------------------------------------
# Read-only viewsets answer 405 to a signed-in user (401/403 to anonymous visitors
# unless the endpoint is public); writable ones refuse non-writers with 403 and the
# empty body of a writer with 400.
READ_ONLY_POST = roles(DENIED, 405, 405, 405, 405, 405)
PUBLIC_READ_ONLY_POST = roles(405, 405, 405, 405, 405, 405)
WRITER_POST = roles(DENIED, 400, 403, 400, 403, 403)
API_EMPTY_POST = {
    "sites": PUBLIC_READ_ONLY_POST,
    "sensibilisation/campaigns": PUBLIC_READ_ONLY_POST,
    "occurrences": WRITER_POST,
    "baguage/sessions": WRITER_POST,
    "baguage/captures": WRITER_POST,
    "zones-humides/pop/passages": WRITER_POST,
    "sensibilisation/actions": roles(DENIED, 403, 403, 400, 403, 403),
}

# --- Pages (GET) ---------------------------------------------------------------------
PAGES = [
    ("home", (), PUBLIC),
    ("login", (), roles(200, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    ("observations:occurrence_list", (), PAGE_LOGGED_IN),
    ("observations:occurrence_create", (), PAGE_WRITERS),
    ("observations:import", (), PAGE_WRITERS),
    ("observations:validation_queue", (), roles(LOGIN, 403, 200, 200, 403, 403)),
    ("observations:atlas", (), PAGE_LOGGED_IN),
    ("observations:extract_list", (), roles(LOGIN, 403, 403, 200, 200, 200)),
    ("observations:sinp_exports", (), PAGE_COORDINATOR),
    ("observations:count_programmes", (), PAGE_LOGGED_IN),
    ("baguage:session_list", (), PAGE_LOGGED_IN),
    ("baguage:session_create", (), PAGE_WRITERS),
    ("baguage:ring_stock", (), PAGE_LOGGED_IN),
    # Names and CRBPO permit numbers: the network's staff (validators too), not partners.
    ("baguage:ringer_list", (), roles(LOGIN, 200, 200, 200, 403, 403)),
    ("baguage:bilan_latest", (), PAGE_REDIRECT),
    ("baguage:bilan", (2020,), PAGE_LOGGED_IN),
    ("baguage:import", (), PAGE_WRITERS),
    ("baguage:euring_year", (2020,), PAGE_LOGGED_IN),
    ("terrils:index", (), PAGE_LOGGED_IN),
    ("terrils:ranking", (), PAGE_LOGGED_IN),
    ("terrils:state_zero_import", (), PAGE_COORDINATOR),
    ("zones_humides:index", (), PAGE_LOGGED_IN),
    ("zones_humides:pop_index", (), PAGE_LOGGED_IN),
    ("zones_humides:newt_index", (), PAGE_LOGGED_IN),
    ("sensibilisation:index", (), PUBLIC),
    ("sensibilisation:report_list", (), roles(LOGIN, 403, 200, 200, 403, 403)),
    ("sensibilisation:action_list", (), PAGE_LOGGED_IN),
    ("sensibilisation:action_create", (), PAGE_COORDINATOR),
    ("sensibilisation:volunteer_list", (), PAGE_COORDINATOR),
    ("sensibilisation:bilan_latest", (), PAGE_REDIRECT),
    ("sensibilisation:bilan", (2020,), PAGE_LOGGED_IN),
    ("indicateurs:index", (), PAGE_REDIRECT),
    ("indicateurs:dashboard", (2020,), PAGE_COORDINATOR),
    ("indicateurs:narrative_edit", (2020,), PAGE_COORDINATOR),
    ("indicateurs:share_list", (2020,), PAGE_COORDINATOR),
    # Side by side of two structures: the regional coordination only.
    ("indicateurs:compare", (2020,), roles(LOGIN, 403, 403, 403, 403, 403)),
]


def _page_path(name, args):
    return lambda world: reverse(name, args=args)


TABLE: list[Row] = [
    *(
        Row(
            f"api:{prefix}",
            "get",
            api(prefix),
            expected,
            needs=API_NEEDS.get(prefix, ()),
        )
        for prefix, expected in API_LIST.items()
    ),
    Row(
        "api:indicateurs-year",
        "get",
        "/api/v1/indicateurs/2020/",
        roles(DENIED, 403, 403, 200, 403, 403),
    ),
    *(
        Row(
            f"api-post-empty:{prefix}",
            "post",
            api(prefix),
            API_EMPTY_POST.get(prefix, READ_ONLY_POST),
            payload=lambda world: {},
        )
        for prefix, _viewset, _basename in router.registry
    ),
    *(
        Row(f"page:{name}", "get", _page_path(name, args), expected)
        for name, args, expected in PAGES
    ),
    # --- Writes with a valid payload in A's dataset ---------------------------------
    Row(
        "api-create:occurrence",
        "post",
        api("occurrences"),
        roles(DENIED, 201, 403, 201, 403, 403),
        payload=World.occurrence_payload,
    ),
    Row(
        "api-create:ringing-session",
        "post",
        api("baguage/sessions"),
        roles(DENIED, 201, 403, 201, 403, 403),
        payload=World.session_payload,
    ),
    Row(
        "api-create:ringing-capture",
        "post",
        api("baguage/captures"),
        roles(DENIED, 201, 403, 201, 403, 403),
        payload=World.capture_payload,
    ),
    # --- Object level ----------------------------------------------------------------
    Row(
        "api-detail:occurrence-of-A-private",
        "get",
        lambda w: f"{api('occurrences')}{w.occurrence_a.uuid}/",
        roles(DENIED, 200, 200, 200, 200, 404),
    ),
    Row(
        "api-patch:occurrence-of-A-not-own",
        "patch",
        lambda w: f"{api('occurrences')}{w.occurrence_a.uuid}/",
        roles(DENIED, 403, 403, 200, 403, 403),
        payload=lambda w: {"count_max": 3},
    ),
    Row(
        "api-patch:occurrence-of-B",
        "patch",
        lambda w: f"{api('occurrences')}{w.occurrence_b.uuid}/",
        roles(DENIED, 404, 403, 404, 403, 403),
        payload=lambda w: {"count_max": 3},
    ),
    Row(
        "api-delete:occurrence-of-A-not-own",
        "delete",
        lambda w: f"{api('occurrences')}{w.occurrence_a.uuid}/",
        roles(DENIED, 403, 403, 204, 403, 403),
    ),
    Row(
        "api-detail:ringing-session-of-A-private",
        "get",
        lambda w: f"{api('baguage/sessions')}{w.session_a.pk}/",
        roles(DENIED, 200, 200, 200, 200, 404),
    ),
    Row(
        "api-detail:ringing-capture-of-A-private",
        "get",
        lambda w: f"{api('baguage/captures')}{w.capture_a.pk}/",
        roles(DENIED, 200, 200, 200, 200, 404),
    ),
    Row(
        "api-patch:ringing-capture-of-B",
        "patch",
        lambda w: f"{api('baguage/captures')}{w.capture_b.pk}/",
        roles(DENIED, 404, 403, 404, 403, 403),
        payload=lambda w: {"wing_mm": "70"},
    ),
    Row(
        "api-patch:ringing-session-of-B",
        "patch",
        lambda w: f"{api('baguage/sessions')}{w.session_b.pk}/",
        roles(DENIED, 404, 403, 404, 403, 403),
        payload=lambda w: {"weather": "Brume"},
    ),
    Row(
        "page:occurrence-detail-of-A-private",
        "get",
        lambda w: reverse("observations:occurrence_detail", args=[w.occurrence_a.uuid]),
        roles(LOGIN, 200, 200, 200, 200, 404),
    ),
]


def _cases():
    for row in TABLE:
        for role, expected in zip(ROLES, row.expected, strict=True):
            marks = ()
            if role in row.xfail:
                marks = pytest.mark.xfail(strict=True, reason=row.xfail[role])
            yield pytest.param(
                row, role, expected, id=f"{row.name}-{row.method}-{role}", marks=marks
            )


@pytest.mark.parametrize(("row", "role", "expected"), list(_cases()))
def test_permission_matrix(row: Row, role: str, expected):
    world = World()
    for name in row.needs:
        getattr(world, name)
    path = row.path(world) if callable(row.path) else row.path
    payload = row.payload(world) if row.payload else None
    client = APIClient()
    user = world.user(role)
    if user is not None and path.startswith("/api/"):
        client.force_authenticate(user)  # no session row: the API's cheapest sign-in
    elif user is not None:
        client.force_login(user)
    kwargs = {"format": "json"} if payload is not None else {}
    response = getattr(client, row.method)(path, payload, **kwargs)
    assert check(response, expected), (
        f"{row.method.upper()} {path} as {role}: got {response.status_code} "
        f"{response.get('Location', '')}, expected {expected}"
    )


def test_every_router_prefix_is_in_the_table():
    prefixes = {prefix for prefix, _viewset, _basename in router.registry}
    listed = {
        row.path.removeprefix("/api/v1/").removesuffix("/")
        for row in TABLE
        if row.method == "get" and isinstance(row.path, str)
    }
    assert prefixes <= listed, sorted(prefixes - listed)
    assert set(API_LIST) == prefixes and set(API_EMPTY_POST) <= prefixes


def test_table_has_a_value_for_every_role():
    assert all(len(row.expected) == len(ROLES) for row in TABLE)
    assert all(set(row.xfail) <= set(ROLES) for row in TABLE)
