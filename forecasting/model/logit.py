"""The Bayesian logistic model, as a pure function of validated inputs.

    logit P(success_i | x_i) = alpha + sum_k beta_k * x_ik
    x_ik = (rating_ik - c_k) + rating_sd_ik * z_ik,   z_ik ~ Normal(0, 1)

`x` is the true (latent) factor state, centred on `c_k`, the average coded
rating of factor k in the reference cases fitted (`factor_centre`, stored with
the fit so forecasts use the same centre). So `alpha` is the log-odds of success
of an intervention rated average on every factor — a case like the reference
class, not the "every factor 3" case few past interventions resemble — and
`beta_k` is the change in log-odds per rating step.

A coded rating enters as the centre of the coder's uncertainty, whose sd comes
from the coding confidence. A blank rating is imputed from the reference class's
distribution of that factor: centred on its average (x = 0) with its standard
deviation. It still adds beta_k² sd² to the case's variance, so outcomes of
cases with blanks carry a little information about |beta_k|; it carries none
about the sign.

The latent states are integrated out exactly rather than sampled: given alpha
and beta, case i's linear predictor is Normal(m_i, v_i) with
m_i = alpha + beta·centre_i and v_i = sum_k beta_k² sd_ik², so
P(success_i | alpha, beta) = E[expit(Normal(m_i, v_i))], a one-dimensional
Gauss-Hermite integral. The posterior of alpha and beta is the same as with
the latent states sampled, but NUTS explores 5 dimensions instead of 5 + 4n.

Priors and data enter as `pm.Data`, not constants, so a changed prior or data
set reuses the compiled graph (same shapes).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from forecasting.factors import FACTOR_IDS, RATING_CENTRE
from forecasting.inputs.reference import ReferenceClass, rating_uncertainty
from forecasting.priors.effects import EffectPriors
from forecasting.settings import CASE_DIM, FACTOR_DIM, UNKNOWN_RATING_SD

if TYPE_CHECKING:
    import pymc as pm

    from forecasting.priors.pooling import PooledPriors


@dataclass(frozen=True)
class ModelInputs:
    """Arrays the model is fitted to, one row per reference case."""

    case_ids: tuple[str, ...]
    rating_centre: np.ndarray  # (case, factor): rating - factor_centre, 0 where imputed
    rating_sd: np.ndarray  # (case, factor): coding sd; the class's spread where imputed
    known: np.ndarray  # (case, factor) bool: was the rating coded
    outcome: np.ndarray  # (case,) 0/1
    factor_centre: np.ndarray  # (factor,): average coded rating, the model's zero
    factor_spread: np.ndarray  # (factor,): sd of the coded ratings, for imputing blanks
    in_fit: np.ndarray  # (case,) bool: does the case's outcome enter the likelihood

    def without(self, held_out: np.ndarray) -> ModelInputs:
        """The same cases with the outcomes of `held_out` (bool mask or indices) left out
        of the likelihood: leave-one-out, leave-future-out and grouped refits keep every
        array's shape, so one compiled model serves them all. The factor centre stays
        the whole class's (ratings only, no outcomes)."""
        mask = np.zeros(len(self.case_ids), dtype=bool)
        mask[held_out] = True
        return dataclasses.replace(self, in_fit=self.in_fit & ~mask)

    def canonical(self) -> dict:
        """A plain, ordered description of the inputs, for content hashing."""
        return {
            "case_ids": list(self.case_ids),
            "rating_centre": np.round(self.rating_centre, 6).tolist(),
            "rating_sd": np.round(self.rating_sd, 6).tolist(),
            "outcome": self.outcome.tolist(),
            "factor_centre": np.round(self.factor_centre, 6).tolist(),
            "in_fit": self.in_fit.astype(int).tolist(),
        }


def factor_distribution(ratings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Average and sd of each factor's coded ratings (NaN = blank). A factor with fewer
    than two coded ratings falls back to the scale's middle and `UNKNOWN_RATING_SD`."""
    centre = np.full(ratings.shape[1], RATING_CENTRE)
    spread = np.full(ratings.shape[1], UNKNOWN_RATING_SD)
    for k in range(ratings.shape[1]):
        coded = ratings[~np.isnan(ratings[:, k]), k]
        if len(coded) >= 2:
            centre[k], spread[k] = coded.mean(), max(coded.std(ddof=1), 0.25)
    return centre, spread


def model_inputs(reference: ReferenceClass) -> ModelInputs:
    cases = reference.cases
    ratings = cases[list(FACTOR_IDS)].to_numpy(dtype=float)
    known = ~np.isnan(ratings)
    sd = rating_uncertainty(reference).to_numpy(dtype=float)
    centre, spread = factor_distribution(ratings)
    return ModelInputs(
        case_ids=tuple(cases["case_id"]),
        rating_centre=np.where(known, ratings - centre, 0.0),
        rating_sd=np.where(known, sd, spread),
        known=known,
        outcome=cases["outcome"].to_numpy(dtype=int),
        factor_centre=centre,
        factor_spread=spread,
        in_fit=np.ones(len(cases), dtype=bool),
    )


QUADRATURE_NODES = 24


def gauss_hermite() -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights integrating a function of a standard Normal variable."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(QUADRATURE_NODES)
    return nodes, weights / weights.sum()


def success_probability(
    alpha: np.ndarray, beta: np.ndarray, centre: np.ndarray, spread: np.ndarray
) -> np.ndarray:
    """P(success) per draw and case, integrated over the uncertain factor states:
    the likelihood `build_model` uses, in NumPy.

    alpha (S,), beta (S, K), centre and spread (N, K) -> (S, N).
    """
    return np.exp(log_success_failure(alpha, beta, centre, spread)[0])


def log_success_failure(
    alpha: np.ndarray, beta: np.ndarray, centre: np.ndarray, spread: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """log P(success) and log P(failure), (S, N) each, computed on the log scale (as the
    model does) so neither underflows for extreme linear predictors."""
    nodes, weights = gauss_hermite()
    mean = alpha[:, None] + beta @ centre.T
    sd = np.sqrt((beta**2) @ (spread**2).T)
    eta = mean[..., None] + sd[..., None] * nodes
    log_w = np.log(weights)
    # log expit(x) = -log(1 + exp(-x)); plain NumPy (SciPy's logsumexp is slow on small axes)
    return _logsumexp(log_w - np.logaddexp(0.0, -eta)), _logsumexp(log_w - np.logaddexp(0.0, eta))


def _logsumexp(x: np.ndarray) -> np.ndarray:
    """log(sum(exp(x))) over the last axis, stably."""
    top = x.max(axis=-1, keepdims=True)
    return np.log(np.exp(x - top).sum(axis=-1)) + top[..., 0]


def pointwise_log_likelihood(alpha: np.ndarray, beta: np.ndarray, inputs: ModelInputs):
    """log P(observed outcome) per draw and reference case, (S, N), on the log scale."""
    log_success, log_failure = log_success_failure(
        alpha, beta, inputs.rating_centre, inputs.rating_sd
    )
    return np.where(inputs.outcome == 1, log_success, log_failure)


def model_data(inputs: ModelInputs, priors: EffectPriors | PooledPriors) -> dict[str, np.ndarray]:
    """The values of the model's `pm.Data` containers: a compiled model takes new ones
    without recompiling as long as their shapes stay the same."""
    prior = priors.components()
    return {
        "rating_centre": inputs.rating_centre,
        "rating_sd": inputs.rating_sd,
        "outcome_data": inputs.outcome,
        "case_in_fit": inputs.in_fit.astype(float),
        "prior_mu": prior.mu,
        "prior_sigma": prior.sigma,
        "prior_weight": prior.weight,
    }


def build_model(inputs: ModelInputs, priors: EffectPriors | PooledPriors) -> pm.Model:
    """The logistic model of success for the reference cases in `inputs`.

    `priors` gives every parameter's prior as Normal mixture components
    (`components()`, rows: intercept then the factors); with one component each
    (the usual case) they are plain Normals. All of it enters as data.
    """
    import pymc as pm  # lazily: commands that reuse a cached fit never need it
    import pytensor.tensor as pt

    coords = {CASE_DIM: list(inputs.case_ids), FACTOR_DIM: list(FACTOR_IDS)}
    data = model_data(inputs, priors)
    with pm.Model(coords=coords) as model:
        centre = pm.Data("rating_centre", data["rating_centre"], dims=(CASE_DIM, FACTOR_DIM))
        spread = pm.Data("rating_sd", data["rating_sd"], dims=(CASE_DIM, FACTOR_DIM))
        outcome = pm.Data("outcome_data", data["outcome_data"], dims=CASE_DIM)
        in_fit = pm.Data("case_in_fit", data["case_in_fit"], dims=CASE_DIM)
        mu = pm.Data("prior_mu", data["prior_mu"])
        sigma = pm.Data("prior_sigma", data["prior_sigma"])
        weight = pm.Data("prior_weight", data["prior_weight"])
        if data["prior_mu"].shape[1] == 1:
            alpha = pm.Normal("alpha", mu[0, 0], sigma[0, 0])
            beta = pm.Normal("beta", mu[1:, 0], sigma[1:, 0], dims=FACTOR_DIM)
        else:
            # A linear opinion pool: a mixture over forecasters of their JOINT priors
            # (the forecaster index marginalised in the log-density), not a product of
            # per-parameter mixtures.
            components = [
                pm.MvNormal.dist(mu=mu[:, j], cov=pt.diag(sigma[:, j] ** 2))
                for j in range(data["prior_mu"].shape[1])
            ]
            theta = pm.Mixture("theta", w=weight[0], comp_dists=components)
            alpha = pm.Deterministic("alpha", theta[0])
            beta = pm.Deterministic("beta", theta[1:], dims=FACTOR_DIM)

        nodes, weights = gauss_hermite()
        mean = alpha + pt.dot(centre, beta)
        sd = pt.sqrt(pt.dot(spread**2, beta**2))
        eta = mean[:, None] + sd[:, None] * nodes
        # log P(success) and log P(failure), stably: log expit(x) = -softplus(-x)
        log_success = pt.logsumexp(np.log(weights) - pt.softplus(-eta), axis=1)
        log_failure = pt.logsumexp(np.log(weights) - pt.softplus(eta), axis=1)
        # Bernoulli log-likelihood of the cases in the fit (a 0/1 mask, so held-out cases
        # keep the shapes and the compiled model)
        log_lik = pt.switch(pt.eq(outcome, 1), log_success, log_failure)
        pm.Potential("outcome", pt.sum(in_fit * log_lik))
    return model
