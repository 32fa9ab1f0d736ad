"""The site's error answers (cpie_naturaliste.core.http): a database that does not answer
is a 503 with Retry-After, any other error a 500; JSON for the API. The real outage is
tested in tests/resilience/test_database_restart.py."""

import json

import pytest
from django.db import OperationalError

from cpie_naturaliste.core.http import RETRY_AFTER_SECONDS, server_error
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import DatasetFactory


def answer(rf, path: str, error: Exception):
    try:
        raise error
    except Exception:  # handler500 reads the error being handled, as Django calls it
        return server_error(rf.get(path))


def test_a_database_that_does_not_answer_is_a_503_to_retry(rf):
    error = OperationalError("connection to server failed: Connection refused")
    api = answer(rf, "/api/v1/taxa/", error)
    assert api.status_code == 503
    assert api["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "base de données" in json.loads(api.content)["detail"]
    page = answer(rf, "/observations/", error)
    assert page.status_code == 503 and page["Retry-After"]
    assert "Service momentanément indisponible" in page.content.decode()


def test_any_other_error_is_a_500(rf):
    api = answer(rf, "/api/v1/taxa/", ValueError("bug"))
    assert api.status_code == 500 and not api.has_header("Retry-After")
    assert json.loads(api.content)["detail"].startswith("Erreur interne")
    assert answer(rf, "/", KeyError("x")).status_code == 500


@pytest.mark.django_db
def test_a_nul_in_a_form_or_json_body_is_refused_with_its_reason(
    client, api_client, coordinateur_user, organisation
):
    """A NUL reaching PostgreSQL text is a DataError (schemathesis: a PATCH of an
    occurrence with ``programme=7%00`` gave a 500): a form body is refused up front, a
    JSON one field by field."""
    occurrence = OccurrenceFactory(dataset=DatasetFactory(producer=organisation))
    api_client.force_authenticate(coordinateur_user)
    url = f"/api/v1/occurrences/{occurrence.uuid}/"
    form = api_client.patch(
        url, "programme=7%00x", content_type="application/x-www-form-urlencoded"
    )
    assert form.status_code == 400 and "NUL" in json.loads(form.content)["detail"]
    # JSON: the serializer names the field, for a text field as for a code looked up.
    for field in ("comment", "programme"):
        body = api_client.patch(url, {field: "7\x00x"}, format="json")
        assert body.status_code == 400 and field in json.loads(body.content)
    # Without a NUL the same request goes through to the view.
    fine = api_client.patch(url, {"comment": "vu"}, format="json")
    assert fine.status_code == 200
    # A page's form as a browser sends it (urlencoded; multipart bodies are not read).
    page = client.post(
        "/connexion/",
        "username=a%00b&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert page.status_code == 400


# --- oversized requests: 413, never Django's debug page nor a bare 400 ---------------


@pytest.fixture
def small_uploads(settings):
    """A 1 Mo cap (the real one is 2.5 Mo), so that the tests send little."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 100
    return settings


def too_large_page(response) -> str:
    assert response.status_code == 413
    page = response.content.decode()
    assert "Envoi trop volumineux" in page and "1 Mo au plus" in page
    assert "Traceback" not in page and "RequestDataTooBig" not in page
    return page


@pytest.mark.django_db
def test_a_10_mb_comment_in_a_form_is_a_french_413_page(
    client, small_uploads, saisie_user
):
    """The tester's case: a 10 Mo comment in the entry form (form-encoded). Django
    refuses it before reading it (RequestDataTooBig, a 400 or its debug page), and
    handler400 answers 413."""
    client.force_login(saisie_user)
    body = "comment=" + "x" * (10 * 1024 * 1024)
    response = client.post(
        "/observations/nouvelle/",
        body,
        content_type="application/x-www-form-urlencoded",
    )
    too_large_page(response)


@pytest.mark.django_db
def test_a_multipart_field_or_too_many_fields_is_a_413_too(client, small_uploads):
    """What only Django's parser finds (a multipart text field over the cap, more fields
    than DATA_UPLOAD_MAX_NUMBER_FIELDS) reaches handler400, which answers 413."""
    big_field = client.post(
        "/connexion/", {"username": "x" * (1024 * 1024 + 1), "password": "y"}
    )
    too_large_page(big_field)
    many = client.post(
        "/connexion/",
        "&".join(f"f{n}=1" for n in range(101)),
        content_type="application/x-www-form-urlencoded",
    )
    too_large_page(many)


@pytest.mark.django_db
def test_an_oversized_api_body_is_a_json_413(
    api_client, small_uploads, coordinateur_user
):
    api_client.force_authenticate(coordinateur_user)
    comment = "x" * (2 * 1024 * 1024)
    # JSON: DRF's parser would have read it whole, without any cap.
    response = api_client.post(
        "/api/v1/occurrences/", {"comment": comment}, format="json"
    )
    assert response.status_code == 413
    assert "trop volumineuses" in response.json()["detail"]
    # Multipart: Django's parser refuses the field, DRF lets the error through.
    response = api_client.post(
        "/api/v1/occurrences/", {"comment": comment}, format="multipart"
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "trop volumineuses" in response.json()["detail"]


# --- error pages: French, no URL map, JSON under /api/ ------------------------------


@pytest.mark.django_db
def test_an_anonymous_404_is_a_french_page_without_the_url_map(client, settings):
    assert settings.DEBUG is False
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page introuvable" in page and 'lang="fr"' in page
    # Django's debug 404 lists every route.
    for leak in ("URLconf", "api/v1/token/", "slug:slug", "Page not found"):
        assert leak not in page
    api = client.get("/api/v1/nulle-part/")
    assert api.status_code == 404 and api.json() == {"detail": "Introuvable."}


@pytest.mark.django_db
def test_a_bad_request_and_a_csrf_failure_are_french_pages(client, settings):
    """handler400 (here a Host the site does not serve) and the CSRF failure view."""
    response = client.get("/", HTTP_HOST="ailleurs.example.org")
    assert response.status_code == 400
    assert "Requête invalide" in response.content.decode()
    api = client.get("/api/v1/taxa/", HTTP_HOST="ailleurs.example.org")
    assert api.status_code == 400 and api.json() == {"detail": "Requête invalide."}
    csrf_client = type(client)(enforce_csrf_checks=True)
    refused = csrf_client.post("/connexion/", {"username": "a", "password": "b"})
    assert refused.status_code == 403
    page = refused.content.decode()
    assert "Accès refusé" in page and "rechargez la page" in page
    assert "CSRF verification failed" not in page


@pytest.mark.django_db
def test_an_api_route_without_credentials_is_a_401_naming_the_token_scheme(
    api_client, client, saisie_user
):
    response = api_client.get("/api/v1/occurrences/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"]
    # A wrong token too.
    response = api_client.get(
        "/api/v1/occurrences/", HTTP_AUTHORIZATION="Token 0000000000"
    )
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    # The pages' scripts still read the API with their session.
    client.force_login(saisie_user)
    assert client.get("/api/v1/occurrences/").status_code == 200
    # The schema says so.
    schema = client.get("/api/schema/?format=json").json()
    unauthorized = schema["paths"]["/api/v1/occurrences/"]["get"]["responses"]["401"]
    assert "WWW-Authenticate" in unauthorized["headers"]
    throttled = schema["paths"]["/api/v1/token/"]["post"]["responses"]["429"]
    assert "Retry-After" in throttled["headers"]
