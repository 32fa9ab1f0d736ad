"""Issue 19 point 2: photos (and sounds) of a POP line and of a drift-fence round, sent with
the sheet (its page, or the outbox's entry API once back online), go to the record the
species publishes, through the one media layer (observations.services.media); a fence
round saved again keeps them; the fence pages link each count to its record."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from observations.models import OccurrenceMedia
from tests.factories.referentiel import DatasetFactory
from tests.factories.zones_humides import (
    DriftFenceFactory,
    WetlandProfileFactory,
    amphibian,
)
from tests.observations.media_support import EXE, phone_photo, wav_sound
from zones_humides.models import FenceCheck, PopPassage

pytestmark = pytest.mark.django_db
PASSAGE_API = "/api/v1/zones-humides/pop/passages/saisie/"


def photo(name="IMG_0001.jpg"):
    return SimpleUploadedFile(name, phone_photo(800, 600), content_type="image/jpeg")


def passage_data(observer, **extra):
    return {
        "number": "1",
        "date": "2020-03-10",
        "observers": [observer.pk],
        "expertise": "chevronne",
        "methods": ["1"],
        "accessible": "on",
        "site_state": "existant",
        "sp_259": "12",
        "sp_444432": "3",
        **extra,
    }


@pytest.fixture
def fence(organisation):
    amphibian(259)
    amphibian(444432)
    return DriftFenceFactory(
        name="Barrière du 11/19",
        site=WetlandProfileFactory().site,
        dataset=DatasetFactory(producer=organisation),
    )


def test_photos_of_pop_lines_from_the_passage_page(
    client, saisie_user, observer, pop_sites, taxa
):
    client.force_login(saisie_user)
    url = reverse("zones_humides:passage_create", args=[pop_sites[0].pk])
    html = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'data-testid="species-media"' in html
    assert 'name="sp_259_media"' in html and 'capture="environment"' in html
    assert "Photos et sons – Crapaud commun" in html

    # A photo of a species not counted: refused in French, nothing saved.
    refused = client.post(
        url, passage_data(observer, sp_444432="", sp_444432_media=photo())
    )
    assert refused.status_code == 200
    errors = refused.context["form"].errors["sp_444432_media"]
    assert errors == [
        "Indiquez l'effectif de l'espèce photographiée : ses photos vont à son "
        "observation."
    ]
    assert (
        "<details" in refused.content.decode() and " open>" in refused.content.decode()
    )
    # A file that is no photo: refused by the media layer's check, nothing saved.
    fake = SimpleUploadedFile("crapaud.jpg", EXE)
    refused = client.post(url, passage_data(observer, sp_259_media=fake))
    assert "« crapaud.jpg »" in refused.context["form"].errors["sp_259_media"][0]
    assert not PopPassage.objects.exists() and not OccurrenceMedia.objects.exists()

    sound = SimpleUploadedFile("chant.wav", wav_sound(), content_type="audio/wav")
    response = client.post(
        url,
        passage_data(
            observer,
            sp_259_media=[photo(), photo("IMG_0002.jpg")],
            sp_444432_media=sound,
        ),
    )
    assert response.status_code == 302
    lines = {o.taxon_id: o for o in PopPassage.objects.get().observations.all()}
    toad, newt = lines[259].occurrence, lines[444432].occurrence
    assert [m.kind for m in toad.media.all()] == ["photo", "photo"]
    assert [m.kind for m in newt.media.all()] == ["son"]
    toad.refresh_from_db()
    assert toad.proof_exists == "1"  # a digital proof (SINP PREUVE_EXIST)

    # On the passage's own page, more photos of a line go to the same record.
    passage = PopPassage.objects.get()
    update = reverse("zones_humides:passage_update", args=[passage.pk])
    again = client.post(update, passage_data(observer, sp_259_media=photo()))
    assert again.status_code == 302
    assert toad.media.count() == 3 and OccurrenceMedia.objects.count() == 4


def test_photos_of_a_pop_line_sent_by_the_outbox_are_saved_once(
    saisie_user, observer, pop_sites, taxa
):
    api = APIClient()
    api.force_authenticate(saisie_user)
    url = f"{PASSAGE_API}?pop_site={pop_sites[0].pk}"
    data = passage_data(observer, uuid=str(uuid.uuid4()), sp_259_media=photo())
    assert api.post(url, data, format="multipart").status_code == 201
    data["sp_259_media"] = photo()  # the same sheet sent again
    assert api.post(url, data, format="multipart").status_code == 200
    line = PopPassage.objects.get().observations.get(taxon_id=259)
    assert line.occurrence.media.count() == 1
    refused = api.post(
        url,
        passage_data(
            observer,
            uuid=str(uuid.uuid4()),
            number="2",
            sp_444432="",
            sp_444432_media=photo(),
        ),
        format="multipart",
    )
    assert refused.status_code == 400
    body = refused.json()
    assert body["sp_444432_media"][0].startswith("Indiquez l'effectif")
    assert body["labels"]["sp_444432_media"] == "Photos et sons – Triton palmé"


def test_photos_of_a_fence_round_go_to_its_first_count_and_stay(
    client, saisie_user, observer, fence
):
    client.force_login(saisie_user)
    url = reverse("zones_humides:fence_check_entry", args=[fence.pk])
    html = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in html and 'name="n_259_media"' in html
    data = {
        "date": "2021-03-12",
        "time": "07:30",
        "rain": "0",
        "observers": [observer.pk],
        "n_259_female_m": "1",
        "n_259_male_v": "4",
    }
    refused = client.post(url, {**data, "n_444432_media": photo()})
    assert refused.status_code == 200
    assert (
        refused.context["form"]
        .errors["n_444432_media"][0]
        .startswith("Indiquez l'effectif")
    )
    assert not FenceCheck.objects.exists()

    assert client.post(url, {**data, "n_259_media": photo()}).status_code == 302
    check = FenceCheck.objects.get()
    male = check.counts.get(sex="male")  # living first, then in the sexes' order
    (media,) = male.occurrence.media.all()

    # Saved again the same day (one more male, the dead female gone): the male's record
    # is changed in place and keeps its photo; the female's record goes.
    day = f"{url}?date=2021-03-12"
    page = client.get(day).content.decode()
    record = reverse("observations:occurrence_detail", args=[male.occurrence.uuid])
    assert f'<a href="{record}"' in page and "1 photo ou son" in page
    again = client.post(day, {**data, "n_259_male_v": "5", "n_259_female_m": ""})
    assert again.status_code == 302
    male.refresh_from_db()
    assert male.count == 5 and male.occurrence.count_max == 5
    assert list(male.occurrence.media.all()) == [media]
    assert check.counts.count() == 1 and OccurrenceMedia.objects.count() == 1

    # The fence's page lists the season's rounds, each count linked to its record.
    detail = client.get(
        reverse("zones_humides:fence_detail", args=[fence.pk]), {"year": 2021}
    ).content.decode()
    assert 'data-testid="fence-rounds"' in detail
    assert f'<a href="{record}"' in detail and "Relevé du 12/03/2021" in detail


def test_photos_of_a_fence_round_sent_by_the_outbox_are_saved_once(
    saisie_user, observer, fence
):
    api = APIClient()
    api.force_authenticate(saisie_user)
    url = f"/api/v1/zones-humides/barrieres/{fence.pk}/releves/saisie/"
    data = {
        "uuid": str(uuid.uuid4()),
        "date": "2021-03-12",
        "rain": "0",
        "observers": [observer.pk],
        "n_444432_undetermined_v": "2",
        "n_444432_media": photo(),
    }
    assert api.post(url, data, format="multipart").status_code == 201
    data["n_444432_media"] = photo()
    assert api.post(url, data, format="multipart").status_code == 200
    count = FenceCheck.objects.get().counts.get()
    assert count.occurrence.media.count() == 1


def test_a_resend_racing_the_first_send_answers_the_saved_passage(
    saisie_user, observer, pop_sites, taxa
):
    """The second send of a sheet, checked while the first (slowed by its photos) was
    being saved, meets the saved passage as a duplicate of its site, season and number:
    it answers that passage instead of a refusal that would stay in the outbox."""
    from zones_humides.entry_api import passage_form_save

    data = passage_data(observer, uuid=str(uuid.uuid4()))
    first, created = passage_form_save(
        data=data, user=saisie_user, pop_site=pop_sites[0]
    )
    assert created
    # As the API does after its look-up of the uuid found nothing yet.
    second = passage_form_save(data=data, user=saisie_user, pop_site=pop_sites[0])
    assert second == (first, False)
    other = passage_form_save(
        data={**data, "uuid": str(uuid.uuid4())},
        user=saisie_user,
        pop_site=pop_sites[0],
    )
    assert other["number"] == ["Le passage 1 de 2020 est déjà saisi pour ce site."]
