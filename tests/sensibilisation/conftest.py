"""Fixtures of the sensibilisation tests: the open campaign "Un dragon dans mon jardin" of
the CPIE, its two species, the commune of Loos-en-Gohelle, and a fresh client address per
test (the rate limit counts per address in Redis, shared by the tests of a worker)."""

import io
import itertools
import time
import uuid
from types import SimpleNamespace

import pytest
from django.urls import reverse
from PIL import Image

from referentiel.models import AtlasGroup
from sensibilisation.protection import form_token
from tests.factories.referentiel import CommuneFactory
from tests.factories.sensibilisation import (
    CampaignFactory,
    CampaignSpeciesFactory,
    amphibian_taxon,
)

_addresses = itertools.count(1)


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://localhost:8000"


@pytest.fixture
def address():
    """An address no other test of this run (or an earlier run) has posted from."""
    n = next(_addresses)
    seed = uuid.uuid4().int
    return f"10.{seed % 250}.{(seed >> 8) % 250 + n % 5}.{n % 250 + 1}"


@pytest.fixture
def dragon(organisation):
    commune = CommuneFactory()
    campaign = CampaignFactory(organisation=organisation)
    newt = CampaignSpeciesFactory(campaign=campaign, position=1)
    toad = CampaignSpeciesFactory(
        campaign=campaign,
        taxon=amphibian_taxon(
            cd_nom=259, scientific_name="Bufo bufo", vernacular_name="Crapaud commun"
        ),
        common_name="Crapaud commun",
        position=2,
    )
    return SimpleNamespace(
        campaign=campaign,
        newt=newt,
        toad=toad,
        commune=commune,
        url=reverse("sensibilisation:campaign_detail", args=[campaign.slug]),
        amphibians=AtlasGroup.objects.get(code="amphibiens"),
    )


def jpeg_bytes(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (40, 120, 60)).save(out, format="JPEG")
    return out.getvalue()


def valid_report(species_pk: int, **overrides) -> dict:
    """The fields of a valid public report: a sighting tapped on the map in
    Loos-en-Gohelle; ``None`` in ``overrides`` leaves a field out."""
    data = {
        "species": species_pk,
        "observed_on": "2020-04-02",
        # Loos-en-Gohelle, inside the factory commune (WGS84).
        "latitude": "50.4584",
        "longitude": "2.7802",
        "commune": "",
        "address": "",
        "count": "2",
        "comment": "Dans la mare du jardin.",
        "email": "jardinier@example.org",
        "started": form_token(issued_at=time.time() - 30),
        "site_web": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def report_data(dragon):
    """A valid report: a palmate newt tapped on the map in Loos-en-Gohelle."""
    return lambda **overrides: valid_report(dragon.newt.pk, **overrides)


def post_report(client, url, data, address):
    return client.post(url, data, REMOTE_ADDR=address)
