"""The 2020 activity report of CPIE Chaîne des Terrils, reproduced by the demo (issue 22).

The report's Action 1 data figures are transcribed below from its text (docs/report-2020.md)
and compared with what the dashboard computes for the demo's coordinator of the CPIE. The
figures the demo cannot reach are listed with the reason, and the test checks that reason
still holds: a regional pool too short for the group (no taxon code is made up). When
taxa are added to the pool, the gap test fails and the figure moves to the exact ones.

The whole demo (``load_demo``) is a copy of the demo template (tests/demo_db.py).
"""

import datetime as dt
import mimetypes
import re
import uuid
from io import BytesIO
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook

from indicateurs.models import AnnualReport
from indicateurs.report import workbook_bytes
from indicateurs.services import indicators_for_year
from indicateurs.snapshots import indicators_read
from indicateurs.templatetags.report_print import french_date
from observations.atlas import SPECIES_OR_BELOW
from observations.models import DataExchange, Occurrence, Source
from observations.services import occurrences_refresh_derived
from referentiel.demo.reference import regional_pool
from referentiel.models import Organisation, Taxon, TaxonStatus, User
from tests.demo_db import demo_database

# Action 1, "Atlas contributions 2020 (records / species)".
REPORT_ATLAS_2020 = {
    "rhopaloceres": (285, 28),
    "odonates": (55, 17),
    "coccinelles": (361, 35),
    "orthopteres": (359, 22),
    "oiseaux": (1457, 120),
    "mammiferes": (35, 12),
    "amphibiens": (389, 12),
    "reptiles": (51, 2),
    "heteroceres": (339, 152),
    "abeilles": (385, 54),
    "syrphes": (265, 40),
    "araignees": (4, 2),
    "punaises": (2, 1),
    "flore": (3203, 517),
}
# Action 1, "7,208 records entered in 2020: 3,203 flora, 4,005 fauna".
REPORT_RECORDS_2020 = {"records": 7208, "records_flora": 3203, "records_fauna": 4005}

# Action 1, "Wetlands International mid-winter waterbird count: 129 records of 28 species
# on 17 sites".
REPORT_WATERBIRDS_2020 = {"records": 129, "species": 28, "sites": 17}

# Action 1, "Data exchanges in 2020": SAPOLL 3,152; ONF 1,814 + 341; Eden 62 226, and
# 10,195 + 1,165 — 4 exchanges (the indicators' "number and kind of data exchanges (4)").
REPORT_EXCHANGES_2020 = {
    "count": 4,
    "rows": {"SAPOLL": 3152, "ONF": 1814 + 341, "Eden 62": 226 + 10195 + 1165},
}

# Action 1's indicators: "number of monitoring programmes and studies (16), number and
# kind of partners (37: hunters, OFB, CEN, CMNF, Eden 62, CBNBL, ONF, ORB, EPF, GON, PNR
# Scarpe-Escaut, MNHN, CRBPO, CapOrnis, a Czech university, USAN, Chambre d'agriculture,
# Campagne vivante, Lestrem Nature, Mission Bassin Minier, SUEZ, SIZIAF, ADOPTA, 11
# communes, 4 intercommunalities)". The named ones and the kinds the demo must hold.
REPORT_PROGRAMMES_2020 = 16
REPORT_PARTNERS_2020 = 37
REPORT_PARTNERS_NAMED = {
    "FDC 62",
    "OFB",
    "CEN HdF",
    "CMNF",
    "Eden 62",
    "CBN Bailleul",
    "ONF",
    "ORB HdF",
    "EPF HdF",
    "GON",
    "PNR Scarpe-Escaut",
    "MNHN",
    "CRBPO",
    "CapOrnis",
    "Université de Bohême du Sud",
    "USAN",
    "Chambre d'agriculture",
    "Campagne vivante",
    "Lestrem Nature",
    "MBM",
    "SUEZ",
    "SIZIAF",
    "ADOPTA",
}
# Action 2's indicators: "studies and monitoring on wetlands (12 programmes on 30+
# sites)", "restoration/management operations and sites (8)".
REPORT_WETLANDS_2020 = {
    "programmes": 12,
    "sites": 30,
    "operations": 8,
    "operation_sites": 8,
}

# Action 1, "Pollinator inventory of 17 flower strips: 441 flora and 765 fauna records"
# (the fauna: 385 bees, 265 hoverflies, 115 butterflies).
REPORT_POLLINATORS_2020 = {"flora": 441, "fauna": 765}

# Action 1, "Remarkable finds 2020" (docs/report-2020.md): first records for a département
# and rarities. Euroleon nostras is not in the demo: the shipped taxon lists hold no real
# TAXREF code for it (none is made up).
REPORT_FINDS_2020 = {
    "Calliptamus italicus",
    "Eumodicogryllus bordigalensis",
    "Bubo bubo",
    "Petrorhagia saxifraga",
    "Rostraria cristata",
}
REPORT_FINDS_MISSING = {"Euroleon nostras"}

# Reproduced exactly, records and species.
EXACT = (
    "amphibiens",
    "reptiles",
    "rhopaloceres",
    "flore",
    "odonates",
    "araignees",
    "punaises",
    "mammiferes",
    "oiseaux",
    "orthopteres",
    "heteroceres",
    "syrphes",
)
# Records exact, species short: the pool's 27 ladybirds are fewer than the report's 35.
RECORDS_ONLY = ("coccinelles",)
# Out of reach: the regional pool holds less than half the report's species (7 bees of
# 54), so the demo draws proportionally fewer records (observations/demo/specs.py).
OUT_OF_REACH = ("abeilles",)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    # ``load_demo --departements 59 62``: a copy of the demo template (tests/demo_db.py).
    media = tmp_path_factory.mktemp("demo-media")
    with (
        override_settings(MEDIA_ROOT=media),
        django_db_blocker.unblock(),
        demo_database("demo", media),
    ):
        yield


@pytest.fixture
def coordinator(demo):
    return User.objects.get(username="coordinateur")


def figures_of(indicators: dict) -> dict:
    return {
        figure["key"]: figure["value"]
        for section in indicators["sections"]
        for figure in section["figures"]
    }


def atlas_of(indicators: dict) -> dict:
    return {
        g["code"]: (g["records"], g["species"])
        for g in indicators["details"]["atlas"]["groups"]
    }


def indicators_details_kinds(indicators: dict) -> dict:
    return indicators["details"]["outreach"]["economic_actions_by_kind"]


def pool_species(group: str) -> int:
    codes = [c for c, g in regional_pool().items() if g == group]
    return Taxon.objects.filter(
        cd_nom__in=codes, rank__in=SPECIES_OR_BELOW, rank="ES"
    ).count()


def pool_drawable_species(group: str) -> int:
    """The pool's species of ``group`` the demo draws at random: all but the region's
    rare and threatened ones (referentiel/data/statuses)."""
    codes = [c for c, g in regional_pool().items() if g == group]
    return (
        Taxon.objects.filter(cd_nom__in=codes, rank="ES")
        .exclude(TaxonStatus.rare_or_threatened_q("status__"))
        .count()
    )


def test_the_groups_cover_the_report():
    assert set(EXACT + RECORDS_ONLY + OUT_OF_REACH) == set(REPORT_ATLAS_2020)


@pytest.mark.django_db
def test_2020_action_1_figures_are_the_reports(demo, coordinator):
    indicators = indicators_for_year(2020, coordinator)
    atlas = atlas_of(indicators)
    for group in EXACT:
        assert atlas[group] == REPORT_ATLAS_2020[group], group
    for group in RECORDS_ONLY:
        records, species = REPORT_ATLAS_2020[group]
        assert atlas[group][0] == records, group
        # Every species the pool lets the demo draw, and no more.
        assert atlas[group][1] == pool_drawable_species(group) < species, group
        assert pool_species(group) < species, f"{group}: the pool can now reach it"
    for group in OUT_OF_REACH:
        records, species = REPORT_ATLAS_2020[group]
        assert pool_species(group) < species / 2, f"{group}: the pool can now reach it"
        assert atlas[group][0] < records, group
    figures = figures_of(indicators)
    # Flora is only its atlas group: the report's 3,203.
    assert figures["records_flora"] == REPORT_RECORDS_2020["records_flora"]
    # Fauna: the report's 4,005 less what the groups out of reach lack.
    lacking = sum(
        REPORT_ATLAS_2020[g][0] - atlas[g][0] for g in OUT_OF_REACH if g in atlas
    )
    assert figures["records_fauna"] == REPORT_RECORDS_2020["records_fauna"] - lacking
    assert figures["records"] == figures["records_fauna"] + figures["records_flora"]
    # The waterbird count: the report's records, species and sites.
    assert figures["waterbirds_records"] == REPORT_WATERBIRDS_2020["records"]
    assert figures["waterbirds_sites"] == REPORT_WATERBIRDS_2020["sites"]
    assert figures["waterbirds_species"] == REPORT_WATERBIRDS_2020["species"]
    # The pollinator inventory: its flora exact; its fauna lacks the bees the pool does
    # not hold yet (its hoverflies are the report's); its 17 strips lie on the demo's 3
    # flower-strip sites.
    assert figures["pollinators_flora"] == REPORT_POLLINATORS_2020["flora"]
    pollinators_lacking = sum(
        REPORT_ATLAS_2020[g][0] - atlas[g][0] for g in ("abeilles", "syrphes")
    )
    assert (
        0
        < pollinators_lacking
        == REPORT_ATLAS_2020["abeilles"][0] - atlas["abeilles"][0]
    )
    assert (
        figures["pollinators_fauna"]
        == REPORT_POLLINATORS_2020["fauna"] - pollinators_lacking
    )
    assert figures["pollinators_sites"] == 3
    # The exchanges, made outside the app and recorded by hand.
    assert figures["exchanges"] == REPORT_EXCHANGES_2020["count"]
    rows = {
        r["name"]: r["rows"] for r in indicators["details"]["exchanges"]["recipients"]
    }
    assert rows == REPORT_EXCHANGES_2020["rows"]
    assert figures["exchanged_rows"] == sum(REPORT_EXCHANGES_2020["rows"].values())
    # Outreach of action 1: "4 popularisation, 8 awareness, 7 training days with 45
    # participants".
    assert figures["a1_popularisation"] == 4
    assert figures["a1_awareness"] == 8
    assert figures["a1_training_days"] == 7
    assert figures["a1_trained"] == 45
    # Action 2: "people trained or made aware (411 = 250 + 115 + 28 + 18)".
    assert figures["a2_trained_or_aware"] == 411
    # Action 2, economic actors: "3 industrial sites, 1 newsletter, 1 conference, 1
    # report" — the same figures under the documented definition.
    assert figures["economic_actions"] == 6
    assert indicators_details_kinds(indicators) == {
        "Événement avec des acteurs économiques": 3,
        "Conférence ou webinaire": 1,
        "Publication dans les médias": 1,
        "Rapport": 1,
    }
    # Programmes and partners: action 1's 16 programmes, the report's 37 partners (the
    # named ones, 11 communes and 4 intercommunalities, SIZIAF and USAN among them).
    assert figures["programmes"] == REPORT_PROGRAMMES_2020
    assert "ATLAS" not in {p["code"] for p in indicators["details"]["programmes"]}
    partners = indicators["details"]["partners"]
    assert figures["partners"] == partners["count"] == REPORT_PARTNERS_2020, partners
    assert REPORT_PARTNERS_NAMED <= set(partners["names"]), sorted(
        REPORT_PARTNERS_NAMED - set(partners["names"])
    )
    assert partners["by_kind"]["Collectivité"] == 11
    assert partners["by_kind"]["Intercommunalité"] == 4
    # Action 2: the wetland programmes and the management operations.
    assert figures["wetland_programmes"] == REPORT_WETLANDS_2020["programmes"]
    assert figures["operations"] == REPORT_WETLANDS_2020["operations"]
    assert figures["operation_sites"] == REPORT_WETLANDS_2020["operation_sites"]
    # "12 programmes on 30+ sites": the wetland sites with presence records in 2020 (the
    # 17 of the waterbird count among them, which stay 17).
    assert figures["wetland_sites_studied"] >= REPORT_WETLANDS_2020["sites"]
    # The winter bat counts of the structure's hibernacula (no figure in the report).
    assert figures["bats_sites"] > 0 and figures["bats_individuals"] > 0
    # Ringing captures are counted in the ringing table, not in atlas contributions.
    assert indicators["details"]["ringing"]["rings"] > 3500
    ringing = Occurrence.objects.filter(
        source=Source.BAGUAGE, date_start__year=2020, observation_status="Pr"
    ).count()
    assert ringing > 3000
    assert atlas["oiseaux"][0] == 1457


@pytest.mark.django_db
def test_no_demo_taxon_lives_outside_the_region(demo):
    pool = regional_pool()
    used = set(Occurrence.objects.values_list("taxon_id", flat=True).distinct())
    assert used and used <= set(pool), sorted(used - set(pool))
    # The Mediterranean and Corsican species of the issue.
    outside = Taxon.objects.filter(
        scientific_name__in=["Testudo hermanni", "Hyla sarda", "Discoglossus sardus"]
    )
    assert outside.exists()
    assert not Occurrence.objects.filter(taxon__in=outside).exists()
    from terrils.models import PatrimonialSpecies

    listed = set(PatrimonialSpecies.objects.values_list("taxon_id", flat=True))
    assert listed and listed <= set(pool)


def _copy(record: Occurrence, **changes) -> Occurrence:
    record.pk = None
    record.uuid = uuid.uuid4()
    record.source_key = f"test-{uuid.uuid4()}"
    for name, value in changes.items():
        setattr(record, name, value)
    record.save()
    occurrences_refresh_derived(ids=[record.pk])
    return record


@pytest.mark.django_db
def test_one_more_record_moves_its_figures_by_one(demo, coordinator):
    before = indicators_for_year(2020, coordinator)
    flora = Occurrence.objects.filter(
        dataset__short_title="ATLAS",
        atlas_group__code="flore",
        date_start__year=2020,
        observation_status="Pr",
    ).first()
    _copy(flora, date_start=dt.date(2020, 6, 2), date_end=dt.date(2020, 6, 2))
    # A ringing capture is no atlas contribution: it moves nothing here.
    bird = Occurrence.objects.filter(
        source=Source.BAGUAGE, date_start__year=2020
    ).first()
    _copy(bird)
    after = indicators_for_year(2020, coordinator)
    old, new = figures_of(before), figures_of(after)
    for key in ("records", "records_flora"):
        assert new[key] == old[key] + 1, key
    assert new["records_fauna"] == old["records_fauna"]
    assert atlas_of(after)["flore"][0] == atlas_of(before)["flore"][0] + 1
    assert atlas_of(after)["oiseaux"] == atlas_of(before)["oiseaux"]


@pytest.mark.django_db
def test_an_exchange_recorded_by_hand_moves_the_exchanges(demo, coordinator):
    before = figures_of(indicators_for_year(2020, coordinator))
    cen = Organisation.objects.get(short_name="CEN HdF")
    exchange = DataExchange(
        organisation=coordinator.organisation,
        partner=cen,
        date=dt.date(2020, 12, 1),
        content="Orthoptères des terrils gérés par le CEN",
        fauna_rows=120,
    )
    exchange.full_clean()
    exchange.save()
    after = figures_of(indicators_for_year(2020, coordinator))
    assert after["exchanges"] == before["exchanges"] + 1
    assert after["exchanged_rows"] == before["exchanged_rows"] + 120
    # Recorded by hand with no data, or with one's own structure: a French error.
    for wrong in (
        DataExchange(
            organisation=coordinator.organisation,
            partner=cen,
            date=dt.date(2020, 12, 2),
            content="Rien",
        ),
        DataExchange(
            organisation=coordinator.organisation,
            partner=coordinator.organisation,
            date=dt.date(2020, 12, 2),
            content="Soi-même",
            flora_rows=3,
        ),
    ):
        with pytest.raises(ValidationError) as error:
            wrong.full_clean()
        assert "données échangées" in str(error.value) or "autre structure" in str(
            error.value
        )


# --- A report to send (issue 22, point 4): the print page and the workbook of 2020 --------

PRINT_PATH = "/indicateurs/2020/imprimer/"
# Every block of the printed report whose box must not overlap another (print media).
PRINT_BLOCKS = (
    "h1, h2, h3, p, ul, ol, table, figure, figcaption, canvas, svg.print-map__svg, "
    ".print-map__legend, .chart-image"
)
OVERLAPS = """(selector) => {
  const root = document.querySelector("[data-testid=printable-report]");
  const shown = [...root.querySelectorAll(selector)].filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== "hidden";
  });
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    " « " + (e.textContent || "").trim().slice(0, 40) + " »";
  const overlaps = [];
  for (let i = 0; i < shown.length; i += 1) {
    const a = shown[i].getBoundingClientRect();
    for (let j = i + 1; j < shown.length; j += 1) {
      if (shown[i].contains(shown[j]) || shown[j].contains(shown[i])) continue;
      const b = shown[j].getBoundingClientRect();
      const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (x > 1 && y > 1) overlaps.push([name(shown[i]), name(shown[j])]);
    }
  }
  // A chart larger than its box would spill over its neighbours (clipped or not).
  for (const canvas of root.querySelectorAll("canvas")) {
    const c = canvas.getBoundingClientRect();
    const box = canvas.parentElement.getBoundingClientRect();
    if (c.right > box.right + 1 || c.bottom > box.bottom + 1) {
      overlaps.push([name(canvas), "hors de son cadre"]);
    }
  }
  return { blocks: shown.length, overlaps: overlaps };
}"""


def pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF written by Chromium (its page objects are not compressed)."""
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def print_in_chromium(html: bytes, path: str) -> tuple[bytes, dict]:
    """The page printed to PDF (A4, as the browser's print dialog), with the layout check
    made in print media. The page comes from the test client (rendered inside the module's
    transaction, which a live server's thread would not see) and its static files from the
    finders, through Playwright's routing: no server, no network."""
    from django.conf import settings as django_settings
    from django.contrib.staticfiles import finders
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    def answer(route):
        url = urlsplit(route.request.url)
        if url.path == path:
            return route.fulfill(body=html, content_type="text/html; charset=utf-8")
        if url.path.startswith(django_settings.STATIC_URL):
            found = finders.find(url.path.removeprefix(django_settings.STATIC_URL))
            if found:
                kind = mimetypes.guess_type(found)[0] or "application/octet-stream"
                return route.fulfill(path=found, content_type=kind)
        errors.append(f"requête inattendue : {route.request.url}")
        return route.abort()

    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(
                locale="fr-FR", viewport={"width": 1280, "height": 900}
            )
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.route("**/*", answer)
            page.goto(f"http://testserver{path}")
            page.wait_for_selector("#indicateurs-months[data-drawn='true']")
            page.wait_for_selector("#indicateurs-groups[data-drawn='true']")
            page.emulate_media(media="print")
            layout = page.evaluate(OVERLAPS, PRINT_BLOCKS)
            pdf = page.pdf(
                format="A4", print_background=True, prefer_css_page_size=True
            )
        finally:
            browser.close()
    assert errors == []
    return pdf, layout


@pytest.mark.browser
@pytest.mark.django_db
def test_the_2020_print_page_is_a_report_to_send(demo, coordinator, client):
    client.force_login(coordinator)
    response = client.get(PRINT_PATH)
    assert response.status_code == 200
    text = response.content.decode()
    # A cover: the structure, the year, the date of edition in French.
    cover = text[
        text.index('class="print-cover"') : text.index(
            "</header>", text.index('class="print-cover"')
        )
    ]
    assert "CPIE Chaîne des Terrils" in cover and "Bilan d'activité 2020" in cover
    assert f"Édité le {french_date(timezone.localdate())}" in cover
    assert re.search(r"\d{4}-\d{2}-\d{2}", cover) is None
    # One part per action, a map (SVG, no tiles) for the two where places matter.
    assert text.count('class="print-action"') == 3
    assert text.count('data-testid="print-map"') == 2
    assert text.count("<svg") == 2 and "leaflet" not in text.casefold()
    # The records map counts the records the figure counts (as the reader sees them).
    # (indicators_read: the snapshot the page has just kept, read in a few milliseconds.)
    indicators = indicators_read(2020, coordinator)[0]
    records = figures_of(indicators)["records"]
    plain = re.sub(r"(?<=\d)[\s\u202f\xa0](?=\d)", "", text)
    assert f"{records} données dans" in plain
    assert "en cours de recalcul" not in text
    pdf, layout = print_in_chromium(response.content, PRINT_PATH)
    assert pdf.startswith(b"%PDF")
    assert 4 <= pdf_pages(pdf) <= 12, pdf_pages(pdf)
    assert layout["blocks"] > 50
    assert layout["overlaps"] == []

    # Only the finds chosen are listed, with the count of the others: none at first…
    assert "Aucune découverte n'a encore été retenue pour le bilan." in text
    finds = indicators["details"]["finds"]
    every = finds["firsts"] + finds["rare_or_threatened"]
    taxa = {f.get("cd_ref") or f["taxon"] for f in every}  # a taxon is one find
    assert f"{len(taxa)} autres découvertes détectées" in plain
    # … then the one a coordinator picks (decisions are read at each view).
    chosen = every[0]
    response = client.post(
        f"/indicateurs/2020/decouvertes/{chosen['uuid']}/",
        {"status": "confirmee", "in_report": "on", "kind": chosen["kind"]},
    )
    assert response.status_code == 302
    text = client.get(PRINT_PATH).content.decode()
    listed = text[text.index('data-testid="printable-finds"') :]
    listed = listed[: listed.index("</table>")]
    assert listed.count("<tr>") == 1 + 1  # the header and the one chosen
    assert chosen["taxon"] in listed
    plain = re.sub(r"(?<=\d)[\s\u202f\xa0](?=\d)", "", text)
    assert f"{len(taxa) - 1} autres découvertes détectées" in plain


@pytest.mark.django_db
def test_the_2020_workbook_is_a_report_to_send(demo, coordinator, client):
    indicators = indicators_for_year(2020, coordinator)
    book = load_workbook(BytesIO(workbook_bytes(indicators, "CPIE Chaîne des Terrils")))
    # Real dates (the exchanges made outside the app) and numbers, formatted.
    log = book["Échanges hors application"]
    dates = [row[0] for row in log.iter_rows(min_row=4, values_only=True)]
    assert dates[-1] == "Total"
    assert dates[:-1] and all(isinstance(d, dt.datetime) for d in dates[:-1])
    assert log["A4"].number_format == "DD/MM/YYYY"
    action1 = book["Action 1"]
    records = next(
        r for r in action1.iter_rows(min_row=4) if r[0].value == "Données saisies"
    )
    assert isinstance(records[1].value, int) and records[1].number_format == "#,##0"
    # Totals that are the sums of their columns, in bold, after the rows.
    ringing = list(book["Baguage"].iter_rows(min_row=4))
    *lines, total = ringing
    assert total[0].value == "Total" and total[0].font.b
    # A programme run on several sites has its subtotal line, which the total skips.
    sites = [row for row in lines if not row[1].value.startswith("Sous-total")]
    assert len(sites) < len(lines)
    for column in (3, 4, 5, 6):  # sessions, rings, controls, foreign rings
        assert total[column].value == sum(row[column].value for row in sites)
    assert total[4].value == indicators["details"]["ringing"]["rings"]
    outreach = list(book["Sensibilisation"].iter_rows(min_row=4, values_only=True))
    assert outreach[-1][1] == sum(row[1] for row in outreach[:-1])
    atlas = [row[0] for row in book["Atlas"].iter_rows(min_row=4, values_only=True)]
    assert atlas.count("Flore") == 1 and atlas[-1] == "Total"
    # Wrapped text in readable columns, no cell of thousands of characters: the long
    # lists (the taxa of the first mentions) one item per row in "Listes".
    assert action1["F4"].alignment.wrap_text
    assert all(action1.column_dimensions[c].width <= 50 for c in "ABCDEF")
    longest = max(
        len(str(cell.value))
        for sheet in book
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )
    assert longest < 1000
    # Each first mention by name: in its figure's detail, or (a detail too long) one
    # per row of "Listes".
    listed = {
        r[2]
        for r in (
            book["Listes"].iter_rows(min_row=4, values_only=True)
            if "Listes" in book.sheetnames
            else ()
        )
        if r[1] == "Premières mentions départementales"
    }
    details = " ".join(str(row[4]) for row in action1.iter_rows(values_only=True))
    for find in indicators["details"]["finds"]["first_departement"]:
        assert find["taxon"] in listed or find["taxon"] in details, find["taxon"]
    # Set up to print: landscape, fitted to the width, header row repeated, the
    # structure in the page header and the page numbers in the footer.
    for sheet in book:
        assert sheet.page_setup.orientation == "landscape"
        assert (
            sheet.page_setup.fitToWidth == 1
            and sheet.sheet_properties.pageSetUpPr.fitToPage
        )
        assert sheet.print_title_rows == "$3:$3"
        assert "CPIE Chaîne des Terrils" in sheet.oddHeader.left.text
        assert "&P" in sheet.oddFooter.right.text
    # Named after the structure and the year, both ways in the download's header.
    report = AnnualReport.objects.create(
        year=2020, requested_by=coordinator, status=AnnualReport.Status.DONE
    )
    assert report.filename == "bilan-2020-cpie-chaine-des-terrils.xlsx"
    report.file.save(report.filename, ContentFile(b"PK"), save=True)
    client.force_login(coordinator)
    response = client.get(f"/indicateurs/rapports/{report.uuid}/fichier/")
    assert response["Content-Disposition"] == (
        'attachment; filename="bilan-2020-cpie-chaine-des-terrils.xlsx"; '
        "filename*=UTF-8''bilan-2020-cpie-chaine-des-terrils.xlsx"
    )


@pytest.mark.django_db
def test_2020_finds_are_the_reports_few(demo, coordinator):
    """The finds a coordinator reads for 2020 are the report's (5 of its 6, the sixth has
    no taxon code in the demo), each taxon once per kind of find (a first mention,
    and a rare species of the regional referential), never a common species."""
    finds = indicators_for_year(2020, coordinator)["details"]["finds"]
    every = finds["firsts"] + finds["rare_or_threatened"]
    taxa = {f["taxon"] for f in every}
    assert REPORT_FINDS_2020 <= taxa, sorted(REPORT_FINDS_2020 - taxa)
    assert len(taxa) <= 8, sorted(taxa)
    assert len({(f["cd_ref"], f["kind"]) for f in every}) == len(every)
    assert not taxa & {"Columba palumbus", "Hirundo rustica", "Turdus merula"}
    assert {f["taxon"] for f in finds["first_departement"]} >= {
        "Calliptamus italicus",
        "Eumodicogryllus bordigalensis",
        "Petrorhagia saxifraga",
        "Rostraria cristata",
    }
    assert not Taxon.objects.filter(scientific_name__in=REPORT_FINDS_MISSING).exists()
