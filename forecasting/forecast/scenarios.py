"""From the posterior to forecasts: P(success) per scenario, contrasts between
scenarios, and each factor's contribution to the log-odds.

A scenario's factor states are uncertain (the forecaster's `sd`), so each
posterior draw is paired with a draw of the states. Factors a scenario does not
override share their draws with `current`, so contrasts compare like with like.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr
from scipy.special import expit

from forecasting.factors import FACTOR_IDS, RATING_CENTRE
from forecasting.inputs.cases import CURRENT, Case
from forecasting.model.draws import parameter_draws
from forecasting.settings import INTERVALS, SCENARIO_DIM

SAMPLE_DIM = "sample"


@dataclass(frozen=True)
class Forecast:
    """Draws and summaries of everything a report or CLI shows about a case's scenarios."""

    probability: xr.DataArray  # (sample, scenario): P(success)
    contribution: xr.DataArray  # (sample, scenario, factor): beta_k * x_k, log-odds
    base_log_odds: xr.DataArray  # (sample,): alpha, the typical case
    scenarios: pd.DataFrame  # per scenario: p_median and interval bounds
    contrasts: pd.DataFrame  # per contrast: difference summaries and P(scenario beats baseline)
    contributions: pd.DataFrame  # per scenario x factor: median and intervals, log-odds


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


def forecast_case(posterior: xr.DataTree, case: Case, seed: int) -> Forecast:
    fitted = parameter_draws(posterior)
    alpha, beta = fitted.flat_alpha, fitted.flat_beta
    rng = np.random.default_rng(seed)
    shared_z = rng.standard_normal((alpha.size, len(FACTOR_IDS)))

    names = list(case.scenarios)
    contribution = np.empty((alpha.size, len(names), len(FACTOR_IDS)))
    for s, name in enumerate(names):
        scenario = case.scenarios[name]
        for k, factor in enumerate(FACTOR_IDS):
            state = scenario.factors[factor]
            z = rng.standard_normal(alpha.size) if factor in scenario.overridden else shared_z[:, k]
            x = state.rating - RATING_CENTRE + state.sd * z
            contribution[:, s, k] = beta[:, k] * x
    log_odds = alpha[:, None] + contribution.sum(axis=2)
    probability = expit(log_odds)

    coords = {SCENARIO_DIM: names, "factor": list(FACTOR_IDS)}
    p_da = xr.DataArray(probability, dims=(SAMPLE_DIM, SCENARIO_DIM), coords={SCENARIO_DIM: names})
    c_da = xr.DataArray(contribution, dims=(SAMPLE_DIM, SCENARIO_DIM, "factor"), coords=coords)

    scenarios = pd.DataFrame(
        [summarise(probability[:, s], "p") for s in range(len(names))], index=names
    ).rename_axis(SCENARIO_DIM)

    rows = []
    for a, b in case.contrasts:
        diff = probability[:, names.index(a)] - probability[:, names.index(b)]
        rows.append(
            {
                "scenario": a,
                "baseline": b,
                **summarise(diff, "difference"),
                "p_scenario_better": float(np.mean(diff > 0)),
            }
        )
    contrasts = pd.DataFrame(
        rows, columns=["scenario", "baseline", *interval_columns("difference"), "p_scenario_better"]
    )

    contributions = pd.DataFrame(
        [
            {"scenario": name, "factor": factor, **summarise(contribution[:, s, k], "log_odds")}
            for s, name in enumerate(names)
            for k, factor in enumerate(FACTOR_IDS)
        ]
    )
    base = xr.DataArray(alpha, dims=(SAMPLE_DIM,))
    return Forecast(p_da, c_da, base, scenarios, contrasts, contributions)


def headline(forecast: Forecast) -> list[str]:
    """The scenarios an analyst reads first: the named ones, or `current` if there are none."""
    names = list(forecast.scenarios.index)
    named = [n for n in names if n != CURRENT]
    return named or [CURRENT]
