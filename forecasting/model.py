"""The Bayesian logistic model, as a pure function of validated inputs.

    logit P(success_i) = alpha + sum_k beta_k * x_ik
    x_ik = (rating_ik - 3) + rating_sd_ik * z_ik,   z_ik ~ Normal(0, 1)

`x` is the true (latent) factor state. A coded rating enters as the centre of
the coder's uncertainty, whose sd comes from the coding confidence; a blank
rating is centred on "typical" (0) with sd `UNKNOWN_RATING_SD`, so it carries
no information about its factor's effect. The non-centred form keeps NUTS
well behaved.

Priors and data enter as `pm.Data`, not constants, so a changed prior or data
set reuses the compiled graph (same shapes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from forecasting.factors import FACTOR_IDS, RATING_CENTRE
from forecasting.priors import EffectPriors
from forecasting.reference import ReferenceClass, rating_uncertainty
from forecasting.settings import CASE_DIM, FACTOR_DIM, UNKNOWN_RATING_SD

if TYPE_CHECKING:
    import pymc as pm

    from forecasting.pooling import PooledPriors


@dataclass(frozen=True)
class ModelInputs:
    """Arrays the model is fitted to, one row per reference case."""

    case_ids: tuple[str, ...]
    rating_centre: np.ndarray  # (case, factor): rating - 3, 0 where unknown
    rating_sd: np.ndarray  # (case, factor): coding sd, UNKNOWN_RATING_SD where unknown
    known: np.ndarray  # (case, factor) bool: was the rating coded
    outcome: np.ndarray  # (case,) 0/1

    def canonical(self) -> dict:
        """A plain, ordered description of the inputs, for content hashing."""
        return {
            "case_ids": list(self.case_ids),
            "rating_centre": np.round(self.rating_centre, 6).tolist(),
            "rating_sd": np.round(self.rating_sd, 6).tolist(),
            "outcome": self.outcome.tolist(),
        }


def model_inputs(reference: ReferenceClass) -> ModelInputs:
    cases = reference.cases
    ratings = cases[list(FACTOR_IDS)].to_numpy(dtype=float)
    known = ~np.isnan(ratings)
    sd = rating_uncertainty(reference).to_numpy(dtype=float)
    return ModelInputs(
        case_ids=tuple(cases["case_id"]),
        rating_centre=np.where(known, ratings - RATING_CENTRE, 0.0),
        rating_sd=np.where(known, sd, UNKNOWN_RATING_SD),
        known=known,
        outcome=cases["outcome"].to_numpy(dtype=int),
    )


def build_model(inputs: ModelInputs, priors: EffectPriors | PooledPriors) -> pm.Model:
    """The logistic model of success for the reference cases in `inputs`.

    `priors` gives every parameter's prior as Normal mixture components
    (`components()`); with one component each (the usual case) they are plain
    Normals whose parameters are data.
    """
    import pymc as pm  # lazily: commands that reuse a cached fit never need it

    coords = {CASE_DIM: list(inputs.case_ids), FACTOR_DIM: list(FACTOR_IDS)}
    prior = priors.components()
    with pm.Model(coords=coords) as model:
        centre = pm.Data("rating_centre", inputs.rating_centre, dims=(CASE_DIM, FACTOR_DIM))
        spread = pm.Data("rating_sd", inputs.rating_sd, dims=(CASE_DIM, FACTOR_DIM))
        outcome = pm.Data("outcome_data", inputs.outcome, dims=CASE_DIM)
        if prior.mu.shape[1] == 1:
            alpha_mu = pm.Data("alpha_mu", prior.mu[0, 0])
            alpha_sigma = pm.Data("alpha_sigma", prior.sigma[0, 0])
            beta_mu = pm.Data("beta_mu", prior.mu[1:, 0], dims=FACTOR_DIM)
            beta_sigma = pm.Data("beta_sigma", prior.sigma[1:, 0], dims=FACTOR_DIM)
            alpha = pm.Normal("alpha", alpha_mu, alpha_sigma)
            beta = pm.Normal("beta", beta_mu, beta_sigma, dims=FACTOR_DIM)
        else:  # a linear opinion pool: each parameter's prior is a weighted mixture
            alpha = pm.NormalMixture("alpha", prior.weight[0], prior.mu[0], prior.sigma[0])
            beta = pm.NormalMixture(
                "beta", prior.weight[1:], prior.mu[1:], prior.sigma[1:], dims=FACTOR_DIM
            )

        z = pm.Normal("rating_z", 0.0, 1.0, dims=(CASE_DIM, FACTOR_DIM))
        x = pm.Deterministic("factor_state", centre + spread * z, dims=(CASE_DIM, FACTOR_DIM))
        logit_p = alpha + (x * beta).sum(axis=1)
        pm.Bernoulli("outcome", logit_p=logit_p, observed=outcome, dims=CASE_DIM)
    return model
