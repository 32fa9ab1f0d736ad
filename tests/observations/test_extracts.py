"""Partner extracts at /observations/extractions/: filters and row count, the job (real
Celery worker), the four formats as their readers open them, the exchange log, retention,
and what a partner can and cannot get."""

import csv
import datetime as dt
import io
import json
import shutil
import subprocess
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler, ModelEntry
from openpyxl import load_workbook

from cpie_naturaliste.celery import app as celery_app
from observations.exports.extracts import (
    extract_create,
    extract_path,
    extract_run,
    extracts_expire,
)
from observations.models import Extract
from observations.services import occurrences_refresh_sensitivity
from referentiel.models import Role, SensitivityRule
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    AtlasGroupFactory,
    CommuneFactory,
    DatasetFactory,
    OrganisationFactory,
    TaxonFactory,
    UserFactory,
)
from tests.jobs import poll_job

PLACE = "Mare du terril 74"
FORMULA = '=HYPERLINK("http://exemple.invalid","clic")'


@pytest.fixture
def data(organisation, other_organisation):
    """The producer's public dataset: 3 records of 2020 (one sensitive, level 2, one with a
    formula in its comment), 1 of 2019; the partner's own private dataset; a third
    organisation's private dataset."""
    CommuneFactory()
    birds = AtlasGroupFactory(code="oiseaux", name="Oiseaux")
    public = DatasetFactory(producer=organisation, is_public=True)
    sensitive = TaxonFactory(scientific_name="Bubo bubo", atlas_group=birds)
    SensitivityRule.objects.create(taxon=sensitive, level=2)
    common = TaxonFactory(scientific_name="Alauda arvensis", atlas_group=birds)
    rows = {
        "sensitive": OccurrenceFactory(
            dataset=public, taxon=sensitive, place_name=PLACE, validation_status=1
        ),
        "formula": OccurrenceFactory(
            dataset=public, taxon=common, comment=FORMULA, validation_status=1
        ),
        "far": OccurrenceFactory(
            dataset=public,
            taxon=common,
            geom=Point(LOOS_X + 20000, LOOS_Y, srid=2154),
            validation_status=1,
        ),
        "old": OccurrenceFactory(
            dataset=public,
            taxon=common,
            date_start=dt.date(2019, 4, 2),
            validation_status=1,
        ),
        "partner_own": OccurrenceFactory(
            dataset=DatasetFactory(producer=other_organisation, is_public=False),
            taxon=sensitive,
            place_name="Chez le partenaire",
            validation_status=1,
        ),
        "foreign_private": OccurrenceFactory(
            dataset=DatasetFactory(producer=OrganisationFactory(name="Tiers")),
            taxon=common,
            place_name="Privé du tiers",
            validation_status=1,
        ),
    }
    occurrences_refresh_sensitivity()
    return rows


@pytest.fixture
def partner(other_organisation):
    return UserFactory(
        username="partenaire-b",
        organisation=other_organisation,
        roles=[Role.PARTENAIRE],
    )


def _uuids_csv(content: bytes) -> dict[str, dict]:
    assert content.startswith(b"\xef\xbb\xbf")
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")
    return {row["idSINPOccTax"]: row for row in reader}


def _launch(client, **fields):
    payload = {"recipient": "", "formats": ["csv"], "action": "launch", **fields}
    return client.post(reverse("observations:extract_list"), payload)


def _download(client, extract) -> bytes:
    response = client.get(reverse("observations:extract_download", args=[extract.uuid]))
    assert response.status_code == 200, response
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_who_may_extract(client, saisie_user, partner, coordinateur_user):
    url = reverse("observations:extract_list")
    assert client.get(url).status_code == 302  # login first
    client.force_login(saisie_user)
    assert client.get(url).status_code == 403
    for user in (partner, coordinateur_user):
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200
        assert 'data-testid="extract-form"' in page.content.decode()


@pytest.mark.django_db
def test_count_before_launch_and_partner_csv(client, data, partner, other_organisation):
    client.force_login(partner)
    response = client.post(
        reverse("observations:extract_list"),
        {
            "recipient": other_organisation.pk,
            "formats": ["csv"],
            "year_min": 2020,
            "year_max": 2020,
            "validation": [1, 2],
            "action": "count",
        },
    )
    assert response.status_code == 200
    # 3 public records of 2020 + the partner's own; never the third party's private one.
    assert response.context["count"] == 4
    assert Extract.objects.count() == 0  # counting launches nothing
    response = _launch(
        client,
        recipient=other_organisation.pk,
        year_min=2020,
        year_max=2020,
        validation=[1, 2],
        purpose="Plan de gestion",
    )
    extract = Extract.objects.get()
    assert response.url == reverse("observations:extract_detail", args=[extract.uuid])
    assert (extract.rows_expected, extract.blurred_expected, extract.status) == (
        4,
        1,
        "pending",
    )
    assert extract.filters == {"year_min": 2020, "year_max": 2020, "validation": [1, 2]}
    extract_run(extract.pk)
    extract.refresh_from_db()
    assert (extract.status, extract.rows, extract.attempts) == ("done", 4, 1)
    rows = _uuids_csv(_download(client, extract))
    assert set(rows) == {
        str(data[key].uuid) for key in ("sensitive", "formula", "far", "partner_own")
    }
    sensitive = rows[str(data["sensitive"].uuid)]
    # Blurred: placed by its 10 km cell, code and name, no outline on the line.
    assert sensitive["nomLieu"] == "" and sensitive["geometrie"] == ""
    assert sensitive["codeMaille"] and sensitive["sensiNiveau"] == "2"
    assert (
        sensitive["typeInfoGeo"],
        sensitive["typeZoneFloutage"],
        sensitive["codeZoneFloutage"],
        sensitive["nomZoneFloutage"],
    ) == ("2", "M10", sensitive["codeMaille"], sensitive["codeMaille"])
    # The partner's own sensitive record stays precise for the partner.
    own = rows[str(data["partner_own"].uuid)]
    assert own["nomLieu"] == "Chez le partenaire" and own["geometrie"].startswith(
        "POINT"
    )
    assert (own["typeInfoGeo"], own["typeZoneFloutage"], own["codeZoneFloutage"]) == (
        "1",
        "",
        "",
    )
    # The exchange log: who, for whom, when, filters, rows, checksum.
    extract.refresh_from_db()
    assert extract.requested_by == partner and extract.recipient == other_organisation
    assert len(extract.sha256) == 64 and extract.downloads == 1
    log = client.get(reverse("observations:extract_list")).content.decode()
    assert "Plan de gestion" in log and 'data-testid="extract-log"' in log


@pytest.mark.django_db
def test_partner_cannot_extract_for_another_organisation_nor_see_its_log(
    client, data, partner, coordinateur_user, organisation
):
    client.force_login(partner)
    response = _launch(client, recipient=organisation.pk)
    assert response.status_code == 400
    assert "recipient" in response.context["form"].errors
    theirs = extract_create(
        user=coordinateur_user,
        recipient=organisation,
        filters={},
        area=None,
        formats=["csv"],
    )
    extract_run(theirs.pk)
    for name in ("extract_detail", "extract_download", "extract_status"):
        assert (
            client.get(reverse(f"observations:{name}", args=[theirs.uuid])).status_code
            == 404
        )


@pytest.mark.django_db
def test_coordinator_extract_for_a_partner_is_blurred_for_the_partner(
    data, coordinateur_user, organisation, other_organisation
):
    for recipient, precise in ((organisation, True), (other_organisation, False)):
        extract = extract_create(
            user=coordinateur_user,
            recipient=recipient,
            filters={"year_min": 2020},
            area=None,
            formats=["csv"],
        )
        extract_run(extract.pk)
        rows = _uuids_csv(extract_path(extract).read_bytes())
        sensitive = rows[str(data["sensitive"].uuid)]
        assert (sensitive["nomLieu"] == PLACE) is precise
        assert extract.__class__.objects.get(pk=extract.pk).clearance == (
            4 if precise else 0
        )


@pytest.mark.django_db
def test_drawn_area_communes_and_groups(client, data, coordinateur_user, organisation):
    client.force_login(coordinateur_user)
    # A 2 km square around the records near Loos: "far" (20 km east) is out.
    corners = [
        Point(LOOS_X + dx, LOOS_Y + dy, srid=2154).transform(4326, clone=True)
        for dx, dy in ((-1000, -1000), (1000, -1000), (1000, 1000), (-1000, 1000))
    ]
    ring = [[c.x, c.y] for c in corners] + [[corners[0].x, corners[0].y]]
    area = json.dumps({"type": "Polygon", "coordinates": [ring]})
    response = client.post(
        reverse("observations:extract_list"),
        {
            "recipient": organisation.pk,
            "formats": ["csv"],
            "area": area,
            "atlas_groups": ["oiseaux"],
            "year_min": 2020,
            "action": "count",
        },
    )
    assert response.status_code == 200, response.context["form"].errors
    # "sensitive" and "formula"; the partner's private record is not the coordinator's.
    assert response.context["count"] == 2
    response = client.post(
        reverse("observations:extract_list"),
        {
            "recipient": organisation.pk,
            "formats": ["csv"],
            "communes": "62528, 99999",
            "action": "count",
        },
    )
    assert response.status_code == 400
    assert "99999" in str(response.context["form"].errors["communes"])
    response = client.post(
        reverse("observations:extract_list"),
        {
            "recipient": organisation.pk,
            "formats": ["csv"],
            "year_min": 2021,
            "year_max": 2019,
            "action": "count",
        },
    )
    assert response.status_code == 400 and "year_max" in response.context["form"].errors


@pytest.mark.django_db
def test_xlsx_escapes_formulas(data, coordinateur_user, organisation):
    extract = extract_create(
        user=coordinateur_user,
        recipient=organisation,
        filters={},
        area=None,
        formats=["xlsx"],
    )
    extract = extract_run(extract.pk)
    sheet = load_workbook(extract_path(extract), read_only=True)["observations"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    comment = header.index("commentaire")
    comments = [row[comment] for row in rows[1:] if row[comment]]
    assert comments == ["'" + FORMULA]
    count = header.index("denombrementMax")
    assert all(isinstance(row[count], int) for row in rows[1:])  # numbers stay numbers


@pytest.mark.django_db
def test_geojson_and_geopackage_open_in_gis_tools(
    data, coordinateur_user, organisation
):
    geojson = extract_run(
        extract_create(
            user=coordinateur_user,
            recipient=organisation,
            filters={},
            area=None,
            formats=["geojson"],
        ).pk
    )
    collection = json.loads(extract_path(geojson).read_text())
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == geojson.rows == 4
    assert {f["geometry"]["type"] for f in collection["features"]} == {"Point"}
    assert "geometrie" not in collection["features"][0]["properties"]
    gpkg = extract_run(
        extract_create(
            user=coordinateur_user,
            recipient=organisation,
            filters={},
            area=None,
            formats=["gpkg"],
        ).pk
    )
    assert gpkg.status == "done", gpkg.error
    ogrinfo = shutil.which("ogrinfo")
    assert ogrinfo, "gdal-bin est installé par make system"
    info = subprocess.run(
        [ogrinfo, "-so", "-ro", str(extract_path(gpkg)), "observations_points"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Feature Count: 4" in info and "WGS 84" in info
    assert "Geometry: Point" in info and "idSINPOccTax: String" in info


@pytest.mark.django_db
def test_retention_and_idempotent_runs(client, data, coordinateur_user, organisation):
    extract = extract_create(
        user=coordinateur_user,
        recipient=organisation,
        filters={},
        area=None,
        formats=["csv"],
    )
    first = extract_run(extract.pk)
    again = extract_run(extract.pk)  # a second delivery of the task
    assert (again.sha256, again.attempts) == (first.sha256, 1)
    assert (
        len(list(extract_path(first).parent.iterdir())) == 1
    )  # one file, no leftovers
    client.force_login(coordinateur_user)
    Extract.objects.filter(pk=extract.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    url = reverse("observations:extract_download", args=[extract.uuid])
    assert client.get(url).status_code == 410
    assert extracts_expire() == 1
    extract.refresh_from_db()
    assert extract.status == "expired" and not extract_path(extract).exists()
    assert extract.rows == 4  # the log stays for the annual report


@pytest.mark.django_db
def test_attempts_are_capped(data, coordinateur_user, organisation):
    extract = extract_create(
        user=coordinateur_user,
        recipient=organisation,
        filters={},
        area=None,
        formats=["csv"],
    )
    Extract.objects.filter(pk=extract.pk).update(status="running", attempts=3)
    extract = extract_run(extract.pk)
    assert extract.status == "failed" and "3 tentatives" in extract.error


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_extract_runs_in_the_worker_with_progress(
    client, coordinateur_user, organisation
):
    CommuneFactory()
    dataset = DatasetFactory(producer=organisation)
    taxon = TaxonFactory()
    for _ in range(30):
        OccurrenceFactory(dataset=dataset, taxon=taxon)
    client.force_login(coordinateur_user)
    with start_worker(
        celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"
    ):
        response = _launch(client, recipient=organisation.pk, formats=["gpkg"])
        extract = Extract.objects.get()
        page = client.get(response.url).content.decode()
        assert 'data-testid="extract-progress"' in page or "Prête" in page
        status_url = reverse("observations:extract_status", args=[extract.uuid])
        state, seen = poll_job(client, status_url)
    assert state["status"] == "done", state
    assert seen == sorted(seen)
    extract.refresh_from_db()
    assert (extract.rows, extract.attempts) == (30, 1)
    page = client.get(reverse("observations:extract_detail", args=[extract.uuid]))
    assert 'data-testid="extract-download"' in page.content.decode()
    assert _download(client, extract).startswith(b"SQLite format 3")


@pytest.mark.django_db
def test_unreachable_broker_fails_the_extract_visibly(
    client,
    data,
    coordinateur_user,
    organisation,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from observations import tasks

    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.extract_run_task, "delay", refuse)
    client.force_login(coordinateur_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _launch(client, recipient=organisation.pk)
    extract = Extract.objects.get()
    assert extract.status == "failed" and "injoignable" in extract.error
    page = client.get(response.url).content.decode()
    assert "injoignable" in page


@pytest.mark.django_db
def test_tampered_extract_parameters_are_refused(
    client, data, partner, other_organisation
):
    """A partner forging the form: a made-up site, programme or group, a point for a
    territory, a hostile taxon list — refused with a reason, nothing launched."""
    client.force_login(partner)
    cases = {
        "sites": {"sites": [999999]},
        "programmes": {"programmes": ["INCONNU"]},
        "atlas_groups": {"atlas_groups": ["pas-un-groupe"]},
        "area": {"area": '{"type": "Point", "coordinates": [2.8, 50.4]}'},
        "taxa": {"taxa": "3676; DROP TABLE"},
        "formats": {"formats": ["exe"]},
    }
    for field, forged in cases.items():
        response = _launch(client, recipient=other_organisation.pk, **forged)
        assert response.status_code == 400, field
        assert field in response.context["form"].errors, field
    assert Extract.objects.count() == 0


EXPIRE_BEAT_NAME = "Suppression des fichiers d'extraction expirés"


def _wait_for(extract, status, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        extract.refresh_from_db()
        if extract.status == status:
            return extract
        time.sleep(0.05)
    raise AssertionError(f"{extract.status} au lieu de {status}")


@pytest.mark.django_db
def test_expiry_is_scheduled_every_night_after_migrate():
    """The migration wrote a beat row (DatabaseScheduler) for the task the page relies on;
    its name is a task the workers know."""
    import observations.tasks  # noqa: F401  (registers the tasks)

    task = PeriodicTask.objects.get(name=EXPIRE_BEAT_NAME)
    assert (task.task, task.enabled) == (
        "observations.tasks.extracts_expire_task",
        True,
    )
    crontab = task.crontab
    assert (
        crontab.minute,
        crontab.hour,
        crontab.day_of_month,
        crontab.month_of_year,
        crontab.day_of_week,
        str(crontab.timezone),
    ) == ("30", "2", "*", "*", "*", "Europe/Paris")
    assert task.task in celery_app.tasks
    entry = ModelEntry(task, app=celery_app)  # what the scheduler runs
    assert entry.schedule.remaining_estimate(timezone.now()) <= timedelta(days=1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_scheduled_task_deletes_expired_files_and_keeps_young_ones(
    data, coordinateur_user, organisation
):
    """Beat's entry sent to a real worker: the expired extract's file is deleted and the
    extract marked expired (its log row kept); the young one stays downloadable."""
    import observations.tasks  # noqa: F401

    with start_worker(
        celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"
    ):
        old, young = (
            extract_create(
                user=coordinateur_user,
                recipient=organisation,
                filters={},
                area=None,
                formats=[fmt],
            )
            for fmt in ("csv", "xlsx")
        )
        old, young = _wait_for(old, "done"), _wait_for(young, "done")
        assert extract_path(old).exists() and extract_path(young).exists()
        Extract.objects.filter(pk=old.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
        entry = ModelEntry(
            PeriodicTask.objects.get(name=EXPIRE_BEAT_NAME), app=celery_app
        )
        DatabaseScheduler(app=celery_app, lazy=True).apply_async(entry, advance=False)
        old = _wait_for(old, "expired")
    assert not extract_path(old).exists() and old.file.name == ""
    assert old.rows == 4  # the exchange log stays for the annual report
    young.refresh_from_db()
    assert young.status == "done" and extract_path(young).exists()


@pytest.mark.django_db
def test_extracts_page_tells_when_each_file_goes(
    client, data, coordinateur_user, organisation
):
    """The log says until when each file is kept, then "expiré" — as soon as the date is
    past, before the nightly task has run, and after it."""
    old, young = (
        extract_run(
            extract_create(
                user=coordinateur_user,
                recipient=organisation,
                filters={},
                area=None,
                formats=["csv"],
            ).pk
        )
        for _ in range(2)
    )
    past = timezone.now() - timedelta(hours=3)
    Extract.objects.filter(pk=old.pk).update(expires_at=past)
    client.force_login(coordinateur_user)
    page = client.get(reverse("observations:extract_list")).content.decode()
    assert "téléchargeable 30 jours après sa production" in page
    until = timezone.localtime(young.expires_at)
    assert f"jusqu'au {until:%d/%m/%Y à %H:%M}" in page
    assert f"expiré le {timezone.localtime(past):%d/%m/%Y}" in page
    assert young.expires_at - young.finished_at == timedelta(days=30)
    detail = reverse("observations:extract_detail", args=[old.uuid])
    html = client.get(detail).content.decode()
    assert "Expirée" in html and "sera supprimé du serveur cette nuit" in html
    assert 'data-testid="extract-download"' not in html
    young_page = client.get(reverse("observations:extract_detail", args=[young.uuid]))
    assert f"{until:%d/%m/%Y à %H:%M}, puis supprimé" in young_page.content.decode()
    assert extracts_expire() == 1
    html = client.get(detail).content.decode()
    assert "a été supprimé du serveur" in html
    download = reverse("observations:extract_download", args=[old.uuid])
    assert client.get(download).status_code == 410


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson", "gpkg"])
def test_progress_is_reported_while_the_file_is_written(
    monkeypatch, data, coordinateur_user, organisation, fmt
):
    """Every row reported (the CSV writer reports from inside its COPY, when the
    connection can run nothing else): the bar moves and the file is made."""
    from cpie_naturaliste.core.jobs import services as jobs
    from observations.exports import writers

    monkeypatch.setattr(writers, "PROGRESS_EVERY", 1)
    seen = []
    step = jobs.job_step
    monkeypatch.setattr(
        "observations.exports.extracts.job_step",
        lambda job, percent, *args, **kwargs: (
            seen.append(percent),
            step(job, percent, *args, **kwargs),
        ),
    )
    extract = extract_create(
        user=coordinateur_user,
        recipient=organisation,
        filters={},
        area=None,
        formats=[fmt],
    )
    extract = extract_run(extract.pk)
    assert extract.status == Extract.Status.DONE, extract.error
    assert len(seen) >= extract.rows - 1 and seen == sorted(seen)
