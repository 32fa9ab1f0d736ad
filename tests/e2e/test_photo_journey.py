"""The photo journey of issue 19, on a 390×844 phone in Chromium: on the entry page a
photo is attached (taken with the phone: EXIF date and GPS position); its date and position
are proposed on the form; the record is saved with it; a validator sees its thumbnail in
the validation queue; the file the site serves has no EXIF left."""

import io
import json
import time

import pytest
from PIL import Image

from observations.models import Occurrence
from tests.e2e.axe import audit, axe_source
from tests.e2e.test_observation_journey import (
    PHONE,
    log_in,
    log_out,
    wait_for_map,
)
from tests.e2e.test_observation_journey import people as people  # noqa: F401
from tests.observations.media_support import DESCRIPTION, LAT, LON, phone_photo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def wait_loaded(page, image) -> None:
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )


def test_photo_from_entry_to_validation_queue_without_exif(live_server, page, people):
    base = live_server.url
    page.set_viewport_size(PHONE)
    page.context.add_init_script(axe_source())  # the pages are audited on the way
    violations = []

    def check(label: str, role: str) -> None:
        # From the top, as the accessibility suite reads pages: scrolled, the sticky save
        # bar covers part of a field, which axe counts against that field's target size.
        page.evaluate("window.scrollTo(0, 0)")
        found = audit(page, label=label, role=role, size="téléphone")
        # Known before photos, on the blank entry page too (reported): at 390×844 the
        # sticky save bar covers the maximum count once the map has loaded.
        violations.extend(
            v
            for v in found
            if not (v.rule == "target-size" and "#id_count_max" in "".join(v.nodes))
        )

    log_in(page, base, "claire", "/observations/nouvelle/")
    started = time.monotonic()
    page.get_by_role("combobox", name="Taxon").fill("gren")
    page.get_by_role("option", name="Rana temporaria — Grenouille rousse").click()
    wait_for_map(page, "#entry-map")

    # The phone's camera gives a 3000×2000 JPEG taken on 2 April 2021 at the pond.
    page.get_by_label("Photos et enregistrements sonores").set_input_files(
        files=[
            {
                "name": "IMG_20210402_083000.jpg",
                "mimeType": "image/jpeg",
                "buffer": phone_photo(),
            }
        ]
    )
    proposal = page.locator("#media-proposal")
    proposal.filter(has_text="D'après la photo").wait_for()
    assert "date 02/04/2021" in proposal.inner_text()
    assert "position 50.45770 N, 2.77850 E" in proposal.inner_text()
    assert page.get_by_label("Date", exact=True).input_value() == "2021-04-02"
    geometry = json.loads(page.locator("input[name=geometry]").input_value())
    lon, lat = geometry["coordinates"]
    assert abs(lon - LON) < 1e-5 and abs(lat - LAT) < 1e-5
    check("saisie avec une photo", "saisie")

    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_url(f"{base}/observations/*/")
    seconds = time.monotonic() - started
    occurrence = Occurrence.objects.get()
    assert occurrence.date_start.isoformat() == "2021-04-02"
    (media,) = occurrence.media.all()
    thumbnail = page.get_by_role("img", name="Photo 1 : Rana temporaria")
    thumbnail.scroll_into_view_if_needed()
    wait_loaded(page, thumbnail)
    check("fiche avec sa photo", "saisie")
    log_out(page, base)

    # The validator sees the photo in the queue, next to the record.
    log_in(page, base, "antoine", "/observations/validation/")
    row = page.locator(f"tr[data-uuid='{occurrence.uuid}']")
    image = row.get_by_role(
        "img", name="Photo 1 : Rana temporaria, prise le 02/04/2021"
    )
    image.scroll_into_view_if_needed()
    wait_loaded(page, image)
    assert image.evaluate("img => Math.max(img.naturalWidth, img.naturalHeight)") == 320
    check("file de validation avec une photo", "validateur")
    assert violations == [], "\n".join(str(v) for v in violations)

    # The photo as served: reduced, and with no EXIF (no date, no position, no text).
    served = page.request.get(f"{base}/observations/medias/{media.uuid}/")
    assert served.ok and served.headers["content-type"] == "image/jpeg"
    content = served.body()
    with Image.open(io.BytesIO(content)) as photo:
        assert max(photo.size) == 2048
        assert not photo.getexif() and "exif" not in photo.info
    assert b"Exif" not in content and DESCRIPTION.encode() not in content

    assert page.errors == []
    assert page.failed_requests == []
    print(f"photo journey: record with photo saved in {seconds:.1f} s")
