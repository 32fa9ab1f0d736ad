"""A capture saved from the grid costs a bounded number of SQL queries (issue 21: at most
15), measured as in production: the request is its own transaction, caches are warm."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baguage.models import Capture
from observations.models import Occurrence
from tests.baguage.test_api import CAPTURES, client_for, line

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MAX_QUERIES = 15


def test_a_capture_save_costs_at_most_15_queries(ringing):
    client = client_for(ringing.user)
    first = client.post(CAPTURES, line(ringing), format="json")
    assert first.status_code == 201, first.json()
    with CaptureQueriesContext(connection) as queries:
        second = client.post(
            CAPTURES, line(ringing, ring_number="0001001", wing_mm="70"), format="json"
        )
    assert second.status_code == 201, second.json()
    listing = "\n".join(q["sql"][:160] for q in queries.captured_queries)
    assert len(queries) <= MAX_QUERIES, f"{len(queries)} requêtes :\n{listing}"
    # Everything a save writes was written: the line, its occurrence and its observers.
    capture = Capture.objects.get(pk=second.json()["id"])
    occurrence = Occurrence.objects.get(uuid=second.json()["occurrence"])
    assert capture.occurrence_id == occurrence.pk
    assert occurrence.source == "baguage" and occurrence.grid_10km.startswith("10kmL93")
    assert list(occurrence.observers.all()) == [
        ringer.person for ringer in ringing.session.ringers.all()
    ]
