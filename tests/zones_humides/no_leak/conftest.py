"""The fixtures of the wetlands no-leak tests: the records of organisation B and the
readers of organisation A (``tests.no_leak``), see ``support``."""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point

from observations.models import Occurrence
from referentiel.models import Role
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    DepartementFactory,
    OrganisationFactory,
    PersonFactory,
    SiteFactory,
    TaxonStatusFactory,
    UserFactory,
    square,
)
from tests.factories.zones_humides import (
    DriftFenceFactory,
    ManagementOperationFactory,
    PopAireFactory,
    PopSiteFactory,
    WetlandProfileFactory,
    belly_upload,
)
from tests.no_leak import two_organisations
from zones_humides.services import (
    SpeciesLine,
    fence_check_save,
    newt_capture_create,
    newt_capture_tag,
    passage_save,
    water_level_save,
)

from .support import (
    FENCE_NAME,
    FENCE_SITE_NAME,
    FENCE_XY,
    HIDDEN_POND_XY,
    MARSH_RECORD_XY,
    POND_NAME,
    SHOWN_POND_XY,
)


@pytest.fixture
def taxa(taxa):
    """Triturus cristatus is sensitive (level 1: its commune only)."""
    TaxonStatusFactory(taxon=taxa[139], sensitivity_level=1)
    return taxa


def _ponds(organisation, dataset, coordinator, taxa) -> dict:
    """Two POP aires: a pond holding the sensitive newt, and a pond shown to everyone."""
    secret_observer = PersonFactory(
        first_name="Zhsecret",
        last_name="ZHSECRET-OBSERVATEUR",
        organisation=organisation,
    )
    observer = PersonFactory(
        first_name="Léa", last_name="Caron", organisation=organisation
    )
    aire = PopAireFactory(
        number=17, name="Aire des terrils", dataset=dataset, main_observer=observer
    )
    hidden_pond = PopSiteFactory(
        aire=aire, code="ZHSECRET-01", name=POND_NAME, geom=Point(*HIDDEN_POND_XY)
    )
    # The shown pond lies in another aire: an aire holding a hidden line is left out
    # whole (its page counting one pond not shown would place the record in its cell).
    shown_aire = PopAireFactory(
        number=18, name="Aire du marais", dataset=dataset, main_observer=observer
    )
    shown_pond = PopSiteFactory(
        aire=shown_aire,
        code="A17-02",
        name="Mare du chemin",
        geom=Point(*SHOWN_POND_XY),
    )

    def passage(pond, lines, observers, comment=""):
        return passage_save(
            user=coordinator,
            pop_site=pond,
            fields={
                "number": 1,
                "date": dt.date(2020, 3, 10),
                "expertise": "chevronne",
                "methods": ["1"],
                "comment": comment,
            },
            observers=observers,
            lines=[SpeciesLine(taxon=taxa[c], count_min=n) for c, n in lines],
        )

    hidden_passage = passage(
        hidden_pond,
        [(139, 3), (259, 12)],
        [secret_observer],
        comment="ZHSECRET-COMMENTAIRE-PASSAGE",
    )
    shown_passage = passage(shown_pond, [(259, 5)], [observer])
    return {
        "aire": aire,
        "shown_aire": shown_aire,
        "hidden_pond": hidden_pond,
        "shown_pond": shown_pond,
        "hidden_passage": hidden_passage,
        "shown_passage": shown_passage,
    }


def _fence(dataset, coordinator, taxa) -> dict:
    """A drift fence on a non-public site: a morning's counts and an identified newt."""
    fence_site = SiteFactory(
        name=FENCE_SITE_NAME,
        kind="mare",
        is_public=False,
        geom=Point(*FENCE_XY, srid=2154),
        description="ZHSECRET-DESCRIPTION",
    )
    WetlandProfileFactory(site=fence_site, issues="ZHSECRET-ENJEUX")
    fence = DriftFenceFactory(
        site=fence_site,
        name=FENCE_NAME,
        dataset=dataset,
        comment="ZHSECRET-COMMENTAIRE-BARRIERE",
    )
    check = fence_check_save(
        user=coordinator,
        fence=fence,
        fields={
            "date": dt.date(2020, 3, 5),
            "observer": "ZHSECRET-RELEVEUR",
            "comment": "ZHSECRET-RELEVE",
        },
        counts=[
            {"taxon": taxa[139], "sex": "female", "alive": True, "count": 2},
            {"taxon": taxa[259], "sex": "male", "alive": True, "count": 7},
        ],
    )
    capture = newt_capture_create(
        user=coordinator,
        date=dt.date(2020, 3, 5),
        site=fence_site,
        dataset=dataset,
        photo=belly_upload("A", "zh"),
        comment="ZHSECRET-CAPTURE",
        fence_check=check,
    )
    individual = newt_capture_tag(user=coordinator, capture=capture, individual=None)
    individual.comment = "ZHSECRET-INDIVIDU"
    individual.save()
    return {
        "fence": fence,
        "fence_site": fence_site,
        "check": check,
        "capture": capture,
        "individual": individual,
    }


def _marsh(dataset, coordinator, taxa) -> dict:
    """A public wetland: a sensitive record, a photographed newt, an operation, a level."""
    marsh = WetlandProfileFactory(
        site__name="Marais de la Couture",
        site__is_public=True,
        site__geom=square(LOOS_X + 1800, LOOS_Y + 1300, 500),
    ).site
    OccurrenceFactory(
        dataset=dataset,
        taxon=taxa[139],
        site=marsh,
        geom=Point(*MARSH_RECORD_XY, srid=2154),
        place_name="ZHSECRET-LIEU-DIT",
        comment="ZHSECRET-OBSERVATION",
        created_by=coordinator,
    )
    OccurrenceFactory(
        dataset=dataset,
        taxon=taxa[259],
        site=marsh,
        geom=Point(LOOS_X + 1900, LOOS_Y + 1400, srid=2154),
    )
    # A newt photographed on the public marsh: the site stays, the capture is hidden.
    marsh_capture = newt_capture_create(
        user=coordinator,
        date=dt.date(2020, 4, 2),
        site=marsh,
        dataset=dataset,
        photo=belly_upload("C", "zh"),
        comment="ZHSECRET-CAPTURE-MARAIS",
    )
    marsh_newt = newt_capture_tag(
        user=coordinator, capture=marsh_capture, individual=None
    )
    operation = ManagementOperationFactory(
        site=marsh, kind="fauche", created_by=coordinator
    )
    reading = water_level_save(
        user=coordinator, site=marsh, date=dt.date(2020, 4, 1), level_cm=30, gauge="E1"
    )
    return {
        "marsh": marsh,
        "marsh_capture": marsh_capture,
        "marsh_newt": marsh_newt,
        "operation": operation,
        "reading": reading,
    }


@pytest.fixture
def world(organisation, other_organisation, coordinateur_user, taxa):
    """B = ``organisation`` (the CPIE, owner of the records), A = ``other_organisation``
    (Eden 62, a reader of B's public dataset)."""
    DepartementFactory()
    CommuneFactory()
    coordinator = coordinateur_user
    dataset = DatasetFactory(producer=organisation, is_public=True, title="Suivis B")
    scene = {
        "dataset": dataset,
        **_ponds(organisation, dataset, coordinator, taxa),
        **_fence(dataset, coordinator, taxa),
        **_marsh(dataset, coordinator, taxa),
    }
    sensitive = Occurrence.objects.filter(taxon=taxa[139])
    assert sensitive.count() == 3
    assert set(sensitive.values_list("sensitivity_level", flat=True)) == {1}
    return scene


@pytest.fixture
def readers(organisation, other_organisation):
    """A's readers and B's coordinator (``tests.no_leak``), and the regional network's."""
    people = two_organisations(org_a=other_organisation, org_b=organisation)
    return {
        **people.users,
        "regional": UserFactory(
            username="coordination-regionale",
            organisation=OrganisationFactory(name="Union régionale des CPIE"),
            roles=[Role.COORDINATEUR],
            is_regional=True,
        ),
    }
