"""The wetlands demo: the 8 POP aires of 2020 give the report's figures, computed from
the visits; the Vimy fence has its seasons since 2005; a second run creates nothing."""

import pytest
from django.test import override_settings
from django.urls import reverse

from observations.models import Occurrence, Source
from referentiel.models import User
from tests.demo_db import demo_database
from zones_humides.demo import load_demo
from zones_humides.models import (
    DriftFence,
    FenceCount,
    ManagementOperation,
    NewtCapture,
    NewtIndividual,
    PassageObservation,
    PopAire,
    PopPassage,
    WaterLevelReading,
    WetlandProfile,
)
from zones_humides.selectors.newts import capture_history_matrix
from zones_humides.selectors.pop import pop_results


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, demo_media):
    """The whole demo (``load_demo --departements 59 62``, which runs this app's), a copy
    of its template (tests/demo_db.py); its photo files (newt bellies) copied into a
    temporary MEDIA_ROOT."""
    with (
        override_settings(MEDIA_ROOT=demo_media),
        django_db_blocker.unblock(),
        demo_database("demo", demo_media),
    ):
        yield


@pytest.mark.django_db
def test_pop_2020_figures_are_those_of_the_report(demo):
    results = pop_results(year=2020, aires=PopAire.objects.all(), user=None)
    assert len(results.aires) == 8
    assert results.sites_visited == 137
    assert results.sites_occupied == 51
    assert results.records == 389
    assert results.positive == 237
    assert len(results.species) == 11
    assert results.species_per_aire == (2, 7)
    assert [len(a.species) for a in results.aires] == [5, 2, 4, 6, 7, 6, 5, 3]
    names = {a.aire.number: a.aire.name for a in results.aires}
    assert names[5] == "Terrils du 11/19" and names[8] == "Entre 2 Vallées"
    # Every passage is kept, the empty ones as an absence of Amphibia.
    assert (
        PassageObservation.objects.filter(present=False, taxon_id=914450).count() == 152
    )
    assert PopPassage.objects.filter(observations__isnull=True).count() == 0


@pytest.mark.django_db
def test_results_page_shows_the_figures(demo, client):
    client.force_login(User.objects.get(username="coordinateur"))
    html = client.get(
        reverse("zones_humides:pop_results", args=[2020])
    ).content.decode()
    for figure, value in (
        ("sites-visited", "137"),
        ("sites-occupied", "51"),
        ("records", "389"),
        ("positive", "237"),
        ("species", "11"),
        ("species-per-aire", "2 à 7"),
    ):
        assert f'data-figure="{figure}">{value}<' in html
    planner = client.get(reverse("zones_humides:pop_index") + "?annee=2022").content
    assert planner.count(b'data-status="a_faire"') == 8


@pytest.mark.django_db
def test_fence_profiles_and_works(demo, client):
    fence = DriftFence.objects.get()
    years = sorted({d.year for d in fence.checks.values_list("date", flat=True)})
    assert years[0] == 2005 and len(years) >= 15
    assert fence.site.name == "Mare à barrière-piège de Vimy"
    assert WetlandProfile.objects.count() == 13
    # The report's 8 operations on 8 sites; the six participatory days at ZEC Delta 3
    # (18 people) are one of them.
    of_2020 = ManagementOperation.objects.filter(date_start__year=2020)
    assert of_2020.count() == 8
    assert of_2020.values("site").distinct().count() == 8
    days = ManagementOperation.objects.get(performed_by="benevoles")
    assert days.site.name == "ZEC Delta 3" and days.participants_count == 18
    assert len(days.participants.splitlines()) == 18
    assert WaterLevelReading.objects.exists()
    client.force_login(User.objects.get(username="coordinateur"))
    page = client.get(reverse("zones_humides:fence_detail", args=[fence.pk]))
    assert page.status_code == 200
    assert page.context["totals"]["labels"][0] == 2005
    sheet = client.get(reverse("zones_humides:site_sheet", args=[fence.site.pk]))
    assert sheet.status_code == 200


@pytest.mark.django_db
def test_a_second_run_creates_nothing(demo):
    before = (
        PopPassage.objects.count(),
        DriftFence.objects.get().checks.count(),
        Occurrence.objects.count(),
        NewtCapture.objects.count(),
    )
    lines = []
    load_demo(log=lines.append)
    assert "0 passages créés" in lines[0] and "0 relevés créés" in lines[0]
    assert "0 captures" in lines[0] and "0 observations publiées" in lines[0]
    assert "dont 0 validées" in lines[0]
    assert (
        PopPassage.objects.count(),
        DriftFence.objects.get().checks.count(),
        Occurrence.objects.count(),
        NewtCapture.objects.count(),
    ) == before


@pytest.mark.django_db
def test_pop_lines_and_fence_counts_are_published(demo):
    """The wetlands demo is the single source of the POP-AMPHIBIEN and BARRIERE-VIMY
    occurrences: every line and count is published once."""
    assert not PassageObservation.objects.filter(occurrence__isnull=True).exists()
    assert not FenceCount.objects.filter(occurrence__isnull=True).exists()
    pop = Occurrence.objects.filter(dataset__short_title="POP-AMPHIBIEN")
    assert pop.count() == PassageObservation.objects.count() == 389
    assert set(pop.values_list("source", flat=True)) == {Source.ZONES_HUMIDES}
    assert pop.filter(observation_status="No").count() == 152
    assert not pop.filter(observers__isnull=True).exists()
    assert not pop.filter(commune__isnull=True).exists()
    fence = Occurrence.objects.filter(dataset__short_title="BARRIERE-VIMY")
    assert fence.count() == FenceCount.objects.count()
    assert set(fence.values_list("source", flat=True)) == {Source.ZONES_HUMIDES}


@pytest.mark.django_db
def test_the_validator_has_checked_the_published_records(demo):
    """As in the observations demo: everything before 2019 validated, a share of the
    recent years left to check, by the amphibian validator, with its history."""
    published = Occurrence.objects.filter(source=Source.ZONES_HUMIDES)
    old = published.filter(date_start__year__lt=2019)
    assert old.exists() and not old.filter(validation_status=0).exists()
    recent = published.filter(date_start__year=2021)
    pending = recent.filter(validation_status=0).count()
    assert 0 < pending < recent.count() / 2
    decided = published.exclude(validation_status=0)
    assert set(decided.values_list("validator__username", flat=True)) == {"validateur"}
    assert set(decided.values_list("validation_status", flat=True)) <= {1, 2, 3, 4}
    assert decided.filter(validations__isnull=True).count() == 0


@pytest.mark.django_db
def test_newts_known_since_2013_at_vimy(demo, demo_media, client, settings):
    settings.MEDIA_ROOT = demo_media
    individuals = NewtIndividual.objects.order_by("code")
    assert individuals.count() >= 5
    assert individuals.first().first_seen.year == 2013
    assert {i.first_site.name for i in individuals} == {"Mare à barrière-piège de Vimy"}
    capture = NewtCapture.objects.filter(individual__code="TC-2013-001").first()
    assert capture.photo and capture.thumbnail and capture.fence_check is not None
    client.force_login(User.objects.get(username="coordinateur"))
    photo = client.get(reverse("zones_humides:newt_thumbnail", args=[capture.pk]))
    assert photo.status_code == 200
    years, rows = capture_history_matrix(user=User.objects.get(username="coordinateur"))
    assert years[0] == 2013 and dict(rows)["TC-2013-001"][0] == 1
