"""The site's error answers (cpie_naturaliste.core.http): a database that does not answer
is a 503 with Retry-After, any other error a 500; JSON for the API. The real outage is
tested in tests/resilience/test_database_restart.py."""

import json

from django.db import OperationalError

from cpie_naturaliste.core.http import RETRY_AFTER_SECONDS, server_error


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
