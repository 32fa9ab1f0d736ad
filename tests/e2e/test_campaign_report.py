"""A citizen-science report in headless Chromium on a phone: an anonymous visitor opens
"Un dragon dans mon jardin", picks the palmate newt, uses their position, adds a photo and
sends the report; they confirm it from the link of the email; a validator of amphibians
then finds it in the validation queue and sees its photo.

DJANGO_ALLOW_ASYNC_UNSAFE is set by the ``browser`` fixture (tests/e2e/conftest.py)."""

import io
import re

import pytest
from PIL import Image

from observations.models import Occurrence, Source
from referentiel.models import AtlasGroup, Role
from sensibilisation import protection
from sensibilisation.models import Report
from tests.factories.referentiel import CommuneFactory, OrganisationFactory, UserFactory
from tests.factories.sensibilisation import CampaignFactory, CampaignSpeciesFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "motdepasse-de-test"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def campaign(monkeypatch, settings):
    # The real limits count per address over 10 minutes and 127.0.0.1 is shared by
    # every browser test of the run; the time check is shortened for a quick robot.
    settings.SENSIBILISATION_RATE_LIMITS = ((1000, 600),)
    monkeypatch.setattr(protection, "MIN_FILL_SECONDS", 1)
    cpie = OrganisationFactory(name="CPIE Chaîne des Terrils", short_name="CPIE CdT")
    CommuneFactory()
    campaign = CampaignFactory(organisation=cpie)
    CampaignSpeciesFactory(campaign=campaign, hint="Petit triton brun des mares.")
    validator = UserFactory(
        username="antoine",
        first_name="Antoine",
        last_name="Lemaire",
        organisation=cpie,
        roles=[Role.VALIDATEUR],
    )
    validator.validation_groups.add(AtlasGroup.objects.get(code="amphibiens"))
    return campaign


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (60, 110, 50)).save(out, format="JPEG")
    return out.getvalue()


def test_an_anonymous_visitor_reports_a_garden_newt_from_a_phone(
    live_server, page, campaign, mailoutbox
):
    base = live_server.url
    page.set_viewport_size(PHONE)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation(
        {"latitude": 50.4584, "longitude": 2.7802, "accuracy": 20}
    )

    page.goto(f"{base}/sensibilisation/")
    page.get_by_role("link", name="Un dragon dans mon jardin").click()
    page.wait_for_url(f"{base}/sensibilisation/campagnes/{campaign.slug}/")
    page.wait_for_function(
        "document.querySelectorAll('#report-map .leaflet-outline-pane path').length"
        " === 5"
    )
    form = page.get_by_test_id("report-form")
    form.get_by_text("Triton palmé").click()
    assert form.get_by_role("radio").first.is_checked()
    assert form.get_by_text("Lissotriton helveticus").is_visible()
    form.get_by_label("Date de l'observation").fill("2020-04-02")
    form.get_by_role("button", name="Utiliser ma position").click()
    page.wait_for_function(
        "document.getElementById('id_latitude').value === '50.458400'"
    )
    assert "votre position" in page.locator("#place-status").inner_text()
    form.get_by_label("Nombre d'individus").fill("2")
    form.get_by_label(re.compile("^Photo")).set_input_files(
        files=[{"name": "triton.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
    )
    form.get_by_label("Votre courriel").fill("jardinier@example.org")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "le formulaire déborde sur un téléphone"
    page.wait_for_timeout(1100)  # the time check: a person takes a moment
    form.get_by_role("button", name="Envoyer le signalement").click()
    page.wait_for_url(f"{base}/sensibilisation/campagnes/{campaign.slug}/envoye/")
    assert "Ouvrez le courriel" in page.get_by_test_id("report-sent").inner_text()
    assert not Occurrence.objects.exists()

    # The email's link, then the person's click, publish the report.
    (mail,) = mailoutbox
    link = re.search(r"(http://\S+/sensibilisation/confirmer/\S+/)", mail.body)[1]
    page.goto(link)
    page.get_by_role("button", name="Je confirme mon signalement").click()
    assert "est confirmé" in page.get_by_test_id("report-confirmed").inner_text()
    occurrence = Occurrence.objects.get()
    assert occurrence.source == Source.CAMPAGNE and occurrence.validation_status == 0
    report = Report.objects.get()
    assert report.occurrence == occurrence and report.photo

    # A validator of amphibians finds it in the queue and opens its photo.
    page.goto(f"{base}/connexion/?next=/observations/validation/")
    page.get_by_label("Identifiant").fill("antoine")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/observations/validation/")
    row = page.locator(f"tr[data-uuid='{occurrence.uuid}']")
    assert (
        "Lissotriton helveticus" in row.inner_text()
        or "Triton palmé" in row.inner_text()
    )
    response = page.request.get(occurrence.proof_url)
    assert response.ok and response.headers["content-type"] == "image/jpeg"

    assert page.errors == []
    assert page.failed_requests == []
