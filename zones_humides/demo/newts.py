"""Great crested newts of the Vimy drift fence, photo-identified since 2013: a handful of
individuals, each recaptured in some springs, with synthetic belly photos drawn by Pillow
(a yellow-orange belly with a pattern of black spots that is fixed per animal, slightly
shifted per photo). Deterministic; a second run creates nothing."""

import datetime as dt
import io
import random

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from referentiel.models import Dataset, Site
from zones_humides.models import FenceCheck, NewtCapture, NewtIndividual
from zones_humides.services.newts import thumbnail_bytes

from . import specs

# code → (sex, years captured)
INDIVIDUALS = {
    "TC-2013-001": ("female", (2013, 2014, 2016, 2017, 2019, 2021)),
    "TC-2013-002": ("male", (2013, 2015, 2016, 2018)),
    "TC-2013-003": ("male", (2013, 2014, 2015, 2017, 2018, 2020, 2021)),
    "TC-2014-001": ("female", (2014, 2016, 2019, 2020)),
    "TC-2016-001": ("male", (2016, 2017, 2018, 2019, 2020, 2021)),
    "TC-2019-001": ("female", (2019, 2021)),
}


def belly_image(pattern: str, variant: str = "", size=(240, 420)) -> bytes:
    """A JPEG of a newt belly: the spots depend on ``pattern`` (the animal), a small
    shift and light change on ``variant`` (the photo)."""
    rng = random.Random(pattern)
    shot = random.Random(f"{pattern}/{variant}")
    width, height = size
    image = Image.new("RGB", size, (46, 42, 38))
    draw = ImageDraw.Draw(image)
    light = shot.randint(-12, 12)
    belly = (236 + light // 2, 160 + light, 30)
    draw.ellipse((30, 20, width - 30, height - 20), fill=belly)
    dx, dy = shot.randint(-4, 4), shot.randint(-4, 4)
    for _ in range(rng.randint(14, 24)):
        x = rng.randint(50, width - 50) + dx
        y = rng.randint(45, height - 45) + dy
        rx, ry = rng.randint(5, 18), rng.randint(5, 14)
        draw.ellipse((x - rx, y - ry, x + rx, y + ry), fill=(18, 16, 14))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def newts_upsert(user) -> int:
    """The individuals and their captures at the Vimy fence (one capture per year
    captured, at that spring's check closest to 1 April). Returns captures created."""
    site = Site.objects.filter(name=specs.FENCE_SITE).first()
    dataset = Dataset.objects.filter(short_title="BARRIERE-VIMY").first()
    if site is None or dataset is None:
        return 0
    known = set(
        NewtCapture.objects.filter(individual__code__in=INDIVIDUALS).values_list(
            "individual__code", "date"
        )
    )
    created = 0
    for code, (sex, years) in INDIVIDUALS.items():
        rng = random.Random(code)
        dates = [
            dt.date(y, 3, 20) + dt.timedelta(days=rng.randrange(0, 25)) for y in years
        ]
        individual, _ = NewtIndividual.objects.get_or_create(
            code=code,
            defaults={
                "sex": sex,
                "first_seen": dates[0],
                "first_site": site,
                "dataset": dataset,
                "comment": "Individu de démonstration (photo de synthèse).",
                "created_by": user,
                "updated_by": user,
            },
        )
        checks = {
            c.date: c
            for c in FenceCheck.objects.filter(fence__site=site, date__in=dates)
        }
        for date in dates:
            if (code, date) in known:
                continue
            capture = NewtCapture(
                date=date,
                site=site,
                dataset=dataset,
                fence_check=checks.get(date),
                individual=individual,
                sex=sex,
                created_by=user,
                updated_by=user,
            )
            photo = belly_image(code, date.isoformat())
            capture.photo.save("ventre.jpg", ContentFile(photo), save=False)
            capture.thumbnail.save(
                "miniature.jpg",
                ContentFile(thumbnail_bytes(io.BytesIO(photo))),
                save=False,
            )
            capture.save()
            created += 1
    return created
