"""Issue 17, ringing: nothing hidden escapes through the ringing pages, API and files, and
every write follows the one write rule.

Organisation B rings birds (a public dataset: every signed-in reader reads its sessions).
The Peregrine falcon is sensitive (level 2, shown at the 10 km cell), so a capture of it must
not give its station, date, ring or biometrics to a reader who sees it blurred — anonymous
visitors, a partner of organisation A, field staff of organisation A — whereas a coordinator
of B reads it in full. One station lies in a protected garden (``is_public`` unchecked):
holding the falcon, it is left out with its sessions; the other, on a public marsh, stays
with its robin, the falcon's line left out and counted.

Writes: A's staff change nothing of B's; B's staff change their own sessions and captures
only, B's coordinator every one of the organisation's datasets.
"""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.urls import reverse

from baguage.imports import crbpo_import
from baguage.models import Capture, Session
from baguage.services import capture_save
from referentiel.models import Role, SensitivityRule
from tests.factories.baguage import (
    BirdTaxonFactory,
    RingerFactory,
    SessionFactory,
    StationFactory,
)
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    PersonFactory,
    UserFactory,
)
from tests.no_leak import (
    BLURRED_READERS,
    assert_hidden,
    point_texts,
    session_client,
    two_organisations,
    xlsx_text,
)

pytestmark = pytest.mark.django_db

SECRET_SITE = "Jardin MARQUEUR-SITE-9K"
SECRET_STATION = "Station MARQUEUR-STATION-9K"
PUBLIC_STATION = "Station du marais public"
FALCON = "Falco peregrinus"
SECRET_RING = "BLB7654321"
PUBLIC_RING = "BLB7654322"
MARKERS = (
    "MARQUEUR-SITE-9K",
    "MARQUEUR-STATION-9K",
    "MARQUEUR-REMARQUE-9K",
    "MARQUEUR-COULEUR-9K",
    "MARQUEUR-GLS-9K",
    "MARQUEUR-SESSION-9K",
)
SECRET_XY = (LOOS_X + 2345.0, LOOS_Y - 1876.0)


def _falcon_fields(falcon, ring: str) -> dict:
    return {
        "action": "C",
        "ring_scheme": "BLB",
        "ring_number": ring,
        "taxon": falcon,
        "age": "4",
        "sex": "F",
        "wing_mm": Decimal("337"),
        "remarks": "Nid MARQUEUR-REMARQUE-9K",
        "colour_marks": "MARQUEUR-COULEUR-9K",
        "logger_serial": "MARQUEUR-GLS-9K",
    }


@pytest.fixture
def world():
    CommuneFactory()
    people = two_organisations(
        names=("CPIE A", "Gestionnaire B"), kinds=("cpie", "gestionnaire")
    )
    org_a, org_b, users = people.org_a, people.org_b, people.users
    users["saisie_b2"] = UserFactory(
        username="saisie-b2", organisation=org_b, roles=[Role.SAISIE]
    )
    falcon = BirdTaxonFactory(
        cd_nom=2938, scientific_name=FALCON, vernacular_name="Faucon pèlerin"
    )
    robin = BirdTaxonFactory(
        cd_nom=4001, scientific_name="Erithacus rubecula", vernacular_name="Rougegorge"
    )
    SensitivityRule.objects.create(taxon=falcon, level=2)
    dataset_b = DatasetFactory(producer=org_b, is_public=True, title="Baguage B")
    dataset_a = DatasetFactory(producer=org_a, is_public=True, title="Baguage A")
    ringer = RingerFactory(
        person=PersonFactory(last_name="Bagueur", organisation=org_b)
    )
    secret_station = StationFactory(
        name=SECRET_STATION,
        site__name=SECRET_SITE,
        site__kind="jardin",
        site__is_public=False,
        site__description="MARQUEUR-SITE-9K",
        site__geom=GEOSGeometry(f"SRID=2154;POINT({SECRET_XY[0]} {SECRET_XY[1]})"),
    )
    public_station = StationFactory(
        name=PUBLIC_STATION, site__name="Marais public", site__is_public=True
    )
    staff_b = users["saisie_b"]
    secret_session = SessionFactory(
        station=secret_station,
        dataset=dataset_b,
        date=dt.date(2020, 6, 14),
        comment="MARQUEUR-SESSION-9K",
        ringers=[ringer],
        created_by=staff_b,
    )
    public_session = SessionFactory(
        station=public_station,
        dataset=dataset_b,
        date=dt.date(2020, 6, 16),
        ringers=[ringer],
        created_by=staff_b,
    )
    captures = {}
    captures["secret_falcon"], _ = capture_save(
        session=secret_session, user=staff_b, fields=_falcon_fields(falcon, SECRET_RING)
    )
    captures["public_falcon"], _ = capture_save(
        session=public_session, user=staff_b, fields=_falcon_fields(falcon, PUBLIC_RING)
    )
    captures["robin"], _ = capture_save(
        session=public_session,
        user=staff_b,
        fields={
            "action": "C",
            "ring_scheme": "BLB",
            "ring_number": "BLB1111111",
            "taxon": robin,
            "age": "4",
        },
    )
    levels = {
        c.ring_number: c.occurrence.sensitivity_level for c in Capture.objects.all()
    }
    assert levels == {SECRET_RING: 2, PUBLIC_RING: 2, "BLB1111111": 0}
    return {
        "users": users,
        "captures": captures,
        "secret_session": secret_session,
        "public_session": public_session,
        "dataset_a": dataset_a,
        "dataset_b": dataset_b,
        "robin": robin,
    }


def _assert_hidden(text: str) -> None:
    assert_hidden(
        text,
        (
            *MARKERS,
            SECRET_SITE,
            SECRET_STATION,
            SECRET_RING,
            PUBLIC_RING,
            FALCON,
            "Faucon",
            "337",
            *point_texts(*SECRET_XY),
        ),
    )


def _read_urls(world) -> dict[str, str]:
    secret, public = world["secret_session"], world["public_session"]
    falcon = world["captures"]["public_falcon"]
    return {
        "session_list": reverse("baguage:session_list"),
        "session_list_2020": reverse("baguage:session_list") + "?year=2020",
        "public_session": reverse("baguage:session_detail", args=[public.pk]),
        "api_sessions": "/api/v1/baguage/sessions/",
        "api_public_session": f"/api/v1/baguage/sessions/{public.pk}/",
        "api_captures": "/api/v1/baguage/captures/",
        "api_captures_of_session": f"/api/v1/baguage/captures/?session={public.pk}",
        "api_captures_by_ring": f"/api/v1/baguage/captures/?ring={PUBLIC_RING}",
        "history": reverse("baguage:ring_history") + f"?bague={PUBLIC_RING}&centre=BLB",
        "history_secret": reverse("baguage:ring_history")
        + f"?bague={SECRET_RING}&centre=BLB",
        "bilan": reverse("baguage:bilan", args=[2020]),
        "euring": reverse("baguage:euring_year", args=[2020]),
        "euring_file": reverse("baguage:euring_download", args=[2020, 2020]),
        "hidden_session": reverse("baguage:session_detail", args=[secret.pk]),
        "api_hidden_session": f"/api/v1/baguage/sessions/{secret.pk}/",
        "api_hidden_capture": f"/api/v1/baguage/captures/{falcon.pk}/",
    }


def _text(response) -> str:
    if response.get("Content-Type", "").startswith("application/json") and (
        "ring" in response.json()
    ):
        # The ring history repeats the ring asked for: the reader's own input.
        return json.dumps({**response.json(), "ring": ""})
    if response.get("Content-Type", "").startswith("application/vnd.openxml"):
        return xlsx_text(response)
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_captures_of_sensitive_species_are_left_out_for_blurred_readers(world):
    urls = _read_urls(world)
    for name in BLURRED_READERS:
        client = session_client(world["users"][name])
        for key, url in urls.items():
            response = client.get(url)
            if name == "anonymous":
                assert response.status_code in (302, 401, 403), key
                continue
            if key.startswith(("hidden", "api_hidden")):
                assert response.status_code == 404, key
                continue
            assert response.status_code == 200, key
            _assert_hidden(_text(response))
        if name == "anonymous":
            continue
        # The public station's session stays, its falcon left out and counted.
        session = client.get(urls["api_public_session"]).json()
        assert session["counts"] == {"B": 0, "C": 1, "R": 0}
        assert session["hidden_captures"] == 1
        page = client.get(urls["public_session"]).content.decode()
        assert "Erithacus rubecula" in page and 'data-testid="hidden-captures"' in page
        listed = client.get(urls["api_sessions"]).json()["results"]
        assert [s["id"] for s in listed] == [world["public_session"].pk]
        history = client.get(urls["history_secret"]).json()
        assert history["captures"] == [] and history["hidden"] == 1
        euring = client.get(urls["euring"]).content.decode()
        assert 'data-testid="euring-total">1<' in euring
        assert "2 captures non exportées" in euring
        bilan = client.get(urls["bilan"]).content.decode()
        assert "2 captures de l'année non détaillées" in bilan
        xlsx = xlsx_text(client.get(reverse("baguage:bilan_xlsx", args=[2020, 2020])))
        _assert_hidden(xlsx)
        assert "2 capture(s) de l'année non détaillée(s)" in xlsx


def test_coordinator_of_the_producer_reads_every_capture(world):
    urls = _read_urls(world)
    client = session_client(world["users"]["coordinator_b"])
    for key in ("hidden_session", "api_hidden_session", "api_hidden_capture"):
        assert client.get(urls[key]).status_code == 200, key
    page = client.get(urls["hidden_session"]).content.decode()
    assert SECRET_STATION in page and "MARQUEUR-REMARQUE-9K" in page
    assert 'data-testid="hidden-captures"' not in page
    euring = client.get(urls["euring"]).content.decode()
    assert 'data-testid="euring-total">3<' in euring
    assert 'data-testid="hidden-captures"' not in euring
    bilan = client.get(urls["bilan"]).content.decode()
    assert "Faucon pèlerin" in bilan and SECRET_SITE in bilan
    assert "non détaillée" not in bilan
    history = client.get(urls["history_secret"]).json()
    assert len(history["captures"]) == 1 and history["hidden"] == 0


def test_sites_api_hides_the_protected_station(world):
    site = world["secret_session"].station.site
    for name in ("partner_a", "saisie_a"):
        client = session_client(world["users"][name])
        assert client.get(f"/api/v1/sites/{site.pk}/").status_code == 404
        _assert_hidden(client.get("/api/v1/sites/?search=Jardin").content.decode())
    client = session_client(world["users"]["coordinator_b"])
    assert client.get(f"/api/v1/sites/{site.pk}/").status_code == 200


def _unchanged(capture: Capture) -> None:
    before = capture.wing_mm
    capture.refresh_from_db()
    assert capture.wing_mm == before


def test_saisie_cannot_change_other_organisations_capture(world):
    robin = world["captures"]["robin"]
    falcon = world["captures"]["public_falcon"]
    client = session_client(world["users"]["saisie_a"])
    url = f"/api/v1/baguage/captures/{robin.pk}/"
    assert client.patch(url, {"wing_mm": "70"}, format="json").status_code == 403
    assert client.delete(url).status_code == 403
    _unchanged(robin)
    # Not even readable (sensitive, blurred for A): 404.
    url = f"/api/v1/baguage/captures/{falcon.pk}/"
    assert client.patch(url, {"wing_mm": "70"}, format="json").status_code == 404
    assert client.delete(url).status_code == 404
    assert Capture.objects.count() == 3
    _unchanged(falcon)


def test_saisie_cannot_add_capture_in_other_organisations_session(world):
    client = session_client(world["users"]["saisie_a"])
    payload = {
        "session": world["public_session"].pk,
        "action": "C",
        "ring_scheme": "BLB",
        "ring_number": "BLB2222222",
        "taxon": world["robin"].pk,
        "age": "4",
    }
    response = client.post("/api/v1/baguage/captures/", payload, format="json")
    assert response.status_code == 403
    # A session A may not even read (the protected station): a field error, no write.
    payload["session"] = world["secret_session"].pk
    response = client.post("/api/v1/baguage/captures/", payload, format="json")
    assert response.status_code == 400 and "session" in response.json()
    assert Capture.objects.count() == 3


def test_saisie_changes_only_their_own_captures_and_sessions(world):
    robin = world["captures"]["robin"]
    public = world["public_session"]
    colleague = session_client(world["users"]["saisie_b2"])
    url = f"/api/v1/baguage/captures/{robin.pk}/"
    assert colleague.patch(url, {"wing_mm": "70"}, format="json").status_code == 403
    assert colleague.delete(url).status_code == 403
    _unchanged(robin)
    session_url = f"/api/v1/baguage/sessions/{public.pk}/"
    response = colleague.patch(session_url, {"weather": "Brume"}, format="json")
    assert response.status_code == 403
    assert (
        colleague.get(reverse("baguage:session_update", args=[public.pk])).status_code
        == 403
    )
    public.refresh_from_db()
    assert public.weather != "Brume"
    # The session page offers no edit button on a colleague's line.
    page = colleague.get(reverse("baguage:session_detail", args=[public.pk]))
    assert "data-edit" not in page.content.decode()
    # Adding a line to a session of the organisation's dataset is an entry: allowed.
    payload = {
        "session": public.pk,
        "action": "C",
        "ring_scheme": "BLB",
        "ring_number": "BLB3333333",
        "taxon": world["robin"].pk,
        "age": "4",
    }
    assert (
        colleague.post("/api/v1/baguage/captures/", payload, format="json").status_code
        == 201
    )

    author = session_client(world["users"]["saisie_b"])
    assert author.patch(url, {"wing_mm": "70"}, format="json").status_code == 200
    assert (
        author.patch(session_url, {"weather": "Brume"}, format="json").status_code
        == 200
    )
    coordinator = session_client(world["users"]["coordinator_b"])
    assert coordinator.patch(url, {"wing_mm": "71"}, format="json").status_code == 200
    robin.refresh_from_db()
    assert robin.wing_mm == Decimal("71")


def test_saisie_cannot_change_other_organisations_session(world):
    public = world["public_session"]
    client = session_client(world["users"]["saisie_a"])
    url = f"/api/v1/baguage/sessions/{public.pk}/"
    assert client.patch(url, {"weather": "Brume"}, format="json").status_code == 403
    assert (
        client.get(reverse("baguage:session_update", args=[public.pk])).status_code
        == 403
    )
    # A session in B's dataset cannot be created by A either.
    payload = {
        "station": public.station.pk,
        "programme": public.programme.pk,
        "dataset": str(world["dataset_b"].uuid),
        "date": "2021-06-12",
        "nets_count": 10,
        "nets_length_m": "120",
    }
    response = client.post("/api/v1/baguage/sessions/", payload, format="json")
    assert response.status_code == 400 and "dataset" in response.json()
    assert Session.objects.count() == 2
    public.refresh_from_db()
    assert public.weather != "Brume"


def test_saisie_cannot_import_into_other_organisations_dataset(world, tmp_path):
    path = tmp_path / "crbpo.csv"
    path.write_text("ACTION;BAGUE\nB;0001000\n", encoding="utf-8")
    result = crbpo_import(
        path=path, user=world["users"]["saisie_a"], dataset=world["dataset_b"]
    )
    assert result.errors and result.captures_created == 0
    assert Capture.objects.count() == 3
    client = session_client(world["users"]["partner_a"])
    assert client.get(reverse("baguage:import")).status_code == 403
