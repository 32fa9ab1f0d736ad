"""The finds page (/indicateurs/<year>/decouvertes/): every find of the year, filtered,
sorted and paginated, the coordinator's form on each and back to the same page after a
decision; the dashboard shows the first finds of each kind and links to the others."""

import datetime as dt

import pytest

from indicateurs import views
from indicateurs.models import RemarkableFind
from tests.factories.referentiel import TaxonFactory
from tests.indicateurs.test_finds import record

pytestmark = pytest.mark.django_db
URL = "/indicateurs/2020/decouvertes/"
NAMES = ("Calliptamus italicus", "Rostraria cristata", "Bufo calamita")


@pytest.fixture
def three_firsts(departements, own):
    return {
        name: record(TaxonFactory(scientific_name=name), own, dt.date(2020, 5, day))
        for day, name in enumerate(NAMES, start=1)
    }


def taxa(response) -> list[str]:
    return [f["taxon"] for f in response.context["page"].object_list]


def test_every_find_filtered_sorted_and_paginated(
    client, three_firsts, coordinateur_user, monkeypatch
):
    client.force_login(coordinateur_user)
    response = client.get(URL)
    assert response.status_code == 200
    assert taxa(response) == list(NAMES)  # by date
    assert taxa(client.get(URL, {"order": "taxon"})) == sorted(NAMES)
    assert taxa(client.get(URL, {"q": "bufo"})) == ["Bufo calamita"]
    assert taxa(client.get(URL, {"kind": "rare"})) == []
    assert "3 découvertes" in response.content.decode()
    monkeypatch.setattr(views, "FINDS_PER_PAGE", 2)
    second = client.get(URL, {"order": "taxon", "page": 2})
    assert taxa(second) == ["Rostraria cristata"]
    assert "page 2 sur 2" in second.content.decode()
    assert "?order=taxon&amp;page=1" in second.content.decode()


def test_a_decision_comes_back_to_the_same_page_and_filters(
    client, three_firsts, coordinateur_user, monkeypatch
):
    client.force_login(coordinateur_user)
    monkeypatch.setattr(views, "FINDS_PER_PAGE", 2)
    here = f"{URL}?order=taxon&page=2"
    kept = three_firsts["Rostraria cristata"]
    response = client.post(
        f"{URL}{kept.uuid}/",
        {
            "kind": "first_departement",
            "status": "confirmee",
            "in_report": "on",
            "next": here,
        },
    )
    assert response.status_code == 302 and response["Location"] == f"{here}#finds"
    assert RemarkableFind.objects.get().status == "confirmee"
    assert taxa(client.get(URL, {"status": "confirmee"})) == ["Rostraria cristata"]
    assert taxa(client.get(URL, {"status": "a_confirmer"})) == [
        "Calliptamus italicus",
        "Bufo calamita",
    ]
    # Elsewhere than this site: back to the dashboard.
    response = client.post(
        f"{URL}{kept.uuid}/",
        {"kind": "first_departement", "status": "confirmee", "next": "https://x.fr/"},
    )
    assert response["Location"] == "/indicateurs/2020/#finds"


def test_the_dashboard_shows_the_first_finds_and_links_to_all(
    client, three_firsts, coordinateur_user, monkeypatch
):
    client.force_login(coordinateur_user)
    monkeypatch.setattr(views, "DASHBOARD_FINDS", 2)
    response = client.get("/indicateurs/2020/")
    group = next(
        g for g in response.context["find_groups"] if g["key"] == "first_departement"
    )
    assert (group["count"], len(group["finds"])) == (3, 2)
    html = response.content.decode()
    assert f'href="{URL}?kind=first_departement"' in html
    assert "Voir les 3" in html


def test_the_finds_page_is_for_coordinators(client, saisie_user, coordinateur_user):
    client.force_login(saisie_user)
    assert client.get(URL).status_code == 403
    client.force_login(coordinateur_user)
    assert client.get("/indicateurs/1200/decouvertes/").status_code == 404
