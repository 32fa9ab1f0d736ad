"""Photos and sounds of a record (issue 19): sent with the entry form or added on the
record's page or through the API, shown as thumbnails on the record and in the validation
queue, served without EXIF and only to readers who place the record."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from observations.exports.columns import export_values
from observations.models import Occurrence, OccurrenceMedia
from observations.services import media_check, occurrence_media_add
from referentiel.models import SensitivityRule
from tests.factories.referentiel import DatasetFactory
from tests.observations.entry_support import entry_data
from tests.observations.media_support import (
    DESCRIPTION,
    EXE,
    LAT,
    LON,
    TEXT,
    phone_photo,
    wav_sound,
)

from .support import CREATE, QUEUE, created, detail_url

pytestmark = pytest.mark.django_db


def photo(name="IMG_0001.jpg", **kwargs):
    return SimpleUploadedFile(name, phone_photo(**kwargs), content_type="image/jpeg")


def attach(occurrence, user, *files):
    return occurrence_media_add(
        occurrence=occurrence, user=user, media=media_check(files)
    )


def media_url(media, thumbnail=False):
    name = "observations:media_thumbnail" if thumbnail else "observations:media_file"
    return reverse(name, args=[media.uuid])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_entry_with_photos_and_a_sound(client, saisie_user, claire, own_dataset, frog):
    client.force_login(saisie_user)
    data = entry_data(frog, own_dataset, [claire])
    data["media"] = [
        photo(),
        photo("IMG_0002.jpg", width=800, height=1200),
        SimpleUploadedFile("pipistrelle.wav", wav_sound(), content_type="audio/wav"),
    ]
    response = client.post(CREATE, data)
    occurrence = Occurrence.objects.get()
    assert response.status_code == 302
    media = list(occurrence.media.order_by("id"))
    assert [m.kind for m in media] == ["photo", "photo", "son"]
    assert media[0].taken_at.year == 2021 and media[0].created_by == saisie_user

    page = client.get(detail_url(occurrence)).content.decode()
    assert media_url(media[0], thumbnail=True) in page
    assert f'<audio controls preload="none" src="{media_url(media[2])}"' in page

    served = client.get(media_url(media[0]))
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    content = body(served)
    with Image.open(io.BytesIO(content)) as image:
        assert max(image.size) == 2048 and not image.getexif()
    assert DESCRIPTION.encode() not in content
    assert body(client.get(media_url(media[2]))).startswith(b"RIFF")
    assert client.get(media_url(media[2], thumbnail=True)).status_code == 404


def test_refused_file_keeps_the_form_and_saves_nothing(
    client, saisie_user, claire, own_dataset, frog
):
    client.force_login(saisie_user)
    for data, name in ((EXE, "photo.jpg"), (TEXT, "chant.mp3")):
        form = entry_data(frog, own_dataset, [claire])
        form["media"] = [photo(), SimpleUploadedFile(name, data)]
        response = client.post(CREATE, form)
        assert response.status_code == 200
        errors = response.context["form"].errors["media"]
        assert f"« {name} »" in errors[0] and "ni une photo" in errors[0]
        html = response.content.decode()
        assert 'href="#field-media"' in html  # the summary links to the field
    assert not Occurrence.objects.exists() and not OccurrenceMedia.objects.exists()


def test_entry_form_offers_the_camera(client, saisie_user, own_dataset):
    client.force_login(saisie_user)
    html = client.get(CREATE).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'accept="image/*,audio/*"' in html and 'capture="environment"' in html
    assert "multiple" in html and "js/media_field.js" in html


def test_exif_endpoint_proposes_date_and_position(client, saisie_user):
    client.force_login(saisie_user)
    url = reverse("observations:media_exif")
    answer = client.post(url, {"file": photo()}).json()
    assert answer["date"] == "2021-04-02" and answer["time"] == "08:30"
    assert answer["latitude"] == pytest.approx(LAT, abs=1e-5)
    assert answer["longitude"] == pytest.approx(LON, abs=1e-5)
    refused = client.post(url, {"file": SimpleUploadedFile("x.jpg", EXE)})
    assert refused.status_code == 400 and "ni une photo" in refused.json()["error"]
    assert not OccurrenceMedia.objects.exists()


def test_sensitive_record_keeps_its_photos_from_a_blurred_reader(
    client, saisie_user, partenaire_user, organisation, frog
):
    SensitivityRule.objects.create(taxon=frog, level=2)
    public = DatasetFactory(producer=organisation, is_public=True)
    record = created(saisie_user, frog, public, validation_status=1)
    Occurrence.objects.filter(pk=record.pk).update(validation_status=1)
    record.refresh_from_db()
    assert record.sensitivity_level == 2
    (media,) = attach(record, saisie_user, photo())

    client.force_login(partenaire_user)  # another organisation: reads it blurred
    page = client.get(detail_url(record))
    assert page.status_code == 200
    assert str(media.uuid) not in page.content.decode()
    assert client.get(media_url(media)).status_code == 404
    assert client.get(media_url(media, thumbnail=True)).status_code == 404
    api = APIClient()
    api.force_authenticate(partenaire_user)
    detail = api.get(reverse("occurrence-detail", args=[record.uuid])).json()
    assert detail["blurred"] is True and detail["media"] == []
    client.logout()
    assert client.get(media_url(media)).status_code == 404  # nor an anonymous visitor

    client.force_login(saisie_user)  # its author places it
    assert client.get(media_url(media)).status_code == 200


def test_a_plain_public_record_shares_its_photo(
    client, saisie_user, partenaire_user, organisation, frog
):
    public = DatasetFactory(producer=organisation, is_public=True)
    record = created(saisie_user, frog, public)
    Occurrence.objects.filter(pk=record.pk).update(validation_status=1)
    (media,) = attach(record, saisie_user, photo())
    client.force_login(partenaire_user)
    assert client.get(media_url(media, thumbnail=True)).status_code == 200


def test_validators_see_the_photo_in_the_queue(
    client, saisie_user, own_dataset, frog, frog_validator
):
    record = created(saisie_user, frog, own_dataset)
    (media,) = attach(record, saisie_user, photo())
    created(saisie_user, frog, own_dataset)  # another, without photo
    client.force_login(frog_validator)
    html = client.get(QUEUE).content.decode()
    assert html.count('data-testid="media-thumbnail"') == 1
    assert f'src="{media_url(media, thumbnail=True)}"' in html
    assert client.get(media_url(media)).status_code == 200


def test_photos_added_on_the_record_page(client, saisie_user, own_dataset, frog):
    record = created(saisie_user, frog, own_dataset)
    client.force_login(saisie_user)
    url = reverse("observations:occurrence_media_add", args=[record.uuid])
    assert 'data-testid="media-form"' in client.get(detail_url(record)).content.decode()
    response = client.post(url, {"media": [photo()]})
    assert response.status_code == 302 and record.media.count() == 1
    response = client.post(url, {"media": [SimpleUploadedFile("a.jpg", TEXT)]})
    assert response.status_code == 400 and record.media.count() == 1


def test_api_upload(saisie_user, validateur_user, partenaire_user, own_dataset, frog):
    record = created(saisie_user, frog, own_dataset)
    url = reverse("occurrence-photos", args=[record.uuid])
    api = APIClient()
    api.force_authenticate(saisie_user)
    response = api.post(
        url,
        {"file": [photo(), SimpleUploadedFile("s.wav", wav_sound())]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    kinds = [item["kind"] for item in response.json()]
    assert kinds == ["photo", "son"]
    detail = api.get(reverse("occurrence-detail", args=[record.uuid])).json()
    urls = [item["url"] for item in detail["media"]]
    assert urls == [item["url"] for item in response.json()]
    assert urls[0].startswith("http://testserver/observations/medias/")
    assert detail["media"][0]["thumbnail_url"].endswith("/miniature/")

    refused = api.post(url, {"file": [SimpleUploadedFile("x.jpg", EXE)]})
    assert refused.status_code == 400 and "ni une photo" in str(refused.json())

    # A validator of the organisation reads the record but may not change it; a partner
    # does not read it at all.
    api.force_authenticate(validateur_user)
    assert api.post(url, {"file": [photo()]}).status_code == 403
    api.force_authenticate(partenaire_user)
    assert api.post(url, {"file": [photo()]}).status_code in (403, 404)
    assert record.media.count() == 2


def test_deleting_the_record_deletes_its_files(
    saisie_user, own_dataset, frog, django_capture_on_commit_callbacks
):
    record = created(saisie_user, frog, own_dataset)
    (media,) = attach(record, saisie_user, photo())
    storage, names = media.file.storage, [media.file.name, media.thumbnail.name]
    assert all(storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        record.delete()
    assert not any(storage.exists(name) for name in names)


def test_a_photo_is_the_records_digital_proof_in_the_exports(
    settings, saisie_user, partenaire_user, organisation, frog
):
    """SINP PREUVE_EXIST becomes "1" (Oui) with the first photo; the exports' digital
    proof URL is the photo as the site serves it, for a reader who places the record,
    and nothing for one who reads it blurred; a URL typed on the record stays first."""
    settings.SITE_URL = "https://naturaliste.example.org/"
    SensitivityRule.objects.create(taxon=frog, level=2)  # read blurred by others
    public = DatasetFactory(producer=organisation, is_public=True)
    record = created(saisie_user, frog, public)
    Occurrence.objects.filter(pk=record.pk).update(validation_status=1)
    typed = created(saisie_user, frog, public, proof_url="https://inpn.example/p.jpg")
    assert record.proof_exists == "2"
    (first,) = attach(record, saisie_user, photo())
    attach(record, saisie_user, photo("IMG_0002.jpg"))
    attach(typed, saisie_user, photo())
    record.refresh_from_db()
    assert record.proof_exists == "1"
    names = ["idSINPOccTax", "preuveExistante", "uRLPreuveNumerique"]

    def rows(user):
        shown = export_values(Occurrence.objects.visible_to(user), names)
        return {row["idSINPOccTax"]: row for row in shown}

    mine = rows(saisie_user)
    assert mine[str(record.uuid)]["preuveExistante"] == "1"
    assert mine[str(record.uuid)]["uRLPreuveNumerique"] == (
        "https://naturaliste.example.org" + media_url(first)
    )
    assert mine[str(typed.uuid)]["uRLPreuveNumerique"] == "https://inpn.example/p.jpg"

    theirs = rows(partenaire_user)
    assert theirs[str(record.uuid)]["preuveExistante"] == "1"
    assert theirs[str(record.uuid)]["uRLPreuveNumerique"] == ""
    settings.SITE_URL = ""  # no public address: no URL to give
    assert rows(saisie_user)[str(record.uuid)]["uRLPreuveNumerique"] == ""
