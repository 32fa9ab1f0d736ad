"""Issue 19, what the offline journey (test_offline_entry.py) leaves out, on a 390×844
phone in headless Chromium:

- the taxon search with no network forgives a typo ("crapau comun" finds Bufo bufo), as
  the online search's trigram similarity does;
- "Mes saisies" shows, at the top of the user's records, those still waiting on this
  device, with their state: "À envoyer", or "Refusée" and the server's French reasons;
- an entry page kept by the service worker and opened the next day starts on that day,
  not on the day it was stored."""

import datetime as dt

import pytest

from observations.models import Occurrence
from tests.e2e.axe import audit, axe_source
from tests.e2e.test_observation_journey import PASSWORD, PHONE
from tests.e2e.test_offline_entry import CREATE, claire, until  # noqa: F401 (fixture)
from zones_humides.models import PopSite

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
MINE = "/observations/mes-saisies/"
SEND = "**/api/v1/occurrences/saisie/"


def sign_in_and_keep_the_field(page, base, extra_paths=()):
    page.goto(f"{base}/connexion/?next={CREATE}")
    page.get_by_label("Identifiant").fill("claire")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}{CREATE}")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    until(page, "() => window.CPIEStore.get('data', 'field').then(r => !!r)")
    for path in (CREATE, *extra_paths):
        until(
            page,
            "path => caches.open('cpie-pages').then(c => c.match(path)).then(r => !!r)",
            path,
        )


def cut_posts(route):
    # A second guard: set_offline covers the service worker's own requests too.
    return route.abort() if route.request.method == "POST" else route.fallback()


def save_offline(page, typed, option=None):
    taxon = page.get_by_role("combobox", name="Taxon")
    taxon.fill("")
    taxon.press_sequentially(typed, delay=20)
    if option:
        page.get_by_role("option", name=option).click()
    page.get_by_role("button", name="Ma position").click()
    page.wait_for_function(
        "document.querySelector('input[name=precision_m]').value !== ''"
    )
    page.get_by_role(
        "button", name="Enregistrer et saisir une autre au même endroit"
    ).click()


def count_is(page, n):
    page.wait_for_function(
        "n => document.querySelector('[data-outbox-count]').textContent === n",
        arg=str(n),
        timeout=20000,
    )


def test_typo_search_and_my_records_with_the_outbox(live_server, page, claire):  # noqa: F811
    base = live_server.url
    context = page.context
    page.set_viewport_size(PHONE)
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": 50.4577, "longitude": 2.7785, "accuracy": 14})
    context.add_init_script(script=axe_source())
    sign_in_and_keep_the_field(page, base)

    context.set_offline(True)
    context.route("**/*", cut_posts)
    page.goto(f"{base}{CREATE}")
    # Two typos, no network: the kept taxa still answer, Bufo bufo first.
    taxon = page.get_by_role("combobox", name="Taxon")
    taxon.press_sequentially("crapau comun", delay=20)
    bufo = page.get_by_role("option", name="Bufo bufo — Crapaud commun")
    bufo.wait_for()
    assert bufo.evaluate(
        "o => o.closest('[role=listbox]').querySelector('[role=option]') === o"
    )
    bufo.click()
    taxon.fill("")
    taxon.press_sequentially("grenouile rouse", delay=20)
    page.get_by_role("option", name="Rana temporaria — Grenouille rousse").wait_for()
    # Nothing is proposed for what is not a name at all.
    taxon.fill("")
    taxon.press_sequentially("xqzw", delay=20)
    page.get_by_text("Aucun taxon ne correspond à « xqzw »").first.wait_for()

    save_offline(page, "crapau comun", "Bufo bufo — Crapaud commun")
    count_is(page, 1)
    save_offline(page, "salamandre noire")  # typed, never chosen: refused
    count_is(page, 2)

    # Back online: the good one is saved, the other refused with its reason.
    context.unroute("**/*", cut_posts)
    context.set_offline(False)
    page.goto(f"{base}{MINE}")
    count_is(page, 1)
    assert Occurrence.objects.filter(taxon_id=259).count() == 1

    # One more with no network; then the server is unreachable when it is sent.
    context.set_offline(True)
    context.route("**/*", cut_posts)
    page.goto(f"{base}{CREATE}")
    save_offline(page, "gren rou", "Rana temporaria — Grenouille rousse")
    count_is(page, 2)
    context.unroute("**/*", cut_posts)
    context.route(SEND, lambda route: route.fulfill(status=503, body="indisponible"))
    context.set_offline(False)
    page.goto(f"{base}{MINE}")

    # One list: the two on the device first (newest first), then the saved record.
    page.get_by_test_id("outbox-row").nth(1).wait_for()
    page.wait_for_function(
        "document.querySelector('[data-testid=outbox-row] .outbox__state.muted')"
    )
    rows = page.locator("[data-testid=my-records] tbody tr")
    assert rows.count() == 3
    waiting, refused, saved = (rows.nth(i).inner_text() for i in range(3))
    assert "Rana temporaria" not in saved
    assert "Grenouille rousse" in waiting and "À envoyer" in waiting
    assert "erreur 503" in waiting
    assert "salamandre noire" in refused and "Refusée" in refused
    assert "Taxon : " in refused
    assert "Bufo bufo" in saved and "En attente de validation" in saved
    status = page.get_by_test_id("outbox-rows-status").inner_text()
    assert status.startswith("2 saisies attendent sur cet appareil"), status
    assert "1 refusée" in status
    corriger = page.get_by_role("link", name="Corriger salamandre noire")
    assert corriger.get_attribute("href") == f"{CREATE}?brouillon=" + (
        page.evaluate(
            "window.CPIEStore.all('outbox').then(all => all.find("
            "e => e.status === 'refused').uuid)"
        )
    )
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert audit(page, label=MINE, role="saisie", size="phone") == []

    # The server answers again: the waiting one leaves the list, the refused one stays.
    context.unroute(SEND)
    page.evaluate("window.CPIEOutbox.send()")
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=outbox-row]').length === 1"
    )
    assert Occurrence.objects.filter(taxon_id=351).count() == 1


def test_a_kept_page_opened_the_next_day_starts_on_that_day(
    live_server,
    page,
    claire,  # noqa: F811
):
    base = live_server.url
    context = page.context
    page.set_viewport_size(PHONE)
    pond = PopSite.objects.get(code="A5-01")
    passage = f"/zones-humides/pop/sites/{pond.pk}/passages/nouveau/"
    sign_in_and_keep_the_field(page, base, [passage])
    stored = page.evaluate("document.documentElement.dataset.pageDate")
    assert page.locator("[name=date_start]").input_value() == stored

    # The next morning, no network: the pages open from the device's copies.
    context.set_offline(True)
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    page.clock.set_system_time(tomorrow)
    device_today = page.evaluate(
        "(() => { const d = new Date(); return [d.getFullYear(),"
        " String(d.getMonth() + 1).padStart(2, '0'),"
        " String(d.getDate()).padStart(2, '0')].join('-'); })()"
    )
    assert device_today > stored
    for path, name in ((CREATE, "date_start"), (passage, "date")):
        page.goto(f"{base}{path}")
        assert page.evaluate("document.documentElement.dataset.pageDate") == stored
        field = page.locator(f"[name={name}]")
        assert field.input_value() == device_today, path
        assert field.get_attribute("max") in (None, device_today)
        assert field.evaluate("f => f.max") in ("", device_today)


def test_photos_of_a_pop_line_and_a_fence_round_with_no_network(
    live_server,
    page,
    claire,  # noqa: F811
):
    """A photo taken for a POP line and for a drift-fence count, with no network: kept
    in the outbox with the sheet, sent once when the network is back, stored on the
    record of the species; the fence's page then links the count to its record."""
    from observations.models import OccurrenceMedia
    from tests.observations.media_support import phone_photo
    from zones_humides.models import DriftFence, FenceCheck, PopPassage

    base = live_server.url
    context = page.context
    page.set_viewport_size(PHONE)
    context.add_init_script(script=axe_source())
    pond = PopSite.objects.get(code="A5-01")
    fence = DriftFence.objects.get()
    passage_path = f"/zones-humides/pop/sites/{pond.pk}/passages/nouveau/"
    fence_path = f"/zones-humides/barrieres/{fence.pk}/releve/"
    sign_in_and_keep_the_field(page, base, [passage_path, fence_path])
    image = {"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": phone_photo()}

    context.set_offline(True)
    context.route("**/*", cut_posts)
    page.goto(f"{base}{passage_path}")
    page.get_by_label("Expertise").select_option("chevronne")
    page.get_by_role("spinbutton", name="Crapaud commun").fill("35")
    page.get_by_text("Photos et sons des espèces").click()
    page.get_by_label("Photos et sons – Crapaud commun").set_input_files(image)
    # Opened offline without ever being opened online, the page has its own stylesheet.
    assert (
        page.evaluate(
            "getComputedStyle(document.querySelector('.pop-species__row')).display"
        )
        == "grid"
    )
    assert audit(page, label=passage_path, role="saisie", size="phone") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Enregistrer le passage").click()
    page.get_by_test_id("outbox-saved").wait_for()

    page.goto(f"{base}{fence_path}")
    page.get_by_role("spinbutton", name="Bufo bufo, Mâle, vivant").fill("7")
    page.get_by_text("Photos et sons des espèces").click()
    page.get_by_label("Photos et sons – Crapaud commun").set_input_files(image)
    page.get_by_role("button", name="Enregistrer le relevé").click()
    page.get_by_test_id("outbox-saved").wait_for()
    count_is(page, 2)
    assert not OccurrenceMedia.objects.exists()

    # Back online: both sheets are sent with their photo, each stored once.
    context.unroute("**/*", cut_posts)
    context.set_offline(False)
    page.goto(f"{base}{MINE}")
    page.wait_for_function(
        "document.querySelector('[data-outbox-count]').textContent === '0'",
        timeout=20000,
    )
    line = PopPassage.objects.get().observations.get(taxon_id=259)
    count = FenceCheck.objects.get().counts.get()
    assert line.occurrence.media.count() == 1
    assert count.occurrence.media.count() == 1
    assert OccurrenceMedia.objects.count() == 2
    page.evaluate("window.CPIEOutbox.send()")
    assert OccurrenceMedia.objects.count() == 2

    # The fence's page: the round's count links to its record, which shows the photo.
    page.goto(f"{base}/zones-humides/barrieres/{fence.pk}/")
    page.get_by_text("Voir les 1 relevé").click()
    fence_page = f"/zones-humides/barrieres/{fence.pk}/"
    assert audit(page, label=fence_page, role="saisie", size="phone") == []
    # The round's own page lists its records too.
    page.goto(f"{base}{fence_path}")
    records = page.get_by_test_id("fence-records")
    assert "1 photo ou son" in records.inner_text()
    assert audit(page, label=fence_path, role="saisie", size="phone") == []
    page.goto(f"{base}{fence_page}")
    page.get_by_text("Voir les 1 relevé").click()
    page.get_by_role("link", name="Bufo bufo, mâle vivant : 7").click()
    page.wait_for_url(f"{base}/observations/{count.occurrence.uuid}/")
    thumbnail = page.get_by_test_id("media-thumbnail")
    assert thumbnail.count() == 1
    thumbnail.scroll_into_view_if_needed()  # loaded lazily
    page.wait_for_function(
        "document.querySelector('[data-testid=media-thumbnail]').naturalWidth > 0"
    )
    assert page.failed_requests == []
