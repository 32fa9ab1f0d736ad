"""Observation pages: entry, edit and deletion, list with filters, detail with history,
validation queue; each with its roles and the organisation scoping."""

import datetime as dt
import json

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils import timezone

from cpie_naturaliste.core.pagination import CappedPage
from observations.models import ImportBatch, Occurrence, OccurrenceChange, Validation
from observations.services import occurrence_create, occurrences_validate
from referentiel.models import AtlasGroup
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    PersonFactory,
    SiteFactory,
    TaxonFactory,
    UserFactory,
)
from tests.observations.entry_support import (
    LOOS_LAT,
    LOOS_LON,
    entry_data,
    point_json,
)

pytestmark = pytest.mark.django_db

CREATE = reverse("observations:occurrence_create")
LIST = reverse("observations:occurrence_list")
QUEUE = reverse("observations:validation_queue")


def detail_url(occurrence):
    return reverse("observations:occurrence_detail", args=[occurrence.uuid])


@pytest.fixture
def amphibians():
    return AtlasGroup.objects.get(code="amphibiens")


@pytest.fixture
def frog(amphibians):
    return TaxonFactory(
        cd_nom=351,
        scientific_name="Rana temporaria",
        vernacular_name="Grenouille rousse",
        atlas_group=amphibians,
    )


@pytest.fixture
def toad(amphibians):
    return TaxonFactory(
        cd_nom=259,
        scientific_name="Bufo bufo",
        vernacular_name="Crapaud commun",
        atlas_group=amphibians,
    )


@pytest.fixture
def bird():
    return TaxonFactory(
        cd_nom=3764,
        scientific_name="Turdus merula",
        vernacular_name="Merle noir",
        atlas_group=AtlasGroup.objects.get(code="oiseaux"),
    )


@pytest.fixture
def loos():
    return CommuneFactory()


@pytest.fixture
def own_dataset(organisation):
    return DatasetFactory(producer=organisation, title="Inventaires CPIE")


@pytest.fixture
def claire(saisie_user, organisation):
    return PersonFactory(
        user=saisie_user,
        first_name="Claire",
        last_name="Dumont",
        organisation=organisation,
    )


@pytest.fixture
def frog_validator(validateur_user, amphibians):
    validateur_user.validation_groups.add(amphibians)
    return validateur_user


def created(user, taxon, dataset, observers=(), **fields):
    values = {
        "dataset": dataset,
        "taxon": taxon,
        "date_start": dt.date(2021, 4, 2),
        "geom": Point(LOOS_LON, LOOS_LAT, srid=4326),
        "count_min": 2,
        "count_max": 2,
        **fields,
    }
    return occurrence_create(user=user, observers=observers, **values)


# Access by role


def test_pages_need_a_login(client):
    for url in (LIST, CREATE, QUEUE):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_entry_page_for_writing_roles_only(client, saisie_user, partenaire_user):
    client.force_login(partenaire_user)
    assert client.get(CREATE).status_code == 403
    client.force_login(saisie_user)
    assert client.get(CREATE).status_code == 200


def test_entry_page_defaults(client, saisie_user, claire, own_dataset):
    client.force_login(saisie_user)
    response = client.get(CREATE)
    form = response.context["form"]
    assert form["date_start"].value() == timezone.localdate()
    assert form["observers"].value() == [claire.pk]
    assert form["dataset"].value() == own_dataset.pk
    assert form["observation_status"].value() == "Pr"
    html = response.content.decode()
    assert "Plus de détails" in html
    assert "Enregistrer et saisir une autre au même endroit et à la même date" in html
    assert 'id="entry-map"' in html and "Ma position" in html
    assert "Indéterminé" in html and "Non renseigné" in html  # code lists as labels


def test_validation_queue_for_validators_and_coordinators_only(
    client, saisie_user, partenaire_user, validateur_user, coordinateur_user
):
    for user, status in (
        (saisie_user, 403),
        (partenaire_user, 403),
        (validateur_user, 200),
        (coordinateur_user, 200),
    ):
        client.force_login(user)
        assert client.get(QUEUE).status_code == status, user.username


def test_navigation_shows_the_pages_each_role_can_use(
    client, saisie_user, validateur_user, partenaire_user
):
    for user, entry, queue in (
        (saisie_user, True, False),
        (validateur_user, False, True),  # validates, enters nothing
        (partenaire_user, False, False),
    ):
        client.force_login(user)
        html = client.get(LIST).content.decode()
        nav = html.split('id="navigation"')[1].split("</nav>")[0]
        assert f'href="{LIST}"' in nav
        assert (f'href="{CREATE}"' in nav) is entry
        assert (f'href="{QUEUE}"' in nav) is queue


# Entry


def test_entry_saves_with_derived_fields(
    client, saisie_user, claire, own_dataset, frog, loos
):
    client.force_login(saisie_user)
    response = client.post(CREATE, entry_data(frog, own_dataset, [claire]))
    occurrence = Occurrence.objects.get()
    assert response.status_code == 302 and response.url == detail_url(occurrence)
    assert occurrence.taxon == frog and occurrence.cited_name == "Rana temporaria"
    assert occurrence.geom.srid == 2154
    assert occurrence.geom.distance(Point(684247.6, 7040049.5, srid=2154)) < 1
    assert occurrence.commune_id == "62528" and occurrence.communes == ["62528"]
    assert occurrence.atlas_group.code == "amphibiens"
    assert occurrence.grid_10km == "10kmL93E068N704"
    assert (occurrence.count_min, occurrence.count_max) == (3, 5)
    assert occurrence.date_end == dt.date(2021, 4, 2)
    assert occurrence.precision_m == 12 and occurrence.life_stage == "2"
    assert occurrence.source == "saisie" and occurrence.created_by == saisie_user
    assert list(occurrence.observers.all()) == [claire]
    assert "DUMONT Claire" in occurrence.observers_label
    assert occurrence.changes.get().action == OccurrenceChange.Action.CREATE


@pytest.mark.parametrize(
    ("system", "x", "y"),
    [
        ("l93", "684 248", "7040050"),
        ("wgs84", "2,7785", "50,4577"),
        ("wgs84", "50.4577", "2.7785"),  # latitude and longitude swapped
    ],
)
def test_entry_with_typed_coordinates(
    client, saisie_user, claire, own_dataset, frog, system, x, y
):
    client.force_login(saisie_user)
    data = entry_data(frog, own_dataset, [claire], geometry="", coord_system=system)
    data.update(coord_x=x, coord_y=y)
    assert client.post(CREATE, data).status_code == 302
    geom = Occurrence.objects.get().geom
    assert geom.distance(Point(684248, 7040050, srid=2154)) < 2


def test_entry_with_a_drawn_polygon(client, saisie_user, claire, own_dataset, frog):
    ring = [[2.77, 50.45], [2.78, 50.45], [2.78, 50.46], [2.77, 50.45]]
    client.force_login(saisie_user)
    data = entry_data(
        frog,
        own_dataset,
        [claire],
        geometry=json.dumps({"type": "Polygon", "coordinates": [ring]}),
    )
    assert client.post(CREATE, data).status_code == 302
    occurrence = Occurrence.objects.get()
    assert occurrence.geom.geom_type == "Polygon" and occurrence.geom.srid == 2154


def test_entry_form_errors_are_french_and_nothing_is_saved(
    client, saisie_user, claire, own_dataset, frog
):
    client.force_login(saisie_user)
    data = entry_data(frog, own_dataset, [claire], geometry="", taxon="")
    data.update(taxon_search="", observers=[])
    response = client.post(CREATE, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["taxon_search"] == ["Indiquez le taxon observé."]
    assert "Indiquez le lieu" in errors["geometry"][0]
    assert errors["observers"] == ["Indiquez au moins un observateur."]
    html = response.content.decode()
    assert "L'observation n'a pas été enregistrée" in html
    assert 'href="#field-taxon_search"' in html  # the summary links to the field
    assert not Occurrence.objects.exists()


def test_entry_refused_by_the_service_shows_errors_next_to_the_fields(
    client, saisie_user, claire, own_dataset, frog
):
    client.force_login(saisie_user)
    tomorrow = timezone.localdate() + dt.timedelta(days=3)
    data = entry_data(
        frog,
        own_dataset,
        [claire],
        date_start=tomorrow.isoformat(),
        geometry=point_json(2.35, 48.85),  # Paris
        count_min="9",
        count_max="2",
    )
    response = client.post(CREATE, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["date_start"] == ["La date ne peut pas être dans le futur."]
    assert "hors du territoire" in errors["geometry"][0]
    assert errors["count_max"] == ["Le dénombrement minimal dépasse le maximal."]
    assert 'id="id_date_start_error"' in response.content.decode()
    assert not Occurrence.objects.exists()


def test_entry_refuses_an_undrawn_place_and_a_foreign_dataset(
    client, saisie_user, claire, other_organisation, frog
):
    foreign = DatasetFactory(producer=other_organisation)
    client.force_login(saisie_user)
    data = entry_data(
        frog,
        foreign,
        [claire],
        geometry=json.dumps({"type": "LineString", "coordinates": [[2.7, 50.4]]}),
    )
    errors = client.post(CREATE, data).context["form"].errors
    assert errors["geometry"] == ["Une ligne demande au moins deux points."]
    assert "dataset" in errors
    assert not Occurrence.objects.exists()


def test_entry_without_javascript_finds_the_taxon_by_its_name(
    client, saisie_user, claire, own_dataset, frog, toad
):
    client.force_login(saisie_user)
    data = entry_data(frog, own_dataset, [claire], taxon="")
    data["taxon_search"] = "crapaud commun"
    assert client.post(CREATE, data).status_code == 302
    assert Occurrence.objects.get().taxon == toad


def test_absence_is_saved_with_a_count_of_zero(
    client, saisie_user, claire, own_dataset, frog
):
    client.force_login(saisie_user)
    data = entry_data(frog, own_dataset, [claire], observation_status="No")
    assert client.post(CREATE, data).status_code == 302
    occurrence = Occurrence.objects.get()
    assert occurrence.is_absence and (occurrence.count_min, occurrence.count_max) == (
        0,
        0,
    )


def test_save_and_enter_another_prefills_place_date_and_people(
    client, saisie_user, claire, own_dataset, frog, organisation
):
    colleague = PersonFactory(organisation=organisation, last_name="Lemaire")
    site = SiteFactory(name="Terril 11/19")
    client.force_login(saisie_user)
    data = entry_data(frog, own_dataset, [claire, colleague], action="another")
    data.update(site=site.pk, place_name="Pied du terril")
    response = client.post(CREATE, data)
    first = Occurrence.objects.get()
    assert response.status_code == 302
    assert response.url == f"{CREATE}?depuis={first.uuid}"
    response = client.get(response.url)
    form = response.context["form"]
    assert form["date_start"].value() == dt.date(2021, 4, 2)
    assert sorted(form["observers"].value()) == sorted([claire.pk, colleague.pk])
    assert form["dataset"].value() == own_dataset.pk
    assert form["site"].value() == site.pk
    assert form["place_name"].value() == "Pied du terril"
    assert json.loads(form["geometry"].value())["type"] == "Point"
    assert not form["taxon"].value() and not form["taxon_search"].value()
    html = response.content.decode()
    assert "Rana temporaria" in html and "voir la fiche" in html
    assert "Même lieu, même date et mêmes observateurs" in html


# Edit and delete


def test_editing_a_validated_record_returns_it_to_pending_with_history(
    client, saisie_user, claire, own_dataset, frog, frog_validator
):
    occurrence = created(saisie_user, frog, own_dataset, [claire])
    occurrences_validate(occurrences=[occurrence], validator=frog_validator, status=1)
    edit = reverse("observations:occurrence_update", args=[occurrence.uuid])
    client.force_login(saisie_user)
    response = client.get(edit)
    assert "Cette observation est validée" in response.content.decode()
    # Send the form back as the page shows it, with one count changed.
    form = response.context["form"]
    data = {
        name: form[name].value()
        for name in form.fields
        if form[name].value() is not None
    }
    data.update(count_max="7", action="save")
    response = client.post(edit, data)
    assert response.status_code == 302 and response.url == detail_url(occurrence)
    occurrence.refresh_from_db()
    assert occurrence.validation_status == 0 and occurrence.count_max == 7
    assert [v.status for v in Validation.objects.order_by("id")] == [1, 0]
    update = occurrence.changes.get(action=OccurrenceChange.Action.UPDATE)
    # The map's round trip through degrees is not a change of place.
    assert update.changes == {"count_max": [2, 7]}
    page = client.get(detail_url(occurrence)).content.decode()
    assert "repassée « en attente de validation »" in page
    assert "Dénombrement maximal" in page
    assert '<span class="history__old">2</span> → 7' in page


def test_only_allowed_users_edit_and_delete(
    client,
    saisie_user,
    coordinateur_user,
    partenaire_user,
    own_dataset,
    frog,
    organisation,
):
    occurrence = created(coordinateur_user, frog, own_dataset)
    edit = reverse("observations:occurrence_update", args=[occurrence.uuid])
    delete = reverse("observations:occurrence_delete", args=[occurrence.uuid])
    client.force_login(saisie_user)  # "saisie" edits only their own records
    assert client.get(edit).status_code == 403
    assert client.post(delete).status_code == 403
    client.force_login(partenaire_user)  # another organisation, private dataset
    assert client.get(edit).status_code == 404
    client.force_login(coordinateur_user)
    page = client.get(delete)
    assert "Supprimer cette observation ?" in page.content.decode()
    response = client.post(delete)
    assert response.status_code == 302 and response.url == LIST
    assert not Occurrence.objects.exists()


def test_protocol_records_are_changed_in_their_module(
    client, coordinateur_user, own_dataset, frog
):
    occurrence = created(coordinateur_user, frog, own_dataset, source="baguage")
    client.force_login(coordinateur_user)
    edit = reverse("observations:occurrence_update", args=[occurrence.uuid])
    assert client.get(edit).status_code == 403
    page = client.get(detail_url(occurrence)).content.decode()
    assert "provient du module « Baguage »" in page
    assert edit not in page


# List


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
    assert 'data-geojson-url="/api/v1/occurrences/geojson/"' in html
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


# Detail and validation


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
