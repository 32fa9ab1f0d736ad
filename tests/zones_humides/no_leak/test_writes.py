"""The wetlands app's writes (issue 17): field staff change only their own rows; another
hand's passage, morning round, newt capture, water level or operation answers 403 (404 when
not even readable) and stays as it was. The scene is in ``support`` and ``conftest``."""

import datetime as dt

import pytest
from django.urls import reverse

from observations.models import Occurrence
from tests.factories.zones_humides import (
    PopSiteFactory,
    belly_upload,
)
from tests.no_leak import api_client, page_client
from zones_humides.models import (
    FenceCheck,
    ManagementOperation,
    NewtCapture,
    PopPassage,
    WaterLevelReading,
)
from zones_humides.services import (
    newt_capture_create,
)

from .support import API

pytestmark = pytest.mark.django_db


def test_saisie_cannot_patch_others_pop_passage(
    world, readers, saisie_user, observer, taxa
):
    """CPIE field staff (``saisie_user``) and a passage of their organisation entered by
    its coordinator: readable, not theirs to change. Eden's field staff do not even see
    the hidden pond's passage."""
    passage = world["shown_passage"]
    before = (
        passage.comment,
        list(passage.observations.values_list("taxon_id", "count_max")),
        Occurrence.objects.count(),
    )
    client = api_client(saisie_user)
    url = f"{API}/pop/passages/{passage.pk}/"
    assert client.get(url).status_code == 200
    assert client.patch(url, {"comment": "Changé"}, format="json").status_code == 403
    payload = {
        "pop_site": passage.pop_site_id,
        "number": 1,
        "date": "2020-03-10",
        "observers": [observer.pk],
        "expertise": "debutant",
        "nothing_found": True,
    }
    assert client.put(url, payload, format="json").status_code == 403
    assert client.delete(url).status_code == 403
    pages = page_client(saisie_user)
    form = reverse("zones_humides:passage_update", args=[passage.pk])
    assert pages.get(form).status_code == 403
    assert pages.post(form, {"number": "1", "date": "2020-03-10"}).status_code == 403
    eden = api_client(readers["saisie_a"])
    assert eden.patch(url, {"comment": "x"}, format="json").status_code == 403
    hidden_url = f"{API}/pop/passages/{world['hidden_passage'].pk}/"
    assert eden.patch(hidden_url, {"comment": "x"}, format="json").status_code == 404
    assert eden.delete(hidden_url).status_code == 404
    # Nor can they enter a passage in B's dataset, or move one there.
    assert eden.post(f"{API}/pop/passages/", payload, format="json").status_code == 403
    passage.refresh_from_db()
    assert (
        passage.comment,
        list(passage.observations.values_list("taxon_id", "count_max")),
        Occurrence.objects.count(),
    ) == before
    assert PopPassage.objects.filter(pk=world["hidden_passage"].pk).exists()
    # Their own passage stays theirs to change.
    own = client.post(
        f"{API}/pop/passages/", {**payload, "number": 2}, format="json"
    ).json()
    own_url = f"{API}/pop/passages/{own['id']}/"
    assert client.patch(own_url, {"comment": "Revu"}, format="json").status_code == 200
    # ... but not to move into another organisation's dataset.
    elsewhere = PopSiteFactory(
        aire__dataset__producer=readers["saisie_a"].organisation,
        aire__dataset__is_public=True,
    )
    moved = client.patch(own_url, {"pop_site": elsewhere.pk}, format="json")
    assert moved.status_code == 403
    assert PopPassage.objects.get(pk=own["id"]).pop_site_id == passage.pop_site_id


def test_fence_check_of_another_hand_is_not_replaced(world, readers, saisie_user, taxa):
    fence, check = world["fence"], world["check"]
    counts = list(check.counts.values_list("taxon_id", "count"))
    client = api_client(saisie_user)
    payload = {
        "date": "2020-03-05",
        "counts": [{"taxon": 259, "sex": "male", "count": 1}],
    }
    url = f"{API}/barrieres/{fence.pk}/releves/"
    assert client.post(url, payload, format="json").status_code == 403
    page = reverse("zones_humides:fence_check_entry", args=[fence.pk])
    pages = page_client(saisie_user)
    assert pages.get(page, {"date": "2020-03-05"}).status_code == 403
    refused = pages.post(page, {"date": "2020-03-05", "rain": "0", "n_259_male_v": "1"})
    assert refused.status_code == 403
    eden = api_client(readers["saisie_a"])
    assert eden.post(url, payload, format="json").status_code == 404
    assert list(check.counts.values_list("taxon_id", "count")) == counts
    assert FenceCheck.objects.filter(fence=fence).count() == 1
    # A new morning of their organisation's fence is theirs to enter.
    assert (
        client.post(url, {**payload, "date": "2020-03-06"}, format="json").status_code
        == 201
    )


def test_newt_tag_refused_to_another_hand(world, readers, saisie_user, organisation):
    """CPIE field staff read their coordinator's capture but may not tag it."""
    capture = world["capture"]
    untagged = newt_capture_create(
        user=readers["coordinator_b"],
        date=dt.date(2020, 3, 6),
        site=world["fence_site"],
        dataset=world["dataset"],
        photo=belly_upload("B", "zh"),
    )
    pages = page_client(saisie_user)
    url = reverse("zones_humides:newt_capture_tag", args=[untagged.pk])
    assert pages.get(url).status_code == 200
    assert pages.post(url, {"individual": "new"}).status_code == 403
    assert pages.post(url, {"individual": world["individual"].pk}).status_code == 403
    untagged.refresh_from_db()
    assert untagged.individual is None
    assert NewtCapture.objects.get(pk=capture.pk).individual == world["individual"]
    eden = page_client(readers["saisie_a"])
    assert eden.post(url, {"individual": "new"}).status_code == 404


def test_water_level_and_operation_of_another_hand(world, readers, saisie_user):
    marsh, reading = world["marsh"], world["reading"]
    pages = page_client(saisie_user)
    levels = reverse("zones_humides:water_level_entry", args=[marsh.pk])
    refused = pages.post(
        levels, {"date": "2020-04-01", "level_cm": "99", "gauge": "E1"}
    )
    assert refused.status_code == 403
    reading.refresh_from_db()
    assert reading.level_cm == 30
    # A reading of another day (or gauge) is a new one, theirs.
    assert (
        pages.post(
            levels, {"date": "2020-04-02", "level_cm": "28", "gauge": "E1"}
        ).status_code
        == 302
    )
    assert WaterLevelReading.objects.get(date=dt.date(2020, 4, 2)).created_by == (
        saisie_user
    )
    operation = world["operation"]
    edit = reverse("zones_humides:operation_update", args=[operation.pk])
    assert pages.get(edit).status_code == 403
    assert pages.post(edit, {"kind": "curage"}).status_code == 403
    assert page_client(readers["saisie_a"]).get(edit).status_code == 403
    assert ManagementOperation.objects.get(pk=operation.pk).kind == "fauche"
    assert page_client(readers["coordinator_b"]).get(edit).status_code == 200
