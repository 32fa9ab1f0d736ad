"""The report button: a Celery task writes the workbook with progress; the January
schedule; who may follow and download a report."""

import io

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from django_celery_beat.models import PeriodicTask
from openpyxl import load_workbook

from cpie_naturaliste.celery import app as celery_app
from indicateurs.jobs import report_run
from indicateurs.models import AnnualReport
from indicateurs.tasks import report_annual_task, report_run_task
from tests.factories.referentiel import UserFactory
from tests.jobs import poll_job


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_button_runs_the_report_in_the_worker_with_progress(
    client, data, coordinateur_user
):
    client.force_login(coordinateur_user)
    page = client.get("/indicateurs/2020/").content.decode()
    assert reverse("indicateurs:report_request", args=[2020]) in page
    with start_worker(
        celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"
    ):
        response = client.post(reverse("indicateurs:report_request", args=[2020]))
        report = AnnualReport.objects.get()
        assert response.url == reverse("indicateurs:report_detail", args=[report.uuid])
        assert client.get(response.url).status_code == 200
        status_url = reverse("indicateurs:report_status", args=[report.uuid])
        state, seen = poll_job(client, status_url)
    assert state["status"] == "done", state
    assert seen == sorted(seen)
    report.refresh_from_db()
    assert (report.progress, report.attempts) == (100, 1)
    download = client.get(reverse("indicateurs:report_download", args=[report.uuid]))
    assert download.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert workbook.sheetnames[0] == "Action 1"
    # A second delivery (acks_late) leaves the finished report alone.
    report_run_task.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.attempts == 1


@pytest.mark.django_db
def test_reports_are_for_their_coordinator(
    client, data, coordinateur_user, saisie_user, organisation
):
    report = AnnualReport.objects.create(year=2020, requested_by=coordinateur_user)
    report_run(report.pk)
    detail = reverse("indicateurs:report_detail", args=[report.uuid])
    client.force_login(saisie_user)
    assert client.get(detail).status_code == 403
    assert (
        client.post(reverse("indicateurs:report_request", args=[2020])).status_code
        == 403
    )
    other = UserFactory(
        username="autre-coord", organisation=organisation, roles=["coordinateur"]
    )
    client.force_login(other)
    assert client.get(detail).status_code == 404
    client.force_login(coordinateur_user)
    assert client.get(detail).status_code == 200
    assert (
        client.get(reverse("indicateurs:report_request", args=[2020])).status_code
        == 405
    )


@pytest.mark.django_db
def test_january_schedule_writes_last_years_report(
    data, organisation, django_capture_on_commit_callbacks, monkeypatch
):
    assert PeriodicTask.objects.get(task="indicateurs.tasks.report_annual_task").enabled
    UserFactory(username="chef", organisation=organisation, is_superuser=True)
    monkeypatch.setattr(report_run_task, "delay", lambda pk: report_run(pk))
    with django_capture_on_commit_callbacks(execute=True):
        report_annual_task()
    report = AnnualReport.objects.get()
    assert report.requested_by is None
    assert report.status == AnnualReport.Status.DONE, report.error


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_validation_rebuilds_the_history_then_the_dashboard_in_the_worker(
    settings, coordinateur_user, organisation
):
    """Validating an old record makes the dashboard's figures stale at once and queues
    one refresh (debounced); the worker rebuilds the finds' history, then the figures,
    which now hold the find."""
    import datetime as dt
    import time

    from django.contrib.gis.geos import Point
    from django.core.cache import cache

    from cpie_naturaliste.core.generation import generation
    from indicateurs.models import IndicatorSnapshot, SummaryRefresh, TaxonPresence
    from indicateurs.snapshots import (
        PRESENCES_DIRTY_KEY,
        REFRESH_KEY,
        indicators_read,
    )
    from observations.services import occurrences_validate
    from tests.factories.observations import OccurrenceFactory
    from tests.factories.referentiel import (
        LOOS_X,
        LOOS_Y,
        CommuneFactory,
        DatasetFactory,
        TaxonFactory,
    )

    settings.INDICATEURS_AUTO_REFRESH = True
    settings.INDICATEURS_REFRESH_DELAY = 0
    cache.delete_many([REFRESH_KEY, PRESENCES_DIRTY_KEY])
    CommuneFactory()
    taxon = TaxonFactory(scientific_name="Bufo bufo")
    old = OccurrenceFactory(
        taxon=taxon,
        dataset=DatasetFactory(producer=organisation),
        date_start=dt.date(2009, 4, 2),
        geom=Point(LOOS_X, LOOS_Y, srid=2154),
        observation_status="Pr",
        validation_status=0,
    )
    indicators, freshness = indicators_read(2009, coordinateur_user)
    assert freshness.live and indicators["details"]["finds"]["firsts"] == []
    computed = IndicatorSnapshot.objects.get(year=2009, user=coordinateur_user)
    assert not SummaryRefresh.objects.exists()
    with start_worker(
        celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"
    ):
        occurrences_validate(occurrences=[old], validator=coordinateur_user, status=1)
        _, freshness = indicators_read(2009, coordinateur_user)
        assert freshness.stale and not freshness.live  # shown while recomputed
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            snapshot = IndicatorSnapshot.objects.get(pk=computed.pk)
            if snapshot.generation == generation() and snapshot.computed_at > (
                computed.computed_at
            ):
                break
            time.sleep(0.1)
    assert SummaryRefresh.objects.exists()
    assert TaxonPresence.objects.get(cd_ref=taxon.pk, zone="dep:62").years == [2009]
    indicators, freshness = indicators_read(2009, coordinateur_user)
    assert not freshness.stale and not freshness.live
    firsts = indicators["details"]["finds"]["firsts"]
    assert [(f["taxon"], f["departement"]) for f in firsts] == [("Bufo bufo", "62")]
