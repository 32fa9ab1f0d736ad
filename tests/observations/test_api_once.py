"""A record sent again is saved once (issue 19 point 1, the phone's outbox): the UUID made
on the device becomes the SINP identifier, and a resend of a known UUID answers the
record already made (200), through the JSON API and the entry form's multipart route,
even when two sends race each other (the unique index decides)."""

import datetime as dt
import threading
import time
import uuid

import pytest
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from rest_framework.test import APIClient

from observations.models import Occurrence, Source
from observations.services import occurrence_create_once
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    PersonFactory,
    TaxonFactory,
)
from tests.observations.entry_support import entry_data, point_json
from tests.observations.media_support import phone_photo

URL = "/api/v1/occurrences/"
FORM_URL = "/api/v1/occurrences/saisie/"


@pytest.fixture
def field(saisie_user, organisation):
    CommuneFactory()
    frog = TaxonFactory(
        cd_nom=351,
        scientific_name="Rana temporaria",
        vernacular_name="Grenouille rousse",
    )
    dataset = DatasetFactory(producer=organisation, title="Inventaires CPIE")
    person = PersonFactory(user=saisie_user, organisation=organisation)
    client = APIClient()
    client.force_authenticate(saisie_user)
    return client, frog, dataset, person


def json_payload(dataset, uuid_):
    return {
        "uuid": str(uuid_),
        "dataset": str(dataset.uuid),
        "taxon": 351,
        "date_start": "2021-04-02",
        "geometry": {"type": "Point", "coordinates": [2.7785, 50.4577]},
        "count_min": 2,
        "count_max": 2,
    }


@pytest.mark.django_db
def test_json_resend_answers_the_record_already_made(field):
    client, _frog, dataset, _person = field
    device_uuid = uuid.uuid4()
    first = client.post(URL, json_payload(dataset, device_uuid), format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["uuid"] == str(device_uuid)
    again = client.post(URL, json_payload(dataset, device_uuid), format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Occurrence.objects.filter(uuid=device_uuid).count() == 1
    # The identifier never changes afterwards.
    record = f"{URL}{device_uuid}/"
    assert (
        client.patch(record, {"uuid": str(uuid.uuid4())}, format="json").status_code
        == 200
    )
    assert Occurrence.objects.filter(uuid=device_uuid).exists()


@pytest.mark.django_db
def test_the_uuid_of_a_record_one_cannot_read_is_a_conflict(field, other_organisation):
    client, frog, _dataset, person = field
    hidden = OccurrenceFactory(
        dataset=DatasetFactory(producer=other_organisation, is_public=False), taxon=frog
    )
    data = {**entry_data(frog, field[2], [person]), "uuid": str(hidden.uuid)}
    answer = client.post(FORM_URL, data, format="multipart")
    assert answer.status_code == 409
    assert "Rana" not in answer.content.decode()
    assert Occurrence.objects.count() == 1


@pytest.mark.django_db
def test_the_entry_form_fields_are_saved_once_and_refusals_are_french(field):
    client, frog, dataset, person = field
    device_uuid = uuid.uuid4()
    data = {**entry_data(frog, dataset, [person]), "uuid": str(device_uuid)}
    first = client.post(FORM_URL, data, format="multipart")
    assert first.status_code == 201, first.json()
    record = Occurrence.objects.get(uuid=device_uuid)
    assert record.source == Source.SAISIE
    assert (record.count_min, record.count_max) == (3, 5)
    assert list(record.observers.all()) == [person]
    assert client.post(FORM_URL, data, format="multipart").status_code == 200
    assert Occurrence.objects.count() == 1

    # Refused: no taxon chosen, a place outside the region. The reasons name the form's
    # fields, with their labels; nothing is saved.
    refused = {
        **entry_data(frog, dataset, [person], taxon="", taxon_search="crapaud"),
        "geometry": point_json(lon=2.35, lat=48.85),
        "uuid": str(uuid.uuid4()),
    }
    answer = client.post(FORM_URL, refused, format="multipart")
    assert answer.status_code == 400
    body = answer.json()
    assert body["labels"]["taxon_search"] == "Taxon"
    assert "taxon" in " ".join(body["taxon_search"]).lower()
    assert Occurrence.objects.count() == 1

    # No identifier from the device: refused, in French.
    missing = client.post(
        FORM_URL, entry_data(frog, dataset, [person]), format="multipart"
    )
    assert missing.status_code == 400
    assert "uuid" in " ".join(missing.json()["non_field_errors"])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sends_racing_make_one_record(field, saisie_user):
    """The first send's transaction holds its row uncommitted; the second, through the
    API, finds nothing yet, inserts, and waits on the unique index; when the first
    commits, the second answers the record the first made."""
    client, frog, dataset, person = field
    device_uuid = uuid.uuid4()
    data = {**entry_data(frog, dataset, [person]), "uuid": str(device_uuid)}
    inserted, answers = threading.Event(), []

    def first_send():
        try:
            with transaction.atomic():
                occurrence_create_once(
                    uuid=device_uuid,
                    user=saisie_user,
                    source=Source.SAISIE,
                    dataset=dataset,
                    taxon=frog,
                    date_start=dt.date(2021, 4, 2),
                    geom=Point(LOOS_X, LOOS_Y, srid=2154),
                    count_min=1,
                    count_max=1,
                )
                inserted.set()
                _wait_for_a_blocked_insert()
        finally:
            connections.close_all()

    def second_send():
        try:
            inserted.wait(10)
            answers.append(client.post(FORM_URL, data, format="multipart"))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=first_send),
        threading.Thread(target=second_send),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert answers and answers[0].status_code == 200, answers and answers[0].content
    assert answers[0].json()["uuid"] == str(device_uuid)
    assert Occurrence.objects.filter(uuid=device_uuid).count() == 1


def _wait_for_a_blocked_insert(seconds: float = 10) -> None:
    """Until another session waits for a lock (the second insert on the unique index)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)


@pytest.mark.django_db
def test_the_photos_kept_with_a_record_come_with_it_once(field):
    """A photo taken offline travels in the outbox with its record: saved with it, and a
    resend of the same record adds no second copy."""
    client, frog, dataset, person = field
    device_uuid = uuid.uuid4()

    def send():
        photo = SimpleUploadedFile(
            "IMG_0001.jpg", phone_photo(), content_type="image/jpeg"
        )
        data = {
            **entry_data(frog, dataset, [person]),
            "uuid": str(device_uuid),
            "media": photo,
        }
        return client.post(FORM_URL, data, format="multipart")

    assert send().status_code == 201
    assert send().status_code == 200
    record = Occurrence.objects.get(uuid=device_uuid)
    assert record.media.count() == 1
    assert record.media.get().content_type == "image/jpeg"
