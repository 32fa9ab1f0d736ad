"""Entry checks of captures, the published occurrence, ring stock and the STOC protocol."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from baguage.models import Capture
from baguage.selectors import sessions_with_action_counts
from baguage.services import (
    CaptureRefused,
    capture_delete,
    capture_save,
    next_free_ring,
    ring_stock,
    session_protocol_problems,
    session_save,
)
from observations.models import Occurrence, Source
from referentiel.models import Role
from tests.factories.baguage import RingSeriesFactory, SessionFactory, StationFactory
from tests.factories.referentiel import DatasetFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def save(ringing, *, session=None, capture=None, confirm=False, **fields):
    values = {"action": "B", "ring_number": "0001000", "taxon": ringing.robin}
    values.update(fields)
    return capture_save(
        session=session or ringing.session,
        user=ringing.user,
        fields=values,
        capture=capture,
        confirm=confirm,
    )


def test_a_new_ring_is_taken_from_stock_and_published(ringing):
    capture, warnings = save(ringing, ring_number="000 10.00", wing_mm=Decimal("71"))
    assert warnings == []
    assert capture.ring_number == "0001000"
    assert capture.series == ringing.series and capture.ring_size == "A"
    assert capture.line == 1
    occurrence = capture.occurrence
    assert occurrence.source == Source.BAGUAGE
    assert occurrence.site == ringing.station.site
    assert occurrence.taxon == ringing.robin
    assert occurrence.date_start == ringing.session.date
    assert "0001000" in occurrence.comment


def test_a_ring_used_twice_is_refused_in_french(ringing):
    save(ringing)
    with pytest.raises(CaptureRefused) as refused:
        save(ringing, taxon=ringing.wren)
    assert refused.value.message_dict["ring_number"] == [
        "La bague 0001000 a déjà été posée le 14/06/2020 (Erithacus rubecula)."
    ]
    assert Capture.objects.count() == 1


def test_another_structures_ringing_at_a_protected_place_is_not_told(ringing):
    """The refusal and the question say that the ring was used, not when nor on what:
    the earlier capture is another structure's, at a site listed only for them."""
    other = OrganisationFactory(name="Réserve B")
    theirs = SessionFactory(
        station=StationFactory(site__is_public=False, site__manager=other),
        dataset=DatasetFactory(producer=other),
        date=dt.date(2020, 5, 2),
        created_by=UserFactory(username="b", organisation=other, roles=[Role.SAISIE]),
    )
    save(ringing, session=theirs, taxon=ringing.wren)
    with pytest.raises(CaptureRefused) as refused:
        save(ringing)
    assert refused.value.message_dict["ring_number"] == [
        "La bague 0001000 a déjà été posée (donnée d'un autre organisme non détaillée)."
    ]
    with pytest.raises(CaptureRefused) as refused:
        save(ringing, action="C")
    (question,) = refused.value.to_confirm
    assert "Troglodytes" not in question and "02/05/2020" not in question
    assert "donnée d'un autre organisme non détaillée" in question


def test_a_ring_in_no_series_is_refused(ringing):
    with pytest.raises(CaptureRefused) as refused:
        save(ringing, ring_number="0009999")
    assert (
        "n'appartient à aucune série reçue"
        in refused.value.message_dict["ring_number"][0]
    )
    assert not Capture.objects.exists()


def test_a_control_on_another_species_needs_a_confirmation(ringing):
    save(ringing)
    with pytest.raises(CaptureRefused) as refused:
        save(ringing, action="C", taxon=ringing.wren)
    assert refused.value.to_confirm == [
        "La bague 0001000 a été notée sur une autre espèce (Erithacus rubecula) : "
        "confirmez l'espèce."
    ]
    # A control of the same species needs no question.
    save(ringing, action="C")
    control, _warnings = save(ringing, action="C", taxon=ringing.wren, confirm=True)
    assert control.action == "C" and control.series is None
    assert Capture.objects.filter(action="C").count() == 2


def test_biometrics_out_of_range_warn_but_save(ringing):
    capture, warnings = save(ringing, wing_mm=Decimal("90"), mass_g=Decimal("18"))
    assert warnings == [
        "Aile de 90 mm hors de l'intervalle habituel de l'espèce (66–76 mm) : "
        "vérifiez la mesure."
    ]
    assert capture.pk and capture.occurrence_id


def test_a_future_session_is_refused(ringing):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    future = SessionFactory(
        station=ringing.station, dataset=ringing.dataset, date=tomorrow
    )
    with pytest.raises(CaptureRefused) as refused:
        save(ringing, session=future)
    assert "futur" in refused.value.message_dict["session"][0]
    with pytest.raises(ValidationError) as error:
        session_save(
            user=ringing.user,
            fields={
                "station": ringing.station,
                "programme": ringing.programme,
                "dataset": ringing.dataset,
                "date": tomorrow,
            },
        )
    assert error.value.message_dict["date"] == [
        "La date ne peut pas être dans le futur."
    ]


def test_editing_updates_the_occurrence_and_deleting_removes_it(ringing):
    capture, _ = save(ringing)
    occurrence_id = capture.occurrence_id
    capture, _ = save(ringing, capture=capture, taxon=ringing.wren, sex="F")
    occurrence = Occurrence.objects.get(pk=occurrence_id)
    assert occurrence.taxon == ringing.wren
    assert occurrence.sex == "2"
    assert capture.occurrence_id == occurrence_id
    capture_delete(capture=capture, user=ringing.user)
    assert not Capture.objects.exists()
    assert not Occurrence.objects.filter(pk=occurrence_id).exists()


def test_stock_counts_and_low_flag(ringing):
    RingSeriesFactory(size="C", first=1, last=500)
    save(ringing)
    save(ringing, ring_number="0001001")
    stock = {row["size"]: row for row in ring_stock()}
    assert stock["A"] == {
        "size": "A",
        "received": 100,
        "used": 2,
        "left": 98,
        "low": False,
    }
    assert stock["C"]["left"] == 500
    for number in range(1002, 1052):
        save(ringing, ring_number=f"{number:07d}")
    stock = {row["size"]: row for row in ring_stock()}
    assert stock["A"]["left"] == 48 and stock["A"]["low"] is True


def test_next_free_ring_skips_used_rings(ringing):
    assert next_free_ring("A") == "0001000"
    save(ringing)
    save(ringing, ring_number="0001002")
    assert next_free_ring("A") == "0001001"
    assert next_free_ring("Z") is None


def test_stoc_protocol_problems(ringing):
    session = ringing.session
    assert len(session_protocol_problems(session)) == 1  # no captures yet
    for number in range(1000, 1004):
        save(ringing, ring_number=f"{number:07d}")
    assert session_protocol_problems(session) == []
    short = SessionFactory(
        station=ringing.station,
        dataset=ringing.dataset,
        date=dt.date(2020, 8, 20),
        start_time=dt.time(6, 0),
        end_time=dt.time(8, 0),
    )
    problems = session_protocol_problems(
        sessions_with_action_counts(
            type(short).objects.filter(pk=short.pk), ringing.user
        ).get()
    )
    assert problems == [
        "Date hors des périodes de référence STOC (18 mai, 14 juin, 7 juillet "
        "± 10 jours).",
        "Session de 2.0 h : le protocole demande au moins 3 heures.",
        "0 capture(s) : une session STOC en demande au moins 4.",
    ]


def test_ring_typed_without_leading_zeros_is_the_series_ring(ringing):
    """``1000`` typed for a 7-digit series is ring ``0001000``: the used-once check sees it."""
    from baguage.services import ring_canonical, ring_series_of

    series = ringing.series
    short = str(series.first)
    found = ring_series_of(series.prefix + short)
    assert found == series
    assert ring_canonical(series.prefix + short, series) == series.ring(series.first)


def test_ring_of_an_unusual_size_is_warned_not_refused(ringing, saisie_user):
    """A ring of size A on a species usually ringed in another size: saved, with a warning."""
    from baguage.models import EuringSpecies
    from baguage.services import capture_save

    species = ringing.wren
    EuringSpecies.objects.filter(taxon=species).update(ring_size="Z")
    if not EuringSpecies.objects.filter(taxon=species).exists():
        EuringSpecies.objects.create(taxon=species, code="99990", ring_size="Z")
    capture, warnings = capture_save(
        session=ringing.session,
        user=saisie_user,
        fields={
            "action": "B",
            "ring_number": ringing.series.ring(ringing.series.first + 50),
            "taxon": species,
        },
    )
    assert capture.pk
    assert any("taille A" in w and "ordinaire en Z" in w for w in warnings)
