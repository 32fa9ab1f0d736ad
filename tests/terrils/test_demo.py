"""The terril demo: the 11 terrils evaluated in 2020 with their numbers and communes, each
scored per group and species under v1 and v2; a second run adds nothing."""

import pytest

from terrils.demo import load_demo
from terrils.models import Campaign, Score, Terril
from tests.demo_db import demo_database

EVALUATED_2020 = {
    "2-3": "Ruitz",
    "12": "Bruay-la-Buissière",
    "75": "Avion",
    "87": "Hénin-Beaumont",
    "94-94a": "Noyelles-sous-Lens",
    "108": "Ostricourt",
    "123-141": "Roost-Warendin",
    "152-153": "Escaudain",
    "162": "Denain",
    "169": "Lourches",
    "195-196": "Condé-sur-l'Escaut",
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole demo (``load_demo --departements 59 62``, which runs this app's), a copy
    of its template (tests/demo_db.py)."""
    with django_db_blocker.unblock(), demo_database("demo"):
        yield


@pytest.mark.django_db
def test_eleven_terrils_with_numbers_communes_and_scores(demo):
    terrils = {t.number: t for t in Terril.objects.prefetch_related("communes")}
    assert set(EVALUATED_2020) <= set(terrils)
    for number, commune in EVALUATED_2020.items():
        assert commune in {c.name for c in terrils[number].communes.all()}, number
        campaign = Campaign.objects.get(terril__number=number, year=2020)
        score = Score.objects.get(campaign=campaign, version__code="v1")
        assert score.total > 0, number
        assert score.lines.filter(taxon__isnull=False).exists()
        assert score.group_scores.count() == 7
        assert Score.objects.filter(campaign=campaign, version__code="v2").exists()
        assert Campaign.objects.filter(terril__number=number, kind="etat_zero").exists()


@pytest.mark.django_db
def test_v2_scores_differ_by_the_pc_coefficient(demo):
    for v1 in Score.objects.filter(version__code="v1", campaign__year=2020):
        v2 = Score.objects.get(campaign=v1.campaign, version__code="v2")
        pc = v1.lines.filter(rarity="PC").count()
        weights = {g.group: g.weight for g in v1.group_scores.all()}
        extra = sum(weights[line.group] for line in v1.lines.filter(rarity="PC"))
        assert v2.total - v1.total == extra, (v1.campaign, pc)


@pytest.mark.django_db
def test_second_run_adds_nothing(demo):
    counts = (Terril.objects.count(), Campaign.objects.count(), Score.objects.count())
    lines = []
    load_demo(log=lines.append)
    assert counts == (
        Terril.objects.count(),
        Campaign.objects.count(),
        Score.objects.count(),
    )
    assert lines and lines[0].startswith("Terrils :")
