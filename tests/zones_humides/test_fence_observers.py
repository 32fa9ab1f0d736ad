"""The drift-fence check's observers are people of the referential: chosen in the
morning form (the user by default), named by the occurrences it publishes (so that the
lists' observer filter finds them), and linked by a migration from the free text of
older checks when the name designates one person only."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from observations.models import Occurrence
from tests.factories.referentiel import DatasetFactory, PersonFactory
from tests.factories.zones_humides import (
    DriftFenceFactory,
    WetlandProfileFactory,
    amphibian,
)
from zones_humides.models import FenceCheck
from zones_humides.services import fence_check_save

pytestmark = pytest.mark.django_db
link = importlib.import_module(
    "zones_humides.migrations.0009_fence_check_observers_link"
)


@pytest.fixture
def fence(organisation):
    return DriftFenceFactory(
        site=WetlandProfileFactory(site__name="Mare de Vimy").site,
        dataset=DatasetFactory(producer=organisation, title="Barrière de Vimy"),
    )


@pytest.fixture
def toad():
    return amphibian(259)


def test_morning_form_saves_people_and_the_records_name_them(
    client, saisie_user, observer, organisation, fence, toad
):
    colleague = PersonFactory(
        first_name="Marie", last_name="Fontaine", organisation=organisation
    )
    url = reverse("zones_humides:fence_check_entry", args=[fence.pk])
    client.force_login(saisie_user)
    form = client.get(url).context["form"]
    assert form["observers"].value() == [observer.pk]  # the user by default
    response = client.post(
        url,
        {
            "date": "2021-03-12",
            "rain": "0",
            "observers": [observer.pk, colleague.pk],
            "n_259_male_v": "4",
        },
    )
    assert response.status_code == 302
    check = FenceCheck.objects.get()
    assert set(check.observers.all()) == {observer, colleague}
    occurrence = Occurrence.objects.get()
    assert set(occurrence.observers.all()) == {observer, colleague}
    assert occurrence.observers_label == (
        "CARON Léa (CPIE CdT), FONTAINE Marie (CPIE CdT)"
    )
    listed = client.get(
        reverse("observations:occurrence_list"), {"observer": colleague.pk}
    )
    assert [row.pk for row in listed.context["page"]] == [occurrence.pk]


def test_migration_links_the_names_that_designate_one_person(
    saisie_user, observer, organisation, fence, toad
):
    PersonFactory(first_name="Jean", last_name="Dupont", organisation=organisation)
    PersonFactory(first_name="Jeanne", last_name="Dupont", organisation=organisation)
    PersonFactory(first_name="Jean", last_name="DUPONT", organisation=None)
    written = {
        1: "Lea CARON (CPIE CdT)",  # accents, case and organisation ignored
        2: "Jean Dupont",  # two people of that name: kept as written
        3: "Propriétaire du jardin",  # nobody: kept
    }
    for day, text in written.items():
        fence_check_save(
            user=saisie_user,
            fence=fence,
            fields={"date": dt.date(2021, 3, day), "observer": text},
            counts=[{"taxon": toad, "sex": "male", "alive": True, "count": 2}],
        )
    assert not Occurrence.objects.filter(observers__isnull=False).exists()

    link.link_observers(apps, None)

    checks = {c.date.day: c for c in FenceCheck.objects.prefetch_related("observers")}
    assert list(checks[1].observers.all()) == [observer] and checks[1].observer == ""
    for day in (2, 3):
        assert list(checks[day].observers.all()) == []
        assert checks[day].observer == written[day]
    linked = Occurrence.objects.get(date_start=dt.date(2021, 3, 1))
    assert list(linked.observers.all()) == [observer]
    assert linked.observers_label == "CARON Léa (CPIE CdT)"
    kept = Occurrence.objects.get(date_start=dt.date(2021, 3, 3))
    assert kept.observers_label == "Propriétaire du jardin"


def test_old_free_text_is_shown_until_people_replace_it(
    client, saisie_user, observer, fence, toad
):
    fence_check_save(
        user=saisie_user,
        fence=fence,
        fields={"date": dt.date(2021, 3, 12), "observer": "Propriétaire du jardin"},
        counts=[],
    )
    url = reverse("zones_humides:fence_check_entry", args=[fence.pk])
    client.force_login(saisie_user)
    html = client.get(url, {"date": "2021-03-12"}).content.decode()
    assert "Observateur noté en texte libre : « Propriétaire du jardin »" in html
    client.post(url, {"date": "2021-03-12", "rain": "0", "observers": [observer.pk]})
    check = FenceCheck.objects.get()
    assert check.observer == "" and list(check.observers.all()) == [observer]


def test_api_check_names_its_observers(api_client, saisie_user, observer, fence, toad):
    api_client.force_authenticate(saisie_user)
    url = f"/api/v1/zones-humides/barrieres/{fence.pk}/releves/"
    payload = {
        "date": "2021-03-12",
        "observers": [observer.pk],
        "counts": [{"taxon": 259, "sex": "male", "count": 2}],
    }
    response = api_client.post(url, payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["observers"] == [observer.pk]
    assert list(Occurrence.objects.get().observers.all()) == [observer]
    # Sent again without observers: those of the day's check are kept.
    del payload["observers"]
    assert api_client.post(url, payload, format="json").status_code == 201
    assert list(Occurrence.objects.get().observers.all()) == [observer]
