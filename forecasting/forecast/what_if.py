"""What would change the forecast: the case with one factor state changed, and a
sweep of one factor's rating across the scale.

A case's scenarios do not enter the fit (they are predicted from the posterior),
so none of this refits: each call reuses the posterior through
`forecast.scenarios.forecast_case`. The factor states are integrated exactly
(no random draws), so a difference comes from the changed rating alone.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from forecasting.factors import RATING_MAX, RATING_MIN
from forecasting.forecast.scenarios import forecast_case, summarise
from forecasting.inputs.case_edits import check_factor_and_scenario
from forecasting.inputs.cases import CURRENT, Case, FactorState, Scenario

SWEEP_POINTS = 9  # ratings 1, 1.5, ..., 5


def compare_cases(posterior: xr.DataTree, before: Case, after: Case) -> pd.DataFrame:
    """E[P(success)] per scenario before and after a change to the case, and the
    difference, paired draw by draw (both cases must have the same scenarios). The
    forecaster's states are integrated exactly, so a scenario the change leaves alone
    differs by exactly zero."""
    if list(before.scenarios) != list(after.scenarios):
        raise ValueError("the two cases must have the same scenarios to be compared")
    p_before = forecast_case(posterior, _without_contrasts(before)).probability
    p_after = forecast_case(posterior, _without_contrasts(after)).probability
    rows = []
    for name in before.scenarios:
        diff = (p_after.sel(scenario=name) - p_before.sel(scenario=name)).values
        rows.append(
            {
                "scenario": name,
                "p_before": float(p_before.sel(scenario=name).mean()),
                "p_after": float(p_after.sel(scenario=name).mean()),
                "difference": float(diff.mean()),
                **summarise(diff, "difference"),
            }
        )
    return pd.DataFrame(rows).set_index("scenario")


def _without_contrasts(case: Case) -> Case:
    return dataclasses.replace(case, contrasts=())


@dataclass(frozen=True)
class RatingSweep:
    """P(success) of one scenario as one factor's rating moves across the scale."""

    factor: str
    scenario: str
    assessed: FactorState  # the factor's state in the scenario as assessed
    p_assessed: float  # the scenario's E[P(success)] as assessed
    table: pd.DataFrame  # index rating: p (E[P]), p_median and intervals, difference


def rating_sweep(
    posterior: xr.DataTree,
    case: Case,
    factor: str,
    *,
    scenario: str = CURRENT,
    ratings: np.ndarray | None = None,
    sd: float | None = None,
) -> RatingSweep:
    """P(success) of `scenario` with `factor` rated each of `ratings` (default 1 to 5 in
    half steps), everything else as assessed. The swept factor keeps its assessed sd
    unless `sd` is given."""
    check_factor_and_scenario(case, factor, scenario)
    base = case.scenarios[scenario]
    assessed = base.factors[factor]
    ratings = (
        np.linspace(RATING_MIN, RATING_MAX, SWEEP_POINTS)
        if ratings is None
        else np.asarray(ratings, dtype=float)
    )
    if ratings.size == 0 or ratings.min() < RATING_MIN or ratings.max() > RATING_MAX:
        raise ValueError(f"ratings must lie in {RATING_MIN:g}-{RATING_MAX:g}")
    spread = assessed.sd if sd is None else sd
    scenarios = {CURRENT: Scenario(CURRENT, base.description, base.factors, ())}
    names = []
    for r in ratings:
        name = f"{factor}={r:g}"
        state = FactorState(rating=float(r), sd=spread, rationale="rating sweep")
        scenarios[name] = Scenario(name, name, {**base.factors, factor: state}, ())
        names.append(name)
    swept = dataclasses.replace(case, scenarios=scenarios, contrasts=())
    p = forecast_case(posterior, swept).probability
    assessed_p = p.sel(scenario=CURRENT).values
    rows = [
        {
            "rating": float(r),
            "p": float(p.sel(scenario=name).mean()),
            **summarise(p.sel(scenario=name).values, "p"),
            "difference": float((p.sel(scenario=name).values - assessed_p).mean()),
            **summarise(p.sel(scenario=name).values - assessed_p, "difference"),
        }
        for r, name in zip(ratings, names, strict=True)
    ]
    table = pd.DataFrame(rows).set_index("rating")
    return RatingSweep(factor, scenario, assessed, float(assessed_p.mean()), table)
