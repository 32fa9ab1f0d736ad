"""Wetlands pages: landing page, site sheet, POP pages, passage entry, fence charts."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from observations.models import Occurrence, Source
from tests.factories.observations import OccurrenceFactory
from tests.factories.zones_humides import (
    DriftFenceFactory,
    ManagementOperationFactory,
    WaterLevelReadingFactory,
    WetlandProfileFactory,
)
from tests.observations.media_support import phone_photo
from zones_humides.models import FenceCheck, PopPassage
from zones_humides.services import fence_check_save, photo_check

pytestmark = pytest.mark.django_db


def test_pages_need_a_login(client, aire):
    for url in (
        reverse("zones_humides:index"),
        reverse("zones_humides:pop_index"),
        reverse("zones_humides:pop_results", args=[2020]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/connexion/" in response.url


def test_navigation_links_the_section(client, saisie_user):
    client.force_login(saisie_user)
    html = client.get(reverse("home")).content.decode()
    assert 'href="/zones-humides/"' in html
    # The section's own tasks show once inside it (one-line menu elsewhere).
    assert 'href="/zones-humides/pop/"' not in html
    html = client.get("/zones-humides/").content.decode()
    assert 'href="/zones-humides/pop/"' in html


def test_passage_entry_saves_species_and_publishes(
    client, saisie_user, observer, pop_sites, taxa
):
    client.force_login(saisie_user)
    url = reverse("zones_humides:passage_create", args=[pop_sites[0].pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Crapaud commun" in html and "Rien trouvé" in html
    response = client.post(
        url,
        {
            "number": "1",
            "date": "2020-03-10",
            "time_start": "14:00",
            "time_end": "15:30",
            "observers": [observer.pk],
            "expertise": "chevronne",
            "methods": ["1", "2"],
            "accessible": "on",
            "site_state": "existant",
            "sp_259": "12",
            "sp_444432": "3",
            "sp_444432_est": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    passage = PopPassage.objects.get()
    assert passage.methods == ["1", "2"]
    lines = {o.taxon_id: o for o in passage.observations.all()}
    assert lines[259].count_max == 12 and lines[444432].count_type == "Es"
    assert Occurrence.objects.filter(source=Source.ZONES_HUMIDES).count() == 2

    # A photo of a line: the aire's page links the line to its record, whose page takes
    # the photo (the line's photos are those of the occurrence it publishes).
    aire_page = client.get(
        reverse("zones_humides:aire_detail", args=[passage.pop_site.aire_id]),
        {"year": 2020},
    )
    record_url = reverse(
        "observations:occurrence_detail", args=[lines[259].occurrence.uuid]
    )
    assert f'<a href="{record_url}"' in aire_page.content.decode()
    assert 'data-testid="media-form"' in client.get(record_url).content.decode()
    photo = SimpleUploadedFile("crapaud.jpg", phone_photo(600, 400))
    added = client.post(
        reverse("observations:occurrence_media_add", args=[lines[259].occurrence.uuid]),
        {"media": [photo]},
    )
    assert added.status_code == 302
    assert lines[259].occurrence.media.get().kind == "photo"


def test_passage_entry_with_nothing_found_and_errors(
    client, saisie_user, observer, pop_sites, taxa
):
    client.force_login(saisie_user)
    url = reverse("zones_humides:passage_create", args=[pop_sites[1].pk])
    data = {
        "number": "2",
        "date": "2020-04-10",
        "observers": [observer.pk],
        "expertise": "debutant",
        "accessible": "on",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "cochez « Rien trouvé »" in refused.content.decode()
    assert client.post(url, {**data, "nothing_found": "on"}).status_code == 302
    line = PopPassage.objects.get().observations.get()
    assert not line.present and line.occurrence.observation_status == "No"


def test_partners_cannot_enter_passages(client, partenaire_user, pop_sites):
    client.force_login(partenaire_user)
    url = reverse("zones_humides:passage_create", args=[pop_sites[0].pk])
    assert client.get(url).status_code in (403, 404)


def test_results_page_and_export(client, saisie_user, aire, pop_sites):
    client.force_login(saisie_user)
    html = client.get(reverse("zones_humides:pop_results", args=[2020])).content
    assert b'data-figure="sites-visited">0<' in html
    export = client.get(reverse("zones_humides:pop_export", args=[2020, 2020]))
    assert export["Content-Type"].startswith("text/csv")
    assert "pop-amphibien-2020.csv" in export["Content-Disposition"]
    planner = client.get(reverse("zones_humides:pop_index") + "?annee=2020")
    assert b'data-status="a_faire"' in planner.content


def test_site_sheet_gathers_species_works_levels_and_prints(
    client, coordinateur_user, organisation, taxa
):
    profile = WetlandProfileFactory(site__name="Mare Jules Ferry", surface_m2=220)
    site = profile.site
    OccurrenceFactory(site=site, taxon=taxa[139], dataset__producer=organisation)
    ManagementOperationFactory(site=site, kind="creusement", cost_eur=7200)
    for level in (40, 35, 20):
        WaterLevelReadingFactory(site=site, level_cm=level)
    client.force_login(coordinateur_user)
    response = client.get(reverse("zones_humides:site_sheet", args=[site.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Triturus cristatus" in html
    assert "Creusement de mare" in html and "7200 €" in html
    assert 'id="water-level-chart"' in html and "220 m²" in html
    assert "css/zones_humides.css" in html and "data-print" in html
    listing = client.get(reverse("zones_humides:index")).content.decode()
    assert "Mare Jules Ferry" in listing


def test_fence_page_draws_its_season(client, coordinateur_user, organisation, taxa):
    fence = DriftFenceFactory(dataset__producer=organisation)
    for day, n in ((5, 3), (6, 10)):
        fence_check_save(
            user=coordinateur_user,
            fence=fence,
            fields={"date": dt.date(2020, 3, day), "temperature_c": 8},
            counts=[
                {"taxon": taxa[259], "sex": "amplexus", "alive": True, "count": n},
                {"taxon": taxa[259], "sex": "male", "alive": False, "count": 1},
            ],
        )
    assert FenceCheck.objects.count() == 2
    assert Occurrence.objects.filter(source=Source.ZONES_HUMIDES).count() == 4
    client.force_login(coordinateur_user)
    response = client.get(reverse("zones_humides:fence_detail", args=[fence.pk]))
    assert response.status_code == 200
    totals = response.context["totals"]
    assert totals["labels"] == [2020]
    assert totals["series"][0]["data"] == [26]  # couples count twice, the dead not
    arrivals = response.context["arrivals"]["series"][0]
    assert arrivals["dates"] == ["05/03"]
    assert b'id="chart-chronology"' in response.content


def test_photos_are_checked_by_their_content():
    jpeg = SimpleUploadedFile("mare.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100)
    assert photo_check(jpeg) == "image/jpeg"
    with pytest.raises(ValidationError, match="pas une photo"):
        photo_check(SimpleUploadedFile("mare.jpg", b"<html>not an image</html>"))
    big = SimpleUploadedFile(
        "mare.png", b"\x89PNG\r\n\x1a\n" + b"0" * (9 * 1024 * 1024)
    )
    with pytest.raises(ValidationError, match="trop lourde"):
        photo_check(big)


def test_aire_page_maps_its_ponds_with_a_table(client, saisie_user, aire, pop_sites):
    """The aire page's map data (WGS84) and its table: the ponds the page lists (read by
    ponds_visible_to), each with its code; the aire's outline."""
    import json

    from cpie_naturaliste.core.geo import to_api_transform

    client.force_login(saisie_user)
    response = client.get(reverse("zones_humides:aire_detail", args=[aire.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    data = json.loads(
        html.split('<script id="aire-ponds" type="application/json">')[1].split(
            "</script>"
        )[0]
    )
    features = data["ponds"]["features"]
    assert [f["properties"]["code"] for f in features] == ["A5-01", "A5-02", "A5-03"]
    for feature, site in zip(features, pop_sites, strict=True):
        point = site.geom.transform(to_api_transform(), clone=True)
        lon, lat = feature["geometry"]["coordinates"]
        # Five decimals (about a metre), rounded by PostGIS: within a unit of the fifth.
        assert abs(lon - point.x) <= 1.01e-5 and abs(lat - point.y) <= 1.01e-5
        assert 1 < lon < 5 and 48 < lat < 52
        assert feature["properties"]["anchor"] == f"site-{site.pk}"
        # The same pond in the table (its code links to its passages).
        assert f'<th scope="row"><a href="#site-{site.pk}">{site.code}</a></th>' in html
        shown = f"<td>{round(point.y, 6):.5f}</td><td>{round(point.x, 6):.5f}</td>"
        assert shown in html
    assert data["aire"]["type"] == "MultiPolygon"
    assert 'id="aire-map"' in html and "js/pop_aire_map.js" in html
    assert '<script id="map-tiles" type="application/json">' in html
