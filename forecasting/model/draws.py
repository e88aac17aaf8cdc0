"""Posterior draws of the model's parameters as NumPy arrays: the one place that knows
how the posterior stores them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from forecasting.factors import FACTOR_IDS
from forecasting.settings import FACTOR_DIM


@dataclass(frozen=True)
class ParameterDraws:
    alpha: np.ndarray  # (chain, draw): the intercept
    beta: np.ndarray  # (chain, draw, factor): log-odds per rating step

    @property
    def shape(self) -> tuple[int, int]:
        return self.alpha.shape

    @property
    def flat_alpha(self) -> np.ndarray:
        """(sample,): chains one after another."""
        return self.alpha.reshape(-1)

    @property
    def flat_beta(self) -> np.ndarray:
        """(sample, factor)."""
        return self.beta.reshape(self.alpha.size, -1)

    def by_parameter(self) -> dict[str, np.ndarray]:
        """Flat draws per parameter, named as in the priors file (intercept, factor ids)."""
        beta = self.flat_beta
        return {"intercept": self.flat_alpha} | {
            factor: beta[:, k] for k, factor in enumerate(FACTOR_IDS)
        }


def factor_centre(posterior: xr.DataTree) -> np.ndarray:
    """(factor,): the average reference rating the fit measured factors from."""
    return posterior["design"]["factor_centre"].sel({FACTOR_DIM: list(FACTOR_IDS)}).to_numpy()


def parameter_draws(posterior: xr.DataTree | xr.Dataset) -> ParameterDraws:
    """alpha and beta of a fitted posterior (a DataTree, or its `posterior` group)."""
    post = posterior["posterior"] if isinstance(posterior, xr.DataTree) else posterior
    return ParameterDraws(
        alpha=post["alpha"].transpose("chain", "draw").to_numpy(),
        beta=post["beta"].transpose("chain", "draw", FACTOR_DIM).to_numpy(),
    )
