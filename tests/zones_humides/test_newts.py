"""Great crested newt photo-identification: upload checks, thumbnails, tagging a capture
with a new or an existing individual, candidates, history, matrix and permissions."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.factories.referentiel import DatasetFactory, SiteFactory, square
from tests.factories.zones_humides import DriftFenceFactory, belly_upload
from zones_humides.models import NewtCapture, NewtIndividual
from zones_humides.selectors.newts import capture_history_matrix, newt_candidates
from zones_humides.services import (
    fence_check_save,
    newt_capture_create,
    newt_capture_tag,
    newt_photo_check,
    next_individual_code,
)
from zones_humides.services.wetlands import PHOTO_MAX_BYTES

pytestmark = pytest.mark.django_db


@pytest.fixture
def fence(organisation):
    return DriftFenceFactory(
        site=SiteFactory(name="Mare à barrière-piège de Vimy", kind="mare"),
        dataset=DatasetFactory(producer=organisation, title="Barrière de Vimy"),
    )


def _capture(user, fence, date, pattern="A", **kwargs):
    return newt_capture_create(
        user=user,
        date=date,
        site=fence.site,
        dataset=fence.dataset,
        photo=belly_upload(pattern, date.isoformat()),
        **kwargs,
    )


def test_photo_check_refuses_non_images_and_big_files():
    with pytest.raises(ValidationError, match="pas une photo"):
        newt_photo_check(SimpleUploadedFile("ventre.jpg", b"%PDF-1.4 not an image"))
    # Starts like a JPEG but is not one: Pillow cannot decode it.
    with pytest.raises(ValidationError, match="lisible"):
        newt_photo_check(SimpleUploadedFile("ventre.jpg", b"\xff\xd8\xff" + b"x" * 500))
    big = SimpleUploadedFile("ventre.jpg", b"\xff\xd8\xff" + b"0" * PHOTO_MAX_BYTES)
    with pytest.raises(ValidationError, match="trop lourde"):
        newt_photo_check(big)
    assert newt_photo_check(belly_upload()) == "image/jpeg"


def test_capture_keeps_original_and_makes_thumbnail(saisie_user, fence):
    upload = belly_upload("A", "x", name="../../etc/passwd.jpg")
    original = upload.read()
    upload.seek(0)
    capture = newt_capture_create(
        user=saisie_user,
        date=dt.date(2021, 3, 30),
        site=fence.site,
        dataset=fence.dataset,
        photo=upload,
    )
    assert capture.photo.name.startswith("zones_humides/tritons/")
    assert "passwd" not in capture.photo.name
    with capture.photo.open("rb") as handle:
        assert handle.read() == original
    with capture.thumbnail.open("rb") as handle:
        thumb = Image.open(io.BytesIO(handle.read()))
        assert thumb.format == "JPEG" and max(thumb.size) <= 320
    assert capture.individual is None


def test_tagging_new_then_existing_individual(saisie_user, fence):
    first = _capture(saisie_user, fence, dt.date(2013, 4, 2), sex="female")
    individual = newt_capture_tag(user=saisie_user, capture=first, individual=None)
    assert individual.code == "TC-2013-001"
    assert individual.first_seen == dt.date(2013, 4, 2) and individual.sex == "female"
    other = _capture(saisie_user, fence, dt.date(2013, 4, 5), pattern="B")
    assert newt_capture_tag(user=saisie_user, capture=other, individual=None).code == (
        "TC-2013-002"
    )
    again = _capture(saisie_user, fence, dt.date(2015, 3, 28))
    assert newt_capture_tag(user=saisie_user, capture=again, individual=individual) == (
        individual
    )
    assert NewtIndividual.objects.count() == 2
    assert list(
        individual.captures.order_by("date").values_list("date", flat=True)
    ) == [
        dt.date(2013, 4, 2),
        dt.date(2015, 3, 28),
    ]
    assert next_individual_code(2013) == "TC-2013-003"


def test_candidates_are_nearby_and_most_recent_first(saisie_user, fence):
    a = newt_capture_tag(
        user=saisie_user,
        capture=_capture(saisie_user, fence, dt.date(2014, 4, 1), "A"),
        individual=None,
    )
    b = newt_capture_tag(
        user=saisie_user,
        capture=_capture(saisie_user, fence, dt.date(2019, 4, 1), "B"),
        individual=None,
    )
    centre = fence.site.geom.centroid
    far_site = SiteFactory(
        name="Mare lointaine",
        kind="mare",
        geom=square(centre.x + 20000, centre.y, 50),
    )
    far = newt_capture_create(
        user=saisie_user,
        date=dt.date(2020, 4, 1),
        site=far_site,
        dataset=fence.dataset,
        photo=belly_upload("C"),
    )
    c = newt_capture_tag(user=saisie_user, capture=far, individual=None)
    new = _capture(saisie_user, fence, dt.date(2021, 4, 1), "A")
    candidates = newt_candidates(capture=new, user=saisie_user)
    assert [i.code for i in candidates] == [b.code, a.code]
    assert c not in candidates
    assert candidates[0].last_capture.date == dt.date(2019, 4, 1)


def test_history_page_matrix_and_csv(client, saisie_user, fence):
    individual = None
    for year in (2013, 2015, 2016):
        capture = _capture(saisie_user, fence, dt.date(year, 4, 1))
        individual = newt_capture_tag(
            user=saisie_user, capture=capture, individual=individual
        )
    years, rows = capture_history_matrix(user=saisie_user)
    assert years == [2013, 2014, 2015, 2016]
    assert rows == [("TC-2013-001", [1, 0, 1, 1])]
    client.force_login(saisie_user)
    html = client.get(
        reverse("zones_humides:newt_individual", args=[individual.pk])
    ).content.decode()
    assert "01/04/2013" in html and "01/04/2016" in html and fence.site.name in html
    csv_text = client.get(reverse("zones_humides:newt_matrix_csv")).content.decode()
    assert csv_text.splitlines() == [
        "individu;2013;2014;2015;2016",
        "TC-2013-001;1;0;1;1",
    ]
    index = client.get(reverse("zones_humides:newt_index")).content.decode()
    assert "TC-2013-001" in index


def test_upload_page_then_tag_existing_individual(client, saisie_user, fence):
    known = newt_capture_tag(
        user=saisie_user,
        capture=_capture(saisie_user, fence, dt.date(2013, 4, 1)),
        individual=None,
    )
    check = fence_check_save(
        user=saisie_user,
        fence=fence,
        fields={"date": dt.date(2021, 4, 2)},
        counts=[],
    )
    client.force_login(saisie_user)
    url = reverse("zones_humides:newt_capture_create")
    page = client.get(url, {"releve": check.pk})
    assert page.status_code == 200 and "02/04/2021" in page.content.decode()
    refused = client.post(
        url,
        {"releve": check.pk, "photo": SimpleUploadedFile("ventre.jpg", b"GIF89a...")},
    )
    assert refused.status_code == 200 and "pas une photo" in refused.content.decode()
    assert not NewtCapture.objects.filter(fence_check=check).exists()
    response = client.post(
        url, {"releve": check.pk, "sex": "female", "photo": belly_upload("A", "2021")}
    )
    capture = NewtCapture.objects.get(fence_check=check)
    assert response.url == reverse("zones_humides:newt_capture_tag", args=[capture.pk])
    assert capture.site == fence.site and capture.date == dt.date(2021, 4, 2)
    tag_page = client.get(response.url).content.decode()
    assert known.code in tag_page
    assert reverse("zones_humides:newt_thumbnail", args=[capture.pk]) in tag_page
    done = client.post(response.url, {"individual": known.pk})
    assert done.url == reverse("zones_humides:newt_individual", args=[known.pk])
    capture.refresh_from_db()
    assert capture.individual == known
    photo = client.get(reverse("zones_humides:newt_photo", args=[capture.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert photo["Cache-Control"].startswith("private")


def test_permissions(client, saisie_user, partenaire_user, fence):
    capture = _capture(saisie_user, fence, dt.date(2021, 4, 1))
    for url in (
        reverse("zones_humides:newt_photo", args=[capture.pk]),
        reverse("zones_humides:newt_thumbnail", args=[capture.pk]),
        reverse("zones_humides:newt_capture_tag", args=[capture.pk]),
    ):
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/connexion/" in anonymous.url
    # A partner of another organisation cannot read this (private) dataset's photos.
    client.force_login(partenaire_user)
    assert (
        client.get(reverse("zones_humides:newt_photo", args=[capture.pk])).status_code
        == 404
    )
    assert (
        client.post(
            reverse("zones_humides:newt_capture_tag", args=[capture.pk]),
            {"individual": "new"},
        ).status_code
        == 404
    )
    assert (
        "TC-"
        not in client.get(reverse("zones_humides:newt_matrix_csv")).content.decode()
    )
    assert client.get(reverse("zones_humides:newt_capture_create")).status_code == 403
    capture.refresh_from_db()
    assert capture.individual is None
