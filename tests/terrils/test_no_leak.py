"""Issue 17, terrils: nothing hidden escapes through a terril page or the terrils API.

Organisation B evaluates terril 108 in 2020 (its public dataset): a lark and a crow, and
between them in the named order an eagle owl (Bubo bubo, sensitivity 2: its 10 km cell for
readers without clearance) with marker strings in every free-text field; a greater
mouse-eared bat (sensitivity 2) recorded 1.9 km away, whose 10 km cell overlaps the terril.
Organisation A's partner and field staff read B's public dataset, the owl and the bat only
blurred; anonymous visitors are sent to the login page (pages) or refused (API). B's
coordinator reads everything precisely: the same pages name the owl for them, so each test
can fail.

Writes: records, habitats and the state zero are changed only inside the writer's
organisation's datasets (terrils.permissions, referentiel.permissions)."""

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from observations.models import Occurrence
from terrils.models import (
    Campaign,
    CampaignRecord,
    GroupCode,
    HabitatObservation,
    Score,
    StateZeroTaxon,
)
from terrils.services import scores_recompute
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    DatasetFactory,
    TaxonFactory,
    TaxonStatusFactory,
)
from tests.factories.terrils import (
    CampaignFactory,
    MethodGroupFactory,
    MethodVersionFactory,
    PatrimonialHabitatFactory,
    PatrimonialSpeciesFactory,
    TerrilFactory,
)
from tests.no_leak import api_client, point_texts, two_organisations

pytestmark = pytest.mark.django_db

MARKERS = (
    "MARQUEUR-LIEU-7Q",
    "MARQUEUR-COMMENTAIRE-7Q",
    "MARQUEUR-PREUVE-7Q",
    "MARQUEUR-VALIDATION-7Q",
    "MARQUEUR-OBSERVATEURS-7Q",
    "MARQUEUR-NOM-CITE-7Q",
)
OWL_POINT = Point(LOOS_X + 187.3, LOOS_Y + 261.8, srid=2154)
INSIDE = Point(LOOS_X + 300, LOOS_Y + 120, srid=2154)
# Same 10 km cell as the terril (680–690 km E, 7040–7050 km N), outside its polygon.
BAT_POINT = Point(LOOS_X + 1900, LOOS_Y + 2300, srid=2154)
OWL_NAMES = ("Bubo bubo", "Hibou grand-duc")
BAT_NAMES = ("Myotis myotis", "Grand Murin")
# Owl: R (6) + EN (6); lark AC (3); crow CC (1).
TOTAL = Decimal("16.00")
HIDDEN_LINE = "Données sensibles : 12 points"


def _secrets(point: Point) -> list[str]:
    """The marker strings and the precise coordinates a response must not hold."""
    return [*MARKERS, *point_texts(point.x, point.y)]


@pytest.fixture
def world(db):
    people = two_organisations()
    org_a, org_b = people.org_a, people.org_b
    dataset_a = DatasetFactory(producer=org_a, title="Terrils A")
    dataset_b = DatasetFactory(producer=org_b, title="Terrils B", is_public=True)
    version = MethodVersionFactory(code="v1", is_current=True)
    birds = MethodGroupFactory(
        version=version, code=GroupCode.BREEDING_BIRDS, period_start=3, period_end=7
    )
    habitats = MethodGroupFactory(version=version, code=GroupCode.HABITATS)
    PatrimonialHabitatFactory(group=habitats, code="E1.2", rarity="R")
    lark = TaxonFactory(
        cd_nom=3676,
        scientific_name="Alauda arvensis",
        vernacular_name="Alouette des champs",
    )
    owl = TaxonFactory(
        cd_nom=3493, scientific_name="Bubo bubo", vernacular_name="Hibou grand-duc"
    )
    crow = TaxonFactory(
        cd_nom=4503, scientific_name="Corvus corone", vernacular_name="Corneille noire"
    )
    bat = TaxonFactory(
        cd_nom=60418, scientific_name="Myotis myotis", vernacular_name="Grand Murin"
    )
    TaxonStatusFactory(taxon=owl, sensitivity_level=2)
    TaxonStatusFactory(taxon=bat, sensitivity_level=2)
    PatrimonialSpeciesFactory(group=birds, taxon=lark, rarity="AC")
    PatrimonialSpeciesFactory(group=birds, taxon=owl, rarity="R", threat="EN")
    PatrimonialSpeciesFactory(group=birds, taxon=crow, rarity="CC")
    terril = TerrilFactory(number="108", name="Terril d'Ostricourt")
    campaign = CampaignFactory(terril=terril, year=2020, dataset=dataset_b)
    state_zero = CampaignFactory(
        terril=terril,
        kind=Campaign.Kind.STATE_ZERO,
        year=2008,
        date_start=dt.date(2005, 1, 1),
        date_end=dt.date(2012, 12, 31),
        dataset=dataset_b,
    )
    for taxon in (lark, owl):
        StateZeroTaxon.objects.create(
            campaign=state_zero, group=GroupCode.BREEDING_BIRDS, taxon=taxon
        )
    common = {"dataset": dataset_b, "validation_status": 1}
    lark_record = OccurrenceFactory(
        taxon=lark, geom=INSIDE, date_start=dt.date(2020, 5, 2), **common
    )
    owl_record = OccurrenceFactory(
        taxon=owl,
        geom=OWL_POINT,
        date_start=dt.date(2020, 4, 12),
        place_name=MARKERS[0],
        comment=MARKERS[1],
        proof_text=MARKERS[2],
        validation_comment=MARKERS[3],
        observers_label=MARKERS[4],
        cited_name=MARKERS[5],
        **common,
    )
    OccurrenceFactory(taxon=crow, geom=INSIDE, date_start=dt.date(2020, 6, 2), **common)
    OccurrenceFactory(
        taxon=bat, geom=BAT_POINT, date_start=dt.date(2020, 6, 20), **common
    )
    for record in (lark_record, owl_record):
        CampaignRecord.objects.create(
            campaign=campaign, group=GroupCode.BREEDING_BIRDS, occurrence=record
        )
    assert owl_record.sensitivity_level == 2 and owl_record.blurred_geom is not None
    scores_recompute()

    return SimpleNamespace(
        org_a=org_a,
        org_b=org_b,
        dataset_a=dataset_a,
        dataset_b=dataset_b,
        version=version,
        terril=terril,
        campaign=campaign,
        state_zero=state_zero,
        owl_record=owl_record,
        **people.users,
    )


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _api(user, url):
    response = api_client(user).get(url)
    assert response.status_code == 200, url
    return response


def _hidden_row(page: str) -> str:
    """The text of the breakdown's "Données sensibles" row."""
    table = page[page.index('id="score-lines"') :]
    rows = re.findall(r"<tr data-hidden>(.*?)</tr>", table, flags=re.S)
    assert len(rows) == 1
    return re.sub(r"<[^>]+>", " ", rows[0]).split()


def _campaign_url(campaign) -> str:
    return reverse("terrils:campaign_detail", args=[campaign.pk]) + "?version=v1"


@pytest.mark.parametrize("reader", ["partner_a", "saisie_a"])
def test_score_breakdown_groups_hidden_species_in_one_line(client, world, reader):
    user = getattr(world, reader)
    named_order = ["Alouette des champs (Alauda arvensis)", "Corneille noire"]

    # The campaign page: same total, the owl folded into one last line without group,
    # class or position; the birds' sub-score counts the named lines only (3 + 1).
    page = _page(client, user, _campaign_url(world.campaign))
    assert not any(name in page for name in OWL_NAMES)
    assert re.search(r"data-total>16<", page)
    assert page.count("Données sensibles : ") == 1
    assert _hidden_row(page) == ["Données", "sensibles", ":", "12", "points", "12"]
    lines = page[page.index('id="score-lines"') :]
    positions = [lines.index(label) for label in named_order]
    assert positions == sorted(positions)
    assert lines.index("Données sensibles") > positions[-1]
    birds = re.search(r'<tr data-group="oiseaux_nicheurs">(.*?)</tr>', page, re.S)
    assert re.sub(r"<[^>]+>", " ", birds[1]).split() == [
        "Oiseaux",
        "nicheurs",
        "4",
        "1",
        "4",
    ]

    # The API, list and detail: the same breakdown.
    listed = _api(user, "/api/v1/terrils/scores/?year=2020&version=v1").json()
    (row,) = listed["results"]
    detail = _api(user, f"/api/v1/terrils/scores/{row['id']}/").json()
    for data in (row, detail):
        assert Decimal(data["total"]) == TOTAL
        labels = [line["label"] for line in data["lines"]]
        assert labels == [
            "Alouette des champs (Alauda arvensis)",
            "Corneille noire (Corvus corone)",
            HIDDEN_LINE,
        ]
        hidden = data["lines"][-1]
        assert hidden["hidden"] is True
        assert (
            hidden["group"],
            hidden["taxon"],
            hidden["rarity"],
            hidden["threat"],
        ) == (
            "",
            None,
            "",
            "",
        )
        assert hidden["rarity_points"] is None and hidden["threat_points"] is None
        assert Decimal(hidden["points"]) == 12
        assert not any(line["taxon"] == 3493 for line in data["lines"])
        weighted = sum(Decimal(g["weighted"]) for g in data["groups"])
        assert weighted + Decimal(hidden["points"]) == TOTAL
        birds = next(g for g in data["groups"] if g["group"] == "oiseaux_nicheurs")
        assert Decimal(birds["raw"]) == 4
        assert not any(name in str(data) for name in OWL_NAMES)

    # The state zero has no record behind its list: the owl is hidden there too.
    page = _page(client, user, _campaign_url(world.state_zero))
    assert not any(name in page for name in OWL_NAMES)
    assert "Alauda arvensis" in page and "Données sensibles : 12 points" in page

    # Who may see the owl precisely sees it named, between the two others, as before.
    page = _page(client, world.coordinator_b, _campaign_url(world.campaign))
    assert "Données sensibles" not in page
    lines = page[page.index('id="score-lines"') :]
    positions = [
        lines.index(label)
        for label in ("Alauda arvensis", "Hibou grand-duc (Bubo bubo)", "Corneille")
    ]
    assert positions == sorted(positions)
    data = _api(world.coordinator_b, f"/api/v1/terrils/scores/{row['id']}/").json()
    assert Decimal(data["total"]) == TOTAL
    assert [line["label"] for line in data["lines"]] == [
        "Alouette des champs (Alauda arvensis)",
        "Hibou grand-duc (Bubo bubo)",
        "Corneille noire (Corvus corone)",
    ]
    assert not any(line["hidden"] for line in data["lines"])
    assert "Hibou grand-duc" in _page(
        client, world.coordinator_b, _campaign_url(world.state_zero)
    )


@pytest.mark.parametrize("reader", ["partner_a", "saisie_a"])
def test_terril_species_list_counts_only_placeable_records(client, world, reader):
    url = reverse("terrils:terril_detail", args=["108"])
    page = _page(client, getattr(world, reader), url)
    # The bat's 10 km cell overlaps the terril: it is not a species of the terril, and
    # the owl is not placed on it either; both are counted, nothing else said of them.
    assert not any(name in page for name in BAT_NAMES + OWL_NAMES)
    assert "Espèces observées sur le terril (2)" in page
    assert "Alauda arvensis" in page and "Corvus corone" in page
    note = re.search(r"<p class=\"muted\" data-not-shown>(.*?)</p>", page, re.S)[1]
    assert note.startswith("2 données floutées pour vous")
    assert "dont la zone (commune, maille 10 km ou département) recouvre" in note

    page = _page(client, world.coordinator_b, url)
    assert "Bubo bubo" in page
    assert "Myotis myotis" not in page  # precise for B: outside the polygon
    assert "Espèces observées sur le terril (3)" in page
    assert "data-not-shown" not in page


def _channels(world) -> tuple[list[str], list[str]]:
    campaign, zero = world.campaign, world.state_zero
    pages = [
        reverse("terrils:index"),
        reverse("terrils:terril_detail", args=["108"]),
        _campaign_url(campaign),
        _campaign_url(zero),
        reverse("terrils:ranking") + "?annee=2020&version=v1",
    ]
    score = Score.objects.get(campaign=campaign, version=world.version)
    apis = [
        "/api/v1/terrils/",
        "/api/v1/terrils/?year=2020&version=v1",
        "/api/v1/terrils/108/",
        "/api/v1/terrils/scores/",
        f"/api/v1/terrils/scores/{score.pk}/",
        "/api/v1/terrils/classement/?year=2020&version=v1",
    ]
    return pages, apis


@pytest.mark.parametrize("reader", ["anonymous", "partner_a", "saisie_a"])
def test_no_terril_channel_places_the_hidden_records(client, world, reader):
    pages, apis = _channels(world)
    forbidden = [*_secrets(world.owl_record.geom), *OWL_NAMES, *BAT_NAMES]
    for url in pages:
        if reader == "anonymous":
            assert client.get(url).status_code == 302
            continue
        body = _page(client, getattr(world, reader), url)
        leaks = [s for s in forbidden if s in body]
        assert not leaks, (url, leaks)
    for url in apis:
        api = APIClient()
        if reader == "anonymous":
            assert api.get(url).status_code in (401, 403)
            continue
        body = _api(getattr(world, reader), url).content.decode()
        leaks = [s for s in forbidden if s in body]
        assert not leaks, (url, leaks)
    if reader == "anonymous":
        return
    user = getattr(world, reader)
    # The registry and the totals stay: the terril is public, the score is everyone's.
    sheet = _page(client, user, reverse("terrils:terril_detail", args=["108"]))
    assert "Terril d&#x27;Ostricourt" in sheet or "Terril d'Ostricourt" in sheet
    assert '"total": 16.0' in sheet  # the evolution chart's JSON
    # The state-zero comparison names neither the owl gained nor kept.
    assert "1 espèce sensible non détaillée" in sheet
    ranking = _api(user, "/api/v1/terrils/classement/?year=2020&version=v1").json()
    assert Decimal(ranking["results"][0]["total"]) == TOTAL
    feature = _api(user, "/api/v1/terrils/?year=2020&version=v1").json()["features"][0]
    assert feature["properties"]["score"] == 16.0
    # The campaign's entry list counts the owl's record without describing it.
    page = _page(client, user, _campaign_url(world.campaign))
    assert (
        "1 donnée saisie depuis cette page et 1 donnée sensible non détaillée" in page
    )


def test_who_may_place_the_owl_sees_it_on_every_channel(client, world):
    """The control of the test above: B's coordinator reads the owl precisely."""
    user = world.coordinator_b
    sheet = _page(client, user, reverse("terrils:terril_detail", args=["108"]))
    assert "Bubo bubo" in sheet and "non détaillée" not in sheet
    page = _page(client, user, _campaign_url(world.campaign))
    assert "Hibou grand-duc (Bubo bubo)" in page
    assert "2 données saisies depuis cette page ;" in page
    scores = _api(user, "/api/v1/terrils/scores/").content.decode()
    assert "Hibou grand-duc (Bubo bubo)" in scores


def _record_post(**extra):
    return {
        "action": "record",
        "group": "oiseaux_nicheurs",
        "species": "Alauda arvensis",
        "date": "2020-05-20",
        "count": "2",
        **extra,
    }


def test_records_and_habitats_are_entered_only_in_the_organisations_datasets(
    client, world
):
    url = _campaign_url(world.campaign)
    before = Occurrence.objects.count()
    for user in (world.saisie_a, world.coordinator_a, world.partner_a):
        client.force_login(user)
        assert client.post(url, _record_post()).status_code == 403
        assert client.post(url, {"action": "habitat", "code": "E1.2"}).status_code == (
            403
        )
        page = client.get(url).content.decode()
        assert 'id="record-form"' not in page
    assert Occurrence.objects.count() == before
    assert not HabitatObservation.objects.exists()

    # B's field staff enter a record and a new habitat in B's campaign.
    client.force_login(world.saisie_b)
    assert client.post(url, _record_post()).status_code == 302
    assert Occurrence.objects.count() == before + 1
    assert (
        client.post(url, {"action": "habitat", "code": "E1.2", "surface_m2": "40"})
    ).status_code == 302
    habitat = HabitatObservation.objects.get()
    # A habitat has no author: once entered, B's coordinators change it, not its staff.
    response = client.post(
        url, {"action": "habitat", "code": "E1.2", "surface_m2": "9"}
    )
    assert response.status_code == 403
    habitat.refresh_from_db()
    assert habitat.surface_m2 == 40
    client.force_login(world.coordinator_b)
    client.post(url, {"action": "habitat", "code": "E1.2", "surface_m2": "9"})
    habitat.refresh_from_db()
    assert habitat.surface_m2 == 9


def test_state_zero_is_replaced_only_in_the_organisations_datasets(client, world):
    url = reverse("terrils:state_zero_import")
    content = b"terril;groupe;espece\n108;oiseaux nicheurs;Corvus corone\n"
    before = sorted(world.state_zero.state_zero_taxa.values_list("taxon_id", flat=True))

    client.force_login(world.coordinator_a)
    # B's dataset is not among A's choices; A's dataset does not reach B's state zero.
    response = client.post(
        url,
        {"file": SimpleUploadedFile("z.csv", content), "dataset": world.dataset_b.pk},
    )
    assert response.status_code == 200 and "dataset" in response.context["form"].errors
    response = client.post(
        url,
        {"file": SimpleUploadedFile("z.csv", content), "dataset": world.dataset_a.pk},
    )
    assert response.status_code == 200
    assert "appartient à un jeu de données d&#x27;un autre organisme" in (
        response.content.decode()
    )
    world.state_zero.refresh_from_db()
    assert world.state_zero.dataset == world.dataset_b
    assert (
        sorted(world.state_zero.state_zero_taxa.values_list("taxon_id", flat=True))
        == before
    )
    client.force_login(world.saisie_b)
    assert client.get(url).status_code == 403

    client.force_login(world.coordinator_b)
    response = client.post(
        url,
        {"file": SimpleUploadedFile("z.csv", content), "dataset": world.dataset_b.pk},
    )
    assert response.status_code == 302
    assert list(
        world.state_zero.state_zero_taxa.values_list("taxon_id", flat=True)
    ) == [4503]


def test_campaign_rows_follow_the_campaigns_dataset(client, world):
    """Visits, habitats (and their score lines) are rows of the campaign's dataset: a
    reader who does not read it sees none of them; species lines still follow the
    records of the terril the reader places."""
    private = DatasetFactory(producer=world.org_b, title="Privé B")
    world.campaign.dataset = private
    world.campaign.save()
    world.campaign.visits.create(
        group=GroupCode.BREEDING_BIRDS, date=dt.date(2020, 4, 1), observers="Équipe B"
    )
    HabitatObservation.objects.create(
        campaign=world.campaign, code="E1.2", name="Pelouses calcicoles vivaces"
    )
    scores_recompute()
    url = _campaign_url(world.campaign)
    page = _page(client, world.partner_a, url)
    assert "Pelouses calcicoles" not in page and "Équipe B" not in page
    # Owl (12) + habitat R (6) in the one hidden line; the lark and crow stay named.
    assert "Données sensibles : 18 points" in page
    assert "Alauda arvensis" in page and "Corvus corone" in page
    page = _page(client, world.coordinator_b, url)
    assert "Pelouses calcicoles" in page and "Équipe B" in page
    assert "Données sensibles" not in page
