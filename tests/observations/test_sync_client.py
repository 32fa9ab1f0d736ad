"""The README's sync client, run as it is written there, against a live server (issue 20):
create, modify, delete, move to a private dataset and make sensitive between two syncs;
the client's copy then equals what the server gives that reader, blurred as he reads it."""

import json
import re
from pathlib import Path

import pytest
from django.contrib.gis.geos import Point
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from observations.services import (
    occurrence_delete,
    occurrence_update,
    occurrences_refresh_sensitivity,
)
from referentiel.models import Role, SensitivityRule
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import LOOS_X, LOOS_Y, DatasetFactory, UserFactory

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_client():
    """The ``sync`` function of the README's code block marked ``<!-- sync-client -->``."""
    text = README.read_text()
    match = re.search(r"<!-- sync-client -->\s*```python\n(.*?)```", text, re.S)
    assert match, "README: the sync client's code block is missing"
    code = match.group(1)
    assert len(code.strip().splitlines()) <= 25  # "a 20-line client"
    namespace = {}
    exec(compile(code, str(README), "exec"), namespace)  # noqa: S102 (our own README)
    return namespace["sync"]


def server_copy(user) -> dict:
    """Every record ``user`` reads, by uuid, read page by page as a browsing client."""
    client = APIClient()
    client.force_authenticate(user)
    records, url = {}, "/api/v1/occurrences/?page_size=500"
    while url:
        body = client.get(url).json()
        records.update((r["uuid"], r) for r in body["results"])
        url = body["next"]
    return records


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_readme_client_keeps_an_equal_copy(
    live_server, tmp_path, organisation, other_organisation, saisie_user
):
    sync = readme_client()
    partner = UserFactory(
        username="partenaire-sync",
        organisation=other_organisation,
        roles=[Role.PARTENAIRE],
    )
    token = Token.objects.create(user=partner).key
    public = DatasetFactory(producer=organisation, is_public=True)
    private = DatasetFactory(producer=organisation, is_public=False)
    kept, changed, deleted, moved, hidden = (
        OccurrenceFactory(dataset=public, created_by=saisie_user) for _ in range(5)
    )
    never = OccurrenceFactory(dataset=private)
    path = tmp_path / "copie.json"

    sync(live_server.url, token, str(path))
    first = json.loads(path.read_text())["records"]
    assert set(first) == {str(o.uuid) for o in (kept, changed, deleted, moved, hidden)}
    assert first == server_copy(partner)

    occurrence_update(occurrence=changed, user=saisie_user, count_max=12)
    occurrence_delete(occurrence=deleted, user=saisie_user)
    occurrence_update(occurrence=moved, user=saisie_user, dataset=private)
    SensitivityRule.objects.create(taxon=hidden.taxon, level=4)
    blurred = OccurrenceFactory(
        dataset=public,
        place_name="Gîte d'hibernation",
        geom=Point(LOOS_X + 2345, LOOS_Y + 678, srid=2154),
    )
    SensitivityRule.objects.create(taxon=blurred.taxon, level=2)
    occurrences_refresh_sensitivity()
    created = OccurrenceFactory(dataset=public)

    sync(live_server.url, token, str(path))
    second = json.loads(path.read_text())["records"]
    server = server_copy(partner)
    assert second == server
    assert set(second) == {str(o.uuid) for o in (kept, changed, blurred, created)}
    assert second[str(changed.uuid)]["count_max"] == 12
    copy_of_blurred = second[str(blurred.uuid)]
    assert copy_of_blurred["blurred"] is True
    assert copy_of_blurred["place_name"] == ""
    assert copy_of_blurred["geometry"]["type"] == "Polygon"  # the 10 km cell
    assert str(never.uuid) not in json.dumps(second)

    # A third sync with nothing changed leaves the copy as it is.
    sync(live_server.url, token, str(path))
    assert json.loads(path.read_text())["records"] == server
