"""POP passages: species lines and "nothing found" published as occurrences."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from observations.models import Occurrence, Source
from zones_humides.models import PassageObservation
from zones_humides.services import SpeciesLine, passage_delete, passage_save

pytestmark = pytest.mark.django_db


def save(site, user, observer, *, lines=(), nothing_found=False, number=1, **extra):
    return passage_save(
        user=user,
        pop_site=site,
        fields={
            "number": number,
            "date": dt.date(2020, 3, 10),
            "expertise": "chevronne",
            "methods": ["1", "2"],
            **extra,
        },
        observers=[observer],
        lines=lines,
        nothing_found=nothing_found,
    )


def test_species_found_are_published_as_presences(
    pop_sites, taxa, saisie_user, observer
):
    passage = save(
        pop_sites[0],
        saisie_user,
        observer,
        lines=[
            SpeciesLine(taxon=taxa[259], count_min=12),
            SpeciesLine(taxon=taxa[444432], count_min=3, count_max=5, count_type="Es"),
        ],
    )
    assert passage.year == 2020
    occurrences = Occurrence.objects.filter(source=Source.ZONES_HUMIDES)
    assert occurrences.count() == 2
    toad = occurrences.get(taxon_id=259)
    assert toad.observation_status == "Pr"
    assert (toad.count_min, toad.count_max) == (12, 12)
    assert toad.dataset == pop_sites[0].aire.dataset
    assert toad.geom.equals(pop_sites[0].geom)
    assert toad.date_start == dt.date(2020, 3, 10)
    assert "CARON" in toad.observers_label.upper()
    newt = occurrences.get(taxon_id=444432)
    assert (newt.count_min, newt.count_max, newt.count_type) == (3, 5, "Es")
    assert all(o.occurrence_id for o in passage.observations.all())


def test_nothing_found_is_kept_as_an_absence_of_amphibia(
    pop_sites, taxa, saisie_user, observer
):
    passage = save(pop_sites[1], saisie_user, observer, nothing_found=True)
    line = passage.observations.get()
    assert (line.taxon_id, line.present, line.count_max) == (914450, False, 0)
    occurrence = line.occurrence
    assert occurrence.observation_status == "No"
    assert (occurrence.count_min, occurrence.count_max) == (0, 0)
    assert occurrence.taxon_id == 914450
    assert passage.nothing_found


def test_changing_a_passage_replaces_its_lines_and_occurrences(
    pop_sites, taxa, saisie_user, observer
):
    passage = save(pop_sites[0], saisie_user, observer, nothing_found=True)
    absence = passage.observations.get().occurrence
    passage_save(
        user=saisie_user,
        pop_site=pop_sites[0],
        fields={"date": dt.date(2020, 3, 11)},
        observers=[observer],
        lines=[SpeciesLine(taxon=taxa[351], count_min=40)],
        passage=passage,
    )
    assert not Occurrence.objects.filter(pk=absence.pk).exists()
    line = passage.observations.get()
    assert line.taxon_id == 351 and line.occurrence.date_start == dt.date(2020, 3, 11)
    passage_delete(passage=passage, user=saisie_user)
    assert not PassageObservation.objects.exists()
    assert not Occurrence.objects.filter(source=Source.ZONES_HUMIDES).exists()


@pytest.mark.parametrize(
    "kwargs, field, message",
    [
        ({}, "__all__", "cochez « Rien trouvé »"),
        (
            {"nothing_found": True, "lines": "toad"},
            "__all__",
            "des espèces sont saisies",
        ),
        ({"date": dt.date(2099, 3, 1), "nothing_found": True}, "date", "futur"),
        (
            {"number": 2, "site_state": "cree", "nothing_found": True},
            "site_state",
            "premier passage",
        ),
    ],
)
def test_refused_passages(
    pop_sites, taxa, saisie_user, observer, kwargs, field, message
):
    if kwargs.get("lines") == "toad":
        kwargs["lines"] = [SpeciesLine(taxon=taxa[259], count_min=1)]
    with pytest.raises(ValidationError) as error:
        save(pop_sites[0], saisie_user, observer, **kwargs)
    assert message in " ".join(error.value.message_dict[field])
    assert not Occurrence.objects.exists()


def test_a_passage_number_is_entered_once_per_site_and_season(
    pop_sites, taxa, saisie_user, observer
):
    save(pop_sites[0], saisie_user, observer, nothing_found=True)
    with pytest.raises(ValidationError) as error:
        save(pop_sites[0], saisie_user, observer, nothing_found=True)
    assert "déjà saisi" in error.value.message_dict["number"][0]
    save(pop_sites[0], saisie_user, observer, nothing_found=True, number=2)
