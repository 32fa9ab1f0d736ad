"""A small year 2020 (and a smaller 2019) in every app, for the indicators."""

import datetime as dt
from decimal import Decimal

import pytest

from observations.models import Extract
from referentiel.models import AtlasGroup, Organisation
from sensibilisation.models import Action
from terrils.models import Campaign, Score

# The browser fixtures of the end-to-end tests (headless Chromium), for test_browser.py.
from tests.e2e.conftest import (  # noqa: F401
    browser,
    page,
    pytest_runtest_makereport,
)
from tests.factories.baguage import CaptureFactory, SessionFactory
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    DepartementFactory,
    OrganisationFactory,
    PersonFactory,
    ProgrammeFactory,
    SiteFactory,
    TaxonFactory,
    square,
)
from tests.factories.sensibilisation import ActionFactory
from tests.factories.terrils import CampaignFactory, MethodVersionFactory
from tests.factories.zones_humides import (
    AMPHIBIANS,
    ManagementOperationFactory,
    PopAireFactory,
    PopSiteFactory,
    amphibian,
)
from zones_humides.services import SpeciesLine, passage_save

# A point of Loos-en-Gohelle (Pas-de-Calais) and one of the Nord, for the finds.
IN_62 = (LOOS_X + 100, LOOS_Y + 100)
IN_59 = (730000, 7040000)


@pytest.fixture
def departements():
    """Loos-en-Gohelle (62) and a commune of the Nord: the département of a record comes
    from its commune."""
    nord = DepartementFactory(
        code="59", name="Nord", geom=square(720000, 6980000, 120000)
    )
    CommuneFactory()
    CommuneFactory(
        insee="59350",
        name="Lille",
        departement=nord,
        geom=square(IN_59[0] - 3000, IN_59[1] - 3000, 6000),
    )


@pytest.fixture
def own(organisation):
    return DatasetFactory(producer=organisation)


@pytest.fixture
def data(organisation, coordinateur_user, saisie_user, other_organisation):
    """A small year 2020 (and a smaller 2019) in every app."""
    birds = AtlasGroup.objects.get(code="oiseaux")
    flora = AtlasGroup.objects.get(code="flore")
    partner = OrganisationFactory(name="ONF", kind=Organisation.Kind.ETAT)
    programme = ProgrammeFactory(code="STOC", coordinator=organisation)
    programme.partners.add(partner)
    dataset = DatasetFactory(producer=organisation, programme=programme)
    bird = TaxonFactory(scientific_name="Erithacus rubecula", atlas_group=birds)
    bird2 = TaxonFactory(scientific_name="Turdus merula", atlas_group=birds)
    plant = TaxonFactory(
        scientific_name="Orchis mascula", atlas_group=flora, kingdom="Plantae"
    )
    wetland = SiteFactory(name="Marais de la Couture")
    for taxon, month in ((bird, 4), (bird2, 5), (plant, 5), (plant, 6)):
        OccurrenceFactory(
            taxon=taxon,
            dataset=dataset,
            date_start=dt.date(2020, month, 3),
            observation_status="Pr",
            site=wetland,
        )
    OccurrenceFactory(taxon=bird, dataset=dataset, date_start=dt.date(2019, 5, 3))
    # Ringing: 2 rings and a control in 2020.
    session = SessionFactory(dataset=dataset)
    CaptureFactory(session=session, taxon=bird)
    CaptureFactory(session=session, taxon=bird2)
    CaptureFactory(session=session, taxon=bird, action="R")
    # POP: one aire, one site, a toad.
    taxa = {cd_nom: amphibian(cd_nom) for cd_nom in AMPHIBIANS}
    observer = PersonFactory(user=saisie_user, organisation=organisation)
    aire = PopAireFactory(number=5, dataset=dataset, main_observer=observer)
    pop_site = PopSiteFactory(aire=aire, code="A5-01")
    passage_save(
        user=saisie_user,
        pop_site=pop_site,
        fields={
            "number": 1,
            "date": dt.date(2020, 3, 10),
            "expertise": "chevronne",
            "methods": ["1"],
        },
        observers=[observer],
        lines=[SpeciesLine(taxon=taxa[259], count_min=3)],
        nothing_found=False,
    )
    # Outreach: a training (line 1) and an economic event (line 2).
    ActionFactory(
        organisation=organisation,
        kind=Action.Kind.TRAINING,
        participants_count=12,
        action_line=1,
    )
    event = ActionFactory(
        organisation=organisation,
        kind=Action.Kind.ECONOMIC,
        participants_count=30,
        action_line=2,
    )
    company = OrganisationFactory(name="SUEZ", kind=Organisation.Kind.ENTREPRISE)
    event.partners.add(company)
    ActionFactory(organisation=organisation, date_start=dt.date(2019, 6, 1))
    # Wetland operation and an exchange.
    ManagementOperationFactory(site=wetland, beneficiary=company)
    extract = Extract.objects.create(
        requested_by=coordinateur_user,
        recipient=other_organisation,
        status=Extract.Status.DONE,
        rows=120,
    )
    Extract.objects.filter(pk=extract.pk).update(
        created_at=dt.datetime(2020, 11, 2, 10, tzinfo=dt.UTC)
    )
    # A terril evaluated in 2020.
    version = MethodVersionFactory()
    campaign = CampaignFactory(year=2020, kind=Campaign.Kind.EVALUATION)
    Score.objects.create(campaign=campaign, version=version, total=Decimal("42.5"))
    return {
        "dataset": dataset,
        "bird": bird,
        "plant": plant,
        "partner": partner,
        "company": company,
    }
