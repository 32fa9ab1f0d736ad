"""Issue 23: every page of the app, as the roles that use it, at phone and desktop size,
audited by axe-core (WCAG 2 A/AA, 2.1 A/AA, 2.2 AA) under the app's own Content Security
Policy; any serious or critical violation fails the suite, listed by page, role, size, rule
and nodes.

"Every page" is not a hand list: the routes come from the URLconf and their parameters from
the security crawler's plan (``tests/security/plan.py``), filled from the same planted
records (``plant_canaries`` + ``plant_extras``: organisation B's records of every kind).
The signed-in roles are members of B, so that its pages show their data, forms and maps.
For each role, a route is audited at the first of its planned URLs that the role opens
(HTTP 200, HTML; redirects, downloads, JSON are not pages); a 403/404 page once. The main
forms are also audited after an empty, refused submit (error summary, invalid fields).
A role shown exactly the same <main> as a role audited before on that route is not audited
again (its header and menu are, on its other pages): most pages read the same for a
validator as for field staff.

How axe runs under the policy: see ``tests/e2e/axe.py``. One Chromium, one context per
role, signed in once; each page is loaded once, at phone size, audited, widened to the
desktop's size and audited again. Measured alone on an idle machine: 225–239 s for both
sizes, where one test per size took 203 s and 227 s (each page loaded, classified and
settled twice).
"""

from __future__ import annotations

import hashlib
import os
import re
import time

import pytest
from django.urls import reverse

from referentiel.models import Role
from tests.e2e.axe import DESKTOP, PHONE, audit, axe_source
from tests.e2e.conftest import NetworkWatch
from tests.factories.referentiel import UserFactory
from tests.security.canaries import plant_canaries
from tests.security.crawler import UnfilledRoute, routes
from tests.security.extras import plant_extras
from tests.security.plan import urls_of
from tests.security.test_crawler import CrawlData, marker_factory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "motdepasse-accessibilite"
ROLES = ("anonymous", "partenaire", "saisie", "validateur", "coordinateur", "admin")
# Each page is loaded at the first size, then widened to the others.
SIZES = {"téléphone": PHONE, "bureau": DESKTOP}
FIRST_SIZE = next(iter(SIZES.values()))
# Routes that are not pages to read: logging out ends the session.
SKIP = {"logout"}
# The API is audited through its documentation pages; the rest of api/ is data.
API_PAGES = {"swagger-ui", "redoc"}
# The admin, read by staff: its home, each application's index, and the list, add, change,
# history and delete pages of a few models (Django's own templates: what one shows, all do).
ADMIN_MODELS = (
    "observations_occurrence",
    "referentiel_organisation",
    "baguage_session",
)
ADMIN_VIEWS = ("changelist", "add", "change", "history", "delete")
# Main forms, audited again after an empty submit (the refused form with its errors),
# by role (their own POST: a submit that is refused changes nothing).
REFUSED_FORMS = {
    "anonymous": ("login", "sensibilisation:campaign_detail"),
    "saisie": (
        "observations:occurrence_create",
        "baguage:session_create",
        "zones_humides:passage_create",
        "zones_humides:operation_create",
        "zones_humides:newt_capture_create",
    ),
    "coordinateur": (
        "observations:extract_list",
        "observations:exchange_create",
        "observations:import",
        "sensibilisation:action_create",
        "sensibilisation:volunteer_create",
        "indicateurs:share_list",
    ),
}
# Redoc lays out all ~80 operations of the API at once (29,000 elements: axe would take
# minutes): each is the same component, so its first operations stand for the others.
REPEATED = {"redoc": ('[data-section-id^="tag/"][data-section-id*="/operation/"]', 4)}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
MAIN = re.compile(r"<main\b.*?</main>", re.S)
NONCE = re.compile(r'nonce="[^"]*"')
CANDIDATES = 3  # planned URLs tried per route before deciding the role does not open it


def _page_routes(role: str) -> list:
    out = []
    for route in routes():
        if route.name in SKIP:
            continue
        if route.pattern.startswith("api/") and route.name not in API_PAGES:
            continue
        is_admin = route.pattern.startswith("admin/")
        if role == "admin":
            if not is_admin or not _admin_selected(route.name):
                continue
        elif is_admin:
            continue
        out.append(route)
    return out


def _admin_selected(name: str) -> bool:
    short = name.removeprefix("admin:")
    if short in ("index", "app_list"):
        return True
    return any(
        short == f"{model}_{view}" for model in ADMIN_MODELS for view in ADMIN_VIEWS
    )


@pytest.fixture
def world(db):
    canaries = plant_canaries()
    new_marker, _ = marker_factory(canaries.markers)
    extras = plant_extras(canaries, new_marker)
    data = CrawlData(canaries, extras)
    organisation = canaries.organisation
    users = {}
    for role in ("partenaire", "saisie", "validateur", "coordinateur"):
        users[role] = UserFactory(
            username=f"a11y-{role}",
            organisation=organisation,
            roles=[Role(role)],
            password=PASSWORD,
        )
    users["admin"] = UserFactory(
        username="a11y-admin",
        organisation=organisation,
        roles=[Role.COORDINATEUR],
        is_staff=True,
        is_superuser=True,
        password=PASSWORD,
    )
    return data, users


def _sign_in(page, base: str, username: str) -> None:
    page.goto(base + reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/connexion/" not in url)


def _kind(context, url: str) -> str | int:
    """What ``url`` answers the signed-in role, asked without a browser tab (the context's
    request client shares its cookies): "page" (HTML, 200), its status when it is an HTML
    refusal (403, 404), else "other" — a file, JSON, a redirection (to sign in, to a list:
    not this role's page), a POST-only route. Files and refusals without a body never reach
    the tab, where Chromium would put its own error page."""
    response = context.request.get(url, max_redirects=0)
    try:
        html = "text/html" in response.headers.get("content-type", "")
        if html and response.status == 200:
            return "page"
        if html and response.status in (403, 404):
            return response.status
        return "other"
    finally:
        response.dispose()


def _settle(page, network) -> None:
    """Pages that build their content with scripts: wait until it is there."""
    if page.locator("#swagger-ui").count():
        page.wait_for_selector("#swagger-ui .info .title", timeout=60000)
        page.wait_for_selector(".opblock-tag", timeout=60000)
    elif page.locator("redoc").count():
        page.wait_for_selector("h1", state="attached", timeout=60000)
    if page.locator(".leaflet-container, [data-map]").count():
        network.settled()


def _refused_submit(page) -> bool:
    """Submit the page's main form empty (the largest POST form of <main>), as a user who
    sends it at once; False when there is none."""
    return page.evaluate(
        """() => {
          const forms = [...document.querySelectorAll('main form')]
            .filter((f) => (f.getAttribute('method') || '').toLowerCase() === 'post');
          if (!forms.length) return false;
          forms.sort((a, b) => b.elements.length - a.elements.length);
          const form = forms[0];
          form.noValidate = true;
          for (const el of form.elements) {
            if (el.type === 'hidden' || el.type === 'submit' || el.type === 'button') continue;
            if (el.type === 'checkbox' || el.type === 'radio') { el.checked = false; continue; }
            if (el.tagName === 'SELECT') { el.selectedIndex = -1; continue; }
            if (el.type !== 'file') el.value = '';
          }
          form.requestSubmit();
          return true;
        }"""
    )


def _main_signature(page) -> str:
    """The page's <main> as it stands, without what changes at each request (the CSRF
    token): two roles shown the same <main> on a route are shown the same page but for
    the header, which each role's other pages audit."""
    html = page.evaluate(
        "() => (document.querySelector('main') || document.body).outerHTML"
    )
    html = CSRF.sub("", html)
    return hashlib.sha1(html.encode()).hexdigest()


class Audit:
    """The audit at every size: the violations, the pages audited (page, role) and those
    a role was shown exactly as another role (same <main>), with the time each page
    took."""

    def __init__(self, page, base: str):
        self.base = base
        self.use(page)
        self.violations, self.audited, self.same = [], [], []
        self.seen: dict[tuple, str] = {}  # (route name, <main> signature) → role
        self.api_sources: dict[tuple, str] = {}  # (route, sent <main> + schema) → role
        self.timing: dict[str, float] = {}

    def use(self, page) -> None:
        """Audit in ``page`` from now on (each role's own tab), watching its requests."""
        self.page, self.network = page, NetworkWatch(page)

    def run(self, url: str, role: str, route_name: str, *, label: str = "") -> bool:
        """Audit the page open in the tab, unless another role was shown its <main>:
        False then."""
        key = (route_name, _main_signature(self.page))
        if key in self.seen:
            self.same.append((url, role, self.seen[key]))
            return False
        self.seen[key] = role
        repeated, keep = REPEATED.get(route_name, ("", 0))
        label = label or (f"{url} ({keep} premières opérations)" if keep else url)
        # The page as loaded at phone size, then the same page widened to the desktop's:
        # one load for both sizes (what scripts lay out at load is laid out for the
        # narrower, stricter size; they follow the resize as they would a rotated phone).
        for index, (size, viewport) in enumerate(SIZES.items()):
            if index:
                self.page.set_viewport_size(viewport)
                _settle(self.page, self.network)
            self.violations += audit(
                self.page,
                label=label,
                role=role,
                size=size,
                repeated=repeated,
                keep=keep,
            )
        self.page.set_viewport_size(FIRST_SIZE)
        self.audited.append((label, role))
        return True

    def api_seen(self, url: str, role: str, route_name: str) -> bool:
        """The API documentation pages build their <main> in the browser from two things
        only: the <main> the server sends (Redoc's whole page) and the schema. When both are byte for byte what
        a role audited before was sent, the rendered page is that one (the schema is the
        same for every reader): record it as such without rendering it again — Swagger UI
        and Redoc are a quarter of the suite's time. False when something differs."""
        request = self.page.context.request
        bodies = []
        for address in (self.base + url, self.base + reverse("schema")):
            response = request.get(address)
            try:
                assert response.status == 200, f"{address}: HTTP {response.status}"
                bodies.append(response.body())
            finally:
                response.dispose()
        sent = NONCE.sub("", CSRF.sub("", bodies[0].decode()))
        main = MAIN.search(sent)  # Redoc's page is all its own: the whole of it then
        sent = main.group() if main else sent
        key = (route_name, hashlib.sha1(sent.encode() + bodies[1]).hexdigest())
        if key in self.api_sources:
            self.same.append((url, role, self.api_sources[key]))
            return True
        self.api_sources[key] = role
        return False

    def role(self, role: str, plan: dict) -> list[str]:
        """Every page of ``plan`` the signed-in ``role`` opens; the main forms it sends
        are audited again after an empty submit. The route names it opened."""
        page, base = self.page, self.base
        opened, errors = [], {}
        for route, urls in plan.items():
            for url in urls:
                kind = _kind(page.context, base + url)
                if kind == "other":
                    break  # no other URL of the route is a page either
                if kind != "page":
                    errors.setdefault(kind, url)
                    continue  # this record is not the role's: try another
                started = time.monotonic()
                opened.append(route.name)
                if route.name in API_PAGES and self.api_seen(url, role, route.name):
                    break
                page.goto(base + url, wait_until="load")
                _settle(page, self.network)
                self.run(url, role, route.name)
                if route.name in REFUSED_FORMS.get(role, ()):
                    with page.expect_navigation(wait_until="load"):
                        sent = _refused_submit(page)
                    assert sent, f"{url}: pas de formulaire à envoyer"
                    assert page.url == base + url, f"{url}: formulaire vide accepté"
                    _settle(page, self.network)
                    label = f"{url} (après envoi refusé)"
                    self.run(url, role, f"{route.name}#refus", label=label)
                self.timing[url] = self.timing.get(url, 0) + time.monotonic() - started
                break
        for status, url in errors.items():  # the refusal pages, once each
            page.goto(base + url, wait_until="load")
            self.run(url, role, f"HTTP {status}", label=f"{url} (HTTP {status})")
        return opened


def _plan(data, role: str) -> dict:
    plan = {}
    for route in _page_routes(role):
        try:
            plan[route] = urls_of(route, data)[:CANDIDATES]
        except UnfilledRoute as error:
            raise AssertionError(f"Route the plan cannot fill: {error}") from error
    return plan


def test_every_page_passes_axe(browser, live_server, world, record_property):
    """Every role in turn (one context each, signed in once), each page at both sizes."""
    data, users = world
    started = time.monotonic()
    source = axe_source()
    audit_run = None
    for role in ROLES:
        context = browser.new_context(locale="fr-FR", viewport=FIRST_SIZE)
        context.add_init_script(script=source)
        page = context.new_page()
        if role in users:
            _sign_in(page, live_server.url, users[role].username)
        if audit_run is None:
            audit_run = Audit(page, live_server.url)
        else:
            audit_run.use(page)
        opened = audit_run.role(role, _plan(data, role))
        unopened = [n for n in REFUSED_FORMS.get(role, ()) if n not in opened]
        assert not unopened, f"{role} : formulaires principaux non ouverts {unopened}"
        context.close()
    elapsed = time.monotonic() - started
    record_property("audited", len(audit_run.audited))
    if os.environ.get("AXE_REPORT"):
        with open(f"{os.environ['AXE_REPORT']}.txt", "w") as handle:
            handle.write(f"{elapsed:.0f} s\n")
            handle.writelines(f"{t:.2f} {u}\n" for u, t in audit_run.timing.items())
            handle.writelines(f"AUDIT {a} {r}\n" for a, r in audit_run.audited)
            handle.writelines(f"SAME {u} {r} = {o}\n" for u, r, o in audit_run.same)
            handle.write("\n".join(str(v) for v in audit_run.violations))
    roles = {r for _, r in audit_run.audited}
    assert roles == set(ROLES), f"rôles sans page auditée : {set(ROLES) - roles}"
    assert not audit_run.violations, (
        f"{len(audit_run.violations)} violations graves ou critiques (axe-core) :\n"
        + "\n".join(str(v) for v in audit_run.violations)
    )
