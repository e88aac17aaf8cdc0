"""Does the model predict history? Leave-one-out predictions for every
reference case, scored against the base rate and a plain maximum-likelihood
logit.

LOO is PSIS-LOO on the model's likelihood, which is integrated over each
case's latent factor states (`model.success_probability`): the probability a
forecaster would have given the case from its coded ratings and their
uncertainty. Where k is still
above `K_THRESHOLD`, the case is refitted exactly without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr
from scipy.special import logsumexp

from forecasting.checks.cross_validation import (
    Validation,
    grouped_folds,
    lfo_folds,
    ml_logit,
    refit_predictions,
    scored,
)
from forecasting.checks.scoring import brier, log_score
from forecasting.checks.scoring import calibration_table as scoring_calibration
from forecasting.model.draws import parameter_draws
from forecasting.model.logit import (
    ModelInputs,
    log_success_failure,
    pointwise_log_likelihood,
    success_probability,
)
from forecasting.priors.effects import EffectPriors
from forecasting.settings import CASE_DIM, SamplerSettings

K_THRESHOLD = 0.7


@dataclass(frozen=True)
class TrackRecord:
    predictions: pd.DataFrame  # LOO per case: outcome, p_model, p_base_rate, p_ml_logit, ...
    scores: pd.DataFrame  # LOO per method: brier, log_score (both lower is better)
    elpd_loo: float
    n_refits: int
    # per scheme ("loo" always; "lfo" and "grouped" when asked): scores with paired SEs
    validations: dict[str, Validation] = field(default_factory=dict)

    def worst(self, n: int = 5) -> pd.DataFrame:
        """The cases the model got most wrong (largest |outcome - p_model|)."""
        error = (self.predictions["outcome"] - self.predictions["p_model"]).abs()
        return self.predictions.assign(error=error).nlargest(n, "error")


def psis_loo(posterior: xr.DataTree, inputs: ModelInputs) -> pd.DataFrame:
    """PSIS-LOO P(success) per case from one posterior: p_model, pareto_k, elpd_i."""
    import arviz as az

    fitted = parameter_draws(posterior)
    alpha, beta, (chains, draws) = fitted.flat_alpha, fitted.flat_beta, fitted.shape
    log_p = log_success_failure(alpha, beta, inputs.rating_centre, inputs.rating_sd)[0]
    y = inputs.outcome
    log_lik = pointwise_log_likelihood(alpha, beta, inputs).reshape(chains, draws, -1)
    tree = az.from_dict(
        {
            "posterior": {"alpha": alpha.reshape(chains, draws)},
            "log_likelihood": {"outcome": log_lik},
        },
        dims={"outcome": [CASE_DIM]},
        coords={CASE_DIM: list(inputs.case_ids)},
    )
    loo = az.loo(tree, pointwise=True)
    log_w = loo.log_weights.transpose("chain", "draw", CASE_DIM).values.reshape(alpha.size, -1)
    log_w = log_w - logsumexp(log_w, axis=0)
    p_loo = np.exp(logsumexp(log_w + log_p, axis=0))
    return pd.DataFrame(
        {
            "case_id": list(inputs.case_ids),
            "outcome": y,
            "p_model": p_loo,
            "pareto_k": loo.pareto_k.values,
            "refit": False,
        }
    )


def leave_out(inputs: ModelInputs, i: int) -> ModelInputs:
    return inputs.without(np.array([i]))


def track_record(
    posterior: xr.DataTree,
    inputs: ModelInputs,
    priors: EffectPriors,
    settings: SamplerSettings,
    *,
    cases: pd.DataFrame | None = None,
    schemes: tuple[str, ...] = ("loo",),
    progressbar: bool = False,
) -> TrackRecord:
    """Out-of-sample predictions and scores for the model, the base rate and an ML logit:
    LOO always; with `cases` (the reference rows behind `inputs`, in the same order),
    also leave-future-out (`"lfo"`: needs `start`, `resolved`) and leave-one-conflict-out
    (`"grouped"`: needs `conflict_id`)."""
    from forecasting.model.fitting import fit

    predictions = psis_loo(posterior, inputs)
    refits = predictions.index[predictions["pareto_k"] > K_THRESHOLD]
    for i in refits:  # exact leave-one-out where importance sampling is unreliable
        held_out = fit(leave_out(inputs, i), priors, settings, progressbar=progressbar)
        refitted = parameter_draws(held_out.posterior)
        alpha, beta = refitted.flat_alpha, refitted.flat_beta
        p = success_probability(
            alpha, beta, inputs.rating_centre[i : i + 1], inputs.rating_sd[i : i + 1]
        )
        predictions.loc[i, ["p_model", "refit"]] = [float(p.mean()), True]

    y = inputs.outcome
    predictions["p_base_rate"] = (y.sum() - y) / (len(y) - 1)
    predictions["p_ml_logit"] = ml_logit_loo(inputs)
    y_i = predictions["outcome"].to_numpy()
    elpd = float(
        np.log(np.where(y_i == 1, predictions["p_model"], 1 - predictions["p_model"])).sum()
    )
    validations = {"loo": scored("loo", predictions, len(refits))}
    for scheme in schemes:
        if scheme == "loo":
            continue
        if cases is None:
            raise ValueError(f"scheme {scheme!r} needs the reference cases (dates, conflicts)")
        folds = (
            lfo_folds(cases["start"], cases["resolved"])
            if scheme == "lfo"
            else grouped_folds(cases["conflict_id"])
        )
        refitted = refit_predictions(inputs, priors, settings, folds)
        validations[scheme] = scored(scheme, refitted, len(folds))
    scores = pd.DataFrame(
        [
            {"method": name, **method_scores(y_i, predictions[column].to_numpy())}
            for name, column in (
                ("model (LOO)", "p_model"),
                ("base rate (LOO)", "p_base_rate"),
                ("ML logit (LOO)", "p_ml_logit"),
            )
        ]
    ).set_index("method")
    return TrackRecord(predictions, scores, elpd, len(refits), validations)


def method_scores(outcome: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """Brier and log score (`forecasting.checks.scoring`, both lower is better)."""
    return {"brier": brier(p, outcome), "log_score": log_score(p, outcome)}


def ml_logit_loo(inputs: ModelInputs) -> np.ndarray:
    """Leave-one-out P(success) from a plain maximum-likelihood logit on the ratings as
    the model sees them (blanks at the class average)."""
    x, y = inputs.rating_centre, inputs.outcome
    out = np.empty(len(y))
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        out[i] = ml_logit(x[keep], y[keep], x[i : i + 1])[0]
    return out


def calibration_table(predictions: pd.DataFrame, bins: int = 5) -> pd.DataFrame:
    """Reliability of the LOO predictions (`scoring.calibration_table`): per bin of predicted
    probability, the mean prediction, the observed frequency and the count."""
    return scoring_calibration(predictions["p_model"], predictions["outcome"], bins)
