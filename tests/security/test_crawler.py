"""Issue 17: no hidden location and no other organisation's data escapes, on any route.

Canaries (``tests/security/canaries.py`` and ``extras.py``) are sensitive records of another
organisation in every kind of record, each free-text field with its own marker string and
each record at its own precise point. The crawler walks every route of the URLconf
(``tests/security/plan.py`` fills their parameters from the canaries, and fails on a route
it cannot fill), every operation of ``/api/schema/`` (with its query parameters), and every
link of the pages it reads, as an anonymous visitor, a partner and field staff of another
organisation; it fails if any response shows a marker or a canary point. Then it sends every
unsafe method to every route filled with the canaries' ids and fails if one answers other
than 401/403/404/405 (or the sign-in page), or if any canary table changed."""

from __future__ import annotations

import os
import re
import secrets
import string
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType  # noqa: F401
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from observations.models import Occurrence
from referentiel.models import Role
from tests.factories.referentiel import OrganisationFactory, UserFactory
from tests.security.canaries import plant_canaries
from tests.security.crawler import (
    Canary,
    Checker,
    UnfilledRoute,
    checksums,
    routes,
    with_query,
    writes,
)
from tests.security.extras import plant_extras
from tests.security.plan import urls_of

pytestmark = pytest.mark.django_db

READERS = ("anonymous", "partenaire_a", "saisie_a", "staff_a")
# The admin is read by staff: field staff of organisation A made staff with every "view"
# permission crawl the admin's routes (the other routes are saisie_a's).
ADMIN_READERS = {"staff_a"}
UNSAFE = ("post", "put", "patch", "delete")
# Routes that are not read as a reader would: logging out ends the crawl's session.
SKIP = {"logout"}
# Statuses an unsafe request on another organisation's row may answer (302: to sign in).
REFUSED = {401, 403, 404, 405}
MAX_FOLLOWED = 1500


class CrawlData:
    """The canaries, seen the way the plan needs them."""

    def __init__(self, canaries, extras):
        self.canaries = canaries
        self.objects = {**canaries.objects}
        for model, rows in extras.items():
            self.objects.setdefault(model, [])
            self.objects[model] = [*self.objects[model], *rows]
        self.year = canaries.year
        self.taxa = [t for taxa in canaries.taxa.values() for t in taxa]
        self._related = {}

    def occurrence_model(self):
        return Occurrence

    def report_tokens(self):
        from sensibilisation.models import Report
        from sensibilisation.services.campaigns import report_confirmation_token

        return [report_confirmation_token(r) for r in self.instances(Report)]

    def share_tokens(self):
        from indicateurs.models import ShareLink
        from indicateurs.sharing import share_token

        return [share_token(link) for link in self.instances(ShareLink)]

    def instances(self, model) -> list:
        """Canary rows of ``model``, and the rows of ``model`` they point to."""
        if model in self._related:
            return self._related[model]
        found = {obj.pk: obj for obj in self.objects.get(model, [])}
        for rows in self.objects.values():
            for obj in rows:
                for fk in obj._meta.concrete_fields:
                    if fk.is_relation and fk.related_model is model:
                        value = getattr(obj, fk.name)
                        if value is not None:
                            found.setdefault(value.pk, value)
        self._related[model] = list(found.values())
        return self._related[model]

    @property
    def tables(self) -> list[str]:
        tables = set(self.canaries.tables)
        tables.update(model._meta.db_table for model in self.objects)
        return sorted(tables)


# Rows every member of the network reads by design, whoever made them: the ringers of the
# network (CRBPO permits, /baguage/bagueurs/) and the ring stock (/baguage/bagues/), which
# say nothing of any record.
SHARED_MODELS = {"baguage.Ringer", "baguage.RingSeries"}


def shared_row(canaries, info) -> bool:
    from baguage.models import Ringer

    if info.model in SHARED_MODELS:
        return True
    ringer_people = {r.person_id for r in canaries.objects.get(Ringer, [])}
    return info.model == "referentiel.Person" and info.pk in ringer_people


def marker_factory(existing):
    taken = set(existing)

    def new():
        while True:
            marker = "CANARI" + "".join(
                secrets.choice(string.ascii_uppercase + string.digits) for _ in range(8)
            )
            if marker not in taken:
                taken.add(marker)
                return marker

    return new, taken


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The canaries and the readers, planted once for the module's tests in a transaction
    rolled back after them (planting took up to a tenth of each test): each test runs
    in its own savepoint (``django_db``), rolled back after it, so each starts from the
    world as planted, whatever the tests before it sent."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _plant_world()
        transaction.set_rollback(True)


def _plant_world():
    canaries = plant_canaries()
    new_marker, taken = marker_factory(canaries.markers)
    planted = set(taken)
    extras = plant_extras(canaries, new_marker)
    # Markers of the extras, and those of the field records no other reader may read
    # (the network's shared lists excepted, see SHARED_ROWS).
    hidden = (taken - planted) | {
        marker
        for marker in canaries.hidden_markers
        if not shared_row(canaries, canaries.markers[marker])
    }
    data = CrawlData(canaries, extras)
    org_a = OrganisationFactory(
        name="Organisme A", kind="cpie", sensitivity_clearance=0
    )
    readers = {
        "anonymous": None,
        "partenaire_a": UserFactory(
            username="partenaire_a", organisation=org_a, roles=[Role.PARTENAIRE]
        ),
        "saisie_a": UserFactory(
            username="saisie_a", organisation=org_a, roles=[Role.SAISIE]
        ),
        "staff_a": _staff(org_a),
    }
    canary = Canary(tuple(sorted(hidden)), tuple(canaries.points))
    return data, readers, canary


@pytest.fixture(scope="module")
def planned(world, django_db_blocker):
    """What every reader's tests start from, the same for all: the plan's URLs (and the
    routes it could not fill), the schema's GET operations with their query parameters
    (and those no route serves), read by an administrator, and the URLs naming only the
    canary organisation's own rows. Made once for the module."""
    data, _, canary = world
    with django_db_blocker.unblock():
        urls, unfilled, _ = plan(data)
        admin = Client()
        admin.force_login(UserFactory(username="schema-reader", is_superuser=True))
        schema = admin.get(reverse("schema"), {"format": "json"}).json()
        api_urls, orphans = schema_variants(schema, data, canary)
        return urls, unfilled, api_urls, orphans, owned_urls(data)


def _staff(organisation):
    from django.contrib.auth.models import Permission

    staff = UserFactory(
        username="staff_a",
        organisation=organisation,
        roles=[Role.SAISIE],
        is_staff=True,
    )
    staff.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    return staff


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


# The plan ------------------------------------------------------------------------------
def plan(data) -> tuple[list[str], list[str], list[str]]:
    """URLs to read, routes that could not be filled (with why), routes skipped."""
    urls, unfilled, skipped = [], [], []
    for route in routes():
        if route.name in SKIP:
            skipped.append(route.pattern)
            continue
        try:
            urls.extend(urls_of(route, data))
        except UnfilledRoute as error:
            unfilled.append(str(error))
    return sorted(set(urls)), unfilled, skipped


def schema_variants(schema: dict, data, canary: Canary) -> tuple[list[str], list[str]]:
    """For each GET operation of the schema, its URLs with each query parameter the
    schema declares filled (year, format, bbox around each canary point…); and the
    operations whose path no route of the plan matches."""
    urls, orphans = [], []
    boxes = [_bbox(lon, lat) for lon, lat in canary.points_wgs84]
    values = {
        "year": [data.year],
        "annee": [data.year],
        "season": [data.year],
        "page_size": [500],
        "in_bbox": boxes,
        "bbox": boxes,
    }
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        concrete = _concrete_paths(path, data)
        if not concrete:
            orphans.append(path)
            continue
        for url in concrete:
            urls.append(url)
            for parameter in operations["get"].get("parameters", []):
                if parameter.get("in") != "query":
                    continue
                name = parameter["name"]
                choices = values.get(name) or parameter.get("schema", {}).get("enum")
                for value in choices or []:
                    urls.append(with_query(url, {name: value}))
    return sorted(set(urls)), orphans


def _bbox(lon: float, lat: float) -> str:
    return f"{lon - 0.001:.5f},{lat - 0.001:.5f},{lon + 0.001:.5f},{lat + 0.001:.5f}"


def _concrete_paths(template: str, data) -> list[str]:
    """The schema path ``/api/v1/x/{pk}/`` with the canaries' values, through the route
    that serves it (so the same filling rules apply)."""
    for route in routes():
        if route.viewset is None and not route.pattern.startswith("api/"):
            continue
        try:
            urls = urls_of(route, data)
        except UnfilledRoute:
            continue
        regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        matching = [u for u in urls if re.fullmatch(regex, u)]
        if matching:
            return matching
    return []


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and (
                name in ("href", "src", "action")
                or name.startswith("data-")
                and value.startswith("/")
            ):
                self.found.append(value)


def _links(url: str, response) -> list[str]:
    if "text/html" not in response.get("Content-Type", ""):
        return []
    parser = Links()
    parser.feed(response.content.decode("utf-8", errors="replace"))
    out = []
    for link in parser.found:
        parts = urlsplit(link)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith("/static/"):
            continue
        try:
            match = resolve(parts.path)
        except Resolver404:
            continue
        if match.url_name in SKIP:
            continue
        query = urlencode(parse_qsl(parts.query))
        out.append(f"{parts.path}?{query}" if query else parts.path)
    return out


def own_extracts(user) -> list[str]:
    """The files a reader may ask for: an extract of everything, in every format, and one
    in all formats at once (a ZIP), made for the reader's organisation (run here, as the
    worker would); and the count the extract page shows before launching."""
    from observations.exports.extracts import extract_create, extract_run
    from observations.models import Extract
    from referentiel.permissions import can_extract

    if user is None or not can_extract(user):
        return []
    urls = []
    for formats in [[fmt] for fmt in Extract.Format.values] + [Extract.Format.values]:
        extract = extract_create(
            user=user,
            recipient=user.organisation,
            filters={},
            area=None,
            formats=formats,
        )
        extract = extract_run(extract.pk)
        assert extract.status == Extract.Status.DONE, extract.error
        urls.append(
            reverse("observations:extract_download", kwargs={"uuid": extract.uuid})
        )
    estimate = reverse("observations:extract_estimate")
    urls.append(f"{estimate}?recipient={user.organisation_id}&formats=csv")
    return urls


# The crawl -----------------------------------------------------------------------------
# Query parameters whose value changes what a page shows (a year, a format, a version
# of the method…), not only which slice of it (page, sort order).
MEANINGFUL = {"format", "annee", "year", "version", "type", "fmt", "releve", "passage"}


def _signature(url: str):
    """A link's route (not its ids: each route is already planned with the canaries') and
    the meaningful part of its query."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    return (
        resolve(parts.path).route,
        frozenset((k, v) if k in MEANINGFUL else (k, "") for k, v in query),
    )


def crawl(
    client: Client, urls: list[str], checker: Checker
) -> tuple[Counter, list[str]]:
    """GET every URL, and every link of the pages read (up to ``MAX_FOLLOWED``): a link is
    followed once per route and kind of query (``_signature``): page 2 and page 3 of a
    list, its sort orders, the detail pages of its rows are read once each."""
    statuses: Counter = Counter()
    errors: list[str] = []
    seen, signatures = set(), set()
    queue = list(urls)
    planned = set(urls)
    while queue and len(seen) < MAX_FOLLOWED + len(urls):
        url = queue.pop(0)
        if url in seen:
            continue
        signature = _signature(url)
        if url not in planned and signature in signatures:
            continue
        seen.add(url)
        signatures.add(signature)
        response = client.get(url)
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            errors.append(f"{url}: {response.status_code}")
            continue
        checker.check(url, response)
        queue.extend(link for link in _links(url, response) if link not in seen)
    return statuses, errors


@pytest.mark.parametrize("reader", READERS)
def test_no_canary_escapes_on_any_route(world, planned, reader, record_property):
    data, readers, canary = world
    urls, unfilled, api_urls, orphans, _ = planned
    assert not unfilled, "Routes the crawler cannot fill:\n" + "\n".join(unfilled)
    assert not orphans, f"Schema operations with no route: {orphans}"

    extract_urls = own_extracts(readers[reader])
    if reader in ADMIN_READERS:
        urls, api_urls, extract_urls = (
            [u for u in urls if u.startswith("/admin/")],
            [],
            [],
        )
    checker = Checker(canary)
    statuses, errors = crawl(
        _client(readers[reader]), [*urls, *api_urls, *extract_urls], checker
    )

    record_property("requests", sum(statuses.values()))
    record_property("texts_checked", checker.texts)
    print(
        f"{reader}: {len(urls)} route URLs, {len(api_urls)} schema URLs, "
        f"{sum(statuses.values())} requests, {checker.texts} texts, "
        f"{len(canary.markers)} markers, {len(canary.points_l93)} points, "
        f"statuses {dict(statuses)}"
    )
    report = [f"server error: {e}" for e in errors]
    report += [str(leak) for leak in checker.leaks]
    if os.environ.get("CRAWL_REPORT"):
        with open(f"{os.environ['CRAWL_REPORT']}-{reader}.txt", "w") as handle:
            handle.write("\n".join(report))
    assert not report, f"{len(errors)} server errors, {len(checker.leaks)} leaks:\n" + (
        "\n".join(report[:200])
    )


def test_the_crawler_sees_a_canary_when_it_is_there(world):
    """The positive control: the canaries' own coordinator reads them, and the checker
    reports it (so a crawl that finds nothing found nothing, not a blind spot)."""
    data, readers, canary = world
    checker = Checker(canary)
    client = _client(data.canaries.coordinator)
    occurrence = data.canaries.objects[Occurrence][0]
    for url in (
        reverse("observations:occurrence_detail", kwargs={"uuid": occurrence.uuid}),
        f"/api/v1/occurrences/{occurrence.uuid}/",
        "/api/v1/occurrences/geojson/",
    ):
        checker.check(url, client.get(url))
    kinds = {leak.what.split()[0] for leak in checker.leaks}
    assert kinds == {"marker", "point"}, checker.leaks
    # The tiles are decoded: the coordinator's tiles place the canaries (zoom 17 as a
    # point, and as a precise place whatever the zoom the crawl asks for features).
    tiles = Checker(canary)
    for url in urls_of(_route("occurrence-tiles"), data):
        if "/17/" in url:
            response = client.get(url)
            assert response.status_code in (200, 204), url
            tiles.check(url, response)
    assert any(leak.what.startswith("point") for leak in tiles.leaks), tiles.leaks


def _route(name: str):
    return next(route for route in routes() if route.name == name)


# Routes whose unsafe method is open to anyone by design (checksums still hold).
OPEN_FORMS = {
    "sensibilisation:campaign_detail": "the public report form of a campaign",
    "sensibilisation:report_confirm": (
        "the e-mailed link: its signed token is the authority; confirming again changes "
        "nothing (the checksums hold)"
    ),
}


@pytest.mark.parametrize("reader", READERS)
def test_no_unsafe_request_changes_another_organisations_rows(world, planned, reader):
    data, readers, _ = world
    urls, unfilled, _, _, targeted = planned
    assert not unfilled
    if reader in ADMIN_READERS:
        # Staff reach the admin: its forms that change a row (change, delete) must refuse
        # another organisation's; its other views (app index, history) change nothing
        # whatever the method, which the checksums prove.
        urls = [url for url in urls if url.startswith("/admin/")]
        targeted = {
            url
            for url in targeted
            if url.startswith("/admin/")
            and (resolve(urlsplit(url).path).url_name or "").endswith(
                ("_change", "_delete")
            )
        }
    client = _client(readers[reader])
    tables = data.tables
    before, written = checksums(tables), writes(tables)
    wrong = []
    for url in urls:
        for method in UNSAFE:
            if method == "post":
                response = client.post(url, {})
            else:
                response = getattr(client, method)(
                    url, data={}, content_type="application/json"
                )
            status = response.status_code
            refused = status in REFUSED or (
                status == 302
                and response["Location"].startswith(("/connexion/", "/admin/login/"))
            )
            if reader in ADMIN_READERS and status == 302:
                # The admin's "this object does not exist (or you may not see it)".
                refused = refused or urlsplit(response["Location"]).path == "/admin/"
            open_form = resolve(urlsplit(url).path).view_name in OPEN_FORMS
            if status >= 500 or (url in targeted and not refused and not open_form):
                wrong.append(f"{method.upper()} {url}: {status}")
            elif (
                method != "post" and 200 <= status < 300 and not url.startswith("/api/")
            ):
                # A page that answers a PUT with itself says it was done.
                wrong.append(f"{method.upper()} {url}: {status} (a page took {method})")
        # Checksummed again: the tables this URL's requests wrote to (the test runs in
        # one transaction, whose write counts PostgreSQL keeps per table).
        now = writes(tables)
        touched = [t for t in tables if now.get(t, 0) != written.get(t, 0)]
        written = now
        after = {**before, **checksums(touched)}
        if after != before:
            changed = [t for t in tables if after[t] != before[t]]
            wrong.append(f"{url}: changed {changed}")
            before = after
    assert not wrong, f"{len(wrong)} unsafe requests not refused:\n" + "\n".join(wrong)


class OwnedOnly:
    """The canaries without the rows they point to: the URLs it fills name only the
    canary organisation's own rows (the targets of the unsafe requests)."""

    def __init__(self, data):
        self._data = data
        self.year = data.year
        self.taxa = []

    def __getattr__(self, name):
        return getattr(self._data, name)

    def instances(self, model):
        return list(self._data.objects.get(model, []))


def owned_urls(data) -> set[str]:
    owned = OwnedOnly(data)
    urls = set()
    for route in routes():
        if not route.converters or route.name in SKIP:
            continue
        try:
            urls.update(urls_of(route, owned))
        except UnfilledRoute:
            continue
    return urls
