"""What the priors alone imply, before any data: a prior predictive check.

Draw alpha and beta from the priors (any object with `components()`: effect
priors, a pool of forecasters), then

- for every reference case, P(success) given its coded ratings and their
  uncertainty (the same integral the track record uses), and the share of
  successes the priors expect across the reference class, next to the share
  observed: priors that expect almost every intervention to fail (or succeed)
  show up here before they distort a fit;
- for the case's scenarios, the same forecast the posterior gives
  (`forecasts.forecast_case`), with the prior draws in place of the posterior.

Plain numpy draws, seeded: no PyMC, no sampling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd
import xarray as xr

from forecasting.factors import FACTOR_IDS
from forecasting.forecast.scenarios import Forecast, forecast_case, summarise
from forecasting.inputs.cases import Case
from forecasting.model.logit import ModelInputs, success_probability
from forecasting.priors.effects import PriorComponents
from forecasting.settings import DEFAULT_SEED, FACTOR_DIM

DEFAULT_DRAWS = 4000


class HasComponents(Protocol):
    def components(self) -> PriorComponents: ...


def draw_parameters(
    components: PriorComponents, draws: int, rng: np.random.Generator
) -> np.ndarray:
    """(draw, parameter) samples of the joint prior.

    With several components (a linear opinion pool of forecasters) each draw picks
    one forecaster, in proportion to the weights, and draws every parameter from
    that forecaster's prior: the mixture of the forecasters' joint priors.
    """
    n_params, n_components = components.mu.shape
    which = rng.choice(n_components, size=draws, p=components.forecaster_weights)
    rows = np.arange(n_params)
    return rng.normal(components.mu[rows, which[:, None]], components.sigma[rows, which[:, None]])


def prior_tree(alpha: np.ndarray, beta: np.ndarray, factor_centre: np.ndarray) -> xr.DataTree:
    """Prior draws dressed as a one-chain posterior fitted on `factor_centre`, for code
    that reads posteriors."""
    posterior = xr.Dataset(
        {
            "alpha": (("chain", "draw"), alpha[None, :]),
            "beta": (("chain", "draw", FACTOR_DIM), beta[None, :, :]),
        },
        coords={"chain": [0], "draw": np.arange(alpha.size), FACTOR_DIM: list(FACTOR_IDS)},
    )
    design = xr.Dataset(
        {"factor_centre": (FACTOR_DIM, factor_centre)}, coords={FACTOR_DIM: list(FACTOR_IDS)}
    )
    return xr.DataTree.from_dict({"posterior": posterior, "design": design})


@dataclass(frozen=True)
class PriorPredictive:
    """What the priors alone imply for the reference class and for the case."""

    cases: pd.DataFrame  # per reference case: case_id, outcome, p_median and interval bounds
    share: np.ndarray  # (draw,): simulated share of successes across the reference class
    share_summary: pd.Series  # share median and intervals, observed share, P(share <= observed)
    observed_share: float
    forecast: Forecast | None  # the case's scenarios under the priors alone
    alpha: np.ndarray  # (draw,)
    beta: np.ndarray  # (draw, factor)


def prior_predictive(
    priors: HasComponents,
    inputs: ModelInputs,
    case: Case | None = None,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> PriorPredictive:
    """Prior predictive P(success) for the reference cases in `inputs` and `case`'s scenarios."""
    rng = np.random.default_rng(seed)
    params = draw_parameters(priors.components(), draws, rng)
    alpha, beta = params[:, 0], params[:, 1:]

    p = success_probability(alpha, beta, inputs.rating_centre, inputs.rating_sd)  # (draw, case)
    cases = pd.DataFrame(
        [summarise(p[:, n], "p") for n in range(p.shape[1])],
    )
    cases.insert(0, "outcome", inputs.outcome)
    cases.insert(0, "case_id", list(inputs.case_ids))

    # Outcomes simulated from each draw: the observed share is one such outcome,
    # so it is compared with these, not with the mean probability.
    share = rng.binomial(1, p).mean(axis=1)
    observed = float(inputs.outcome.mean())
    share_summary = pd.Series(
        {
            **summarise(share, "share"),
            "observed_share": observed,
            "p_share_at_most_observed": float(np.mean(share <= observed)),
            "observed_inside_95": bool(
                np.quantile(share, 0.025) <= observed <= np.quantile(share, 0.975)
            ),
        }
    )
    forecast = None
    if case is not None:
        forecast = forecast_case(prior_tree(alpha, beta, inputs.factor_centre), case)
    return PriorPredictive(cases, share, share_summary, observed, forecast, alpha, beta)
