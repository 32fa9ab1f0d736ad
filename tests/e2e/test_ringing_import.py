"""A CRBPO season's import in headless Chromium: a ringer (role saisie) uploads the season
file, follows the progress bar while the Celery worker checks it, sees the refused line with
its column and French reason, then uploads the corrected file and sees what was created.

The worker starts only once the progress bar is on screen: the page then shows the queued
import, deterministically, before it polls the status and reloads on completion.
"""

import pytest
from celery.contrib.testing.worker import start_worker

from baguage.models import Capture, RingingImport
from cpie_naturaliste.celery import app as celery_app
from tests.baguage.conftest import crbpo_referential_create
from tests.baguage.test_import_crbpo import good_rows, row, write_csv

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "motdepasse-de-test"


def _log_in(page, base: str, username: str, path: str) -> None:
    page.goto(f"{base}/connexion/?next={path}")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}{path}")


def _upload(page, path) -> None:
    form = page.get_by_test_id("crbpo-import-form")
    form.get_by_label("Fichier du masque de saisie CRBPO").set_input_files(str(path))
    form.get_by_label("Jeu de données des observations publiées").select_option(
        label="Baguage CPIE"
    )
    form.get_by_role("button", name="Vérifier et importer").click()
    page.wait_for_url("**/baguage/import/*/")


def _wait_finished(page) -> None:
    progress = page.get_by_test_id("crbpo-import-progress")
    progress.wait_for()
    assert progress.locator("progress").get_attribute("value") == "0"
    assert "En attente" in progress.inner_text()
    with start_worker(
        celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"
    ):
        progress.wait_for(state="detached", timeout=30_000)


def test_crbpo_import_refusal_then_import_on_the_worker(
    page, live_server, saisie_user, tmp_path
):
    crbpo_referential_create(saisie_user)
    base = live_server.url
    _log_in(page, base, saisie_user.username, "/baguage/import/")

    bad = write_csv(tmp_path / "saison-bad.csv", [row(ESPECE="ZZZZZZ")])
    _upload(page, bad)
    _wait_finished(page)
    summary = page.get_by_test_id("crbpo-summary").inner_text()
    assert summary.startswith("Fichier refusé : 1 erreur à corriger")
    cells = page.get_by_test_id("error-table").locator("tbody tr td").all_inner_texts()
    assert cells[:2] == ["2", "ESPECE"], cells
    assert "code espèce « ZZZZZZ » inconnu" in cells[2]
    assert not Capture.objects.exists()

    page.get_by_role("link", name="← Importer une saison CRBPO").click()
    assert "saison-bad.csv" in page.get_by_test_id("crbpo-imports").inner_text()
    good = write_csv(tmp_path / "saison.csv", good_rows())
    _upload(page, good)
    _wait_finished(page)
    assert page.get_by_test_id("captures-created").inner_text() == "5"
    assert page.get_by_test_id("error-table").count() == 0
    assert Capture.objects.count() == 5
    assert RingingImport.objects.get(filename="saison.csv").status == "done"
    assert page.errors == [] and page.failed_requests == []
