"""An import's journey in headless Chromium: a staff member (role saisie) logs in, uploads
a CSV whose columns do not carry the SINP names, maps them (and saves the mapping as her
organisation's default), sees the check refuse a line with its reason in French, uploads
the corrected file, follows the progress bar while the Celery worker imports it, sees the
result, finds the records on the list of observations, then undoes the import.

The file is bigger than IMPORT_INLINE_MAX_ROWS (lowered here), so the batch goes through
Celery. The worker starts only once the progress bar is on screen: the page then shows a
queued batch, deterministically, before it polls the status and reloads on completion.
"""

import pytest
from celery.contrib.testing.worker import start_worker

from cpie_naturaliste.celery import app as celery_app
from observations.models import ImportBatch, ImportMapping, Occurrence
from referentiel.models import Role
from tests.e2e.axe import PHONE
from tests.factories.referentiel import OrganisationFactory, UserFactory
from tests.observations.imports_support import (
    dataset_create,
    lonlat,
    referential_create,
    write_csv,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "motdepasse-de-test"
ROWS = 30
BAD_LINE = 12  # file line (header = line 1)
# Column names of a spreadsheet kept by hand: none is a SINP name or a known alias.
HEADER = ["Code espèce", "Jour", "Relevé par", "Long.", "Lat.", "Effectif", "Remarque"]


def _rows(*, bad: bool) -> list[list]:
    rows = []
    for index in range(ROWS):
        lon, lat = lonlat(10 * index, 20)
        day = f"{index % 28 + 1:02d}/04/2021"
        rows.append(
            [3676 if index % 2 else 351, day, "DUPONT Lise", lon, lat, index + 1, ""]
        )
    if bad:
        rows[BAD_LINE - 2][1] = "31/02/2021"
    return rows


@pytest.fixture
def lise():
    organisation = OrganisationFactory(name="CPIE Chaîne des Terrils")
    user = UserFactory(
        username="lise",
        first_name="Lise",
        last_name="Dupont",
        organisation=organisation,
        roles=[Role.SAISIE],
    )
    referential_create()
    return user, dataset_create(user)


def _log_in(page, base: str, path: str) -> None:
    page.goto(f"{base}/connexion/?next={path}")
    page.get_by_label("Identifiant").fill("lise")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}{path}")


def _upload(page, path, *, dry_run: bool, mapping: str | None = None) -> None:
    form = page.get_by_test_id("import-form")
    form.get_by_label("Fichier").set_input_files(str(path))
    form.get_by_label("Jeu de données").select_option(label="Inventaire Loos")
    if mapping:
        form.get_by_label("Correspondance des colonnes").select_option(label=mapping)
    if dry_run:
        form.get_by_label("Essai à blanc").check()
    form.get_by_role("button", name="Vérifier et importer").click()


def _wait_finished(page) -> None:
    """The progress bar is on screen with the queued batch; the worker then runs it and
    job_progress.js reloads the page once the status endpoint says it is finished."""
    progress = page.get_by_test_id("import-progress")
    progress.wait_for()
    assert progress.locator("progress").get_attribute("value") == "0"
    assert "En attente" in progress.inner_text()
    with start_worker(
        celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"
    ):
        progress.wait_for(state="detached", timeout=30_000)


def test_import_with_mapping_refusal_progress_list_and_undo(
    page, live_server, lise, settings, tmp_path
):
    settings.IMPORT_INLINE_MAX_ROWS = 10
    user, dataset = lise
    base = live_server.url
    _log_in(page, base, "/observations/import/")
    assert page.get_by_role("heading", name="Importer des observations").is_visible()

    # 1. A trial run of a file with unknown column names: the mapping step comes first.
    bad = write_csv(tmp_path / "releves-avril.csv", HEADER, _rows(bad=True))
    _upload(page, bad, dry_run=True)
    page.wait_for_url("**/colonnes/")
    form = page.get_by_test_id("mapping-form")
    assert "essai à blanc" in page.locator(".import .muted").first.inner_text()
    for label, column in (
        ("cdNom", "Code espèce"),
        ("dateDebut", "Jour"),
        ("observateur", "Relevé par"),
        ("longitude", "Long."),
        ("latitude", "Lat."),
    ):
        form.get_by_label(f"({label})").select_option(column)
    # "Effectif" is a known alias: the page proposes it (and unfolds its group).
    assert form.get_by_label("(denombrementMin)").input_value() == "Effectif"
    form.get_by_label("(denombrementMax)").select_option("Effectif")
    form.get_by_label("Enregistrer comme modèle par défaut").check()
    form.get_by_label("Nom du modèle").fill("Tableur de terrain")
    form.get_by_role("button", name="Vérifier et importer").click()
    page.wait_for_url("**/import/*/")
    assert "Modèle enregistré" in page.locator("body").inner_text()
    _wait_finished(page)

    # 2. The check refuses the file: the line, the column and the reason in French.
    status = page.get_by_test_id("batch-status")
    assert status.inner_text() == "Refusé : erreurs à corriger"
    errors = page.get_by_test_id("error-table").locator("tbody tr")
    assert errors.count() == 1
    cells = errors.first.locator("td").all_inner_texts()
    assert cells[:2] == [str(BAD_LINE), "Jour"], cells
    assert "date invalide « 31/02/2021 »" in cells[2], cells
    assert page.get_by_text("Annuler cet import").count() == 0
    assert not Occurrence.objects.exists()

    # 3. The corrected file, for real, with the saved mapping: straight to the import.
    page.get_by_role("link", name="Importer un autre fichier").click()
    assert "essai" in page.locator(".import__history").inner_text()
    good = write_csv(tmp_path / "releves-avril-corrige.csv", HEADER, _rows(bad=False))
    _upload(page, good, dry_run=False, mapping="Tableur de terrain")
    page.wait_for_url("**/import/*/")
    _wait_finished(page)
    assert page.get_by_test_id("batch-status").inner_text() == "Importé"
    assert page.get_by_test_id("created-count").inner_text() == str(ROWS)
    assert page.get_by_test_id("error-table").count() == 0
    batch = ImportBatch.objects.get(status=ImportBatch.Status.DONE)
    assert batch.created_by == user and batch.mapping["srid"] == 4326
    assert ImportMapping.objects.get(organisation=user.organisation).is_default
    assert Occurrence.objects.filter(dataset=dataset).count() == ROWS

    # 4. The records are on the list, filtered on the dataset.
    page.goto(f"{base}/observations/")
    page.locator("summary", has_text="Filtres").click()
    filters = page.get_by_test_id("filter-form")
    filters.get_by_label("Jeu de données").select_option(label="Inventaire Loos")
    filters.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**dataset=*")
    assert page.get_by_test_id("result-count").inner_text().startswith(f"{ROWS} obs")
    table = page.get_by_test_id("occurrence-table")
    assert "Alauda arvensis" in table.inner_text()
    assert "DUPONT Lise" in table.inner_text()
    # The map of the list loads them too (and refits its view): let it finish.
    page.wait_for_selector("#occurrence-map[data-state=ready]")
    page.wait_for_load_state("networkidle")

    # 5. Undo, from the batch page found in the import history.
    page.goto(f"{base}/observations/import/")
    page.get_by_role("link", name="releves-avril-corrige.csv").click()
    page.get_by_label("Je confirme la suppression").check()
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog), dialog.accept()))
    page.get_by_role("button", name="Annuler cet import").click()
    page.get_by_text(f"Import annulé : {ROWS} observation(s) supprimée(s).").wait_for()
    assert dialogs and str(ROWS) in dialogs[0].message
    assert page.get_by_test_id("batch-status").inner_text() == "Annulé"
    assert not Occurrence.objects.exists()
    assert page.errors == [] and page.failed_requests == []


def test_a_long_file_name_wraps_on_a_phone(live_server, page, lise):
    """The report's heading names the file: a name with no break opportunity wraps
    instead of widening a 320 px page (WCAG 1.4.10; axe's audit met it now and then with
    its random file names, 3 to 10 px too wide)."""
    user, dataset = lise
    name = "RELEVES_WWWWMMMMWWWWMMMM_2021.csv"
    batch = ImportBatch.objects.create(
        dataset=dataset,
        created_by=user,
        filename=name,
        file_sha256="0" * 64,
        status=ImportBatch.Status.DONE,
        total_rows=1,
        created_count=1,
    )
    page.set_viewport_size(PHONE)
    path = f"/observations/import/{batch.uuid}/"
    _log_in(page, live_server.url, path)
    heading = page.get_by_role("heading", level=1)
    assert name in heading.inner_text()
    width = PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The name is broken over lines, not cut: the heading is as wide as the page allows.
    box = heading.bounding_box()
    assert box["x"] + box["width"] <= width and box["height"] > 60
