"""Photos and sound recordings sent from the field: checked by their content, never by
their name, and made safe to serve.

- **Type**: a photo is what Pillow decodes as JPEG, PNG, WebP, AVIF or HEIC (when this
  Pillow reads them); a sound is a WAV, MP3, FLAC or OGG file recognised by its first bytes.
  Anything else (a renamed ``.exe``, a text) is refused with a French message.
- **Size**: ``MEDIA_UPLOAD_MAX_BYTES`` (20 Mo by default: a phone's photo is 3–8 Mo, a
  minute of bat recording at 384 kHz about 45 Mo, so long recordings are cut before).
- **Photos** are turned upright, reduced to ``PHOTO_MAX_SIDE`` on their long side and
  re-encoded as JPEG, which drops every metadata block (EXIF with the phone's GPS position,
  XMP, comments); a JPEG thumbnail of ``THUMBNAIL_MAX_SIDE`` is made. Their date and
  position are read *before*, to propose them on the form (``exif_read``).
- **Sounds** are kept as sent minus their ID3 tag (MP3's metadata block, which may hold
  the recorder's notes); WAV, FLAC and OGG are kept whole.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_MAX_SIDE = 2048
THUMBNAIL_MAX_SIDE = 320
# A phone photo is 12–50 Mpx; more is a decompression bomb, not a field photo.
PHOTO_MAX_PIXELS = 80_000_000
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "AVIF", "HEIF", "HEIC", "MPO"}
SOUND_TYPES = {
    "audio/wav": "wav",
    "audio/mpeg": "mp3",
    "audio/flac": "flac",
    "audio/ogg": "ogg",
}
PHOTO, SOUND = "photo", "son"
REFUSED = gettext_lazy(
    "Ce fichier n'est ni une photo (JPEG, PNG, WebP) ni un enregistrement sonore (WAV, "
    "MP3, FLAC, OGG) lisible."
)
# EXIF tags (Pillow numbers): the IFDs, the date taken and the GPS fields.
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATE_ORIGINAL, DATE_DIGITIZED, DATE_TIME = 0x9003, 0x9004, 0x0132
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4


def max_bytes() -> int:
    return settings.MEDIA_UPLOAD_MAX_BYTES


@dataclass(frozen=True)
class Prepared:
    """A checked media, ready to store: its kind, content type, extension and bytes, the
    thumbnail (photos only) and what its EXIF said (photos only)."""

    kind: str
    content_type: str
    extension: str
    data: bytes
    thumbnail: bytes | None = None
    taken_at: dt.datetime | None = None
    latitude: float | None = None
    longitude: float | None = None


def sound_type(head: bytes) -> str | None:
    """The content type of a sound file from its first 12 bytes, or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"fLaC":
        return "audio/flac"
    if head[:4] == b"OggS":
        return "audio/ogg"
    # An ID3v2 tag, or an MPEG audio frame sync (11 bits set, layer III/II/I).
    if head[:3] == b"ID3" or (
        len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0
    ):
        return "audio/mpeg"
    return None


def _without_id3(data: bytes) -> bytes:
    """An MP3 file without its leading ID3v2 tag (sizes are "syncsafe": 7 bits a byte)."""
    while data[:3] == b"ID3" and len(data) >= 10:
        size = 0
        for byte in data[6:10]:
            size = (size << 7) | (byte & 0x7F)
        footer = 10 if data[5] & 0x10 else 0
        data = data[10 + size + footer :]
    if data[-128:-125] == b"TAG":  # ID3v1, at the end
        data = data[:-128]
    return data


def _read(upload) -> bytes:
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("Fichier trop lourd (%(size).1f Mo) : %(max)d Mo au plus.")
            % {"size": upload.size / 1024 / 1024, "max": limit // (1024 * 1024)}
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    if len(data) > limit:
        raise ValidationError(
            _("Fichier trop lourd : %(max)d Mo au plus.")
            % {"max": limit // (1024 * 1024)}
        )
    if not data:
        raise ValidationError(_("Le fichier est vide."))
    return data


def media_prepare(upload) -> Prepared:
    """Check an uploaded file by its content and make what is stored and served from it;
    a ``ValidationError`` in French for anything that is not a readable photo or sound."""
    data = _read(upload)
    kind = sound_type(data[:12])
    if kind is not None:
        if kind == "audio/mpeg":
            data = _without_id3(data)
            if sound_type(data[:12]) != "audio/mpeg":
                raise ValidationError(REFUSED)
        return Prepared(SOUND, kind, SOUND_TYPES[kind], data)
    return _photo_prepare(data)


def _photo_prepare(data: bytes) -> Prepared:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in IMAGE_FORMATS:
                raise ValidationError(REFUSED)
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise ValidationError(_("Photo trop grande (plus de 80 Mpx)."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            found = _exif_values(image.getexif())
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ):
        raise ValidationError(REFUSED) from None
    upright.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    full = _jpeg(upright, quality=85)
    upright.thumbnail((THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE))
    return Prepared(
        PHOTO, "image/jpeg", "jpg", full, thumbnail=_jpeg(upright, quality=80), **found
    )


def _jpeg(image: Image.Image, *, quality: int) -> bytes:
    # Saved without exif=, icc_profile= or comment=: nothing of the original's metadata.
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def exif_read(upload) -> dict:
    """The date taken and the GPS position an image's EXIF holds (each None when absent
    or unreadable): ``{"taken_at", "latitude", "longitude"}``. Nothing for a sound."""
    empty = {"taken_at": None, "latitude": None, "longitude": None}
    data = _read(upload)
    if sound_type(data[:12]) is not None:
        return empty
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in IMAGE_FORMATS:
                raise ValidationError(REFUSED)
            return _exif_values(image.getexif())
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(REFUSED) from None


def _exif_values(exif: Image.Exif) -> dict:
    values = {"taken_at": _exif_date(exif), "latitude": None, "longitude": None}
    try:
        gps = exif.get_ifd(GPS_IFD)
        latitude = _degrees(gps.get(GPS_LAT), gps.get(GPS_LAT_REF), "S")
        longitude = _degrees(gps.get(GPS_LON), gps.get(GPS_LON_REF), "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError, AttributeError):
        return values
    if latitude is not None and longitude is not None:
        if -90 <= latitude <= 90 and -180 <= longitude <= 180:
            values.update(latitude=round(latitude, 7), longitude=round(longitude, 7))
    return values


def _exif_date(exif: Image.Exif) -> dt.datetime | None:
    try:
        sub = exif.get_ifd(EXIF_IFD)
    except (KeyError, TypeError, ValueError):
        sub = {}
    for text in (sub.get(DATE_ORIGINAL), sub.get(DATE_DIGITIZED), exif.get(DATE_TIME)):
        if not isinstance(text, str):
            continue
        try:
            return dt.datetime.strptime(text.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
        except ValueError:
            continue
    return None


def _degrees(value, ref, negative: str) -> float | None:
    if not value or len(value) != 3:
        return None
    degrees, minutes, seconds = (float(part) for part in value)
    result = degrees + minutes / 60 + seconds / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    return -result if (ref or "").strip("\x00 ").upper() == negative else result
