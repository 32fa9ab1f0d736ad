"""Observation pages: the list with its filters, the detail with its histories and the
validation queue, each with its roles and the organisation scoping."""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse

from cpie_naturaliste.core.pagination import CappedPage
from observations.models import ImportBatch, Occurrence, Validation
from observations.services import occurrences_validate
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    DatasetFactory,
    UserFactory,
)

from .support import CREATE, LIST, QUEUE, created, detail_url

pytestmark = pytest.mark.django_db


def test_list_filters_sorts_and_paginates(client, saisie_user, own_dataset, frog, toad):
    for day in range(1, 31):
        OccurrenceFactory(
            dataset=own_dataset, taxon=frog, date_start=dt.date(2021, 3, day)
        )
    OccurrenceFactory(dataset=own_dataset, taxon=toad, date_start=dt.date(2021, 4, 1))
    OccurrenceFactory(dataset=own_dataset, taxon=frog, date_start=dt.date(2019, 4, 1))
    client.force_login(saisie_user)

    response = client.get(LIST)
    page = response.context["page"]
    assert page.total == 32 and len(page.object_list) == 25 and page.num_pages == 2
    assert page.object_list[0].taxon == toad  # newest first

    params = {"taxon": 351, "date_min": "2021-01-01", "date_max": "2021-12-31"}
    response = client.get(LIST, {**params, "ordering": "date"})
    page = response.context["page"]
    assert page.total == 30
    assert page.object_list[0].date_start == dt.date(2021, 3, 1)
    html = response.content.decode()
    assert "taxon=351&amp;date_min=2021-01-01&amp;date_max=2021-12-31" in html
    assert "page=2" in html and "Rana temporaria — Grenouille rousse" in html
    response = client.get(LIST, {**params, "ordering": "date", "page": 2})
    assert [o.date_start.day for o in response.context["page"]] == list(range(26, 31))

    response = client.get(LIST, {"ordering": "taxon"})
    assert response.context["page"].object_list[0].taxon == toad
    response = client.get(LIST, {"year": 2019})
    assert response.context["page"].total == 1


def test_list_shows_badges_communes_and_the_map_query(
    client, saisie_user, own_dataset, frog, loos
):
    OccurrenceFactory(dataset=own_dataset, taxon=frog, validation_status=2)
    client.force_login(saisie_user)
    response = client.get(LIST, {"taxon": 351, "page": 1})
    html = response.content.decode()
    assert '<span class="badge badge--v2">Probable</span>' in html
    assert "Loos-en-Gohelle" in html
    assert 'data-tiles-url="/api/v1/occurrences/tiles/{z}/{x}/{y}.mvt"' in html
    assert 'data-query="taxon=351"' in html


def test_list_commune_and_status_filters(client, saisie_user, own_dataset, frog, loos):
    inside = OccurrenceFactory(dataset=own_dataset, taxon=frog, validation_status=1)
    OccurrenceFactory(
        dataset=own_dataset,
        taxon=frog,
        geom=Point(LOOS_X + 40000, LOOS_Y, srid=2154),
        validation_status=0,
    )
    client.force_login(saisie_user)
    response = client.get(LIST, {"commune": "62528"})
    assert [o.pk for o in response.context["page"]] == [inside.pk]
    assert 'value="Loos-en-Gohelle (62528)"' in response.content.decode()
    response = client.get(LIST, {"validation_status": ["0", "3"]})
    assert response.context["page"].total == 1


def test_another_organisations_private_record_is_neither_listed_nor_reachable(
    client, saisie_user, own_dataset, other_organisation, frog
):
    mine = OccurrenceFactory(dataset=own_dataset, taxon=frog)
    public = OccurrenceFactory(
        dataset=DatasetFactory(producer=other_organisation, is_public=True), taxon=frog
    )
    private = OccurrenceFactory(
        dataset=DatasetFactory(producer=other_organisation), taxon=frog
    )
    client.force_login(saisie_user)
    listed = {o.pk for o in client.get(LIST).context["page"]}
    assert listed == {mine.pk, public.pk}
    assert client.get(detail_url(private)).status_code == 404
    assert client.get(detail_url(public)).status_code == 200


def test_capped_page_stops_counting(own_dataset, frog):
    for _ in range(7):
        OccurrenceFactory(dataset=own_dataset, taxon=frog)
    queryset = Occurrence.objects.order_by("id")
    page = CappedPage(queryset, "2", per_page=3, cap=5)
    assert page.total is None and page.num_pages is None
    assert page.has_next and page.has_previous and len(page) == 3
    assert CappedPage(queryset, "x", per_page=3, cap=5).number == 1
    exact = CappedPage(queryset, "9", per_page=3, cap=50)
    assert exact.total == 7 and exact.number == 3 and not exact.has_next


def test_detail_shows_labels_and_both_histories(
    client, saisie_user, claire, own_dataset, frog, frog_validator, loos
):
    occurrence = created(
        saisie_user, frog, own_dataset, [claire], life_stage="2", behaviour="18"
    )
    occurrences_validate(
        occurrences=[occurrence], validator=frog_validator, status=2, comment="Photo"
    )
    client.force_login(saisie_user)
    response = client.get(detail_url(occurrence))
    html = response.content.decode()
    assert "Stade de vie" in html and "Adulte" in html
    assert "Comportement" in html and "Chant" in html
    assert "Loos-en-Gohelle (62528)" in html and "10kmL93E068N704" in html
    validations = html.split('data-testid="validation-history"')[1]
    assert "Probable" in validations and "Photo" in validations
    changes = html.split('data-testid="change-history"')[1]
    assert "Création" in changes and "Validation" in changes
    assert "Modifier" in html  # her own record
    assert 'data-testid="validation-form"' not in html  # not a validator


def test_validate_one_record_from_its_page(
    client, saisie_user, own_dataset, frog, frog_validator
):
    occurrence = created(saisie_user, frog, own_dataset)
    url = reverse("observations:occurrence_validate", args=[occurrence.uuid])
    client.force_login(saisie_user)
    assert client.post(url, {"status": 1}).status_code == 403
    client.force_login(frog_validator)
    assert (
        'data-testid="validation-form"'
        in client.get(detail_url(occurrence)).content.decode()
    )
    assert client.post(url, {"status": ""}).status_code == 400
    response = client.post(url, {"status": 3, "comment": "Ressemble à R. dalmatina"})
    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.validation_status == 3 and occurrence.validator == frog_validator
    assert occurrence.validations.get().comment == "Ressemble à R. dalmatina"


def test_validation_queue_lists_pending_records_of_the_groups_and_bulk_validates(
    client, saisie_user, own_dataset, frog, toad, bird, frog_validator
):
    frogs = [created(saisie_user, frog, own_dataset) for _ in range(2)]
    toad_record = created(saisie_user, toad, own_dataset)
    blackbird = created(saisie_user, bird, own_dataset)
    done = created(saisie_user, frog, own_dataset)
    occurrences_validate(occurrences=[done], validator=frog_validator, status=1)
    client.force_login(frog_validator)

    response = client.get(QUEUE)
    listed = {o.pk for o in response.context["page"]}
    assert listed == {frogs[0].pk, frogs[1].pk, toad_record.pk}  # no bird, no done
    response = client.get(QUEUE, {"taxon": 351})
    assert {o.pk for o in response.context["page"]} == {f.pk for f in frogs}

    # A record outside the validator's groups cannot be slipped in.
    response = client.post(QUEUE, {"occurrences": [str(blackbird.uuid)], "status": 2})
    assert response.status_code == 400
    assert Occurrence.objects.get(pk=blackbird.pk).validation_status == 0

    response = client.post(
        f"{QUEUE}?taxon=351",
        {
            "occurrences": [str(f.uuid) for f in frogs],
            "status": 2,
            "comment": "Chant entendu",
        },
    )
    assert response.status_code == 302 and response.url == f"{QUEUE}?taxon=351"
    for record in frogs:
        record.refresh_from_db()
        assert record.validation_status == 2
        assert record.validation_comment == "Chant entendu"
    assert Validation.objects.filter(status=2).count() == 2
    page = client.get(response.url).content.decode()
    assert "2 observations validées : « Probable »." in page


def test_coordinator_queue_covers_every_group(
    client, saisie_user, coordinateur_user, own_dataset, bird
):
    record = created(saisie_user, bird, own_dataset)
    client.force_login(coordinateur_user)
    assert [o.pk for o in client.get(QUEUE).context["page"]] == [record.pk]


def test_superuser_without_organisation_can_open_every_page(client, frog):
    admin = UserFactory(username="chef", is_superuser=True, is_staff=True)
    occurrence = OccurrenceFactory(taxon=frog)
    client.force_login(admin)
    for url in (LIST, CREATE, QUEUE, detail_url(occurrence)):
        assert client.get(url).status_code == 200, url


def test_detail_of_an_imported_record_links_its_import(
    client, saisie_user, own_dataset, frog
):
    batch = ImportBatch.objects.create(
        dataset=own_dataset, filename="releves-2020.csv", file_sha256="0" * 64
    )
    occurrence = OccurrenceFactory(
        dataset=own_dataset, taxon=frog, import_batch=batch, source="import"
    )
    client.force_login(saisie_user)
    page = client.get(detail_url(occurrence)).content.decode()
    assert "releves-2020.csv" in page
    assert reverse("observations:import_detail", args=[batch.uuid]) in page
    list_page = client.get(reverse("observations:occurrence_list")).content.decode()
    assert reverse("observations:import") in list_page
