"""From the posterior to forecasts: P(success) per scenario, contrasts between
scenarios, each factor's contribution, and the breakdown of a contrast by factor.

The forecaster's uncertainty about a scenario's factor states (`sd`) is
integrated exactly, per posterior draw, with the Gauss-Hermite rule the
likelihood uses: `P_s(draw) = E_z[expit(alpha + beta·(rating - centre + sd·z))]`.
So for each scenario there is one number per posterior draw, and

- the headline, `p`, is the posterior predictive probability E[P] = the mean of
  `P_s` over draws: it integrates both the parameters and the ratings, it is
  what the forecast log scores, and contrasts of it add up exactly;
- `p_lo80` … `p_hi95` are intervals of `P_s` over draws: parameter (epistemic)
  uncertainty only;
- `rating_lo80`, `rating_hi80` show apart how far P moves across the
  forecaster's rating uncertainty (10th-90th percentile of P over the states,
  at the posterior mean of the parameters);
- contrasts are differences of `P_s` draw by draw: no random stream, so identical
  scenarios differ by exactly 0 and adding a scenario changes no other number.

Ratings are measured from the factor centre the posterior was fitted with
(`model.draws.factor_centre`): `alpha` is an intervention rated average on every
factor.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr
from scipy.special import expit, ndtri

from forecasting.factors import FACTOR_IDS
from forecasting.inputs.cases import CURRENT, Case, Scenario
from forecasting.model.draws import factor_centre, parameter_draws
from forecasting.model.logit import success_probability
from forecasting.settings import FACTOR_DIM, INTERVALS, SCENARIO_DIM

SAMPLE_DIM = "sample"
# The forecaster's rating uncertainty is shown as this central interval of P.
RATING_INTERVAL = 0.80


@dataclass(frozen=True)
class Forecast:
    """Draws and summaries of everything a report or CLI shows about a case's scenarios."""

    probability: xr.DataArray  # (sample, scenario): P(success | parameters), ratings integrated
    contribution: xr.DataArray  # (sample, scenario, factor): beta_k * (rating_k - centre_k)
    base_log_odds: xr.DataArray  # (sample,): alpha, an intervention rated average on every factor
    scenarios: pd.DataFrame  # per scenario: p (E[P]), p_median, intervals, rating interval
    contrasts: pd.DataFrame  # per contrast: difference of E[P], its intervals, P(better)
    contributions: pd.DataFrame  # per scenario x factor: median and intervals, log-odds
    breakdown: pd.DataFrame  # per contrast x factor: share of the difference (Shapley), prob.

    @property
    def base_rate(self) -> float:
        """E[P] of an intervention rated average on every factor, with no rating doubt."""
        return float(expit(self.base_log_odds.values).mean())


def interval_columns(prefix: str) -> list[str]:
    cols = [f"{prefix}_median"]
    for width in INTERVALS:
        pct = round(width * 100)
        cols += [f"{prefix}_lo{pct}", f"{prefix}_hi{pct}"]
    return cols


def summarise(draws: np.ndarray, prefix: str) -> dict[str, float]:
    """Median and central intervals (`INTERVALS`) of 1-d draws."""
    qs = [0.5]
    for width in INTERVALS:
        qs += [(1 - width) / 2, (1 + width) / 2]
    return dict(zip(interval_columns(prefix), map(float, np.quantile(draws, qs)), strict=True))


def scenario_design(scenario: Scenario, centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(factor,) centre and spread of a scenario's states, measured from `centre`."""
    states = [scenario.factors[f] for f in FACTOR_IDS]
    return (
        np.array([s.rating for s in states]) - centre,
        np.array([s.sd for s in states]),
    )


def scenario_probability(
    alpha: np.ndarray, beta: np.ndarray, x: np.ndarray, sd: np.ndarray
) -> np.ndarray:
    """(sample,): P(success) per draw for factor states x ± sd, the states integrated."""
    return success_probability(alpha, beta, x[None, :], sd[None, :])[:, 0]


def rating_interval(
    alpha: np.ndarray, beta: np.ndarray, x: np.ndarray, sd: np.ndarray
) -> tuple[float, float]:
    """Central `RATING_INTERVAL` of P over the forecaster's states, at the posterior mean:
    the linear predictor is Normal(m, v) there, so the bounds are closed-form."""
    a, b = alpha.mean(), beta.mean(axis=0)
    m, s = a + b @ x, math.sqrt(float((b**2) @ (sd**2)))
    z = float(ndtri((1 + RATING_INTERVAL) / 2))
    return float(expit(m - z * s)), float(expit(m + z * s))


def forecast_case(posterior: xr.DataTree, case: Case) -> Forecast:
    fitted = parameter_draws(posterior)
    alpha, beta = fitted.flat_alpha, fitted.flat_beta
    centre = factor_centre(posterior)
    names = list(case.scenarios)
    designs = {name: scenario_design(case.scenarios[name], centre) for name in names}

    probability = np.column_stack([scenario_probability(alpha, beta, *designs[n]) for n in names])
    contribution = np.stack([beta * designs[n][0] for n in names], axis=1)

    rows = []
    for s, name in enumerate(names):
        lo, hi = rating_interval(alpha, beta, *designs[name])
        rows.append(
            {"p": float(probability[:, s].mean())}
            | summarise(probability[:, s], "p")
            | {"rating_lo80": lo, "rating_hi80": hi}
        )
    scenarios = pd.DataFrame(rows, index=pd.Index(names, name=SCENARIO_DIM))

    contrast_rows, breakdown_rows = [], []
    for a, b in case.contrasts:
        diff = probability[:, names.index(a)] - probability[:, names.index(b)]
        contrast_rows.append(
            {"scenario": a, "baseline": b, "difference": float(diff.mean())}
            | summarise(diff, "difference")
            | {"p_scenario_better": float(np.mean(diff > 0))}
        )
        shares = contrast_breakdown(alpha, beta, designs[a], designs[b])
        breakdown_rows += [
            {"scenario": a, "baseline": b, "factor": f, "difference": shares.get(f, 0.0)}
            for f in FACTOR_IDS
        ]
    contrasts = pd.DataFrame(
        contrast_rows,
        columns=[
            "scenario",
            "baseline",
            "difference",
            *interval_columns("difference"),
            "p_scenario_better",
        ],
    )
    breakdown = pd.DataFrame(
        breakdown_rows, columns=["scenario", "baseline", "factor", "difference"]
    )
    contributions = pd.DataFrame(
        [
            {"scenario": name, "factor": factor, **summarise(contribution[:, s, k], "log_odds")}
            for s, name in enumerate(names)
            for k, factor in enumerate(FACTOR_IDS)
        ]
    )
    coords = {SCENARIO_DIM: names, FACTOR_DIM: list(FACTOR_IDS)}
    return Forecast(
        probability=xr.DataArray(
            probability, dims=(SAMPLE_DIM, SCENARIO_DIM), coords={SCENARIO_DIM: names}
        ),
        contribution=xr.DataArray(
            contribution, dims=(SAMPLE_DIM, SCENARIO_DIM, FACTOR_DIM), coords=coords
        ),
        base_log_odds=xr.DataArray(alpha, dims=(SAMPLE_DIM,)),
        scenarios=scenarios,
        contrasts=contrasts,
        contributions=contributions,
        breakdown=breakdown,
    )


def contrast_breakdown(
    alpha: np.ndarray,
    beta: np.ndarray,
    scenario: tuple[np.ndarray, np.ndarray],
    baseline: tuple[np.ndarray, np.ndarray],
) -> dict[str, float]:
    """Each factor's share of E[P(scenario)] - E[P(baseline)], as Shapley values over the
    factors whose state (rating or sd) differs: the average, over every order of
    switching them from the baseline's state to the scenario's, of the change in E[P]
    the factor makes. The shares sum to the difference exactly."""
    (x_a, sd_a), (x_b, sd_b) = scenario, baseline
    changed = [k for k in range(len(FACTOR_IDS)) if x_a[k] != x_b[k] or sd_a[k] != sd_b[k]]
    n = len(changed)
    value: dict[frozenset, float] = {}
    for size in range(n + 1):
        for subset in itertools.combinations(changed, size):
            x, sd = x_b.copy(), sd_b.copy()
            x[list(subset)], sd[list(subset)] = x_a[list(subset)], sd_a[list(subset)]
            value[frozenset(subset)] = float(scenario_probability(alpha, beta, x, sd).mean())
    shares = {}
    for k in changed:
        others = [j for j in changed if j != k]
        total = 0.0
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for subset in itertools.combinations(others, size):
                total += weight * (value[frozenset((*subset, k))] - value[frozenset(subset)])
        shares[FACTOR_IDS[k]] = total
    return shares


def analyst_scenarios(forecast: Forecast) -> list[str]:
    """The scenarios an analyst reads first: the named ones, or `current` if there are none."""
    names = list(forecast.scenarios.index)
    named = [n for n in names if n != CURRENT]
    return named or [CURRENT]
