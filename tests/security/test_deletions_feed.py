"""Issue 20: the deletions feed (``/api/v1/occurrences/deletions/``) names a deleted or
withdrawn canary only to the readers who could read it before.

The canaries of organisation B (``tests/security/canaries.py``) are deleted through every
path — a plain record through ``occurrence_delete``, the ringing capture through its app's
service, the citizen report's occurrence by a set-based SQL delete as an import undo does —
and one public record moved to B's private dataset. Then every reader of the crawler, and
B's own staff, reads the feed: each finds exactly the canaries he read before, and no
canary's identifier otherwise (a hidden record's identifier is not shown, even as a line to
drop). The crawler itself (``test_crawler.py``) reads the route as every reader too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from baguage.models import Capture
from baguage.services import capture_delete
from observations.models import Occurrence
from observations.services import (
    occurrence_delete,
    occurrence_update,
    occurrences_tombstone,
)
from referentiel.models import Role
from sensibilisation.models import Report
from tests.factories.referentiel import OrganisationFactory, UserFactory
from tests.security.canaries import plant_canaries

pytestmark = pytest.mark.django_db
FEED = "/api/v1/occurrences/deletions/"


def feed(user) -> list[dict]:
    client = APIClient()
    client.force_authenticate(user)
    since = (timezone.now() - timedelta(days=1)).isoformat()
    rows, url, params = [], FEED, {"since": since}
    while url:
        response = client.get(url, params)
        assert response.status_code == 200, response.content
        body = response.json()
        rows.extend(body["results"])
        url, params = body["next"], None
    return rows


def test_deleted_canaries_reach_only_their_former_readers():
    canaries = plant_canaries()
    org_a = OrganisationFactory(name="Organisme A", kind="cpie")
    readers = {
        "partenaire_a": UserFactory(
            username="partenaire_a", organisation=org_a, roles=[Role.PARTENAIRE]
        ),
        "saisie_a": UserFactory(
            username="saisie_a", organisation=org_a, roles=[Role.SAISIE]
        ),
        "partenaire_b": UserFactory(
            username="partenaire_b",
            organisation=canaries.organisation,
            roles=[Role.PARTENAIRE],
        ),
        "coordinateur_b": canaries.coordinator,
    }
    planted = list(Occurrence.objects.filter(dataset__producer=canaries.organisation))
    assert len(planted) >= 8
    read_before = {
        name: {
            str(u)
            for u in Occurrence.objects.visible_to(user)
            .filter(pk__in=[o.pk for o in planted])
            .values_list("uuid", flat=True)
        }
        for name, user in readers.items()
    }
    assert read_before["partenaire_a"] and read_before["partenaire_a"] != {
        str(o.uuid) for o in planted
    }

    by = canaries.coordinator
    capture = Capture.objects.filter(occurrence__in=planted).first()
    capture_delete(capture=capture, user=by)
    report = Report.objects.filter(occurrence__in=planted).first()
    report_occurrence = report.occurrence_id
    Report.objects.filter(pk=report.pk).update(occurrence=None)
    occurrences_tombstone(where="id = %s", params=[report_occurrence], user=by)
    Occurrence.objects.filter(pk=report_occurrence).delete()
    plain = [
        o
        for o in Occurrence.objects.filter(pk__in=[o.pk for o in planted])
        if o.source == "saisie"
    ]
    public = [o for o in plain if o.dataset.is_public]
    # Moved out of the partners' reach: one they read (blurred) in B's public dataset.
    moved = next(o for o in public if str(o.uuid) in read_before["partenaire_a"])
    deleted = [o for o in plain if o != moved]
    occurrence_update(occurrence=moved, user=by, dataset=canaries.private_dataset)
    for occurrence in deleted:
        occurrence_delete(occurrence=occurrence, user=by)

    gone = {str(o.uuid) for o in deleted}
    gone |= {str(o.uuid) for o in planted if o.pk in (report_occurrence,)}
    gone |= {str(o.uuid) for o in planted if o.pk == capture.occurrence_id}
    for name, user in readers.items():
        rows = feed(user)
        told = {r["uuid"] for r in rows}
        still_read = {
            str(u)
            for u in Occurrence.objects.visible_to(user).values_list("uuid", flat=True)
        }
        expected = (read_before[name] & (gone | {str(moved.uuid)})) - still_read
        assert told == expected, name
        every_canary = {str(o.uuid) for o in planted}
        assert told & every_canary <= read_before[name], name
    assert str(moved.uuid) in {r["uuid"] for r in feed(readers["partenaire_a"])}
    assert {r["reason"] for r in feed(readers["partenaire_a"])} == {
        "deleted",
        "withdrawn",
    }
