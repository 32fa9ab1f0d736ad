"""Issue 17, sensibilisation: a campaign report follows the occurrence it published, and a
reporter's personal data never leaves the structure organising the campaign.

Organisation B runs the campaign "Un dragon chez B" (its public dataset). Two reports are
validated: a palmate newt, and a great crested newt (sensitivity 2: its 10 km cell for
readers without clearance) whose report carries marker strings in every free-text field,
an e-mail address and a photo. Organisation A's partner and field staff, an anonymous
visitor, and A's validator and coordinator (outside the organising structure) read every
channel of the app; B's coordinator is the control who sees them, so the tests can fail.

Writes: actions and volunteers are changed only by their organisation's coordinators, and
an action cannot name a place hiding a record the writer may not place."""

import datetime as dt
import html
import json
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from observations.models import Source
from sensibilisation.models import Action, Report, Volunteer
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    OrganisationFactory,
    PersonFactory,
    SiteFactory,
    TaxonStatusFactory,
)
from tests.factories.sensibilisation import (
    ActionFactory,
    CampaignFactory,
    CampaignSpeciesFactory,
    ReportFactory,
    VolunteerFactory,
    amphibian_taxon,
)
from tests.no_leak import api_client, point_texts, two_organisations

from .conftest import jpeg_bytes

pytestmark = pytest.mark.django_db

EMAIL = "marqueur-7q@example.org"
MARKERS = (
    "MARQUEUR-ADRESSE-7Q",
    "MARQUEUR-COMMENTAIRE-7Q",
    "MARQUEUR-LIEU-7Q",
    "MARQUEUR-PREUVE-7Q",
    "MARQUEUR-OBSERVATEURS-7Q",
    "MARQUEUR-SITE-7Q",
    EMAIL,
)
NEWT_POINT = Point(LOOS_X + 137.3, LOOS_Y + 211.7, srid=2154)
GARDEN_POINT = Point(LOOS_X - 812.4, LOOS_Y + 433.1, srid=2154)


def _secrets(point: Point) -> list[str]:
    """The marker strings and the precise coordinates a response must not hold."""
    return [*MARKERS, *point_texts(point.x, point.y)]


@pytest.fixture
def world(db):
    CommuneFactory()
    people = two_organisations()
    org_a, org_b = people.org_a, people.org_b
    campaign = CampaignFactory(
        slug="un-dragon-chez-b", title="Un dragon chez B", organisation=org_b
    )
    palmate = CampaignSpeciesFactory(campaign=campaign)
    crested_taxon = amphibian_taxon(
        cd_nom=139, scientific_name="Triturus cristatus", vernacular_name="Triton crêté"
    )
    TaxonStatusFactory(taxon=crested_taxon, sensitivity_level=2)
    crested = CampaignSpeciesFactory(
        campaign=campaign, taxon=crested_taxon, common_name="Triton crêté"
    )
    private_site = SiteFactory(
        name=MARKERS[5], is_public=False, geom=NEWT_POINT.buffer(30)
    )

    def published(species, point, *, address="", comment="", **fields):
        occurrence = OccurrenceFactory(
            dataset=campaign.dataset,
            programme=campaign.programme,
            taxon=species.taxon,
            cited_name=species.common_name,
            geom=point,
            source=Source.CAMPAGNE,
            validation_status=1,
            comment=comment,
            **fields,
        )
        report = ReportFactory(
            species=species,
            geom=point,
            occurrence=occurrence,
            status=Report.Status.CONFIRMED,
            confirmed_at=timezone.now(),
            email=EMAIL,
            address=address,
            comment=comment,
        )
        report.photo.save("jardin.jpg", ContentFile(jpeg_bytes()))
        return report

    palmate_report = published(palmate, GARDEN_POINT)
    crested_report = published(
        crested,
        NEWT_POINT,
        address=MARKERS[0],
        comment=MARKERS[1],
        place_name=MARKERS[2],
        proof_text=MARKERS[3],
        observers_label=MARKERS[4],
        site=private_site,
    )
    assert crested_report.occurrence.sensitivity_level == 2
    action = ActionFactory(
        organisation=org_a, title="Sortie mares de A", site=private_site
    )

    people.validator_a.validation_groups.add(palmate.taxon.atlas_group)
    return SimpleNamespace(
        org_a=org_a,
        org_b=org_b,
        campaign=campaign,
        palmate_report=palmate_report,
        crested_report=crested_report,
        private_site=private_site,
        action=action,
        **people.users,
    )


def _get(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def _api(user, url):
    return api_client(user).get(url)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return ""
    return html.unescape(response.content.decode())


OUTSIDERS = ["anonymous", "partner_a", "saisie_a", "validator_a", "coordinator_a"]


@pytest.mark.parametrize("reader", OUTSIDERS)
def test_campaign_reports_hidden_from_the_reader_are_shown_blurred_or_left_out(
    client, world, reader
):
    user = getattr(world, reader)
    slug = world.campaign.slug
    forbidden = set(_secrets(world.crested_report.geom)) | set(
        _secrets(world.palmate_report.geom)
    )
    if reader in ("validator_a", "coordinator_a"):
        # They place B's public crested newt (clearance 4): the private site of A's own
        # action, its name and outline around the newt, are theirs to see
        # (test_action_sites_holding_hidden_records_are_not_named); the reporters'
        # personal data is not.
        crested = world.crested_report.geom
        forbidden -= {MARKERS[5], *point_texts(crested.x, crested.y)}
    pages = [
        reverse("sensibilisation:index"),
        reverse("sensibilisation:campaign_detail", args=[slug]),
        reverse("sensibilisation:campaign_map", args=[slug]),
        reverse("sensibilisation:report_list"),
        reverse("sensibilisation:action_list"),
        reverse("sensibilisation:action_detail", args=[world.action.pk]),
        reverse("sensibilisation:bilan", args=[2020]),
    ]
    apis = [
        "/api/v1/sensibilisation/campaigns/",
        f"/api/v1/sensibilisation/campaigns/{slug}/",
        f"/api/v1/sensibilisation/campaigns/{slug}/map/",
        "/api/v1/sensibilisation/actions/",
        f"/api/v1/sensibilisation/actions/{world.action.pk}/",
        "/api/v1/sensibilisation/actions/figures/?year=2020",
    ]
    for url in pages:
        body = _body(_get(client, user, url))
        leaks = [s for s in forbidden if s in body]
        assert not leaks, (url, leaks)
    for url in apis:
        body = _body(_api(user, url))
        leaks = [s for s in forbidden if s in body]
        assert not leaks, (url, leaks)

    # The public map: the palmate newt at its commune, the crested newt only in its
    # 10 km cell, never in the commune's count.
    features = _api(user, f"/api/v1/sensibilisation/campaigns/{slug}/map/").json()[
        "features"
    ]
    by_area = {f["properties"]["area"]: f for f in features}
    assert by_area["Loos-en-Gohelle"]["properties"]["species"] == ["Triton palmé"]
    assert by_area["Loos-en-Gohelle"]["properties"]["reports"] == 1
    cell = GEOSGeometry(json.dumps(by_area["zone floutée"]["geometry"]), srid=4326)
    assert cell.transform(2154, clone=True).area == pytest.approx(1e8, rel=1e-3)
    assert by_area["zone floutée"]["properties"]["species"] == ["Triton crêté"]


def test_reporters_personal_data_stays_in_the_organising_structure(client, world):
    photos = [
        reverse("sensibilisation:report_photo", args=[report.uuid])
        for report in (world.palmate_report, world.crested_report)
    ]
    list_url = reverse("sensibilisation:report_list")
    # A's validator validates amphibians across the network: B's palmate newt is in
    # their list (a public record they may validate), without its photo.
    page = _body(_get(client, world.validator_a, list_url))
    assert "Triton palmé" in page
    assert not any(url in page for url in photos)
    for user in (world.validator_a, world.coordinator_a, world.partner_a):
        _get(client, user, list_url)
        for url in photos:
            assert client.get(url).status_code == 403
    assert "Triton palmé" not in _body(_get(client, world.coordinator_a, list_url))
    for user in (world.partner_a, world.saisie_a):
        assert _get(client, user, list_url).status_code == 403

    # The organisers see both reports with their photos.
    page = _body(_get(client, world.coordinator_b, list_url))
    assert "Triton crêté" in page and "Triton palmé" in page
    assert all(url in page for url in photos)
    for url in photos:
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")


def test_report_list_counts_the_reports_it_leaves_out(client, world):
    """A campaign may publish into a dataset its organisers do not read (here another
    organisation's private dataset): such a report is left out of their list and counted,
    without its species, date or count."""
    org_c = OrganisationFactory(name="Organisme C")
    other = CampaignFactory(
        slug="campagne-c",
        title="Campagne publiée chez C",
        organisation=world.org_b,
        dataset=DatasetFactory(producer=org_c, is_public=False),
    )
    species = CampaignSpeciesFactory(
        campaign=other,
        taxon=amphibian_taxon(cd_nom=212, scientific_name="Hyla arborea"),
        common_name="Rainette verte",
    )
    ReportFactory(
        species=species,
        observed_on=dt.date(2020, 7, 14),
        occurrence=OccurrenceFactory(dataset=other.dataset, taxon=species.taxon),
        status=Report.Status.CONFIRMED,
        confirmed_at=timezone.now(),
    )
    page = _body(
        _get(client, world.coordinator_b, reverse("sensibilisation:report_list"))
    )
    assert "Rainette verte" not in page and "14/07/2020" not in page
    assert "1 signalement sensible non détaillé" in page
    assert "Triton crêté" in page


def test_the_admin_shows_reports_to_their_organisers_only(client, world):
    url = reverse("admin:sensibilisation_report_changelist")
    view = Permission.objects.get(codename="view_report")
    for user in (world.coordinator_a, world.coordinator_b):
        user.is_staff = True
        user.save()
        user.user_permissions.add(view)
    body = _body(_get(client, world.coordinator_a, url))
    assert "Triton crêté" not in body and "Triton palmé" not in body
    detail = reverse(
        "admin:sensibilisation_report_change", args=[world.crested_report.pk]
    )
    assert client.get(detail).status_code in (302, 404)
    body = _body(_get(client, world.coordinator_b, url))
    assert "Triton crêté" in body
    body = _body(client.get(detail))
    assert EMAIL in body and MARKERS[0] in body


def test_volunteer_export_and_erasure_stay_in_the_organisation(client, world):
    volunteer_a = VolunteerFactory(
        organisation=world.org_a,
        person=PersonFactory(organisation=world.org_a, email=EMAIL),
    )
    volunteer_b = VolunteerFactory(
        organisation=world.org_b,
        person=PersonFactory(organisation=world.org_b, email=EMAIL),
    )
    client.force_login(world.coordinator_a)
    for fmt in ("json", "csv"):
        response = client.get(
            reverse("sensibilisation:volunteer_export", args=[volunteer_a.pk, fmt])
        )
        body = response.content.decode("utf-8-sig")
        assert response.status_code == 200
        assert "Triton" not in body and MARKERS[0] not in body
        assert "Un dragon chez B" not in body
    assert client.post(
        reverse("sensibilisation:volunteer_erase", args=[volunteer_a.pk])
    ).status_code == (302)
    world.crested_report.refresh_from_db()
    assert (world.crested_report.email, world.crested_report.address) == (
        EMAIL,
        MARKERS[0],
    )

    # B's coordinator exports B's volunteer: B's reports are theirs.
    client.force_login(world.coordinator_b)
    data = client.get(
        reverse("sensibilisation:volunteer_export", args=[volunteer_b.pk, "json"])
    ).json()
    assert {r["espece"] for r in data["signalements"]} == {
        "Triton palmé",
        "Triton crêté",
    }
    assert data["signalements_non_detailles"] == 0


@pytest.mark.parametrize("reader", ["partner_a", "saisie_a"])
def test_action_sites_holding_hidden_records_are_not_named(client, world, reader):
    user = getattr(world, reader)
    for url in (
        reverse("sensibilisation:action_list"),
        reverse("sensibilisation:action_detail", args=[world.action.pk]),
    ):
        body = _body(_get(client, user, url))
        assert "Sortie mares de A" in body
        assert MARKERS[5] not in body
    detail = _api(user, f"/api/v1/sensibilisation/actions/{world.action.pk}/").json()
    assert detail["title"] == "Sortie mares de A" and detail["site"] is None
    # A's coordinator places B's public crested newt: the site is theirs to see.
    body = _body(
        _get(
            client,
            world.coordinator_a,
            reverse("sensibilisation:action_detail", args=[world.action.pk]),
        )
    )
    assert MARKERS[5] in body


def test_actions_and_volunteers_are_written_only_by_their_organisations_coordinators(
    client, world
):
    action_b = ActionFactory(organisation=world.org_b, title="Stand de B")
    volunteer_b = VolunteerFactory(organisation=world.org_b, notes="Fiche de B")
    api = APIClient()
    api.force_authenticate(world.coordinator_a)
    url = f"/api/v1/sensibilisation/actions/{action_b.pk}/"
    assert api.patch(url, {"title": "Pris"}, format="json").status_code == 404
    assert api.delete(url).status_code == 404
    client.force_login(world.coordinator_a)
    for name in ("action_update", "action_delete", "action_participants"):
        response = client.post(
            reverse(f"sensibilisation:{name}", args=[action_b.pk]), {"title": "Pris"}
        )
        assert response.status_code == 404
    for name in ("volunteer_detail", "volunteer_erase"):
        response = client.post(
            reverse(f"sensibilisation:{name}", args=[volunteer_b.pk]),
            {"last_name": "Pris", "status": "benevole"},
        )
        assert response.status_code == 404
    action_b.refresh_from_db()
    volunteer_b.refresh_from_db()
    assert action_b.title == "Stand de B" and volunteer_b.notes == "Fiche de B"
    assert Volunteer.objects.filter(pk=volunteer_b.pk).exists()

    # Field staff read their organisation's actions but change none of them.
    api.force_authenticate(world.saisie_a)
    own = f"/api/v1/sensibilisation/actions/{world.action.pk}/"
    assert api.patch(own, {"title": "Pris"}, format="json").status_code == 403
    assert api.delete(own).status_code == 403
    client.force_login(world.saisie_a)
    response = client.post(
        reverse("sensibilisation:action_delete", args=[world.action.pk])
    )
    assert response.status_code == 403
    assert Action.objects.filter(pk=world.action.pk).exists()


def test_an_action_cannot_name_a_place_hiding_a_record(client, world):
    """A's coordinator does not read B's private dataset: a private site holding one of
    its records is not offered, and naming it by id is refused."""
    hidden = SiteFactory(name="Mare privée de B", is_public=False)
    OccurrenceFactory(
        dataset=DatasetFactory(producer=world.org_b, is_public=False), site=hidden
    )
    api = APIClient()
    api.force_authenticate(world.coordinator_a)
    payload = {
        "kind": "sortie",
        "title": "Sortie vers la mare",
        "date_start": "2020-06-01",
        "action_line": 1,
        "site": hidden.pk,
    }
    response = api.post("/api/v1/sensibilisation/actions/", payload, format="json")
    assert response.status_code == 400 and "site" in response.json()
    assert not Action.objects.filter(title="Sortie vers la mare").exists()
    client.force_login(world.coordinator_a)
    page = _body(client.get(reverse("sensibilisation:action_create")))
    assert "Mare privée de B" not in page
    assert world.private_site.name in page  # B's public record: A places it
    payload["site"] = world.private_site.pk
    response = api.post("/api/v1/sensibilisation/actions/", payload, format="json")
    assert response.status_code == 201
