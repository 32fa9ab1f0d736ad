"""The media check (cpie_naturaliste.core.media): types read from the content, photos made
upright, reduced and stripped of their EXIF after their date and position were read."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cpie_naturaliste.core.media import exif_read, media_prepare
from tests.observations.media_support import (
    DESCRIPTION,
    EXE,
    LAT,
    LON,
    TEXT,
    mp3_with_id3,
    phone_photo,
    wav_sound,
)


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_photo_reduced_with_thumbnail_and_no_exif():
    prepared = media_prepare(upload(phone_photo(3000, 2000), "IMG_0001.jpg"))
    assert (prepared.kind, prepared.content_type) == ("photo", "image/jpeg")
    # Read before being dropped: the date taken and the position, to propose them.
    assert prepared.taken_at == dt.datetime(2021, 4, 2, 8, 30)
    assert prepared.latitude == pytest.approx(LAT, abs=1e-5)
    assert prepared.longitude == pytest.approx(LON, abs=1e-5)
    with Image.open(io.BytesIO(prepared.data)) as image:
        assert max(image.size) == 2048
        assert not image.getexif() and "exif" not in image.info
    with Image.open(io.BytesIO(prepared.thumbnail)) as thumb:
        assert max(thumb.size) == 320
        assert not thumb.getexif()
    assert DESCRIPTION.encode() not in prepared.data + prepared.thumbnail


def test_png_and_webp_accepted():
    for fmt in ("PNG", "WEBP"):
        out = io.BytesIO()
        Image.new("RGBA", (400, 300), (10, 20, 30, 128)).save(out, fmt)
        prepared = media_prepare(upload(out.getvalue(), f"x.{fmt.lower()}"))
        assert prepared.kind == "photo" and prepared.content_type == "image/jpeg"


def test_sounds_recognised_by_content():
    wav = media_prepare(upload(wav_sound(), "chiro.bin"))
    assert (wav.kind, wav.content_type, wav.extension) == ("son", "audio/wav", "wav")
    mp3 = media_prepare(upload(mp3_with_id3(), "merle.mp3"))
    assert mp3.content_type == "audio/mpeg"
    assert b"CANARI" not in mp3.data and mp3.data.startswith(b"\xff\xfb")


@pytest.mark.parametrize(
    ("data", "name"),
    [(EXE, "photo.jpg"), (TEXT, "photo.jpg"), (TEXT, "chant.mp3"), (EXE, "x.wav")],
)
def test_pretenders_refused_in_french(data, name):
    with pytest.raises(ValidationError) as error:
        media_prepare(upload(data, name))
    assert "ni une photo" in error.value.messages[0]


def test_truncated_jpeg_refused():
    with pytest.raises(ValidationError):
        media_prepare(upload(phone_photo(300, 200)[:600], "coupee.jpg"))


def test_size_limit(settings):
    settings.MEDIA_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as error:
        media_prepare(upload(wav_sound(), "long.wav"))
    assert "trop lourd" in error.value.messages[0]


def test_exif_read_without_storing():
    found = exif_read(upload(phone_photo(200, 100), "p.jpg"))
    assert found["taken_at"] == dt.datetime(2021, 4, 2, 8, 30)
    assert found["latitude"] == pytest.approx(LAT, abs=1e-5)
    assert exif_read(upload(wav_sound(), "s.wav"))["latitude"] is None
