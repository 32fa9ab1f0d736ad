"""Throttles and lockouts, each at the rate base.py configures (the test settings raise
them so that no other test meets one by accident), counted in the real Redis.

- the API token endpoint: per client address and per username (DRF throttles), 429 with
  Retry-After; its wrong passwords lock the login like the login page's (django-axes);
- the login page: locked per username and per address after the failure limit, a French
  429 page with Retry-After, open again after the cool-off;
- the public campaign form: per address (every post) and per email address (each report
  sends an email), 429 with Retry-After on the form's page.

Each test uses its own client addresses and usernames: the counters outlive a test.
"""

import html
import time
import uuid
from datetime import timedelta

import pytest
from rest_framework.throttling import SimpleRateThrottle

from cpie_naturaliste.settings import base
from sensibilisation.models import Report
from tests.factories.referentiel import UserFactory
from tests.sensibilisation import conftest as campaigns

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/token/"
LOGIN_URL = "/connexion/"
PASSWORD = "bon-mot-de-passe-2020"

# The campaign tests' fixtures: the open campaign and a valid report.
dragon = campaigns.dragon
report_data = campaigns.report_data
post_report = campaigns.post_report


def rate(scope: str) -> tuple[int, int]:
    """(requests, seconds) of a DRF scope, as base.py (and the environment) set it."""
    return SimpleRateThrottle.parse_rate(
        None, base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]
    )


@pytest.fixture(autouse=True)
def configured_rates(settings):
    """The production rates and limits, instead of the test settings' raised ones."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
    }
    settings.AXES_FAILURE_LIMIT = base.AXES_FAILURE_LIMIT
    settings.AXES_COOLOFF_TIME = base.AXES_COOLOFF_TIME
    settings.SENSIBILISATION_RATE_LIMITS = base.SENSIBILISATION_RATE_LIMITS
    settings.SENSIBILISATION_EMAIL_RATE_LIMITS = base.SENSIBILISATION_EMAIL_RATE_LIMITS


def unique_ip() -> str:
    """A client address no test has used yet."""
    n = uuid.uuid4().int
    return f"10.{n % 250 + 1}.{(n >> 8) % 250 + 1}.{(n >> 16) % 250 + 1}"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def account(**kwargs):
    user = UserFactory(username=unique("compte"), **kwargs)
    user.set_password(PASSWORD)
    user.save()
    return user


def ask_token(client, username, password, address):
    return client.post(
        TOKEN_URL, {"username": username, "password": password}, REMOTE_ADDR=address
    )


def log_in(client, username, password, address):
    return client.post(
        LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address
    )


def text(response) -> str:
    return html.unescape(response.content.decode())


def away_from_a_window_edge(window: int, margin: int = 30) -> None:
    """The campaign form counts in fixed windows: a test that starts just before one
    ends would see its posts split over two; it waits for the next one instead."""
    left = window - time.time() % window
    if left < margin:
        time.sleep(left + 0.1)


def assert_retry_after(response, at_most: int) -> int:
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 0 < wait <= at_most
    return wait


# --- API token endpoint: DRF throttles ---------------------------------------------


def test_the_token_endpoint_is_throttled_per_address(client):
    """One address asking tokens for many accounts, with their right passwords (no
    lockout involved): the ``token_address`` rate, then 429 for any username."""
    allowed, seconds = rate("token_address")
    address = unique_ip()
    users = [account() for _ in range(allowed + 1)]
    statuses = [
        ask_token(client, user.username, PASSWORD, address).status_code
        for user in users[:allowed]
    ]
    assert statuses == [200] * allowed
    refused = ask_token(client, users[allowed].username, PASSWORD, address)
    assert_retry_after(refused, seconds)
    assert refused.json()["detail"].startswith("Trop de requêtes : réessayez dans")
    # Another address is not concerned.
    assert ask_token(client, users[allowed].username, PASSWORD, unique_ip()).json()[
        "token"
    ]


def test_the_token_endpoint_is_throttled_per_username(client):
    """One username asked from ever new addresses (a spread-out script or guesser): the
    ``token_username`` rate, whatever the case of the name, then 429."""
    allowed, seconds = rate("token_username")
    user = account()
    statuses = [
        ask_token(client, user.username, PASSWORD, unique_ip()).status_code
        for _ in range(allowed)
    ]
    assert statuses == [200] * allowed
    refused = ask_token(client, user.username.upper(), PASSWORD, unique_ip())
    assert_retry_after(refused, seconds)
    assert "token" not in refused.json()
    # Another username from that same address still gets its token.
    other = account()
    assert ask_token(client, other.username, PASSWORD, unique_ip()).status_code == 200


def test_wrong_passwords_on_the_token_endpoint_lock_the_login(client):
    """Wrong passwords for one username, each from another address: 400 until the
    failure limit, then 429 with the whole cool-off to wait, even with the right
    password; the login page refuses that username as well (one count for both)."""
    limit = base.AXES_FAILURE_LIMIT
    cool_off = int(base.AXES_COOLOFF_TIME.total_seconds())
    user = account()
    statuses = [
        ask_token(client, user.username, f"faux-{n}", unique_ip()).status_code
        for n in range(limit - 1)
    ]
    assert statuses == [400] * (limit - 1)
    locked = ask_token(client, user.username, "faux-encore", unique_ip())
    assert locked.status_code == 429 and int(locked["Retry-After"]) == cool_off
    assert "tentatives de connexion" in locked.json()["detail"]
    right = ask_token(client, user.username, PASSWORD, unique_ip())
    assert right.status_code == 429 and "token" not in right.json()
    page = log_in(client, user.username, PASSWORD, unique_ip())
    assert page.status_code == 429 and "_auth_user_id" not in client.session


# --- login page: django-axes ---------------------------------------------------------


def test_the_login_page_locks_an_address_after_the_failure_limit(client):
    limit = base.AXES_FAILURE_LIMIT
    cool_off = int(base.AXES_COOLOFF_TIME.total_seconds())
    address = unique_ip()
    for _ in range(limit - 1):
        response = log_in(client, unique("inconnu"), "faux", address)
        assert response.status_code == 200  # the form again, with its error
    locked = log_in(client, unique("inconnu"), "faux", address)
    assert locked.status_code == 429 and int(locked["Retry-After"]) == cool_off
    page = text(locked)
    assert "Connexion momentanément bloquée" in page
    assert f"réessayez dans {cool_off // 60} minutes" in page
    # From that address even a real account's right password is refused…
    user = account()
    assert log_in(client, user.username, PASSWORD, address).status_code == 429
    assert "_auth_user_id" not in client.session
    # …but not from another one.
    assert log_in(client, user.username, PASSWORD, unique_ip()).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_login_page_locks_a_username_tried_from_many_addresses(client):
    limit = base.AXES_FAILURE_LIMIT
    user, other = account(), account()
    statuses = [
        log_in(client, user.username.upper(), "faux", unique_ip()).status_code
        for _ in range(limit)
    ]
    assert statuses == [200] * (limit - 1) + [429]
    assert log_in(client, user.username, PASSWORD, unique_ip()).status_code == 429
    assert "_auth_user_id" not in client.session
    assert log_in(client, other.username, PASSWORD, unique_ip()).status_code == 302


def test_a_locked_login_opens_again_after_the_cool_off(client, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=2)
    user = account()
    address = unique_ip()
    for _ in range(base.AXES_FAILURE_LIMIT):
        last = log_in(client, user.username, "faux", address)
    assert last.status_code == 429 and last["Retry-After"] == "2"
    assert log_in(client, user.username, PASSWORD, address).status_code == 429
    time.sleep(2.5)  # the counters expire in Redis
    assert log_in(client, user.username, PASSWORD, address).status_code == 302


def test_behind_a_proxy_the_limits_count_the_address_it_saw(client, settings):
    """With TRUSTED_PROXIES=1 every limit keys on the address the proxy appended to
    X-Forwarded-For: a client that writes addresses of its own in front gains nothing,
    and the other clients behind the same proxy are not locked with it."""
    settings.TRUSTED_PROXIES = 1
    proxy, guesser, colleague = "10.99.0.1", unique_ip(), unique_ip()
    for n in range(base.AXES_FAILURE_LIMIT):
        last = client.post(
            LOGIN_URL,
            {"username": unique("inconnu"), "password": "faux"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 1}, {guesser}",
        )
    assert last.status_code == 429
    user = account()
    behind = {"REMOTE_ADDR": proxy, "HTTP_X_FORWARDED_FOR": f"192.0.2.99, {guesser}"}
    credentials = {"username": user.username, "password": PASSWORD}
    assert client.post(LOGIN_URL, credentials, **behind).status_code == 429
    other = {"REMOTE_ADDR": proxy, "HTTP_X_FORWARDED_FOR": colleague}
    assert client.post(LOGIN_URL, credentials, **other).status_code == 302


# --- public campaign form ---------------------------------------------------------------


def test_the_campaign_form_answers_429_with_retry_after_per_address(
    client, dragon, report_data
):
    (posts, window), *_ = base.SENSIBILISATION_RATE_LIMITS
    away_from_a_window_edge(window)
    address = unique_ip()
    statuses = [
        post_report(client, dragon.url, report_data(site_web="robot"), address)
        for _ in range(posts + 1)
    ]
    assert [r.status_code for r in statuses[:posts]] == [400] * posts
    refused = statuses[-1]
    assert_retry_after(refused, window)
    assert "depuis votre connexion : réessayez dans" in text(refused)
    # Another address posts normally.
    response = post_report(client, dragon.url, report_data(), unique_ip())
    assert response.status_code == 302


def test_the_campaign_form_limits_the_reports_per_email_address(
    client, dragon, report_data, mailoutbox
):
    """Reports for one email address sent from ever new addresses: each sends a
    confirmation email, so past the limit they are refused (429), none stored, no
    email sent; another email address is not concerned."""
    (reports, window), *_ = base.SENSIBILISATION_EMAIL_RATE_LIMITS
    away_from_a_window_edge(window)
    email = f"{unique('jardin')}@example.org"
    statuses = [
        post_report(
            client, dragon.url, report_data(email=email), unique_ip()
        ).status_code
        for _ in range(reports)
    ]
    assert statuses == [302] * reports
    refused = post_report(
        client, dragon.url, report_data(email=email.upper()), unique_ip()
    )
    assert_retry_after(refused, window)
    assert "avec ce courriel : réessayez dans" in text(refused)
    assert Report.objects.count() == reports and len(mailoutbox) == reports
    other = post_report(
        client,
        dragon.url,
        report_data(email=f"{unique('voisin')}@example.org"),
        unique_ip(),
    )
    assert other.status_code == 302 and len(mailoutbox) == reports + 1
