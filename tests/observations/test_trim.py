"""TRIM engine against the reference TRIM 3.61 output on the skylark data (rtrim)."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from observations.trends.slope import (
    MODERATE_DECLINE,
    MODERATE_INCREASE,
    STABLE,
    STEEP_DECLINE,
    STRONG_INCREASE,
    UNCERTAIN,
    slope_classify,
)
from observations.trends.trim import TrimError, trim_fit

DATA = Path(__file__).resolve().parent.parent / "data" / "trim"


def skylark() -> tuple[list, list, list]:
    rows = [line.split() for line in (DATA / "skylark.dat").read_text().splitlines()]
    rows = [row for row in rows if row]
    counts = [None if row[2] == "999" else float(row[2]) for row in rows]
    return [row[0] for row in rows], [int(row[1]) for row in rows], counts


def reference_table(title: str) -> list[list[float]]:
    """Numeric rows of one table of skylark-1a.out, after its title line."""
    lines = (DATA / "skylark-1a.out").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == title)
    rows = []
    for line in lines[start + 1 :]:
        if re.match(r"^\s+\d", line):
            rows.append([float(value) for value in line.split()])
        elif rows:
            break
    return rows


@pytest.fixture(scope="module")
def model3():
    sites, years, counts = skylark()
    return trim_fit(sites=sites, years=years, counts=counts, model=3)


def test_counts_summary(model3):
    assert (model3.observed, model3.missing) == (202, 238)
    assert len(model3.sites) == 55 and model3.dropped_sites == []


def test_time_parameters_match_reference(model3):
    expected = reference_table("Parameters for Each Time Point")
    assert len(expected) == 8
    for parameter, row in zip(model3.parameters[1:], expected[1:], strict=True):
        assert round(parameter["additive"], 4) == row[1]
        assert round(parameter["se_additive"], 4) == row[2]
        assert round(parameter["multiplicative"], 4) == row[3]
        assert round(parameter["se_multiplicative"], 4) == row[4]


def test_indices_match_reference(model3):
    expected = reference_table("Time INDICES")
    for j, row in enumerate(expected):
        assert round(model3.fitted_indices[j], 4) == row[1]
        assert round(model3.imputed_indices[j], 4) == row[-2 if j else 2]
        if j:
            assert round(model3.fitted_indices_se[j], 4) == row[2]
            assert round(model3.imputed_indices_se[j], 4) == row[4]


def test_time_totals_match_reference(model3):
    expected = reference_table("TIME TOTALS")
    for j, (_time, model, se_model, imputed, se_imputed) in enumerate(expected):
        assert round(model3.fitted_totals[j]) == model
        assert round(model3.fitted_totals_se[j]) == se_model
        assert round(model3.imputed_totals[j]) == imputed
        assert round(model3.imputed_totals_se[j]) == se_imputed


def test_overall_slope_matches_reference(model3):
    for slope in (model3.slope_fitted, model3.slope_imputed):
        assert round(slope.additive, 4) == 0.0485
        assert round(slope.se_additive, 4) == 0.0107
        assert round(slope.multiplicative, 4) == 1.0497
        assert round(slope.se_multiplicative, 4) == 0.0112
        assert slope.classification == MODERATE_INCREASE
        assert slope.trim_words == "Moderate increase (p<0.01)"
        assert slope.label == "augmentation modérée"


def test_goodness_of_fit_matches_reference(model3):
    gof = model3.goodness_of_fit
    assert round(gof["chi_square"], 2) == 188.14
    assert round(gof["likelihood_ratio"], 2) == 184.98
    assert gof["df"] == 140
    assert round(gof["aic"], 2) == -95.02


def test_overdispersion_scales_errors_not_estimates(model3):
    sites, years, counts = skylark()
    result = trim_fit(
        sites=sites, years=years, counts=counts, model=3, overdispersion=True
    )
    assert result.overdispersion == pytest.approx(188.14 / 140, rel=1e-3)
    np.testing.assert_allclose(result.fitted_indices, model3.fitted_indices)
    np.testing.assert_allclose(
        result.fitted_indices_se[1:],
        model3.fitted_indices_se[1:] * np.sqrt(result.overdispersion),
    )


def test_serial_correlation_path_runs():
    sites, years, counts = skylark()
    result = trim_fit(
        sites=sites,
        years=years,
        counts=counts,
        model=3,
        overdispersion=True,
        serial_correlation=True,
    )
    assert 0 < result.serial_correlation < 1
    assert result.slope_imputed.multiplicative == pytest.approx(1.05, abs=0.01)


def test_model2_linear_trend_and_changepoints():
    sites, years, counts = skylark()
    linear = trim_fit(sites=sites, years=years, counts=counts, model=2)
    assert len(linear.parameters) == 1
    # One slope: the fitted indices are exactly geometric.
    ratio = linear.fitted_indices[1:] / linear.fitted_indices[:-1]
    np.testing.assert_allclose(ratio, linear.parameters[0]["multiplicative"])
    assert linear.slope_imputed.classification == MODERATE_INCREASE
    broken = trim_fit(
        sites=sites, years=years, counts=counts, model=2, changepoints=[3]
    )
    assert [(p["from"], p["to"]) for p in broken.parameters] == [(1, 3), (3, 8)]
    assert broken.parameters[0]["additive"] < 0 < broken.parameters[1]["additive"]


def test_missing_counts_are_imputed_from_the_model():
    sites = ["a"] * 4 + ["b"] * 4
    years = [2010, 2011, 2012, 2013] * 2
    counts = [10, 20, 40, 80, 5, 10, None, 40]
    result = trim_fit(sites=sites, years=years, counts=counts, model=2)
    assert result.missing == 1
    assert result.imputed_totals[2] == pytest.approx(40 + 20, rel=1e-6)
    assert result.imputed_share == pytest.approx(1 / 8)


def test_site_without_positive_count_is_dropped():
    sites = ["a", "a", "a", "b", "b", "b", "c", "c", "c"]
    years = [1, 2, 3] * 3
    counts = [4, 6, 9, 2, 3, 5, 0, None, 0]
    result = trim_fit(sites=sites, years=years, counts=counts, model=3)
    assert result.dropped_sites == ["c"]


def test_year_without_positive_count_is_refused():
    with pytest.raises(TrimError):
        trim_fit(sites=["a", "a"], years=[1, 2], counts=[3, None], model=3)


@pytest.mark.parametrize(
    ("lower", "upper", "expected"),
    [
        (1.06, 1.2, STRONG_INCREASE),
        (1.01, 1.09, MODERATE_INCREASE),
        (0.96, 1.04, STABLE),
        (0.9, 1.04, UNCERTAIN),
        (0.97, 1.08, UNCERTAIN),
        (0.92, 0.99, MODERATE_DECLINE),
        (0.8, 0.94, STEEP_DECLINE),
    ],
)
def test_slope_classes(lower, upper, expected):
    assert slope_classify(lower=lower, upper=upper) == expected


def test_trim_command_prints_json(tmp_path, capsys):
    sites, years, counts = skylark()
    path = tmp_path / "skylark.csv"
    lines = ["site,year,count"] + [
        f"{s},{2000 + y},{'' if c is None else int(c)}"
        for s, y, c in zip(sites, years, counts, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    call_command("trim", str(path), "--model", "3")
    result = json.loads(capsys.readouterr().out)
    assert result["years"][1]["year"] == 2002
    assert round(result["years"][1]["imputed_index"], 4) == 0.7096
    assert round(result["slope_imputed"]["multiplicative"], 4) == 1.0497
    assert result["slope_imputed"]["classification"] == "moderate_increase"
    call_command("trim", str(path), "--model", "2", "--changepoints", "2003")
    assert json.loads(capsys.readouterr().out)["changepoints"] == [2003]
    with pytest.raises(CommandError):
        call_command("trim", str(path), "--model", "3", "--changepoints", "2003")
