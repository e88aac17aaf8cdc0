"""Out-of-sample predictions of the reference cases under three schemes, each scored
against the base rate and a plain maximum-likelihood logit with paired standard errors.

- `loo`: leave one case out (PSIS-LOO from the full fit, exact refits where Pareto k
  is high; `checks.track_record`).
- `lfo`: leave the future out: every case is predicted only from the cases resolved
  before it started, as a forecaster at its launch could have (Bürkner, Gabry &
  Vehtari 2020 call this leave-future-out). Exact refits, one per distinct start
  month; cases with fewer than `MIN_TRAINING` earlier resolved cases are not scored.
- `grouped`: leave one conflict out (every mission in the same conflict together), so
  overlapping missions decided by the same events do not predict each other.

Refits keep every array's shape (held-out outcomes are masked out of the likelihood:
`ModelInputs.without`), so they reuse one compiled model. The base rate and the ML
logit see exactly the same training cases as the model.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.checks.scoring import brier, in_words, log_score, paired_comparison
from forecasting.model.draws import parameter_draws
from forecasting.model.logit import ModelInputs, success_probability
from forecasting.priors.effects import EffectPriors
from forecasting.settings import SamplerSettings

SCHEMES = ("loo", "lfo", "grouped")
METHODS = {"model": "p_model", "base rate": "p_base_rate", "ML logit": "p_ml_logit"}
# A case is scored leave-future-out only if at least this many cases resolved before it.
MIN_TRAINING = 10
# Refits for validation need posterior means of P, not tails: this many draws (and tuning
# steps) per chain.
REFIT_DRAWS = 250

Fold = tuple[np.ndarray, np.ndarray]  # (held-out case indices, training mask)


@dataclass(frozen=True)
class Validation:
    scheme: str
    predictions: pd.DataFrame  # per scored case: case_id, outcome, p_model, p_base_rate, ...
    scores: pd.DataFrame  # per method: brier, log_score, n
    comparisons: pd.DataFrame  # model vs base rate, model vs ML logit: differences, SEs
    n_fits: int

    def sentences(self) -> list[str]:
        """Each comparison in words, saying when a difference is within noise."""
        out = []
        for other, row in self.comparisons.iterrows():
            for score, label in (("brier", "Brier"), ("log_score", "log score")):
                out.append(
                    in_words(
                        row[score], row[f"{score}_se"], better="model", worse=other, score=label
                    )
                )
        return out


def scored(scheme: str, predictions: pd.DataFrame, n_fits: int) -> Validation:
    """Scores and paired comparisons of out-of-sample predictions (one row per case)."""
    y = predictions["outcome"].to_numpy()
    scores = pd.DataFrame(
        [
            {
                "method": name,
                "brier": brier(predictions[col], y),
                "log_score": log_score(predictions[col], y),
                "n": len(y),
            }
            for name, col in METHODS.items()
        ]
    ).set_index("method")
    comparisons = pd.DataFrame(
        [
            {"other": name} | paired_comparison(predictions["p_model"], predictions[col], y)
            for name, col in METHODS.items()
            if name != "model"
        ]
    ).set_index("other")
    return Validation(scheme, predictions, scores, comparisons, n_fits)


def lfo_folds(start: pd.Series, resolved: pd.Series, min_training: int = MIN_TRAINING) -> list:
    """One fold per distinct start month: its cases, predicted from those resolved before."""
    folds = []
    for month in sorted(start.unique()):
        train = (resolved < month).to_numpy()
        if train.sum() >= min_training:
            folds.append((np.flatnonzero((start == month).to_numpy()), train))
    return folds


def grouped_folds(groups: pd.Series) -> list:
    """One fold per group (conflict): all its cases out together."""
    values = groups.to_numpy()
    return [(np.flatnonzero(values == g), values != g) for g in pd.unique(values)]


def refit_predictions(
    inputs: ModelInputs,
    priors: EffectPriors,
    settings: SamplerSettings,
    folds: list[Fold],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Exact out-of-sample predictions: for each fold, the model fitted on its training
    cases (a masked refit, cached like any fit), the base rate and the ML logit of the
    same cases."""
    from forecasting.model.fitting import fit

    settings = SamplerSettings(
        draws=min(settings.draws, REFIT_DRAWS),
        tune=min(settings.tune, REFIT_DRAWS),
        chains=settings.chains,
        cores=settings.cores,
        seed=settings.seed,
    )
    rows = []
    for done, (test, train) in enumerate(folds, start=1):
        fitted = fit(inputs.without(~train), priors, settings, progressbar=False)
        draws = parameter_draws(fitted.posterior)
        p = success_probability(
            draws.flat_alpha, draws.flat_beta, inputs.rating_centre[test], inputs.rating_sd[test]
        ).mean(axis=0)
        y_train = inputs.outcome[train]
        ml = ml_logit(inputs.rating_centre[train], y_train, inputs.rating_centre[test])
        for j, i in enumerate(test):
            rows.append(
                {
                    "case_id": inputs.case_ids[i],
                    "outcome": int(inputs.outcome[i]),
                    "p_model": float(p[j]),
                    "p_base_rate": float(y_train.mean()),
                    "p_ml_logit": float(ml[j]),
                    "n_training": int(train.sum()),
                }
            )
        if progress:
            progress(done, len(folds))
    return pd.DataFrame(rows)


def ml_logit(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray) -> np.ndarray:
    """P(success) of the test rows from a maximum-likelihood logit on the training rows.
    Under separation the fitted probabilities run to 0 or 1 (the scores clip them)."""
    import statsmodels.api as sm

    design = sm.add_constant(x_train, has_constant="add")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # separation and convergence warnings
        result = sm.Logit(y_train, design).fit(disp=0, maxiter=200, method="newton")
    return np.asarray(result.predict(sm.add_constant(x_test, has_constant="add")))
