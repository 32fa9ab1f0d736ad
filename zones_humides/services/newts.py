"""Great crested newt photo-identification: a capture's belly photo is checked (size and
type read from its content, then decoded by Pillow), kept as sent, and a JPEG thumbnail
is made for the side-by-side comparison; a person then tags the capture with a new or an
existing individual."""

import io
import re

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from referentiel.models import Dataset, Site
from zones_humides.models import FenceCheck, NewtCapture, NewtIndividual, PopPassage

from .wetlands import photo_check

THUMBNAIL_SIZE = (320, 320)
# A phone photo is 12–50 Mpx; more is a decompression bomb, not a belly.
MAX_PIXELS = 80_000_000
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
CODE_PREFIX = "TC"


def newt_photo_check(upload) -> str:
    """``photo_check`` (size, first bytes), then decode the image with Pillow so a file
    that only starts like an image is refused too. Returns the image type."""
    kind = photo_check(upload)
    try:
        with Image.open(upload) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationError(_("Photo trop grande (plus de 80 Mpx)."))
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(
            _("Ce fichier n'est pas une photo JPEG, PNG ou WebP lisible.")
        ) from None
    finally:
        upload.seek(0)
    return kind


def thumbnail_bytes(source) -> bytes:
    """A JPEG thumbnail (upright, at most 320 px) of an image file."""
    with Image.open(source) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail(THUMBNAIL_SIZE)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "JPEG", quality=82)
    return buffer.getvalue()


def capture_context(
    *, fence_check: FenceCheck | None = None, passage: PopPassage | None = None
) -> dict:
    """Date, site and dataset of a capture made at a fence check or a POP passage."""
    if fence_check is not None:
        fence = fence_check.fence
        return {
            "date": fence_check.date,
            "site": fence.site,
            "dataset": fence.dataset,
            "fence_check": fence_check,
        }
    if passage is not None:
        pop_site = passage.pop_site
        if pop_site.site_id is None:
            raise ValidationError(
                _("Ce site POP n'est pas rattaché à un site du référentiel.")
            )
        return {
            "date": passage.date,
            "site": pop_site.site,
            "dataset": pop_site.aire.dataset,
            "passage": passage,
        }
    return {}


@transaction.atomic
def newt_capture_create(
    *,
    user,
    date,
    site: Site,
    dataset: Dataset,
    photo,
    sex: str = "",
    comment: str = "",
    fence_check: FenceCheck | None = None,
    passage: PopPassage | None = None,
) -> NewtCapture:
    """Check and store the photo, make its thumbnail, create the (untagged) capture."""
    if date > timezone.localdate():
        raise ValidationError({"date": _("La date ne peut pas être dans le futur.")})
    kind = newt_photo_check(photo)
    photo.name = f"ventre.{EXTENSIONS[kind]}"
    capture = NewtCapture(
        date=date,
        site=site,
        dataset=dataset,
        sex=sex,
        comment=comment,
        fence_check=fence_check,
        passage=passage,
        created_by=user,
        updated_by=user,
    )
    capture.full_clean(exclude=["photo", "thumbnail"])
    capture.photo.save(photo.name, photo, save=False)
    capture.photo.open("rb")
    try:
        thumb = thumbnail_bytes(capture.photo)
    finally:
        capture.photo.close()
    capture.thumbnail.save("miniature.jpg", ContentFile(thumb), save=False)
    capture.save()
    return capture


def next_individual_code(year: int) -> str:
    """``TC-<year>-<n>``, n the next free number of that year (3 digits)."""
    prefix = f"{CODE_PREFIX}-{year}-"
    numbers = [
        int(match.group(1))
        for code in NewtIndividual.objects.filter(code__startswith=prefix).values_list(
            "code", flat=True
        )
        if (match := re.fullmatch(rf"{re.escape(prefix)}(\d+)", code))
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


@transaction.atomic
def newt_capture_tag(
    *, user, capture: NewtCapture, individual: NewtIndividual | None
) -> NewtIndividual:
    """Tag ``capture`` with ``individual``, or with a new individual (first seen at this
    capture) when ``individual`` is None."""
    capture = NewtCapture.objects.select_for_update().get(pk=capture.pk)
    if individual is None:
        # Serialise code allocation: two people tagging at once get two numbers.
        list(
            NewtIndividual.objects.select_for_update().filter(
                code__startswith=f"{CODE_PREFIX}-{capture.date.year}-"
            )
        )
        individual = NewtIndividual.objects.create(
            code=next_individual_code(capture.date.year),
            sex=capture.sex,
            first_seen=capture.date,
            first_site=capture.site,
            dataset=capture.dataset,
            created_by=user,
            updated_by=user,
        )
    else:
        changed = []
        if capture.date < individual.first_seen:
            individual.first_seen, individual.first_site = capture.date, capture.site
            changed += ["first_seen", "first_site"]
        if capture.sex and not individual.sex:
            individual.sex = capture.sex
            changed.append("sex")
        if changed:
            individual.updated_by = user
            individual.save(update_fields=[*changed, "updated_by", "updated_at"])
    capture.individual = individual
    capture.updated_by = user
    capture.save(update_fields=["individual", "updated_by", "updated_at"])
    return individual
