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
