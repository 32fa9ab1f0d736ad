"""Nothing hidden escapes the wetlands app (issue 17), as readers see it: every channel of
the app (pages, API list and detail, CSV files, chart JSON, photos, admin) shows A's partner
and field staff neither the markers, nor the pond's or fence's point (WGS84 to 4 decimals,
Lambert-93 to 10 m), nor the hidden places' names; B's coordinator, who places them, sees
them all (so each assertion can fail). The scene is in ``support`` and ``conftest``."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.no_leak import (
    BLURRED_READERS,
    api_client,
    page_client,
    point_texts,
    text_of,
)

from .support import (
    API,
    FENCE_NAME,
    FENCE_SITE_NAME,
    FENCE_XY,
    HIDDEN_POND_XY,
    INDIVIDUALS,
    MARK,
    POND_NAME,
    SECRET_POINTS,
    channels,
    csv_rows,
    fetch,
    leaks,
    rows_of,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("reader", BLURRED_READERS)
def test_no_channel_of_the_app_shows_the_hidden_records(world, readers, reader):
    user = readers[reader]
    problems = []
    for kind, url, about_hidden in channels(world):
        response = fetch(kind, user, url)
        status = response.status_code
        if user is None:
            denied = (401, 403) if kind == "api" else (302,)
            if status not in denied:
                problems.append(f"{url}: {status} to an anonymous visitor")
            continue
        if about_hidden and status not in (403, 404):
            problems.append(f"{url}: {status}, expected 404 (or 403)")
        if "/photo/" in url or "/miniature/" in url:
            continue
        if found := leaks(text_of(response)):
            problems.append(f"{url}: shows {found}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("reader", ["coordinator_b", "regional"])
def test_the_owner_and_the_network_see_every_channel(world, readers, reader):
    """The same routes for B's coordinator and the regional coordinator: every one
    answers, the markers are there."""
    user = readers[reader]
    shown = ""
    for kind, url, _about_hidden in channels(world):
        response = fetch(kind, user, url)
        assert response.status_code == 200, url
        if "/photo/" not in url and "/miniature/" not in url:
            shown += text_of(response)
    assert MARK in shown and all(code in shown for code in INDIVIDUALS)
    # The pond's point (its GeoJSON, the CSV) and the fence site's outline (its sheet);
    # the marsh record's point is the occurrence layer's business, not the app's.
    pond, fence = point_texts(*HIDDEN_POND_XY), point_texts(*FENCE_XY)
    for point in (pond, fence):
        assert point[0] in shown or point[1] in shown  # longitude
        assert point[2] in shown or point[3] in shown  # latitude
    assert pond[4] in shown and pond[5] in shown  # Lambert-93 (CSV)


# --- POP Amphibien -------------------------------------------------------------------
def test_pop_passages_api_hides_sensitive_lines(world, readers, taxa):
    hidden = world["hidden_passage"]
    for reader in ("partner_a", "saisie_a"):
        client = api_client(readers[reader])
        rows = rows_of(client.get(f"{API}/pop/passages/?page_size=300").json())
        assert [r["id"] for r in rows] == [world["shown_passage"].pk]
        assert {line["taxon"] for r in rows for line in r["observations"]} == {259}
        assert client.get(f"{API}/pop/passages/{hidden.pk}/").status_code == 404
        # A hidden pond's id is refused as an unknown one: the answer does not tell
        # that it exists.
        filtered = client.get(f"{API}/pop/passages/?pop_site={world['hidden_pond'].pk}")
        unknown = client.get(f"{API}/pop/passages/?pop_site=999999")
        assert filtered.status_code == unknown.status_code == 400
        assert filtered.json().keys() == unknown.json().keys() == {"pop_site"}
        assert not leaks(text_of(filtered))
    owner = api_client(readers["coordinator_b"])
    detail = owner.get(f"{API}/pop/passages/{hidden.pk}/").json()
    assert detail["comment"] == "ZHSECRET-COMMENTAIRE-PASSAGE"
    assert {line["taxon"] for line in detail["observations"]} == {139, 259}


def test_pop_pond_point_hidden(world, readers):
    hidden, shown = world["hidden_pond"], world["shown_pond"]
    for reader in ("partner_a", "saisie_a"):
        client = api_client(readers[reader])
        assert client.get(f"{API}/pop/sites/{hidden.pk}/").status_code == 404
        listing = client.get(f"{API}/pop/sites/?aire={world['shown_aire'].pk}").json()
        assert [f["id"] for f in listing["features"]] == [shown.pk]
        assert not leaks(str(listing))
    owner = api_client(readers["coordinator_b"])
    feature = owner.get(f"{API}/pop/sites/{hidden.pk}/").json()
    lon, lat = feature["geometry"]["coordinates"]
    assert f"{int(lon * 10_000) / 10_000:.4f}" in SECRET_POINTS
    assert feature["properties"]["name"] == POND_NAME


def test_pop_results_csv_hides_sensitive_rows(world, readers):
    url = reverse("zones_humides:pop_export", args=[2020, 2020])
    uuids = {str(o.occurrence.uuid) for o in world["hidden_passage"].observations.all()}
    for reader in ("partner_a", "saisie_a"):
        response = page_client(readers[reader]).get(url)
        rows = csv_rows(response)
        assert [(r["site_code"], r["nom_scientifique"]) for r in rows] == [
            ("A17-02", "Bufo bufo")
        ]
        text = text_of(page_client(readers[reader]).get(url))
        assert not leaks(text) and not any(u in text for u in uuids)
        assert "Triturus" not in text
        # The results say what the file leaves out, without naming it.
        results = page_client(readers[reader]).get(
            reverse("zones_humides:pop_results", args=[2020])
        )
        html = text_of(results)
        assert "2 données sensibles non détaillées" in html
        assert "Triturus" not in html and "Triton crêté" not in html
        assert 'data-figure="records">3<' in html  # the season keeps its total
        api = api_client(readers[reader]).get(f"{API}/pop/aires/results/?year=2020")
        body = api.json()
        assert (body["records"], body["hidden_records"], body["hidden_sites"]) == (
            3,
            2,
            1,
        )
        (aire,) = body["aires"]
        assert (aire["records"], aire["sites_visited"]) == (1, 1)
        assert [s["cd_ref"] for s in aire["species"]] == [259]
        assert [s["cd_ref"] for s in body["species"]] == [259]
    owner_rows = csv_rows(page_client(readers["coordinator_b"]).get(url))
    assert {r["nom_scientifique"] for r in owner_rows} == {
        "Triturus cristatus",
        "Bufo bufo",
    }
    assert uuids <= {r["id_sinp_occtax"] for r in owner_rows}
    secret = next(r for r in owner_rows if r["site_nom"] == POND_NAME)
    assert secret["x_l93"].startswith(str(int(HIDDEN_POND_XY[0]))[:-1])


def test_pop_aire_page_hides_sensitive_pond(world, readers):
    """The aire holding the hidden pond is left out whole (404, absent from the index);
    the other aire shows its pond and says nothing of the hidden one."""
    hidden = reverse("zones_humides:aire_detail", args=[world["aire"].pk])
    shown = reverse("zones_humides:aire_detail", args=[world["shown_aire"].pk])
    for reader in ("partner_a", "saisie_a"):
        client = page_client(readers[reader])
        assert client.get(hidden + "?annee=2020").status_code == 404
        html = text_of(client.get(shown + "?annee=2020"))
        assert "Mare du chemin" in html and "Bufo bufo" in html
        assert not leaks(html)
        assert "Triturus" not in html and "Aire des terrils" not in html
        assert 'data-testid="pop-hidden"' not in html
        index = text_of(client.get("/zones-humides/pop/?annee=2020"))
        assert "Aire du marais" in index and "Aire des terrils" not in index
    owner = text_of(page_client(readers["coordinator_b"]).get(hidden + "?annee=2020"))
    assert POND_NAME in owner and "Triturus cristatus" in owner
    assert 'data-testid="pop-hidden"' not in owner


# --- Drift fences ----------------------------------------------------------------------
def test_fence_pages_and_charts_hide_sensitive_counts(world, readers):
    fence = world["fence"]
    for reader in ("partner_a", "saisie_a"):
        api = api_client(readers[reader])
        assert rows_of(api.get(f"{API}/barrieres/").json()) == []
        assert api.get(f"{API}/barrieres/{fence.pk}/charts/").status_code == 404
        pages = page_client(readers[reader])
        assert pages.get(f"/zones-humides/barrieres/{fence.pk}/").status_code == 404
        index = text_of(pages.get("/zones-humides/"))
        assert FENCE_SITE_NAME not in index and "Marais de la Couture" in index
    owner = api_client(readers["coordinator_b"])
    charts = owner.get(f"{API}/barrieres/{fence.pk}/charts/").json()
    assert {s["label"] for s in charts["yearly_totals"]["series"]} == {
        "Triton crêté",
        "Crapaud commun",
    }


# --- Great crested newts ----------------------------------------------------------------
def test_newt_pages_hide_sensitive_captures(world, readers):
    for reader in ("partner_a", "saisie_a"):
        pages = page_client(readers[reader])
        index = text_of(pages.get("/zones-humides/tritons/"))
        assert not leaks(index) and "Aucun individu identifié" in index
        matrix = text_of(pages.get("/zones-humides/tritons/historiques-de-capture.csv"))
        assert matrix.splitlines() == ["individu"]
        capture = world["capture"].pk
        for url in (
            f"/zones-humides/tritons/captures/{capture}/photo/",
            f"/zones-humides/tritons/captures/{capture}/identifier/",
            f"/zones-humides/tritons/individus/{world['individual'].pk}/",
        ):
            assert pages.get(url).status_code == 404
    owner = page_client(readers["coordinator_b"])
    history = text_of(
        owner.get(f"/zones-humides/tritons/individus/{world['individual'].pk}/")
    )
    assert FENCE_SITE_NAME in history and "ZHSECRET-CAPTURE" in history
    assert f"Relevé de {FENCE_NAME}" in history


# --- Wetland sites ---------------------------------------------------------------------
def test_site_sheet_counts_only_placeable_species(world, readers):
    url = reverse("zones_humides:site_sheet", args=[world["marsh"].pk])
    for reader in ("partner_a", "saisie_a"):
        html = text_of(page_client(readers[reader]).get(url))
        assert "Bufo bufo" in html and "Espèces observées (1)" in html
        assert "Triturus" not in html and not leaks(html)
        assert "1 donnée sensible non détaillée" in html
    owner = text_of(page_client(readers["coordinator_b"]).get(url))
    assert "Triturus cristatus" in owner and "Espèces observées (2)" in owner
    assert 'data-testid="sheet-hidden"' not in owner


def test_hidden_wetland_site_left_out(world, readers):
    site = world["fence_site"]
    for reader in ("partner_a", "saisie_a"):
        pages = page_client(readers[reader])
        assert pages.get(f"/zones-humides/sites/{site.pk}/").status_code == 404
        layer = pages.get("/zones-humides/sites.geojson").json()
        assert [f["properties"]["name"] for f in layer["features"]] == [
            "Marais de la Couture"
        ]
        api = api_client(readers[reader]).get(f"{API}/sites/").json()
        assert {r["name"] for r in rows_of(api)} == {"Marais de la Couture"}
    owner = page_client(readers["coordinator_b"])
    assert owner.get(f"/zones-humides/sites/{site.pk}/").status_code == 200


# --- Admin -----------------------------------------------------------------------------
def test_admin_lists_only_what_the_staff_member_may_see(world, readers):
    staff = readers["saisie_a"]
    staff.is_staff = True
    staff.save()
    names = [
        "view_driftfence",
        "view_newtcapture",
        "view_newtindividual",
        "view_popaire",
        "view_popsite",
        "view_waterlevelreading",
        "view_wetlandprofile",
    ]
    staff.user_permissions.add(*Permission.objects.filter(codename__in=names))
    pages = page_client(staff)
    aire = reverse("admin:zones_humides_popaire_change", args=[world["shown_aire"].pk])
    for url in (
        reverse("admin:zones_humides_driftfence_changelist"),
        reverse("admin:zones_humides_newtcapture_changelist"),
        reverse("admin:zones_humides_newtindividual_changelist"),
        reverse("admin:zones_humides_wetlandprofile_changelist"),
        reverse("admin:zones_humides_waterlevelreading_changelist"),
        aire,
    ):
        response = pages.get(url)
        assert response.status_code == 200, url
        assert not leaks(text_of(response)), url
    hidden_fence = reverse(
        "admin:zones_humides_driftfence_change", args=[world["fence"].pk]
    )
    assert pages.get(hidden_fence).status_code == 302  # "does not exist" → index
    assert "Mare du chemin" in text_of(pages.get(aire))
