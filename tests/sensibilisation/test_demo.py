"""The sensibilisation demo: the 2020 figures of the activity report (context.md) come out
of its records, the open campaign has validated reports on its public map, and a second
run adds nothing."""

from io import StringIO

import pytest
from django.urls import reverse

from observations.models import Occurrence, Source
from referentiel.models import User
from sensibilisation.demo import load_demo
from sensibilisation.models import (
    Action,
    ActionParticipant,
    Campaign,
    Report,
    Volunteer,
)
from sensibilisation.permissions import actions_visible_to
from sensibilisation.selectors import campaign_public_map, figures_for_year
from tests.demo_db import demo_database

MODELS = (Action, ActionParticipant, Campaign, Report, Volunteer)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole demo (``load_demo --departements 59 62``, which runs this app's), a copy
    of its template (tests/demo_db.py)."""
    with django_db_blocker.unblock(), demo_database("demo"):
        yield


@pytest.mark.django_db
def test_2020_figures_are_those_of_the_report(demo):
    coordinator = User.objects.get(username="coordinateur")
    figures = figures_for_year(actions=actions_visible_to(coordinator), year=2020)
    line1, line2, line3 = figures["lines"]
    # Action 2: 411 = 250 (webinar) + 115 (cross-border) + 28 (ringing) + 18 (work days).
    assert line2["trained_or_aware"] == 411
    assert line2["trained"] == 28
    assert line2["work_days"] == 6 and line2["volunteer_days"] == 18
    # Action 1: 7 training days with 45 participants, 8 awareness actions, 4 publications.
    trainings = Action.objects.filter(kind="formation", action_line=1)
    assert sum(t.sessions.count() for t in trainings) == 7
    assert line1["trained"] == 45
    assert line1["publications"] == 4
    assert (
        sum(
            n
            for kind, n in line1["by_kind"].items()
            if kind in {"Sortie guidée", "Stand", "Conférence ou webinaire"}
        )
        == 8
    )
    assert line3["publications"] == 5


@pytest.mark.django_db
def test_the_dragon_campaign_is_open_with_validated_reports(demo, client):
    campaign = Campaign.objects.get(slug="un-dragon-dans-mon-jardin", is_open=True)
    assert campaign.programme.code == "DRAGON-JARDIN"
    assert campaign.species.filter(common_name="Triton palmé").exists()
    assert Report.objects.filter(status="confirmed").count() >= 5
    occurrences = Occurrence.objects.filter(source=Source.CAMPAGNE)
    assert occurrences.filter(validation_status=1).count() >= 4
    assert occurrences.filter(validation_status=0).exists()
    features = campaign_public_map(campaign=campaign)["features"]
    assert features and all(
        f["geometry"]["type"] in {"MultiPolygon", "Polygon"} for f in features
    )
    assert (
        "Un dragon dans mon jardin"
        in client.get(reverse("sensibilisation:index")).content.decode()
    )


@pytest.mark.django_db
def test_a_second_run_adds_nothing(demo):
    counts = {model: model.objects.count() for model in MODELS}
    occurrences = Occurrence.objects.filter(source=Source.CAMPAGNE).count()
    output = StringIO()
    load_demo(stdout=output)
    assert {model: model.objects.count() for model in MODELS} == counts
    assert Occurrence.objects.filter(source=Source.CAMPAGNE).count() == occurrences
    assert "0 actions créées" in output.getvalue()
    assert "0 signalements créés" in output.getvalue()
