"""Large files go through a real Celery worker; the page polls the batch's progress."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpie_naturaliste.celery import app as celery_app
from observations.imports import import_batch_process
from observations.models import ImportBatch, Occurrence
from observations.tasks import import_batch_run
from tests.jobs import poll_job
from tests.observations.imports_support import (
    LAT,
    LON,
    SINP_HEADER,
    dataset_create,
    referential_create,
    write_csv,
)


def _rows(count: int) -> list[list]:
    return [
        [3676, "", "2020-05-12", "DUPONT Lise", LON, LAT, i + 1, i + 1, "", ""]
        for i in range(count)
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_large_upload_runs_in_the_worker_with_progress(
    client, saisie_user, tmp_path, settings
):
    settings.IMPORT_INLINE_MAX_ROWS = 100
    referential_create()
    dataset = dataset_create(saisie_user)
    path = write_csv(tmp_path / "gros.csv", SINP_HEADER, _rows(2500))
    client.force_login(saisie_user)
    with start_worker(
        celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"
    ):
        response = client.post(
            reverse("observations:import"),
            {
                "file": SimpleUploadedFile(path.name, path.read_bytes()),
                "dataset": dataset.uuid,
            },
        )
        batch = ImportBatch.objects.get()
        assert response.url == reverse("observations:import_detail", args=[batch.uuid])
        page = client.get(response.url).content.decode()
        assert 'data-testid="import-progress"' in page or "Importé" in page
        status_url = reverse("observations:import_status", args=[batch.uuid])
        state, seen = poll_job(client, status_url)
    assert state["status"] == "done", state
    batch.refresh_from_db()
    assert (batch.created_count, batch.total_rows, batch.attempts) == (2500, 2500, 1)
    assert batch.task_id
    assert Occurrence.objects.count() == 2500
    assert seen == sorted(seen)  # progress never goes back
    # A second delivery of the same task (acks_late) leaves the finished batch alone.
    import_batch_run.apply(args=[batch.pk])
    assert import_batch_process(batch_id=batch.pk).attempts == 1
    assert Occurrence.objects.count() == 2500
