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

How axe runs under the policy: see ``tests/e2e/axe.py``. One Chromium per role, one
context per size, signed in once (the phone context reuses the desktop's cookies).
"""

from __future__ import annotations

import os
import time

import pytest
from django.urls import reverse

from referentiel.models import Role
from tests.e2e.axe import DESKTOP, PHONE, audit, axe_source
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
SIZES = {"téléphone": PHONE, "bureau": DESKTOP}
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
        "sensibilisation:action_create",
        "sensibilisation:volunteer_create",
    ),
    "coordinateur": ("observations:extract_list", "observations:import"),
}
# Redoc lays out all ~80 operations of the API at once (29,000 elements: axe would take
# minutes): each is the same component, so its first operations stand for the others.
REPEATED = {"redoc": ('[data-section-id^="tag/"][data-section-id*="/operation/"]', 4)}
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


def _settle(page) -> None:
    """Pages that build their content with scripts: wait until it is there."""
    if page.locator("#swagger-ui").count():
        page.wait_for_selector("#swagger-ui .info .title", timeout=15000)
        page.wait_for_selector(".opblock-tag", timeout=15000)
    elif page.locator("redoc").count():
        page.wait_for_selector("h1", state="attached", timeout=60000)
    if page.locator(".leaflet-container, [data-map]").count():
        page.wait_for_load_state("networkidle")


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


def _audit_role(
    browser, live_server, data, role: str, user, timing: dict
) -> tuple[list, list]:
    base = live_server.url
    source = axe_source()
    violations, audited = [], []
    state = None
    plan = {}
    for route in _page_routes(role):
        try:
            plan[route] = urls_of(route, data)[:CANDIDATES]
        except UnfilledRoute as error:
            raise AssertionError(f"Route the plan cannot fill: {error}") from error
    opened = {}  # route → the URL the role opens (found at the first size)
    for index, (size, viewport) in enumerate(SIZES.items()):
        context = browser.new_context(
            locale="fr-FR", viewport=viewport, storage_state=state
        )
        context.add_init_script(script=source)
        page = context.new_page()
        if user is not None and state is None:
            _sign_in(page, base, user.username)
            state = context.storage_state()
        for route, urls in plan.items():
            if index:
                urls = [opened[route]] if route in opened else []
            for url in urls:
                kind = "page" if index else _kind(context, base + url)
                if kind == "other":
                    break  # no other URL of the route is a page either
                if kind != "page":
                    if kind not in opened:
                        opened[kind] = url  # the error page, audited once
                    continue  # this record is not the role's: try another
                started = time.monotonic()
                opened[route] = url
                page.goto(base + url, wait_until="load")
                _settle(page)
                repeated, keep = REPEATED.get(route.name, ("", 0))
                label = f"{url} ({keep} premières opérations)" if keep else url
                violations += audit(
                    page,
                    label=label,
                    role=role,
                    size=size,
                    repeated=repeated,
                    keep=keep,
                )
                audited.append((label, size))
                if route.name in REFUSED_FORMS.get(role, ()):
                    with page.expect_navigation(wait_until="load"):
                        sent = _refused_submit(page)
                    assert sent, f"{url}: pas de formulaire à envoyer"
                    assert page.url == base + url, f"{url}: formulaire vide accepté"
                    _settle(page)
                    label = f"{url} (après envoi refusé)"
                    violations += audit(page, label=label, role=role, size=size)
                    audited.append((label, size))
                timing[url] = timing.get(url, 0) + time.monotonic() - started
                break
        for status in (403, 404):
            if status in opened:
                url = opened[status]
                page.goto(base + url, wait_until="load")
                label = f"{url} (HTTP {status})"
                violations += audit(page, label=label, role=role, size=size)
                audited.append((label, size))
        context.close()
    return violations, audited


@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe(browser, live_server, world, role, record_property):
    data, users = world
    started = time.monotonic()
    timing = {}
    violations, audited = _audit_role(
        browser, live_server, data, role, users.get(role), timing
    )
    elapsed = time.monotonic() - started
    record_property("audited", len(audited))
    slowest = sorted(timing.items(), key=lambda item: -item[1])[:5]
    print(
        f"{role}: {len(audited)} audits ({len({a for a, _ in audited})} pages × tailles) "
        f"en {elapsed:.0f} s; plus lentes : {[(u, round(t, 1)) for u, t in slowest]}"
    )
    if os.environ.get("AXE_REPORT"):
        with open(f"{os.environ['AXE_REPORT']}-{role}.txt", "w") as handle:
            handle.write(f"{elapsed:.0f} s\n")
            handle.writelines(f"{t:.2f} {u}\n" for u, t in timing.items())
            handle.writelines(f"AUDIT {a} {s}\n" for a, s in audited)
            handle.write("\n".join(str(v) for v in violations))
    assert audited, f"{role}: aucune page auditée"
    assert not violations, (
        f"{len(violations)} violations graves ou critiques (axe-core, {role}) :\n"
        + "\n".join(str(v) for v in violations)
    )
