"""POP results, planner and national export computed from the passages."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command

from tests.factories.zones_humides import PopAireFactory
from zones_humides.models import PopAire
from zones_humides.selectors.export import COLUMNS, pop_export_csv
from zones_humides.selectors.pop import pop_planner, pop_results
from zones_humides.services import SpeciesLine, passage_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def season(pop_sites, taxa, saisie_user, observer):
    """Site 1: toad and palmate newt, then nothing, then toad; site 2: nothing found
    twice; site 3: not visited."""

    def passage(site, number, lines=(), nothing=False):
        passage_save(
            user=saisie_user,
            pop_site=site,
            fields={
                "number": number,
                "date": dt.date(2020, 2 + number, 10),
                "expertise": "chevronne",
                "methods": ["1"],
            },
            observers=[observer],
            lines=[SpeciesLine(taxon=taxa[c], count_min=n) for c, n in lines],
            nothing_found=nothing,
        )

    one, two, _ = pop_sites
    passage(one, 1, [(259, 30), (444432, 4)])
    passage(one, 2, nothing=True)
    passage(one, 3, [(259, 2)])
    passage(two, 1, nothing=True)
    passage(two, 2, nothing=True)
    return pop_sites


def test_results_count_sites_records_and_species_from_the_visits(season, aire):
    results = pop_results(year=2020, aires=PopAire.objects.all(), user=None)
    assert results.sites_visited == 2
    assert results.sites_occupied == 1
    assert results.passages == 5
    assert results.records == 6  # 3 presences + 3 absences
    assert results.positive == 3
    assert results.absences == 3
    assert [s.name for s in results.species] == [
        "Bufo bufo",
        "Lissotriton helveticus",
    ]
    toad = results.species[0]
    assert toad.records == 2 and toad.occupancy == pytest.approx(0.5)
    (row,) = results.aires
    assert len(row.species) == 2
    assert row.incomplete_sites == 1  # site 2: two passages of three
    assert results.species_per_aire == (2, 2)
    assert pop_results(year=2019, aires=PopAire.objects.all(), user=None).records == 0


def test_planner_shows_the_aires_due(season, aire, pop_dataset):
    never = PopAireFactory(number=6, dataset=pop_dataset, first_year=2019)
    later = PopAireFactory(number=7, dataset=pop_dataset, first_year=2022)
    rows = {
        r.aire.number: r
        for r in pop_planner(year=2020, aires=PopAire.objects.all(), user=None)
    }
    assert rows[5].status == "en_cours"
    assert (rows[5].passages_done, rows[5].passages_expected) == (5, 9)
    assert rows[never.number].status == "a_faire"
    assert rows[later.number].status == "plus_tard"
    rows = {
        r.aire.number: r
        for r in pop_planner(year=2021, aires=PopAire.objects.all(), user=None)
    }
    assert rows[5].status == "plus_tard" and rows[5].next_year == 2022
    rows = {
        r.aire.number: r
        for r in pop_planner(year=2022, aires=PopAire.objects.all(), user=None)
    }
    assert rows[5].status == "a_faire" and rows[5].last_year == 2020


def test_export_has_one_row_per_site_passage_and_species_with_absences(season):
    text = pop_export_csv(year=2020, aires=PopAire.objects.all(), user=None)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert list(rows[0]) == COLUMNS
    assert len(rows) == 6
    absences = [r for r in rows if r["presence"] == "Non"]
    assert len(absences) == 3
    assert {r["cd_nom"] for r in absences} == {"914450"}
    assert {r["nombre_max"] for r in absences} == {"0"}
    assert all(r["id_sinp_occtax"] for r in rows)
    first = rows[0]
    assert (first["aire_numero"], first["site_code"], first["num_passage"]) == (
        "5",
        "A5-01",
        "1",
    )
    assert first["categorie_paysagere"] == "Mines, décharges et chantiers"
    assert 50.0 < float(first["latitude"]) < 51.0


def test_export_pop_command_writes_the_file(season, tmp_path):
    out = tmp_path / "pop-2020.csv"
    stdout = io.StringIO()
    call_command("export_pop", "--year", "2020", "--out", str(out), stdout=stdout)
    assert "6 lignes" in stdout.getvalue()
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 7
    assert "Amphibia" in out.read_text(encoding="utf-8")
