"""Prior sensitivity: power-scaling (Kallioinen et al. 2023) and refits under wider
and narrower priors.

Everything here works from the posterior draws of alpha and beta: the
likelihood of a reference case is the one integrated over its uncertain
ratings (`model.success_probability`), and the log prior is the
elicited mixture's density, so no model needs rebuilding.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr
from scipy.special import logsumexp

from forecasting.factors import FACTOR_IDS
from forecasting.forecast.scenarios import forecast_case
from forecasting.inputs.cases import Case
from forecasting.model.draws import parameter_draws
from forecasting.model.logit import ModelInputs, pointwise_log_likelihood
from forecasting.priors.effects import PriorComponents
from forecasting.settings import CASE_DIM, FACTOR_DIM, SCENARIO_DIM

# Kallioinen et al.'s default: a CJS-based sensitivity above 0.05 is worth a look.
SENSITIVITY_THRESHOLD = 0.05
# The refits scale every prior sd by these factors.
WIDER, NARROWER = 2.0, 0.5


def _normal_mixture_logpdf(x: np.ndarray, mu, sigma, weight) -> np.ndarray:
    from scipy.stats import norm

    terms = [np.log(w) + norm.logpdf(x, m, s) for m, s, w in zip(mu, sigma, weight, strict=True)]
    return logsumexp(np.stack(terms), axis=0)


def power_scaling_tree(
    posterior: xr.DataTree, inputs: ModelInputs, prior: PriorComponents, case: Case
) -> xr.DataTree:
    """Posterior (alpha, beta, each scenario's P(success)) with log-prior and
    log-likelihood groups, as ArviZ's power-scaling functions need them."""
    fitted = parameter_draws(posterior)
    alpha, beta = fitted.alpha, fitted.beta
    chains, draws = fitted.shape
    log_lik = pointwise_log_likelihood(fitted.flat_alpha, fitted.flat_beta, inputs)
    log_lik = log_lik.reshape(chains, draws, -1)
    log_prior_alpha = _normal_mixture_logpdf(alpha, prior.mu[0], prior.sigma[0], prior.weight[0])
    log_prior_beta = np.stack(
        [
            _normal_mixture_logpdf(
                beta[..., k], prior.mu[k + 1], prior.sigma[k + 1], prior.weight[k + 1]
            )
            for k in range(len(FACTOR_IDS))
        ],
        axis=-1,
    )
    p_success = forecast_case(posterior, case).probability.values
    scenario_p = p_success.reshape(chains, draws, -1)
    import arviz as az

    return az.from_dict(
        {
            "posterior": {"alpha": alpha, "beta": beta, "p_success": scenario_p},
            "log_prior": {"alpha": log_prior_alpha, "beta": log_prior_beta},
            "log_likelihood": {"outcome": log_lik},
        },
        dims={"beta": [FACTOR_DIM], "p_success": [SCENARIO_DIM], "outcome": [CASE_DIM]},
        coords={
            FACTOR_DIM: list(FACTOR_IDS),
            SCENARIO_DIM: list(case.scenarios),
            CASE_DIM: list(inputs.case_ids),
        },
    )


@dataclass(frozen=True)
class PriorSensitivity:
    """Power-scaling sensitivity of each quantity to each prior group and to the likelihood."""

    table: pd.DataFrame  # index quantity; a column per prior group, `likelihood`, `diagnosis`
    threshold: float

    def leaned_on(self) -> dict[str, list[str]]:
        """For each quantity, the prior groups it is sensitive to."""
        groups = [c for c in self.table.columns if c not in ("likelihood", "diagnosis")]
        return {
            quantity: [g for g in groups if row[g] > self.threshold]
            for quantity, row in self.table.iterrows()
        }


def prior_sensitivity(tree: xr.DataTree) -> PriorSensitivity:
    """Sensitivity of alpha, each beta and each scenario's P(success), with the prior
    power-scaled one group at a time (the intercept, then each factor's effect)."""
    import arviz as az

    groups = {"intercept": ("alpha", None)} | {f: ("beta", f) for f in FACTOR_IDS}
    columns = {}
    likelihood = None
    for group, (var, factor) in groups.items():
        # it prints advice on every call; the diagnosis column below says it in words
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            summary = az.psense_summary(
                tree,
                var_names=["alpha", "beta", "p_success"],
                prior_var_names=[var],
                prior_coords={FACTOR_DIM: [factor]} if factor else None,
                threshold=SENSITIVITY_THRESHOLD,
                round_to=6,
            )
        columns[group] = summary["prior"].astype(float)
        likelihood = summary["likelihood"].astype(float)
    table = pd.DataFrame(columns)
    table["likelihood"] = likelihood
    table["diagnosis"] = [_diagnosis(row) for _, row in table.iterrows()]
    table.index = [_quantity_label(q) for q in table.index]
    return PriorSensitivity(table, SENSITIVITY_THRESHOLD)


def _quantity_label(name: str) -> str:
    return name.replace("p_success[", "P(success)[").replace("alpha", "intercept")


def _diagnosis(row: pd.Series) -> str:
    prior = row.drop("likelihood").max()
    if prior > SENSITIVITY_THRESHOLD and row["likelihood"] > SENSITIVITY_THRESHOLD:
        return "prior-data conflict"
    if prior > SENSITIVITY_THRESHOLD:
        return "leans on the prior (data weak)"
    return "-"


def scaled_priors(prior: PriorComponents, factor: float) -> PriorComponents:
    """The same priors with every sd multiplied by `factor` (centres kept)."""
    return dataclasses.replace(prior, sigma=prior.sigma * factor)


@dataclass(frozen=True)
class ScaledPriors:
    """A priors object for the model: `prior` with sds scaled, keeping the original's path."""

    prior: PriorComponents
    factor: float

    def components(self) -> PriorComponents:
        return scaled_priors(self.prior, self.factor)

    def parameters(self) -> dict[str, tuple[float, float]]:
        return self.components().moments()


def refit_sensitivity(baseline: pd.DataFrame, refits: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Scenario P(success) (E[P]) under the elicited, wider and narrower priors."""
    table = pd.DataFrame({"elicited": baseline["p"]})
    for label, scenarios in refits.items():
        table[label] = scenarios["p"]
        table[f"{label} − elicited"] = scenarios["p"] - baseline["p"]
    return table


@dataclass(frozen=True)
class SensitivityReview:
    power_scaling: PriorSensitivity
    refits: pd.DataFrame  # per scenario: E[P] under elicited, wider, narrower priors

    def contrast(self, scenario: str, baseline: str) -> pd.Series:
        """E[P(scenario)] - E[P(baseline)] under each set of priors (elicited, wider,
        narrower): how much a contrast depends on the priors' widths."""
        fits = [c for c in self.refits.columns if "−" not in c]
        return self.refits.loc[scenario, fits] - self.refits.loc[baseline, fits]


def sensitivity_review(result, *, scheduler: str | None = None) -> SensitivityReview:
    """Power-scaling on the fit, and refits with every prior sd scaled by `WIDER` and
    `NARROWER` (independent fits, run through `forecasting.model.parallel`)."""
    from forecasting.model.parallel import fit_many

    tree = power_scaling_tree(
        result.fit.posterior,
        result.inputs,
        result.priors.components(),
        result.case,
    )
    labels = {"wider (sd x2)": WIDER, "narrower (sd x0.5)": NARROWER}
    jobs = [
        (result.inputs, ScaledPriors(result.priors.components(), f), result.fit.settings)
        for f in labels.values()
    ]
    fits = fit_many(jobs, scheduler=scheduler)
    refits = {
        label: forecast_case(fitted.posterior, result.case).scenarios
        for label, fitted in zip(labels, fits, strict=True)
    }
    return SensitivityReview(
        prior_sensitivity(tree), refit_sensitivity(result.forecast.scenarios, refits)
    )
