"""The proof of a record (a photo of a campaign report, a recording) is a link on its page,
and disappears with the rest when the record is blurred."""

import pytest
from django.urls import reverse

from referentiel.models import SensitivityRule
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import CommuneFactory, DatasetFactory, TaxonFactory

pytestmark = pytest.mark.django_db
PROOF = "https://phototheque.example.org/rainette.jpg"


def test_proof_url_is_a_link(client, saisie_user, organisation):
    CommuneFactory()
    occurrence = OccurrenceFactory(
        dataset=DatasetFactory(producer=organisation), proof_url=PROOF, proof_exists="1"
    )
    client.force_login(saisie_user)
    page = client.get(reverse("observations:occurrence_detail", args=[occurrence.uuid]))
    assert f'<a href="{PROOF}" rel="noopener">{PROOF}</a>' in page.content.decode()


def test_blurred_record_hides_its_proof(client, partenaire_user, organisation):
    CommuneFactory()
    taxon = TaxonFactory()
    SensitivityRule.objects.create(taxon=taxon, level=2)
    occurrence = OccurrenceFactory(
        taxon=taxon,
        dataset=DatasetFactory(producer=organisation, is_public=True),
        proof_url=PROOF,
        proof_exists="1",
        validation_status=1,
    )
    assert occurrence.sensitivity_level == 2
    client.force_login(partenaire_user)
    page = client.get(reverse("observations:occurrence_detail", args=[occurrence.uuid]))
    assert page.status_code == 200
    assert PROOF not in page.content.decode()
