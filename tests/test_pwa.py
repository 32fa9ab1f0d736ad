"""The installable app (issue 19 point 1): its manifest, its service worker served from the
site's root, the field's data kept on the device (only what the user may read), and the
outbox page."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from tests.factories.counts import CountProgrammeFactory
from tests.factories.referentiel import DatasetFactory, TaxonFactory

pytestmark = pytest.mark.django_db


def test_manifest_makes_a_french_standalone_app(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert data["lang"] == "fr" and data["display"] == "standalone"
    assert data["start_url"] == "/observations/nouvelle/"
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_worker_is_served_from_the_root_with_the_entry_pages(client):
    response = client.get("/sw.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    source = response.content.decode()
    config = json.loads(source.split("\n", 1)[0].removeprefix("self.CPIE_SW = ")[:-1])
    assert "importScripts(CPIE_SW.store)" in source
    for path in config["precache"]:
        assert finders.find(path.removeprefix("/static/")), path
    pages = [re.compile(p) for p in config["pages"]]
    for path in (
        "/observations/nouvelle/",
        "/zones-humides/pop/sites/12/passages/nouveau/",
        "/zones-humides/barrieres/3/releve/",
        "/observations/comptages/stoc/saisie/2021/",
    ):
        assert any(p.match(path) for p in pages), path
    for path in ("/observations/", "/observations/12/modifier/", "/admin/"):
        assert not any(p.match(path) for p in pages), path
    # Every entry form goes to the outbox when its post fails; the outbox page has none.
    outbox = [re.compile(p) for p in config["outbox"]]
    for path in (
        "/zones-humides/barrieres/3/releve/",
        "/observations/comptages/stoc/saisie/2021/",
    ):
        assert any(p.match(path) for p in outbox), path
    assert not any(p.match("/observations/a-envoyer/") for p in outbox)


def test_field_data_holds_what_the_user_may_use(
    client, saisie_user, organisation, other_organisation
):
    TaxonFactory(
        cd_nom=351,
        scientific_name="Rana temporaria",
        vernacular_name="Grenouille rousse, Rana",
    )
    ours = DatasetFactory(producer=organisation, title="Inventaires CPIE")
    eden = DatasetFactory(
        producer=other_organisation, title="Privé Eden", is_public=False
    )
    counted = CountProgrammeFactory(dataset=ours)
    CountProgrammeFactory(programme__code="STOC-EDEN", dataset=eden)
    url = reverse("offline_data")
    assert client.get(url).status_code == 302  # signed out: to the login page
    client.force_login(saisie_user)
    response = client.get(url)
    assert response["Cache-Control"] == "private, no-store"
    data = response.json()
    assert data["taxa"]["columns"][:3] == [
        "cd_nom",
        "scientific_name",
        "vernacular_name",
    ]
    assert [351, "Rana temporaria", "Grenouille rousse"] == data["taxa"]["rows"][0][:3]
    assert [title for _uuid, title in data["datasets"]] == ["Inventaires CPIE"]
    assert "/observations/nouvelle/" in data["pages"]
    # The current season's grid of a count programme the user enters, not of another's.
    season = counted.season_of(timezone.localdate())
    grids = [page for page in data["pages"] if "/comptages/" in page]
    assert grids == [f"/observations/comptages/CHIRO-HIVER/saisie/{season}/"]


def test_outbox_page_is_a_frame_for_the_device(client, saisie_user):
    url = reverse("observations:outbox")
    assert client.get(url).status_code == 302
    client.force_login(saisie_user)
    html = client.get(url).content.decode()
    assert "<h1>À envoyer</h1>" in html
    assert "data-outbox-list" in html and 'data-user="' in html
