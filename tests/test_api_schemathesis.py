"""Property-based API test: every operation of the OpenAPI schema, fuzzed by schemathesis.

The schema is the one drf-spectacular serves at ``/api/schema/``, generated once at import so
that each operation is its own pytest test (pytest-xdist spreads them). Requests go in-process
to the WSGI application, with a coordinator's token, against real objects built by the
factories: no 5xx, and every response documented (status code, content type, body schema).
"""

import datetime as dt
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cpie_naturaliste.wsgi import application
from tests.factories.baguage import CaptureFactory, SessionFactory
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    AtlasGroupFactory,
    CommuneFactory,
    DatasetFactory,
    ProgrammeFactory,
    SiteFactory,
    TaxonFactory,
)
from tests.factories.sensibilisation import ActionFactory, CampaignFactory
from tests.factories.terrils import TerrilFactory
from tests.factories.zones_humides import (
    DriftFenceFactory,
    ManagementOperationFactory,
    PopPassageFactory,
    WetlandProfileFactory,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# Fuzzing only (valid and invalid data): no coverage phase, whose hundreds of boundary cases
# per operation would take minutes, and no examples phase (the schema has no request
# examples, and it cannot be combined with ``given``).
CONFIG = schemathesis.Config.from_dict(
    {
        "phases": {
            "examples": {"enabled": False},
            "coverage": {"enabled": False},
            "stateful": {"enabled": False},
        },
        "generation": {"max-examples": 10},
    }
)
schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True), config=CONFIG
)
schema.app = application


@pytest.fixture
def api_token(db, coordinateur_user):
    return Token.objects.create(user=coordinateur_user).key


@pytest.fixture
def real_path_values(organisation, coordinateur_user):
    """``values(path)``: the path parameters of a real object for that detail route, in the
    coordinator's organisation, built on first use (only what the operation needs)."""
    dataset = DatasetFactory(producer=organisation)

    def occurrence():
        return {"uuid": str(OccurrenceFactory(dataset=dataset).uuid)}

    def passage(key):
        passage = PopPassageFactory(pop_site__aire__dataset=dataset)
        ids = {"passage": passage.pk, "site": passage.pop_site_id}
        return {"id": ids.get(key) or passage.pop_site.aire_id}

    def fence():
        return {"id": DriftFenceFactory(dataset=dataset).pk}

    builders = {
        "occurrences/{uuid}/": occurrence,
        "occurrences/{uuid}/photos/": occurrence,
        "atlas-groups/{code}/": lambda: {"code": AtlasGroupFactory().code},
        "taxa/{id}/": lambda: {"id": TaxonFactory().pk},
        "communes/{id}/": lambda: {"id": CommuneFactory().pk},
        "datasets/{id}/": lambda: {"id": dataset.pk},
        "organisations/{id}/": lambda: {"id": organisation.pk},
        "programmes/{id}/": lambda: {"id": ProgrammeFactory().pk},
        "sites/{id}/": lambda: {"id": SiteFactory().pk},
        "baguage/captures/{id}/": lambda: {
            "id": CaptureFactory(session__dataset=dataset).pk
        },
        "baguage/sessions/{id}/": lambda: {"id": SessionFactory(dataset=dataset).pk},
        "sensibilisation/campaigns/{slug}/": lambda: {
            "slug": CampaignFactory(organisation=organisation).slug
        },
        "sensibilisation/campaigns/{slug}/map/": lambda: {
            "slug": CampaignFactory(organisation=organisation).slug
        },
        "sensibilisation/actions/{id}/": lambda: {
            "id": ActionFactory(organisation=organisation).pk
        },
        "terrils/{number}/": lambda: {"number": TerrilFactory().number},
        "zones-humides/pop/aires/{id}/": lambda: passage("aire"),
        "zones-humides/pop/sites/{id}/": lambda: passage("site"),
        "zones-humides/pop/passages/{id}/": lambda: passage("passage"),
        "zones-humides/operations/{id}/": lambda: {
            "id": ManagementOperationFactory().pk
        },
        "zones-humides/barrieres/{id}/": fence,
        "zones-humides/barrieres/{id}/charts/": fence,
        "zones-humides/barrieres/{id}/releves/": fence,
        "zones-humides/barrieres/{id}/releves/saisie/": fence,
        "zones-humides/sites/{id}/": lambda: {"id": WetlandProfileFactory().pk},
        "indicateurs/{year}/": lambda: {"year": dt.date.today().year},
    }
    built: dict[str, dict] = {}

    def values(path: str) -> dict | None:
        builder = builders.get(path.removeprefix("/api/v1/"))
        if builder is None:
            return None
        if path not in built:
            built[path] = builder()
        return built[path]

    return values


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """The WSGI handler closes the database connection after each request, which would
    drop the test's transaction: keep it open, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@schema.given(use_real_object=st.booleans())
@settings(
    max_examples=10,
    # The same cases at every run, so that make test passes or fails for the code, not
    # for the draw; API_FUZZ_RANDOM=1 explores new cases (each run found real bugs).
    derandomize=not os.environ.get("API_FUZZ_RANDOM"),
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_conforms_to_its_schema(case, use_real_object, api_token, real_path_values):
    real = use_real_object and real_path_values(case.operation.path)
    if real and case.path_parameters:
        # Half of the cases address an existing object, so that detail, update and
        # delete reach the serializers instead of stopping at a 404.
        case.path_parameters = {**case.path_parameters, **real}
    case.call_and_validate(
        headers={"Authorization": f"Token {api_token}"}, checks=CHECKS
    )


def test_the_fuzzed_schema_is_the_one_served(client):
    """The schema above is generated in-process; it is the one ``/api/schema/`` serves."""
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    served = response.json()
    assert served["paths"] == schema.raw_schema["paths"]
    assert served["components"] == schema.raw_schema["components"]
