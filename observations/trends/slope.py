"""Overall slope of time totals and its TRIM classification.

The overall slope is the ordinary-least-squares line through ln(time totals) against time
point, with a sandwich variance built from the totals' covariance matrix (rtrim
``overall()``, TRIM manual §2.6). The class follows TRIM's 0.95/1.05 rules on the 95 %
confidence interval of the multiplicative slope (TRIM manual appendix C, PECBMS).
"""

from dataclasses import asdict, dataclass

import numpy as np

# Class keys, strongest evidence first; French labels for the pages.
STRONG_INCREASE = "strong_increase"
MODERATE_INCREASE = "moderate_increase"
STABLE = "stable"
UNCERTAIN = "uncertain"
MODERATE_DECLINE = "moderate_decline"
STEEP_DECLINE = "steep_decline"
UNKNOWN = "unknown"

CLASS_LABELS = {
    STRONG_INCREASE: "forte augmentation",
    MODERATE_INCREASE: "augmentation modérée",
    STABLE: "stable",
    UNCERTAIN: "incertain",
    MODERATE_DECLINE: "déclin modéré",
    STEEP_DECLINE: "fort déclin",
    UNKNOWN: "indéterminé",
}
# TRIM's own wording (output files).
CLASS_TRIM_WORDS = {
    STRONG_INCREASE: "Strong increase",
    MODERATE_INCREASE: "Moderate increase",
    STABLE: "Stable",
    UNCERTAIN: "Uncertain",
    MODERATE_DECLINE: "Moderate decline",
    STEEP_DECLINE: "Steep decline",
    UNKNOWN: "Unknown",
}


@dataclass(frozen=True)
class Slope:
    additive: float
    se_additive: float
    multiplicative: float
    se_multiplicative: float
    p_value: float | None
    ci_lower: float | None  # 95 % interval of the multiplicative slope
    ci_upper: float | None
    classification: str
    significance: str  # "p<0.01", "p<0.05" or ""

    @property
    def label(self) -> str:
        return CLASS_LABELS[self.classification]

    @property
    def trim_words(self) -> str:
        words = CLASS_TRIM_WORDS[self.classification]
        return f"{words} ({self.significance})" if self.significance else words

    def as_dict(self) -> dict:
        return {**asdict(self), "label": self.label, "trim_words": self.trim_words}


def slope_classify(*, lower: float, upper: float) -> str:
    """TRIM class of a multiplicative slope from its 95 % confidence interval."""
    if lower > 1.05:
        return STRONG_INCREASE
    if upper < 0.95:
        return STEEP_DECLINE
    if lower > 1.0:
        return MODERATE_INCREASE
    if upper < 1.0:
        return MODERATE_DECLINE
    if lower > 0.95 and upper < 1.05:
        return STABLE
    return UNCERTAIN


def overall_slope(*, totals: np.ndarray, covariance: np.ndarray) -> Slope:
    """Slope of ln(totals) over time points 1…J, with TRIM's t-based interval (df = J−2)."""
    from scipy import stats  # imported on first use (about 1 s)

    n = len(totals)
    log_tt = np.log(np.where(totals < 1e-6, 1.0, totals))
    x = np.column_stack([np.ones(n), np.arange(1, n + 1)])
    # OLS; the design is 2 columns wide, so the normal equations are the plain way.
    xtx_inv = np.linalg.inv(x.T @ x)
    bhat = xtx_inv @ x.T @ log_tt
    # Delta method: Var(ln tt) = diag(1/tt) V diag(1/tt), then the OLS sandwich.
    inv_tt = 1.0 / np.exp(log_tt)
    omega = covariance * np.outer(inv_tt, inv_tt)
    var_b = xtx_inv @ x.T @ omega @ x @ xtx_inv
    add, se = float(bhat[1]), float(np.sqrt(max(var_b[1, 1], 0.0)))
    df = n - 2
    if df <= 0 or se == 0:
        return Slope(
            add, se, np.exp(add), np.exp(add) * se, None, None, None, UNKNOWN, ""
        )
    p_value = float(2 * stats.t.sf(abs(add / se), df))
    half = float(stats.t.ppf(0.975, df)) * se
    lower, upper = float(np.exp(add - half)), float(np.exp(add + half))
    classification = slope_classify(lower=lower, upper=upper)
    significance = ""
    if classification not in (STABLE, UNCERTAIN):
        significance = "p<0.01" if p_value < 0.01 else "p<0.05"
    return Slope(
        additive=add,
        se_additive=se,
        multiplicative=float(np.exp(add)),
        se_multiplicative=float(np.exp(add) * se),
        p_value=p_value,
        ci_lower=lower,
        ci_upper=upper,
        classification=classification,
        significance=significance,
    )
