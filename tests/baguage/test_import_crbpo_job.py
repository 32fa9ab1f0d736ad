"""The CRBPO import page queues the file for the worker (the core job framework); its page
follows the job, then shows the error table or what was created."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from baguage.imports import TEMPLATE_HEADERS
from baguage.imports.jobs import ringing_import_process
from baguage.models import Capture, RingingImport
from baguage.tasks import ringing_import_run
from referentiel.models import Role
from tests.baguage.test_import_crbpo import (
    good_rows,
    nothing_written,
    row,
    write_csv,
)
from tests.factories.referentiel import OrganisationFactory, UserFactory
from tests.jobs import poll_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(monkeypatch):
    """The task runs where ``delay`` is called (once the upload's transaction commits)."""
    monkeypatch.setattr(
        ringing_import_run, "delay", lambda pk: ringing_import_run.apply(args=[pk])
    )


def _post(client, crbpo, path, capture, **data):
    with capture(execute=True):
        return client.post(
            reverse("baguage:import"),
            {
                "file": SimpleUploadedFile(path.name, path.read_bytes()),
                "dataset": crbpo["dataset"].uuid,
                **data,
            },
        )


def test_page_imports_and_shows_errors(
    client, crbpo, tmp_path, worker, django_capture_on_commit_callbacks
):
    client.force_login(crbpo["user"])
    assert client.get(reverse("baguage:import")).status_code == 200
    bad = write_csv(tmp_path / "bad.csv", [row(BAGUE="8.00E+06")])
    response = _post(client, crbpo, bad, django_capture_on_commit_callbacks)
    job = RingingImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("baguage:import_detail", args=[job.uuid])
    page = client.get(response.url).content.decode()
    assert 'data-testid="error-table"' in page
    assert "notation scientifique" in page
    assert nothing_written()
    state, _seen = poll_job(client, reverse("baguage:import_status", args=[job.uuid]))
    assert (state["finished"], state["status"]) == (True, "invalid")

    good = write_csv(tmp_path / "saison.csv", good_rows())
    response = _post(client, crbpo, good, django_capture_on_commit_callbacks)
    page = client.get(response.url).content.decode()
    assert 'data-testid="captures-created">5<' in page
    assert Capture.objects.count() == 5
    listing = client.get(reverse("baguage:import")).content.decode()
    assert "saison.csv" in listing and "bad.csv" in listing
    template = client.get(reverse("baguage:import_template"))
    header = template.content.decode("utf-8-sig").splitlines()[0].split(";")
    assert header == TEMPLATE_HEADERS
    assert header[:3] == ["ACTION", "CENTRE", "BAGUE"]


def test_the_request_only_queues_the_import(
    client, crbpo, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(ringing_import_run, "delay", queued.append)
    client.force_login(crbpo["user"])
    path = write_csv(tmp_path / "saison.csv", good_rows())
    response = _post(client, crbpo, path, django_capture_on_commit_callbacks)
    job = RingingImport.objects.get()
    assert queued == [job.pk]
    assert nothing_written()
    page = client.get(response.url).content.decode()
    assert 'data-testid="crbpo-import-progress"' in page
    assert "job_progress.js" in page
    status = client.get(reverse("baguage:import_status", args=[job.uuid])).json()
    assert (status["finished"], status["status"]) == (False, "pending")

    ringing_import_process(job.pk)  # what the worker runs
    job.refresh_from_db()
    assert (job.status, job.captures_created, job.attempts) == ("done", 5, 1)
    assert job.summary.startswith("Import terminé : 2 session(s) créée(s)")
    ringing_import_process(job.pk)  # delivered twice: nothing more
    assert Capture.objects.count() == 5


def test_a_dry_run_job_writes_nothing(
    client, crbpo, tmp_path, worker, django_capture_on_commit_callbacks
):
    client.force_login(crbpo["user"])
    path = write_csv(tmp_path / "saison.csv", good_rows())
    _post(client, crbpo, path, django_capture_on_commit_callbacks, dry_run="on")
    job = RingingImport.objects.get()
    assert (job.status, job.captures_created) == ("done", 5)
    assert job.summary.startswith("Essai à blanc : aucune erreur")
    assert nothing_written()


def test_an_import_is_read_as_every_import_job(
    client, crbpo, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    """One rule for every import job (referentiel.permissions.import_jobs_readable): the
    organisation's staff follow it, another structure's staff and partners do not."""
    monkeypatch.setattr(ringing_import_run, "delay", lambda pk: None)
    client.force_login(crbpo["user"])
    path = write_csv(tmp_path / "saison.csv", good_rows())
    _post(client, crbpo, path, django_capture_on_commit_callbacks)
    job = RingingImport.objects.get()
    pages = ("baguage:import_detail", "baguage:import_status")
    colleague = UserFactory(
        organisation=crbpo["user"].organisation, roles=[Role.SAISIE]
    )
    client.force_login(colleague)
    for name in pages:
        assert client.get(reverse(name, args=[job.uuid])).status_code == 200
    assert "saison.csv" in client.get(reverse("baguage:import")).content.decode()
    elsewhere = UserFactory(organisation=OrganisationFactory(), roles=[Role.SAISIE])
    client.force_login(elsewhere)
    for name in pages:
        assert client.get(reverse(name, args=[job.uuid])).status_code == 404
    assert "saison.csv" not in client.get(reverse("baguage:import")).content.decode()
    partner = UserFactory(
        organisation=crbpo["user"].organisation, roles=[Role.PARTENAIRE]
    )
    client.force_login(partner)
    for name in pages:
        assert client.get(reverse(name, args=[job.uuid])).status_code == 403
