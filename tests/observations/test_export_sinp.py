"""SINP/RAIN export: content, determinism, incremental log, command, page and tasks."""

import csv
import datetime as dt
import hashlib
import html
import io
import json
import zipfile
from io import StringIO

import pytest
from django.contrib.gis.db.models.functions import Transform
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from observations.exports.columns import COLUMNS, WktText
from observations.exports.sinp import (
    pole_of_kingdom,
    sinp_export,
    sinp_export_annual,
    sinp_export_create,
)
from observations.models import Occurrence, SinpExport, SinpExportItem
from observations.services.occurrences import occurrence_delete, occurrences_validate
from observations.tasks import sinp_export_run
from referentiel.models import Role
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    DatasetFactory,
    ProgrammeFactory,
    TaxonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(organisation):
    """Faune 2020: two validated records (one sensitive), one pending; a validated one of
    2019; a validated plant of 2020."""
    programme = ProgrammeFactory(code="ATLAS-AMPHI", name="Atlas des amphibiens")
    dataset = DatasetFactory(
        title="Amphibiens du bassin minier",
        short_title="Amphibiens BM",
        description="Suivi des mares.",
        producer=organisation,
        programme=programme,
        is_public=True,
    )
    toad = TaxonFactory(scientific_name="Bufo bufo", kingdom="Animalia")
    orchid = TaxonFactory(scientific_name="Ophrys apifera", kingdom="Plantae")
    records = {
        "plain": OccurrenceFactory(dataset=dataset, taxon=toad, validation_status=1),
        "sensitive": OccurrenceFactory(
            dataset=dataset,
            taxon=toad,
            validation_status=2,
            place_name="Mare du terril 74",
            date_start=dt.date(2020, 3, 2),
        ),
        "pending": OccurrenceFactory(dataset=dataset, taxon=toad, validation_status=0),
        "old": OccurrenceFactory(
            dataset=dataset,
            taxon=toad,
            validation_status=1,
            date_start=dt.date(2019, 6, 1),
        ),
        "plant": OccurrenceFactory(dataset=dataset, taxon=orchid, validation_status=1),
    }
    Occurrence.objects.filter(pk=records["sensitive"].pk).update(
        sensitivity_level=2, diffusion_level=2, dee_blurring="NON"
    )
    for record in records.values():
        record.refresh_from_db()
    return {"dataset": dataset, "toad": toad, "orchid": orchid, **records}


def _members(export: SinpExport) -> dict[str, bytes]:
    with export.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _csv(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8")), delimiter=";"))


def _file_sha(export: SinpExport) -> str:
    with export.file.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def test_pole_follows_the_kingdom():
    assert pole_of_kingdom("Animalia") == "faune"
    for kingdom in ("Plantae", "Fungi", "Chromista", ""):
        assert pole_of_kingdom(kingdom) == "flore"


def test_complete_export_holds_the_validated_records_of_the_year_and_pole(data):
    export = sinp_export(year=2020, pole="faune")
    assert export.status == SinpExport.Status.DONE
    assert (export.rows_sent, export.deletions_sent) == (2, 0)
    members = _members(export)
    names = list(members)
    dataset_member = f"jdd/{data['dataset'].uuid}.json"
    assert names == ["export.json", "occurrences.csv", dataset_member]
    content = members["occurrences.csv"]
    assert not content.startswith(b"\xef\xbb\xbf")  # no BOM: a file for machines
    header = content.split(b"\n", 1)[0].decode().split(";")
    assert header == list(COLUMNS)
    rows = _csv(content)
    expected = sorted([str(data["plain"].uuid), str(data["sensitive"].uuid)])
    assert [row["idSINPOccTax"] for row in rows] == expected

    flore = sinp_export(year=2020, pole="flore")
    assert [
        row["idSINPOccTax"] for row in _csv(_members(flore)["occurrences.csv"])
    ] == [str(data["plant"].uuid)]

    metadata = json.loads(members[dataset_member])
    assert metadata["idSINPJdd"] == str(data["dataset"].uuid)
    assert metadata["libelle"] == "Amphibiens du bassin minier"
    assert metadata["libelleCourt"] == "Amphibiens BM"
    assert metadata["dSPublique"] == "Pu"
    assert metadata["cadreAcquisition"]["code"] == "ATLAS-AMPHI"
    assert metadata["nombreOccurrences"] == 2
    assert (metadata["dateDebut"], metadata["dateFin"]) == ("2020-03-02", "2020-05-12")
    manifest = json.loads(members["export.json"])
    assert manifest["occurrences.csv"]["lignes"] == 2
    assert manifest["format"]["encodage"] == "UTF-8 sans BOM"


def test_sensitive_record_is_sent_precise_with_its_sensitivity(data):
    export = sinp_export(year=2020, pole="faune")
    rows = {
        row["idSINPOccTax"]: row for row in _csv(_members(export)["occurrences.csv"])
    }
    row = rows[str(data["sensitive"].uuid)]
    precise = (
        Occurrence.objects.filter(pk=data["sensitive"].pk)
        .annotate(wkt=WktText(Transform("geom", 4326)))
        .values_list("wkt", flat=True)
        .get()
    )
    assert row["geometrie"] == precise
    assert row["nomLieu"] == "Mare du terril 74"  # a blurred read would blank it
    assert row["sensiNiveau"] == "2"
    assert row["dEEFloutage"] == "NON"


def test_same_data_gives_the_same_bytes(data):
    first = sinp_export(year=2020, pole="faune")
    second = sinp_export(year=2020, pole="faune")
    assert first.pk != second.pk
    assert first.sha256 == second.sha256 == _file_sha(first) == _file_sha(second)
    with first.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        assert {info.date_time for info in archive.infolist()} == {
            (1980, 1, 1, 0, 0, 0)
        }


def test_incremental_export_sends_changes_and_deletions(data, validateur_user):
    complete = sinp_export(year=2020, pole="faune")
    assert complete.rows_sent == 2
    plain, sensitive = data["plain"], data["sensitive"]
    extra = OccurrenceFactory(dataset=data["dataset"], taxon=data["toad"], comment="x")
    occurrences_validate(occurrences=[extra], validator=validateur_user, status=1)
    complete = sinp_export(
        year=2020, pole="faune"
    )  # now three records held by the pole
    assert complete.rows_sent == 3

    # A change made by a bulk update (updated_at untouched), a new record, an invalidation
    # and a deletion.
    Occurrence.objects.filter(pk=plain.pk).update(comment="Deux adultes en amplexus")
    new = OccurrenceFactory(
        dataset=data["dataset"], taxon=data["toad"], validation_status=1
    )
    occurrences_validate(occurrences=[sensitive], validator=validateur_user, status=4)
    occurrence_delete(occurrence=extra)

    incremental = sinp_export(year=2020, pole="faune", incremental=True)
    assert (incremental.rows_sent, incremental.deletions_sent) == (2, 2)
    members = _members(incremental)
    assert [row["idSINPOccTax"] for row in _csv(members["occurrences.csv"])] == sorted(
        [str(plain.uuid), str(new.uuid)]
    )
    deletions = _csv(members["suppressions.csv"])
    assert {row["idSINPOccTax"]: row["motif"] for row in deletions} == {
        str(sensitive.uuid): "non_validee",
        str(extra.uuid): "supprimee",
    }
    assert {row["idSINPJdd"] for row in deletions} == {str(data["dataset"].uuid)}
    assert [row["idSINPOccTax"] for row in deletions] == sorted(
        row["idSINPOccTax"] for row in deletions
    )
    metadata = json.loads(members[f"jdd/{data['dataset'].uuid}.json"])
    assert (metadata["nombreOccurrences"], metadata["nombreSuppressions"]) == (2, 2)

    # Nothing changed since: nothing to send. A record validated again is sent again.
    again = sinp_export(year=2020, pole="faune", incremental=True)
    assert (again.rows_sent, again.deletions_sent) == (0, 0)
    occurrences_validate(occurrences=[sensitive], validator=validateur_user, status=1)
    back = sinp_export(year=2020, pole="faune", incremental=True)
    assert (back.rows_sent, back.deletions_sent) == (1, 0)
    assert SinpExportItem.objects.filter(export=back).get().uuid == sensitive.uuid


def test_record_moved_to_another_year_or_pole_is_deleted_from_the_pole(data):
    sinp_export(year=2020, pole="faune")
    Occurrence.objects.filter(pk=data["plain"].pk).update(
        date_start=dt.date(2019, 5, 12), date_end=dt.date(2019, 5, 12)
    )
    Occurrence.objects.filter(pk=data["sensitive"].pk).update(taxon=data["orchid"])
    faune = sinp_export(year=2020, pole="faune", incremental=True)
    assert (faune.rows_sent, faune.deletions_sent) == (0, 2)
    motifs = {row["motif"] for row in _csv(_members(faune)["suppressions.csv"])}
    assert motifs == {"hors_perimetre"}
    # The flore pole, never exported for 2020, gets the plant and the moved record.
    flore = sinp_export(year=2020, pole="flore", incremental=True)
    assert (flore.rows_sent, flore.deletions_sent) == (2, 0)


def test_command_writes_the_file(data, tmp_path):
    out = tmp_path / "sinp-2020-faune.zip"
    stdout = StringIO()
    call_command(
        "export_sinp",
        "--year",
        "2020",
        "--pole",
        "faune",
        "--out",
        str(out),
        stdout=stdout,
    )
    export = SinpExport.objects.get()
    assert hashlib.sha256(out.read_bytes()).hexdigest() == export.sha256
    text = stdout.getvalue()
    assert "2 observation(s) envoyée(s), 0 suppression(s)" in text
    assert export.sha256 in text
    assert export.created_by is None and export.organisation is None


def test_command_refuses_a_bad_year(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Année invalide"):
        call_command(
            "export_sinp",
            "--year",
            "deux",
            "--pole",
            "faune",
            "--out",
            str(tmp_path / "x"),
        )
    assert not SinpExport.objects.exists()


def test_page_refuses_partners_and_field_staff(client, partenaire_user, saisie_user):
    url = reverse("observations:sinp_exports")
    for user in (partenaire_user, saisie_user):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"year": 2020, "pole": "faune"}).status_code == 403


def test_coordinator_launches_an_export_and_downloads_it(
    client,
    coordinateur_user,
    partenaire_user,
    data,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    monkeypatch.setattr(
        sinp_export_run, "delay", lambda pk: sinp_export_run.apply(args=[pk])
    )
    client.force_login(coordinateur_user)
    url = reverse("observations:sinp_exports")
    page = client.get(url)
    assert page.status_code == 200
    assert reverse("observations:sinp_exports") in page.content.decode()  # navigation

    bad = client.post(url, {"year": 1500, "pole": "faune", "mode": "complet"})
    assert bad.status_code == 400
    assert "L'année doit être comprise entre" in html.unescape(bad.content.decode())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"year": 2020, "pole": "faune", "mode": "complet"})
    export = SinpExport.objects.get()
    assert response.url == reverse(
        "observations:sinp_export_detail", args=[export.uuid]
    )
    assert export.status == SinpExport.Status.DONE
    assert export.created_by == coordinateur_user
    # A local coordinator exports their organisation's datasets.
    assert export.organisation == coordinateur_user.organisation
    assert export.rows_sent == 2
    state = client.get(
        reverse("observations:sinp_export_status", args=[export.uuid])
    ).json()
    assert (state["finished"], state["percent"], state["status"]) == (True, 100, "done")
    detail = client.get(response.url).content.decode()
    assert export.sha256 in detail
    download = reverse("observations:sinp_export_download", args=[export.uuid])
    got = client.get(download)
    assert got.status_code == 200
    assert hashlib.sha256(b"".join(got.streaming_content)).hexdigest() == export.sha256
    assert export.sha256[:12] in client.get(url).content.decode()

    client.force_login(partenaire_user)
    assert client.get(download).status_code == 403


def test_coordinator_of_another_organisation_does_not_see_the_export(
    client, coordinateur_user, other_organisation, data
):
    export = sinp_export(year=2020, pole="faune", user=coordinateur_user)
    other = UserFactory(
        username="coord-eden",
        organisation=other_organisation,
        roles=[Role.COORDINATEUR],
    )
    client.force_login(other)
    download = reverse("observations:sinp_export_download", args=[export.uuid])
    assert client.get(download).status_code == 404
    regional = UserFactory(
        username="coord-regional",
        organisation=other_organisation,
        roles=[Role.COORDINATEUR],
        is_regional=True,
    )
    client.force_login(regional)
    assert client.get(download).status_code == 200


def test_task_runs_once(data):
    export = sinp_export_create(year=2020, pole="faune")
    sinp_export_run.apply(args=[export.pk])
    export.refresh_from_db()
    assert export.status == SinpExport.Status.DONE
    assert (export.rows_sent, export.sequence) == (2, 1)
    sha = export.sha256
    # A second delivery (acks_late) leaves the finished export as it is.
    sinp_export_run.apply(args=[export.pk])
    export.refresh_from_db()
    assert (export.sha256, export.sequence) == (sha, 1)
    assert SinpExportItem.objects.filter(export=export).count() == 2


def test_yearly_task_exports_last_year_for_both_poles(data):
    made = sinp_export_annual(today=dt.date(2021, 1, 5))
    assert {(e.year, e.pole, e.mode, e.status) for e in made} == {
        (2020, "faune", "complet", "done"),
        (2020, "flore", "complet", "done"),
    }
    assert sinp_export_annual(today=dt.date(2021, 1, 5)) == []  # delivered twice
    SinpExport.objects.update(created_at=timezone.now() - dt.timedelta(days=1))
    later = sinp_export_annual(today=dt.date(2021, 1, 6))
    assert {(e.pole, e.mode, e.rows_sent) for e in later} == {
        ("faune", "incremental", 0),
        ("flore", "incremental", 0),
    }


def test_yearly_task_is_scheduled_in_january():
    task = PeriodicTask.objects.get(task="observations.tasks.sinp_export_annual")
    assert task.enabled
    crontab = task.crontab
    assert (
        crontab.minute,
        crontab.hour,
        crontab.day_of_month,
        crontab.month_of_year,
    ) == (
        "0",
        "3",
        "5",
        "1",
    )
    assert str(crontab.timezone) == "Europe/Paris"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_command_outside_a_transaction_reads_one_snapshot(data, tmp_path):
    """The command runs in autocommit: the export takes its lock, then one repeatable-read
    transaction for the fingerprints, the file and the log."""
    out = tmp_path / "complet.zip"
    call_command(
        "export_sinp",
        "--year",
        "2020",
        "--pole",
        "faune",
        "--out",
        str(out),
        stdout=StringIO(),
    )
    Occurrence.objects.filter(pk=data["plain"].pk).update(comment="Revu")
    call_command(
        "export_sinp",
        "--year",
        "2020",
        "--pole",
        "faune",
        "--out",
        str(out),
        "--incremental",
        stdout=StringIO(),
    )
    complete, incremental = SinpExport.objects.order_by("pk")
    assert (complete.sequence, incremental.sequence) == (1, 2)
    assert (incremental.rows_sent, incremental.deletions_sent) == (1, 0)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == incremental.sha256


def test_progress_is_reported_from_inside_the_copy(data, monkeypatch):
    """The occurrences' CSV is written by COPY, which reports every row here: the
    reports go to the cache, the export completes."""
    from observations.exports import writers

    monkeypatch.setattr(writers, "PROGRESS_EVERY", 1)
    seen = []
    export = sinp_export(
        year=2020, pole="faune", progress=lambda percent, *_: seen.append(percent)
    )
    assert export.status == SinpExport.Status.DONE, export.error
    assert export.rows_sent == 2 and any(10 < percent < 90 for percent in seen), seen
