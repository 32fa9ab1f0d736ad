"""Water levels and photos of wetland sites."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from referentiel.models import Site
from zones_humides.models import WaterLevelReading

PHOTO_MAX_BYTES = 8 * 1024 * 1024
# First bytes of the image formats a phone or camera produces.
PHOTO_SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"RIFF": "image/webp",
}


def photo_check(upload) -> str:
    """Refuse a file that is too large or not a JPEG, PNG or WebP image (read from its
    first bytes, not its name); returns the image type."""
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(
            _("Photo trop lourde (%(size).1f Mo) : 8 Mo au plus.")
            % {"size": upload.size / 1024 / 1024}
        )
    head = upload.read(12)
    upload.seek(0)
    for signature, kind in PHOTO_SIGNATURES.items():
        if head.startswith(signature) and (
            kind != "image/webp" or head[8:12] == b"WEBP"
        ):
            return kind
    raise ValidationError(_("Ce fichier n'est pas une photo JPEG, PNG ou WebP."))


def water_level_existing(
    *, site: Site, date, gauge: str = ""
) -> WaterLevelReading | None:
    """The reading a new one of the same gauge and day would correct."""
    return WaterLevelReading.objects.filter(site=site, gauge=gauge, date=date).first()


@transaction.atomic
def water_level_save(
    *, user, site: Site, date, level_cm: Decimal, gauge: str = "", comment: str = ""
) -> WaterLevelReading:
    """Record (or correct) the reading of a gauge on a day; the caller has checked that
    ``user`` may correct the existing one (``zones_humides.permissions``)."""
    reading = water_level_existing(
        site=site, date=date, gauge=gauge
    ) or WaterLevelReading(site=site, gauge=gauge, date=date, created_by=user)
    reading.level_cm = level_cm
    reading.comment = comment
    reading.updated_by = user
    reading.full_clean()
    reading.save()
    return reading
