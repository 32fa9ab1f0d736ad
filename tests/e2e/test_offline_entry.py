"""Issue 19 point 1, on a 390×844 phone in headless Chromium: field entry with the
network cut. The entry page opens from the service worker's copy, the taxon search
answers from the taxa kept on the device, five observations, one POP passage, one
drift-fence morning round and one count season grid go to the outbox ("À envoyer"), which survives a reload and the tab being closed; when the
network is back each is saved exactly once, and the one the server refuses stays with its
French reason, to be corrected in its form.

The seconds and taps of one observation, online and offline, and the bytes the app keeps
on the device are printed (pytest -s) for the issue's closing note."""

import re
import time

import pytest
from django.utils import timezone

from observations.models import CountProgramme, CountVisit, Occurrence
from referentiel.models import Role
from tests.e2e.axe import audit, axe_source
from tests.e2e.conftest import NetworkWatch
from tests.e2e.test_observation_journey import PASSWORD, PHONE
from tests.factories.counts import CountProgrammeFactory, CountSiteFactory, bat_taxa
from tests.factories.referentiel import (
    CommuneFactory,
    DatasetFactory,
    OrganisationFactory,
    PersonFactory,
    TaxonFactory,
    UserFactory,
)
from tests.factories.zones_humides import (
    AMPHIBIANS,
    DriftFenceFactory,
    PopAireFactory,
    PopSiteFactory,
    WetlandProfileFactory,
    amphibian,
)
from zones_humides.models import DriftFence, FenceCheck, PopPassage, PopSite

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
CREATE = "/observations/nouvelle/"
OUTBOX = "/observations/a-envoyer/"
# (cd_nom, Latin name, French name, what is typed to find it)
SPECIES = [
    (351, "Rana temporaria", "Grenouille rousse", "gren rou"),
    (259, "Bufo bufo", "Crapaud commun", "crapaud com"),
    (444432, "Lissotriton helveticus", "Triton palmé", "triton pal"),
    (444440, "Ichthyosaura alpestris", "Triton alpestre", "alpestre"),
    (139, "Triturus cristatus", "Triton crêté", "triton cre"),
    (212, "Alytes obstetricans", "Alyte accoucheur", "alyte"),
]
SALAMANDER = (459, "Salamandra salamandra", "Salamandre tachetée")
PELODYTE = (1000, "Pelodytes punctatus", "Pélodyte ponctué", "pelodyte")


@pytest.fixture
def claire():
    cpie = OrganisationFactory(name="CPIE Chaîne des Terrils", short_name="CPIE CdT")
    user = UserFactory(
        username="claire", organisation=cpie, roles=[Role.SAISIE], first_name="Claire"
    )
    person = PersonFactory(
        user=user, first_name="Claire", last_name="Dumont", organisation=cpie
    )
    cpie.default_dataset = DatasetFactory(producer=cpie, title="Inventaires CPIE")
    cpie.save()
    for cd_nom in AMPHIBIANS:
        amphibian(cd_nom)
    for cd_nom, name, french, *_typed in [*SPECIES, SALAMANDER, PELODYTE]:
        if cd_nom not in AMPHIBIANS:
            TaxonFactory(cd_nom=cd_nom, scientific_name=name, vernacular_name=french)
    CommuneFactory()
    aire = PopAireFactory(
        number=5, name="Terrils du 11/19", dataset=cpie.default_dataset,
        main_observer=person,
    )  # fmt: skip
    PopSiteFactory(aire=aire, code="A5-01", name="Roselière")
    DriftFenceFactory(
        name="Barrière du 11/19",
        site=WetlandProfileFactory(site__name="Mare du 11/19").site,
        dataset=cpie.default_dataset,
    )
    grid = CountProgrammeFactory(dataset=cpie.default_dataset)
    grid.taxa.set(bat_taxa())
    CountSiteFactory(programme=grid, code="CH01", site__name="Fort de Bondues")
    return user


class Taps:
    """Counts what the user touches."""

    def __init__(self):
        self.count = 0

    def __call__(self, locator):
        self.count += 1
        locator.click()


def enter(page, taps, typed, label, *, place=True):
    """One observation: the taxon, (the GPS position), save and enter another."""
    taxon = page.get_by_role("combobox", name="Taxon")
    taps(taxon)
    taxon.press_sequentially(typed, delay=20)
    if label:
        taps(page.get_by_role("option", name=label))
    if place:
        taps(page.get_by_role("button", name="Ma position"))
        page.wait_for_function(
            "document.querySelector('input[name=precision_m]').value === '14'"
        )
    taps(
        page.get_by_role(
            "button", name="Enregistrer et saisir une autre au même endroit"
        )
    )


def until(page, script, arg=None, timeout=30.0):
    """Wait until ``script`` (a function of ``arg``, which may return a Promise) gives a
    truthy value: ``page.evaluate`` awaits the Promise, ``wait_for_function`` does not
    (a pending Promise is truthy)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"Still false after {timeout} s: {script}")
        time.sleep(0.2)


def badge_count(page) -> str:
    return page.get_by_test_id("outbox-badge").inner_text()


def test_five_observations_with_no_network_then_sent_once(live_server, page, claire):
    base = live_server.url
    context = page.context
    page.set_viewport_size(PHONE)
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": 50.4577, "longitude": 2.7785, "accuracy": 14})
    context.add_init_script(script=axe_source())

    page.goto(f"{base}/connexion/?next={CREATE}")
    page.get_by_label("Identifiant").fill("claire")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}{CREATE}")
    # While online, the app installs itself and keeps what the field needs.
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    until(
        page,
        "() => caches.open('cpie-pages').then(c => c.keys()).then(k => k.length >= 2)"
        ".then(ok => ok && window.CPIEStore.get('data', 'field').then(r => !!r))",
    )
    pond = PopSite.objects.get(code="A5-01")
    passage_path = f"/zones-humides/pop/sites/{pond.pk}/passages/nouveau/"
    fence = DriftFence.objects.get()
    fence_path = f"/zones-humides/barrieres/{fence.pk}/releve/"
    today = timezone.localdate()
    season = CountProgramme.objects.get().season_of(today)
    grid_path = f"/observations/comptages/CHIRO-HIVER/saisie/{season}/"
    for path in (OUTBOX, passage_path, fence_path, grid_path):
        until(
            page,
            "path => caches.open('cpie-pages').then(c => c.match(path)).then(r => !!r)",
            path,
        )

    # One observation online, for comparison.
    taps, start = Taps(), time.perf_counter()
    name, french, typed = SPECIES[0][1], SPECIES[0][2], SPECIES[0][3]
    enter(page, taps, typed, f"{name} — {french}")
    page.wait_for_url(f"{base}{CREATE}?depuis=*")
    page.get_by_text("enregistrée (voir la fiche)").wait_for()
    online = (time.perf_counter() - start, taps.count)

    # "Préparer la sortie": the tiles of this view (the last place, close up) are kept.
    prepare = page.get_by_role("button", name="Préparer la sortie")
    page.evaluate("document.getElementById('entry-map').cpieMap.setZoom(8)")
    prepare.click()
    outing = page.get_by_test_id("outing").get_by_role("status")
    assert "Zone trop grande" in outing.inner_text()
    page.evaluate("document.getElementById('entry-map').cpieMap.setZoom(15)")
    prepare.click()
    download = page.get_by_role("button", name=re.compile(r"^Télécharger \d+ tuiles$"))
    tile_count = int(download.inner_text().split()[1])
    assert 0 < tile_count <= 100 and "Mo" in outing.inner_text()
    download.click()
    page.get_by_text("la carte de cette zone marchera sans réseau").wait_for()
    kept_tiles = page.evaluate(
        "caches.open('cpie-tiles').then(c => c.keys()).then(k => k.map(r => r.url))"
    )
    assert len(kept_tiles) == tile_count

    # The network drops: the page opens from the device, the search answers from it.
    context.set_offline(True)

    # The switch covers the service worker too (Playwright attaches to it: its own POSTs
    # fail with net::ERR_INTERNET_DISCONNECTED); POSTs are also aborted by route, a second
    # guard. Neither outlives a tab that is closing or being navigated away: see "weak".
    def cut(route):
        return route.abort() if route.request.method == "POST" else route.fallback()

    context.route("**/*", cut)
    # A stored tile still shows (from the worker's cache), one never stored does not.
    show = (
        "url => new Promise(done => { const i = new Image(); "
        "i.onload = () => done(true); i.onerror = () => done(false); i.src = url; })"
    )
    assert page.evaluate(show, kept_tiles[0]) is True
    page.goto(f"{base}{CREATE}")
    assert page.get_by_role("heading", name="Nouvelle observation").is_visible()
    taps, start = Taps(), time.perf_counter()
    name, french, typed = SPECIES[1][1], SPECIES[1][2], SPECIES[1][3]
    enter(page, taps, typed, f"{name} — {french}")
    page.get_by_test_id("outbox-saved").wait_for()
    offline = (time.perf_counter() - start, taps.count)
    assert "gardée sur l'appareil" in page.get_by_test_id("outbox-saved").inner_text()
    assert badge_count(page) == "À envoyer (1)"
    assert audit(page, label=CREATE, role="saisie", size="phone") == []
    # The next ones at the same place: the taxon and save.
    for cd_nom, name, french, typed in SPECIES[2:]:
        enter(page, Taps(), typed, f"{name} — {french}", place=False)
        page.wait_for_function(
            "n => document.querySelector('[data-outbox-count]').textContent === n",
            arg=str(SPECIES.index((cd_nom, name, french, typed))),
        )
    # A species the list does not have, typed but not chosen: the server will refuse it.
    enter(page, Taps(), "salamandre noire", None, place=False)
    page.wait_for_function(
        "document.querySelector('[data-outbox-count]').textContent === '6'"
    )

    # One POP passage at the pond, offline too.
    page.goto(f"{base}{passage_path}")
    assert "A5-01 Roselière" in page.get_by_test_id("passage-site").inner_text()
    page.get_by_label("Expertise").select_option("chevronne")
    page.get_by_role("spinbutton", name="Crapaud commun").fill("35")
    page.get_by_role("button", name="Enregistrer le passage").click()
    page.get_by_test_id("outbox-saved").wait_for()
    assert (
        "Passage POP · site A5-01, passage 1"
        in page.get_by_test_id("outbox-saved").inner_text()
    )

    # The morning round of the drift fence, offline too.
    page.goto(f"{base}{fence_path}")
    page.get_by_role("spinbutton", name="Bufo bufo, Mâle, vivant").fill("7")
    page.get_by_role("spinbutton", name="Bufo bufo, Femelle, mort").fill("1")
    page.get_by_role("button", name="Enregistrer le relevé").click()
    page.get_by_test_id("outbox-saved").wait_for()
    assert (
        "Relevé de barrière · Barrière du 11/19"
        in page.get_by_test_id("outbox-saved").inner_text()
    )

    # The count season grid: one site counted this morning, offline too.
    page.goto(f"{base}{grid_path}")
    page.get_by_label("Fort de Bondues – date").fill(today.isoformat())
    page.get_by_label("Fort de Bondues – Myotis daubentonii").fill("23")
    page.get_by_role("button", name="Enregistrer la saison").click()
    page.get_by_test_id("outbox-saved").wait_for()
    assert (
        f"Comptage CHIRO-HIVER · saison {season}"
        in page.get_by_test_id("outbox-saved").inner_text()
    )

    # A phone that believes it is online (a signal too weak to carry anything): the
    # page posts, the post fails, the service worker keeps what was typed.
    #
    # It believes so only while the observation is typed, not when its page opens: a
    # page that believes it is online sends the outbox at once (and tries again every
    # few seconds), and a tab's offline switch and routes are lifted as soon as the tab
    # starts closing or leaving its page, while the page's scripts still run
    # (Playwright 1.65, Chromium 156). A send started in those milliseconds reaches the
    # live server with no request event: the old "known leak", Bufo bufo (first in the
    # outbox) sent as this tab reopened after its failed POST and saved as it closed; a
    # send provoked 2–5 ms before ``weak.close()`` was saved 80–170 ms after it, in 2
    # runs of 2. Leaving for about:blank first, or freezing the page
    # (Page.setWebLifecycleState), did not stop it (a POST scheduled a few ms before:
    # 3 runs of 10, 9 of 10). So this tab sends nothing while it closes: the outbox sends
    # only while the page believes it is online (also when Background Sync wakes it: it
    # woke this tab while it believed so, and Bufo bufo reached the server in one full
    # run of 6), and the tab closes once it believes it is offline again and its aborted
    # requests have ended.
    weak = context.new_page()
    weak_requests = NetworkWatch(weak)
    weak.set_viewport_size(PHONE)
    weak.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'onLine', "
        "{get: () => window.weakSignal === true})"
    )
    weak.goto(f"{base}{CREATE}")
    # The outbox counted: the page has read onLine (false) and will send nothing.
    weak.wait_for_function(
        "document.querySelector('[data-outbox-count]').textContent === '9'"
    )
    weak.evaluate("window.weakSignal = true")
    enter(weak, Taps(), PELODYTE[3], f"{PELODYTE[1]} — {PELODYTE[2]}")
    weak.get_by_test_id("outbox-saved").wait_for()
    assert "Pelodytes punctatus" in weak.get_by_test_id("outbox-saved").inner_text()
    assert "en-attente" not in weak.url
    weak.evaluate("window.weakSignal = false")
    weak_requests.settled(quiet=0.5)
    weak.close()

    # A reload, then the tab closed and the page opened again: all still there.
    page.reload()
    page.get_by_test_id("outbox-badge").wait_for()
    assert badge_count(page) == "À envoyer (10)"
    page.close()  # it knows it is offline: it sends nothing (see "weak" above)
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto(f"{base}{OUTBOX}")
    page.get_by_test_id("outbox-badge").wait_for()
    assert badge_count(page) == "À envoyer (10)"
    items = page.get_by_test_id("outbox-item")
    assert items.count() == 10
    assert "En attente du réseau" in items.first.inner_text()
    # Nothing typed offline has reached the server: only the record made online.
    reached = list(Occurrence.objects.values_list("taxon__cd_nom", flat=True))
    assert reached == [SPECIES[0][0]], reached
    assert not PopPassage.objects.exists() and not FenceCheck.objects.exists()
    assert not CountVisit.objects.exists()

    # The network is back: each record is sent by itself, once.
    context.unroute("**/*", cut)
    context.set_offline(False)
    page.wait_for_function(
        "document.querySelector('[data-outbox-count]').textContent === '1'",
        timeout=20000,
    )
    saved = sorted(
        Occurrence.objects.filter(source="saisie").values_list("taxon_id", flat=True)
    )
    assert saved == sorted(cd_nom for cd_nom, *_rest in [*SPECIES, PELODYTE])
    passage = PopPassage.objects.get()
    assert passage.observations.get().count_max == 35
    check = FenceCheck.objects.get()
    assert sorted(c.count for c in check.counts.all()) == [1, 7]
    visit = CountVisit.objects.get()
    assert [c.count for c in visit.counts.all()] == [23]
    # The refused one stays, with the server's French reason, to correct or delete.
    refused = page.get_by_test_id("outbox-item")
    assert refused.count() == 1
    reasons = refused.get_by_test_id("outbox-reasons").inner_text()
    assert reasons.startswith("Taxon : "), reasons
    assert page.get_by_role("link", name="Corriger salamandre noire").is_visible()
    assert audit(page, label=OUTBOX, role="saisie", size="phone") == []

    # Sending again changes nothing (the UUIDs are known).
    page.evaluate("window.CPIEOutbox.send()")
    assert Occurrence.objects.filter(source="saisie").count() == len(SPECIES) + 1
    assert PopPassage.objects.count() == 1
    assert FenceCheck.objects.count() == 1 and check.counts.count() == 2
    assert CountVisit.objects.count() == 1 and visit.counts.count() == 1
    kept = page.evaluate("window.CPIEOffline.usage().then(e => e && e.usage)")

    # Corrected in its form: the salamander is chosen this time, and sent.
    page.get_by_role("link", name="Corriger salamandre noire").click()
    taxon = page.get_by_role("combobox", name="Taxon")
    page.get_by_test_id("outbox-saved").wait_for()
    assert taxon.input_value() == "salamandre noire"
    taxon.fill("salamandre tach")
    page.get_by_role(
        "option", name="Salamandra salamandra — Salamandre tachetée"
    ).click()
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_url(f"{base}{OUTBOX}")
    page.get_by_text("Aucune saisie à envoyer").wait_for()
    assert page.get_by_test_id("outbox-badge").is_hidden()
    assert Occurrence.objects.filter(taxon_id=SALAMANDER[0]).count() == 1
    assert Occurrence.objects.filter(source="saisie").count() == len(SPECIES) + 2
    print(
        f"\nOne observation online: {online[0]:.1f} s, {online[1]} taps; "
        f"offline: {offline[0]:.1f} s, {offline[1]} taps; "
        f"kept on the device: {kept} bytes (with {tile_count} map tiles)"
    )
