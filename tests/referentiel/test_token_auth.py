"""API consumers authenticate with a token obtained from their login and password."""

import pytest

from tests.factories.referentiel import UserFactory

pytestmark = pytest.mark.django_db


def test_token_from_credentials_then_authenticated_requests(api_client):
    UserFactory(username="consommateur", roles=["partenaire"])
    response = api_client.post(
        "/api/v1/token/", {"username": "consommateur", "password": "motdepasse-de-test"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert api_client.get("/api/v1/datasets/").status_code in (401, 403)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/datasets/").status_code == 200


def test_wrong_password_gets_no_token(api_client):
    UserFactory(username="consommateur")
    response = api_client.post(
        "/api/v1/token/", {"username": "consommateur", "password": "non"}
    )
    assert response.status_code == 400
    assert "token" not in response.json()
