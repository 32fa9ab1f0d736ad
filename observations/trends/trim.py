"""TRIM (Statistics Netherlands) trend and index estimation with statsmodels.

Counts f_ij of site i in year j follow a log-linear Poisson model with site effects α_i and
time effects: model 3, ln μ_ij = α_i + γ_j (γ_1 = 0); model 2, ln μ_ij = α_i + Σ_k β_k b_jk,
a piecewise linear trend between change points. Maximum likelihood is statsmodels' GLM; with
serial correlation the TRIM estimating equations are GEE with an AR(1) working correlation
(statsmodels GEE, model-based "naive" covariance as in TRIM). Overdispersion σ² is the Pearson
χ² over its degrees of freedom and scales the covariance.

Missing counts are imputed from the fitted model; time totals (fitted and imputed), their
covariance (the delta method over all parameters, which is TRIM's GddG + (GF−H)E⁻¹(GF−H)'
formula) and indices relative to a base year follow rtrim's ``trim_workhorse``. Sites without
any positive count carry no information and are dropped, as TRIM does.
"""

from dataclasses import dataclass, field

import numpy as np

from .slope import Slope, overall_slope


class TrimError(ValueError):
    """The data cannot support the requested model (not enough positive counts…)."""


@dataclass
class TrimResult:
    model: int
    years: list[int]
    sites: list[str]
    dropped_sites: list[str]
    changepoints: list[int]
    observed: int
    missing: int
    parameters: list[dict]  # model 3: γ_j per year; model 2: β per segment
    fitted_totals: np.ndarray
    fitted_totals_se: np.ndarray
    imputed_totals: np.ndarray
    imputed_totals_se: np.ndarray
    fitted_indices: np.ndarray
    fitted_indices_se: np.ndarray
    imputed_indices: np.ndarray
    imputed_indices_se: np.ndarray
    base_year: int
    slope_fitted: Slope
    slope_imputed: Slope
    overdispersion: float | None
    serial_correlation: float | None
    goodness_of_fit: dict = field(default_factory=dict)

    @property
    def imputed_share(self) -> float:
        total = self.observed + self.missing
        return self.missing / total if total else 0.0

    def as_dict(self) -> dict:
        rows = [
            {
                "year": year,
                "fitted_total": float(self.fitted_totals[j]),
                "fitted_total_se": float(self.fitted_totals_se[j]),
                "imputed_total": float(self.imputed_totals[j]),
                "imputed_total_se": float(self.imputed_totals_se[j]),
                "fitted_index": float(self.fitted_indices[j]),
                "fitted_index_se": float(self.fitted_indices_se[j]),
                "imputed_index": float(self.imputed_indices[j]),
                "imputed_index_se": float(self.imputed_indices_se[j]),
            }
            for j, year in enumerate(self.years)
        ]
        return {
            "model": self.model,
            "changepoints": self.changepoints,
            "base_year": self.base_year,
            "sites": len(self.sites),
            "dropped_sites": self.dropped_sites,
            "observed_counts": self.observed,
            "missing_counts": self.missing,
            "imputed_share": self.imputed_share,
            "overdispersion": self.overdispersion,
            "serial_correlation": self.serial_correlation,
            "goodness_of_fit": self.goodness_of_fit,
            "parameters": self.parameters,
            "years": rows,
            "slope_imputed": self.slope_imputed.as_dict(),
            "slope_fitted": self.slope_fitted.as_dict(),
        }


def time_design(*, model: int, ntime: int, changepoints: list[int]) -> np.ndarray:
    """The J × p matrix B of time effects (rtrim ``trim_workhorse``)."""
    if model == 3:
        return np.eye(ntime)[:, 1:]
    cps = sorted({0, *changepoints})  # 0-based time points, the first always included
    design = np.zeros((ntime, len(cps)))
    for k, start in enumerate(cps):
        end = cps[k + 1] if k + 1 < len(cps) else ntime - 1
        design[start : end + 1, k] = np.arange(end - start + 1)
        design[end + 1 :, k] = end - start
    return design


def _counts_matrix(sites, years, counts):
    site_ids = list(dict.fromkeys(str(s) for s in sites))
    first, last = min(years), max(years)
    year_list = list(range(first, last + 1))
    f = np.full((len(site_ids), len(year_list)), np.nan)
    row = {s: i for i, s in enumerate(site_ids)}
    for site, year, count in zip(sites, years, counts, strict=True):
        if count is not None and not np.isnan(count):
            f[row[str(site)], year - first] = float(count)
    return site_ids, year_list, f


def trim_fit(
    *,
    sites: list,
    years: list[int],
    counts: list[float | None],
    model: int = 3,
    overdispersion: bool = False,
    serial_correlation: bool = False,
    changepoints: list[int] = (),
    base_year: int | None = None,
) -> TrimResult:
    """Fit TRIM model 2 or 3 to site/year/count triples (None or NaN = missing count).

    ``changepoints`` (model 2) and ``base_year`` are years; years run from the first to the
    last year given, one time point each."""
    # statsmodels (with scipy) takes 2 s to import: loaded on the first fit, not by
    # every process that imports the URLconf.
    import statsmodels.api as sm
    from statsmodels.genmod.cov_struct import Autoregressive

    if model not in (2, 3):
        raise TrimError("Seuls les modèles 2 et 3 sont disponibles.")
    if model == 3 and changepoints:
        raise TrimError("Les points de rupture ne concernent que le modèle 2.")
    site_ids, year_list, f = _counts_matrix(sites, years, counts)
    useful = np.nansum(f, axis=1) > 0
    dropped = [s for s, keep in zip(site_ids, useful, strict=True) if not keep]
    site_ids = [s for s, keep in zip(site_ids, useful, strict=True) if keep]
    f = f[useful]
    nsite, ntime = f.shape
    if ntime < 2 or nsite == 0:
        raise TrimError(
            "Il faut au moins deux années et un site avec un comptage positif."
        )
    cp_index = [y - year_list[0] for y in changepoints]
    if any(not 0 <= c < ntime - 1 for c in cp_index):
        raise TrimError("Point de rupture hors de la période.")
    observed = ~np.isnan(f)
    positive = observed & (np.nan_to_num(f) > 0)
    if model == 3 and not positive.any(axis=0).all():
        empty = [
            y for y, ok in zip(year_list, positive.any(axis=0), strict=True) if not ok
        ]
        raise TrimError(f"Aucun comptage positif en {', '.join(map(str, empty))}.")
    b = time_design(model=model, ntime=ntime, changepoints=cp_index)
    nbeta = b.shape[1]
    if positive.sum() < nsite + nbeta:
        raise TrimError("Pas assez de comptages positifs pour estimer le modèle.")

    # Full design over every site × year cell: site dummies then time effects.
    site_of = np.repeat(np.arange(nsite), ntime)
    time_of = np.tile(np.arange(ntime), nsite)
    x_full = np.hstack([np.eye(nsite)[site_of], b[time_of]])
    obs = observed.ravel()
    x, y = x_full[obs], f.ravel()[obs]
    # Maximum likelihood: Poisson GLM with site dummies (no intercept: they make the
    # constant) and time effects. Newton steps use the analytic Hessian, a p × p matrix,
    # rather than IRLS's SVD of the n × p design at every step.
    start = np.concatenate(
        [np.log(np.nansum(f, axis=1) / observed.sum(axis=1)), np.zeros(nbeta)]
    )
    glm = sm.GLM(y, x, family=sm.families.Poisson(), hasconst=True)
    fitted = glm.fit(
        start_params=start, method="newton", maxiter=100, tol=1e-10, disp=0
    )
    params = fitted.params
    groups = site_of[obs]
    # Inverse Fisher information over all parameters (site and time effects).
    cov = np.linalg.inv(x.T @ (x * np.exp(x @ params)[:, None]))
    rho = None
    if serial_correlation:
        gee = sm.GEE(
            y,
            x,
            groups=groups,
            time=time_of[obs].astype(float),
            family=sm.families.Poisson(),
            cov_struct=Autoregressive(grid=False),
            missing="none",
        ).fit(start_params=params, cov_type="naive")
        params, cov = gee.params, gee.cov_naive
        rho = float(gee.cov_struct.dep_params)

    mu_obs = np.exp(x @ params)
    pearson = (y - mu_obs) / np.sqrt(mu_obs)
    dof = len(y) - nsite - nbeta
    chi2 = float(np.sum(pearson**2))
    sig2 = 1.0
    if overdispersion:
        sig2 = chi2 / dof if dof > 0 else 1.0
        cov = cov * sig2
    pos = y > 0
    lr = float(2 * np.sum(y[pos] * np.log(y[pos] / mu_obs[pos])))
    gof = {"chi_square": chi2, "likelihood_ratio": lr, "df": dof, "aic": lr - 2 * dof}

    # Time totals and their covariance by the delta method (d μ / dθ = μ x).
    mu = np.exp(x_full @ params).reshape(nsite, ntime)
    weighted = x_full * mu.ravel()[:, None]
    jac = weighted.reshape(nsite, ntime, -1).sum(axis=0)
    jac_obs = (weighted * obs[:, None]).reshape(nsite, ntime, -1).sum(axis=0)
    var_mod = jac @ cov @ jac.T
    # Imputed totals: observed counts replace the model's part for observed cells,
    # whose variance is then that of the counts themselves (σ² μ, correlated by ρ).
    corr = (
        np.eye(ntime)
        if rho is None
        else rho ** np.abs(np.subtract.outer(*[np.arange(ntime)] * 2))
    )
    root = np.sqrt(np.where(observed, mu, 0.0))
    var_counts = sig2 * np.einsum("ij,jk,ik->jk", root, corr, root)
    var_imp = var_mod - jac_obs @ cov @ jac_obs.T + var_counts
    tt_mod = mu.sum(axis=0)
    tt_imp = np.where(observed, f, mu).sum(axis=0)

    if base_year is not None and base_year not in year_list:
        raise TrimError(f"Année de base {base_year} hors de la période.")
    base = year_list.index(base_year) if base_year is not None else 0
    idx_mod, idx_mod_se = _indices(tt_mod, var_mod, base)
    idx_imp, idx_imp_se = _indices(tt_imp, var_imp, base)

    beta, se_beta = params[nsite:], np.sqrt(np.diag(cov)[nsite:])
    if model == 3:
        parameters = [
            {
                "year": year_list[0],
                "additive": 0.0,
                "se_additive": 0.0,
                "multiplicative": 1.0,
                "se_multiplicative": 0.0,
            }
        ]
        labels = [{"year": year} for year in year_list[1:]]
    else:
        bounds = sorted({0, *cp_index}) + [ntime - 1]
        labels = [
            {"from": year_list[bounds[k]], "to": year_list[bounds[k + 1]]}
            for k in range(nbeta)
        ]
        parameters = []
    parameters += [
        {
            **label,
            "additive": float(v),
            "se_additive": float(s),
            "multiplicative": float(np.exp(v)),
            "se_multiplicative": float(np.exp(v) * s),
        }
        for label, v, s in zip(labels, beta, se_beta, strict=True)
    ]
    return TrimResult(
        model=model,
        years=year_list,
        sites=site_ids,
        dropped_sites=dropped,
        changepoints=sorted(changepoints),
        observed=int(observed.sum()),
        missing=int((~observed).sum()),
        parameters=parameters,
        fitted_totals=tt_mod,
        fitted_totals_se=np.sqrt(np.clip(np.diag(var_mod), 0, None)),
        imputed_totals=tt_imp,
        imputed_totals_se=np.sqrt(np.clip(np.diag(var_imp), 0, None)),
        fitted_indices=idx_mod,
        fitted_indices_se=idx_mod_se,
        imputed_indices=idx_imp,
        imputed_indices_se=idx_imp_se,
        base_year=year_list[base],
        slope_fitted=overall_slope(totals=tt_mod, covariance=var_mod),
        slope_imputed=overall_slope(totals=tt_imp, covariance=var_imp),
        overdispersion=sig2 if overdispersion else None,
        serial_correlation=rho,
        goodness_of_fit=gof,
    )


def _indices(totals: np.ndarray, var: np.ndarray, base: int):
    """Index τ_j = tt_j / tt_b and its delta-method standard error (rtrim ``index``)."""
    index = totals / totals[base]
    se = np.zeros_like(totals)
    for j in range(len(totals)):
        if j == base:
            continue
        d = np.array([-totals[j] / totals[base] ** 2, 1.0 / totals[base]])
        sub = var[np.ix_([base, j], [base, j])]
        se[j] = np.sqrt(max(d @ sub @ d, 0.0))
    return index, se
