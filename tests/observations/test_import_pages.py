"""Import pages with the Django test client: upload → report, mapping step with the
organisation's saved default, errors CSV, undo, template, access rules."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from observations.models import ImportBatch, ImportMapping, Occurrence
from observations.views.imports import _cell
from tests.factories.referentiel import UserFactory
from tests.observations.imports_support import (
    LAT,
    LON,
    SINP_HEADER,
    dataset_create,
    good_rows,
    referential_create,
    write_csv,
)

pytestmark = pytest.mark.django_db
UPLOAD = reverse("observations:import")


@pytest.fixture
def referential(db):
    return referential_create()


@pytest.fixture
def dataset(saisie_user):
    return dataset_create(saisie_user)


@pytest.fixture
def staff(client, saisie_user):
    client.force_login(saisie_user)
    return client


def _upload(client, path, dataset, *, follow=False, **data):
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
    return client.post(
        UPLOAD, {"file": upload, "dataset": dataset.uuid, **data}, follow=follow
    )


def test_upload_then_report(staff, tmp_path, dataset, referential):
    page = staff.get(UPLOAD)
    assert page.status_code == 200
    assert "Importer des observations" in page.content.decode()
    assert str(dataset.uuid) in page.content.decode()

    path = write_csv(tmp_path / "releves.csv", SINP_HEADER, good_rows())
    response = _upload(staff, path, dataset)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("observations:import_detail", args=[batch.uuid])
    report = staff.get(response.url).content.decode()
    assert "Importé" in report and 'data-testid="created-count">4<' in report
    assert "Annuler cet import" in report
    status = staff.get(reverse("observations:import_status", args=[batch.uuid])).json()
    assert (
        status["finished"] and status["percent"] == 100 and status["status"] == "done"
    )
    listing = staff.get(UPLOAD).content.decode()
    assert "releves.csv" in listing

    undo = reverse("observations:import_undo", args=[batch.uuid])
    staff.post(undo, {})  # no confirmation: nothing happens
    assert Occurrence.objects.count() == 4
    response = staff.post(undo, {"confirm": "1"}, follow=True)
    assert "4 observation(s) supprimée(s)" in response.content.decode()
    assert not Occurrence.objects.exists()


def test_refused_file_shows_its_errors_and_csv(staff, tmp_path, dataset, referential):
    rows = good_rows()
    rows[2][0] = "=cmd|' /C calc'!A0"
    rows[3][2] = "2020-13-45"
    path = write_csv(tmp_path / "releves.csv", SINP_HEADER, rows)
    detail = _upload(staff, path, dataset, follow=True).content.decode()
    assert "Refusé : erreurs à corriger" in detail
    assert 'data-testid="error-table"' in detail
    assert "2020-13-45" in detail
    batch = ImportBatch.objects.get()
    errors = staff.get(reverse("observations:import_errors", args=[batch.uuid]))
    text = errors.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "ligne;colonne;erreur"
    assert "4;cdNom;" in text and "5;dateDebut;" in text
    assert _cell("=HYPERLINK()") == "'=HYPERLINK()" and _cell("-2,5 m") == "'-2,5 m"
    assert not Occurrence.objects.exists()


def test_valid_lines_mode_on_the_page(staff, tmp_path, dataset, referential):
    """The choice is offered as a radio group (all or nothing checked); chosen, the
    report says which lines were left out and lists them under their own heading."""
    page = staff.get(UPLOAD).content.decode()
    assert "<legend>Lignes en erreur</legend>" in page
    assert 'value="tout" id="id_mode_0" checked' in page
    rows = good_rows()
    rows[3][2] = "2020-13-45"
    path = write_csv(tmp_path / "releves.csv", SINP_HEADER, rows)
    detail = _upload(staff, path, dataset, follow=True, mode="valides").content.decode()
    assert "Importé" in detail and 'data-testid="created-count">3<' in detail
    assert "1 ligne(s) en erreur ignorée(s)" in detail
    assert "Lignes ignorées : erreurs à corriger" in detail and "2020-13-45" in detail
    assert Occurrence.objects.count() == 3


def test_mapping_step_and_saved_default(
    staff, tmp_path, saisie_user, dataset, referential
):
    header = ["Espèce", "Date obs", "Qui", "Lon", "Lat", "Nombre"]
    rows = [[3676, "12/05/2020", "DUPONT Lise", LON, LAT, 2]]
    response = _upload(staff, write_csv(tmp_path / "cpie.csv", header, rows), dataset)
    batch = ImportBatch.objects.get()
    mapping_url = reverse("observations:import_mapping", args=[batch.uuid])
    assert response.url == mapping_url
    page = staff.get(mapping_url).content.decode()
    assert "Associer les colonnes" in page and "Date obs" in page
    form = {
        "col_cdNom": "Espèce",
        "col_dateDebut": "Date obs",
        "col_observateur": "Qui",
        "col_longitude": "Lon",
        "col_latitude": "Lat",
        "srid": "4326",
        "save_default": "on",
        "name": "Tableur CPIE",
    }
    incomplete = staff.post(mapping_url, {**form, "col_observateur": ""})
    assert "observateur" in incomplete.content.decode()
    form["col_denombrementMin"] = "Nombre"
    response = staff.post(mapping_url, form)
    assert response.url == reverse("observations:import_detail", args=[batch.uuid])
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    assert Occurrence.objects.get().count_max == 2
    saved = ImportMapping.objects.get(organisation=saisie_user.organisation)
    assert saved.is_default and saved.name == "Tableur CPIE"

    # Next file of the same shape: the default is proposed, preselected.
    _upload(staff, write_csv(tmp_path / "cpie2.csv", header, rows), dataset)
    second = ImportBatch.objects.latest("created_at")
    page = staff.get(reverse("observations:import_mapping", args=[second.uuid]))
    html = page.content.decode()
    assert "Modèle « Tableur CPIE » de votre organisme proposé" in html
    assert '<option value="Date obs" selected>' in html

    # Or chosen explicitly at upload: no mapping step at all.
    response = _upload(
        staff,
        write_csv(tmp_path / "cpie3.csv", header, rows),
        dataset,
        mapping=saved.pk,
    )
    third = ImportBatch.objects.latest("created_at")
    assert response.url == reverse("observations:import_detail", args=[third.uuid])
    assert third.status == ImportBatch.Status.DONE  # identical row: nothing new
    assert third.created_count == 0


def test_oversized_upload_is_refused(staff, tmp_path, dataset, settings):
    settings.IMPORT_MAX_BYTES = 2000
    path = write_csv(tmp_path / "gros.csv", SINP_HEADER, good_rows() * 40)
    response = _upload(staff, path, dataset)
    assert response.status_code == 200
    assert "Fichier trop volumineux" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_hostile_file_is_refused_on_the_form(staff, tmp_path, dataset):
    path = tmp_path / "faux.xlsx"
    path.write_bytes(b"PK\x03\x04 pas vraiment un zip")
    response = _upload(staff, path, dataset)
    assert response.status_code == 200
    assert "Classeur XLSX endommagé" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_template_has_the_sinp_columns(staff):
    response = staff.get(reverse("observations:import_template"))
    header = response.content.decode("utf-8-sig").strip().split(";")
    assert {"cdNom", "dateDebut", "observateur", "geometrie", "idSINPOccTax"} <= set(
        header
    )


def test_access_rules(client, partenaire_user):
    anonymous = client.get(UPLOAD)
    assert anonymous.status_code == 302 and "connexion" in anonymous.url
    client.force_login(partenaire_user)
    assert client.get(UPLOAD).status_code == 403


def test_other_organisation_cannot_see_a_batch(
    client, staff, tmp_path, dataset, referential, partenaire_user
):
    path = write_csv(tmp_path / "releves.csv", SINP_HEADER, good_rows())
    _upload(staff, path, dataset)
    batch = ImportBatch.objects.get()
    outsider = UserFactory(
        organisation=partenaire_user.organisation, roles=["coordinateur"]
    )
    client.force_login(outsider)
    detail = reverse("observations:import_detail", args=[batch.uuid])
    assert client.get(detail).status_code == 404
    assert client.get(UPLOAD).content.decode().count("releves.csv") == 0
