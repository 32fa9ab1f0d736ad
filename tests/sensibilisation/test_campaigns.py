"""The public campaign pages: the report form and its protections, the email
confirmation that publishes exactly one occurrence waiting for validation, the photo seen
by validators only, and the public map that shows communes, never a garden."""

import html
import io
import re
import time

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from observations.models import Occurrence, Source
from observations.services import occurrences_validate
from referentiel.models import Role
from sensibilisation.models import Report
from sensibilisation.protection import PHOTO_MAX_BYTES
from tests.factories.referentiel import UserFactory

from .conftest import jpeg_bytes, post_report

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def confirm_link(mail) -> str:
    return re.search(
        r"http://localhost:8000(/sensibilisation/confirmer/\S+/)", mail.body
    )[1]


def test_anonymous_visitors_see_the_open_campaigns(client, dragon):
    closed = type(dragon.campaign).objects.create(
        slug="ancienne",
        title="Campagne close",
        programme=dragon.campaign.programme,
        dataset=dragon.campaign.dataset,
        organisation=dragon.campaign.organisation,
        date_start=dragon.campaign.date_start,
        is_open=False,
    )
    page = client.get(reverse("sensibilisation:index")).content.decode()
    assert "Un dragon dans mon jardin" in page
    assert closed.title not in page
    assert (
        client.get(
            reverse("sensibilisation:campaign_detail", args=[closed.slug])
        ).status_code
        == 404
    )


def test_the_form_lists_the_species_by_french_and_latin_name(client, dragon):
    response = client.get(dragon.url)
    html = text(response)
    assert response.status_code == 200
    assert "Triton palmé" in html and "Lissotriton helveticus" in html
    assert "Crapaud commun" in html and "Bufo bufo" in html
    assert 'class="hp" aria-hidden="true"' in html
    assert 'name="started"' in html


def test_a_report_waits_for_its_email_confirmation(
    client, dragon, report_data, address, mailoutbox
):
    response = post_report(client, dragon.url, report_data(), address)
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.status == Report.Status.PENDING
    assert report.count == 2 and report.precision_m == 50
    assert report.client_hash and address not in report.client_hash
    assert not Occurrence.objects.exists()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["jardinier@example.org"]
    assert "Triton palmé" in mailoutbox[0].body


def test_confirmation_creates_exactly_one_pending_occurrence(
    client, dragon, report_data, address, mailoutbox
):
    post_report(client, dragon.url, report_data(), address)
    link = confirm_link(mailoutbox[0])
    # Following the link (a mail scanner does) publishes nothing; the person's click does.
    assert client.get(link).status_code == 200
    assert not Occurrence.objects.exists()
    assert client.post(link).status_code == 200
    assert client.post(link).status_code == 200  # a second click changes nothing
    occurrence = Occurrence.objects.get()
    report = Report.objects.get()
    assert report.status == Report.Status.CONFIRMED and report.occurrence == occurrence
    assert occurrence.validation_status == 0
    assert occurrence.source == Source.CAMPAGNE
    assert occurrence.programme == dragon.campaign.programme
    assert occurrence.dataset == dragon.campaign.dataset
    assert occurrence.taxon == dragon.newt.taxon
    assert (occurrence.count_min, occurrence.count_max) == (2, 2)
    assert occurrence.commune_id == dragon.commune.insee
    assert occurrence.atlas_group == dragon.amphibians
    assert "jardinier" not in occurrence.observers_label
    assert occurrence.proof_url == ""


def test_a_forged_or_tampered_link_is_refused(
    client, dragon, report_data, address, mailoutbox
):
    post_report(client, dragon.url, report_data(), address)
    link = confirm_link(mailoutbox[0])
    response = client.post(link[:-3] + "xx/")
    assert response.status_code == 400
    assert "pas valide" in text(response)
    assert not Occurrence.objects.exists()


def test_a_validator_of_amphibians_sees_it_in_the_queue_with_its_photo(
    client, dragon, report_data, address, mailoutbox, organisation, partenaire_user
):
    photo = SimpleUploadedFile("triton.jpg", jpeg_bytes((3000, 2000)), "image/jpeg")
    post_report(client, dragon.url, report_data(photo=photo), address)
    report = Report.objects.get()
    assert report.photo.name.endswith(".jpg")
    client.post(confirm_link(mailoutbox[0]))
    occurrence = Occurrence.objects.get()
    photo_url = reverse("sensibilisation:report_photo", args=[report.uuid])
    assert occurrence.proof_url == f"http://localhost:8000{photo_url}"
    assert occurrence.proof_exists == "1"

    validator = UserFactory(
        username="valideur-amphibiens",
        organisation=organisation,
        roles=[Role.VALIDATEUR],
    )
    validator.validation_groups.add(dragon.amphibians)
    assert (
        Occurrence.objects.validatable_by(validator).filter(pk=occurrence.pk).exists()
    )
    client.force_login(validator)
    queue = client.get(reverse("observations:validation_queue")).content.decode()
    assert "Triton palmé" in queue or "Lissotriton helveticus" in queue
    response = client.get(photo_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xff\xd8\xff")
    assert max(Image.open(io.BytesIO(body)).size) == 2000  # re-encoded, downscaled

    client.force_login(partenaire_user)
    assert client.get(photo_url).status_code == 403
    client.logout()
    assert client.get(photo_url).status_code == 302  # to the login page


def test_the_honeypot_refuses_silently_and_stores_nothing(
    client, dragon, report_data, address, mailoutbox
):
    response = post_report(
        client, dragon.url, report_data(site_web="http://spam.example"), address
    )
    assert response.status_code == 400
    assert "n'a pas pu être enregistré" in text(response)
    assert not Report.objects.exists() and not mailoutbox


def test_a_form_sent_back_at_once_is_not_saved_but_kept_to_send_again(
    client, dragon, report_data, address
):
    from sensibilisation.protection import form_token

    response = post_report(
        client, dragon.url, report_data(started=form_token()), address
    )
    assert response.status_code == 400
    page = text(response)
    assert "pas encore envoyé" in page
    assert not Report.objects.exists()
    # Never shown as an error of a field, nor as a link to the hidden time.
    assert "Started" not in page and 'href="#id_started"' not in page
    # Everything typed comes back, with a back-dated time: sent again, it goes through.
    html = response.content.decode()
    assert 'value="jardinier@example.org"' in html
    started = re.search(r'name="started" value="([^"]+)"', html)[1]
    response = post_report(client, dragon.url, report_data(started=started), address)
    assert response.status_code == 302
    assert Report.objects.count() == 1


def test_a_missing_or_forged_time_is_not_saved(client, dragon, report_data, address):
    response = post_report(client, dragon.url, report_data(started="abc"), address)
    assert response.status_code == 400
    assert "pas encore envoyé" in text(response)
    assert not Report.objects.exists()


def test_a_slow_person_is_never_refused(client, dragon, report_data, address):
    """WCAG 2.2.1: no time limit; a form shown a day ago is accepted."""
    from sensibilisation.protection import form_token

    started = form_token(issued_at=time.time() - 26 * 3600)
    response = post_report(client, dragon.url, report_data(started=started), address)
    assert response.status_code == 302
    assert Report.objects.count() == 1


def test_an_empty_report_lists_each_error_with_a_link_to_its_field(
    client, dragon, address
):
    from sensibilisation.protection import form_token

    started = form_token(issued_at=time.time() - 30)
    response = post_report(client, dragon.url, {"started": started}, address)
    assert response.status_code == 400
    html = response.content.decode()
    start = html.index('id="error-summary"')
    summary = html[start : html.index("</ul>", start)]
    assert 'href="#"' not in summary
    assert 'href="#id_species_0"' in summary
    assert 'href="#id_commune"' in summary  # the place, entered by keyboard
    assert 'href="#id_email"' in summary
    assert "started" not in summary.lower()
    # The species group: its message by the legend, each radio pointing to it.
    assert 'id="id_species_error"' in html
    assert re.search(
        r'<input type="radio" name="species" id="id_species_0"[^>]*aria-invalid="true"'
        r'[^>]*aria-describedby="id_species_error"',
        html,
    )
    assert 'id="id_place_error"' in html


@pytest.mark.parametrize(
    "field,value",
    [
        ("comment", "<script>alert(1)</script>"),
        ("comment", 'Voir <a href="http://spam.example">ici</a>'),
        ("address", "12 rue <b>des Tritons</b>"),
        ("comment", "&lt;b&gt;"),
    ],
)
def test_html_is_refused(client, dragon, report_data, address, field, value):
    response = post_report(client, dragon.url, report_data(**{field: value}), address)
    assert response.status_code == 400
    assert "le HTML n'est pas accepté" in text(response)
    assert not Report.objects.exists()


def test_a_photo_of_another_type_is_refused(client, dragon, report_data, address):
    fake = SimpleUploadedFile("triton.jpg", b"MZ\x90\x00 not an image", "image/jpeg")
    response = post_report(client, dragon.url, report_data(photo=fake), address)
    assert response.status_code == 400
    assert "JPEG, PNG ou WebP" in text(response)
    assert not Report.objects.exists()


def test_a_damaged_photo_is_refused(client, dragon, report_data, address):
    broken = SimpleUploadedFile("triton.jpg", jpeg_bytes()[:40], "image/jpeg")
    response = post_report(client, dragon.url, report_data(photo=broken), address)
    assert response.status_code == 400
    assert "illisible" in text(response)
    assert not Report.objects.exists()


def test_a_photo_too_large_is_refused(client, dragon, report_data, address, tmp_path):
    big = SimpleUploadedFile(
        "triton.jpg", b"\xff\xd8\xff\xe0" + b"\0" * PHOTO_MAX_BYTES, "image/jpeg"
    )
    response = post_report(client, dragon.url, report_data(photo=big), address)
    assert response.status_code == 400
    assert "dépasse 5 Mo" in text(response)
    assert not Report.objects.exists()


def test_a_future_date_and_a_place_outside_the_region_are_refused(
    client, dragon, report_data, address
):
    response = post_report(
        client, dragon.url, report_data(observed_on="2999-01-01"), address
    )
    assert "futur" in text(response)
    response = post_report(
        client, dragon.url, report_data(latitude="43.6", longitude="1.44"), address
    )
    assert "hors des Hauts-de-France" in text(response)
    response = post_report(
        client, dragon.url, report_data(latitude="", longitude=""), address
    )
    assert "Indiquez le lieu" in text(response)
    assert not Report.objects.exists()


def test_the_commune_can_replace_the_map(client, dragon, report_data, address):
    response = post_report(
        client,
        dragon.url,
        report_data(latitude="", longitude="", commune="loos-en-gohelle"),
        address,
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert dragon.commune.geom.covers(report.geom)
    assert report.precision_m == 2000


def test_a_burst_of_100_posts_is_refused_after_the_limit(
    client, dragon, report_data, address, mailoutbox
):
    statuses = [
        post_report(
            client, dragon.url, report_data(site_web="spam"), address
        ).status_code
        for _ in range(100)
    ]
    assert statuses[:5] == [400] * 5
    assert set(statuses[5:]) == {429}
    assert not Report.objects.exists() and not mailoutbox
    # Even a genuine report from that address waits for the window to pass.
    response = post_report(client, dragon.url, report_data(), address)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "depuis votre connexion : réessayez dans" in text(response)
    assert not Report.objects.exists()


def test_valid_reports_beyond_the_limit_are_not_stored(
    client, dragon, report_data, address
):
    statuses = [
        post_report(client, dragon.url, report_data(), address).status_code
        for _ in range(8)
    ]
    assert statuses == [302] * 5 + [429] * 3
    assert Report.objects.count() == 5


def test_the_public_map_shows_validated_reports_at_their_commune_only(
    client, dragon, report_data, address, mailoutbox, coordinateur_user
):
    for _ in range(2):
        post_report(client, dragon.url, report_data(), address)
    for mail in mailoutbox:
        client.post(confirm_link(mail))
    map_url = reverse("sensibilisation:campaign_map", args=[dragon.campaign.slug])
    assert client.get(map_url).json()["features"] == []  # nothing validated yet

    first, second = Occurrence.objects.order_by("pk")
    occurrences_validate(occurrences=[first], validator=coordinateur_user, status=1)
    response = client.get(map_url)
    assert response["Content-Type"] == "application/geo+json"
    features = response.json()["features"]
    assert len(features) == 1
    feature = features[0]
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert feature["properties"] == {
        "area": "Loos-en-Gohelle",
        "reports": 1,
        "species": ["Triton palmé"],
    }
    shown = GEOSGeometry(str(feature["geometry"]).replace("'", '"'), srid=4326)
    commune = dragon.commune.geom.transform(4326, clone=True)
    assert shown.equals_exact(commune, tolerance=1e-4)
    # The garden's coordinates appear nowhere in what the public gets.
    assert "50.4584" not in text(response)
    assert "2.7802" not in text(response)


def test_reports_never_confirmed_are_purged_after_a_week(
    dragon, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from tests.factories.sensibilisation import ReportFactory

    old = ReportFactory(species=dragon.newt)
    Report.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=8)
    )
    recent = ReportFactory(species=dragon.newt)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_unconfirmed_reports", stdout=io.StringIO())
    assert list(Report.objects.all()) == [recent]


def test_validators_list_the_reports_they_may_validate_with_photos(
    client, dragon, report_data, address, mailoutbox, organisation, saisie_user
):
    photo = SimpleUploadedFile("triton.jpg", jpeg_bytes(), "image/jpeg")
    post_report(client, dragon.url, report_data(photo=photo), address)
    client.post(confirm_link(mailoutbox[0]))
    report = Report.objects.get()
    validator = UserFactory(
        username="valideur-liste", organisation=organisation, roles=[Role.VALIDATEUR]
    )
    client.force_login(validator)
    list_url = reverse("sensibilisation:report_list")
    assert "Triton palmé" not in text(client.get(list_url))  # not their group yet
    validator.validation_groups.add(dragon.amphibians)
    page = text(client.get(list_url))
    assert "Triton palmé" in page
    assert reverse("sensibilisation:report_photo", args=[report.uuid]) in page
    client.force_login(saisie_user)
    assert client.get(list_url).status_code == 403
