"""Probabilistic forecasts of whether an international military intervention succeeds.

The public API, for notebooks and scripts (everything else is internal):

    from forecasting import load_inputs, run_forecast
    result = run_forecast(load_inputs("mali-2013"))
    result.forecast.scenarios          # P(success) per scenario

Names are imported lazily, so `import forecasting` stays fast (the CLI relies on it).
The folders follow the data flow: inputs -> priors -> model -> forecast -> checks ->
log -> plots -> report -> cli (README, "Architecture").
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> module that defines it
_API = {
    # files -> validated objects
    "load_case": "forecasting.inputs.cases",
    "FactorState": "forecasting.inputs.cases",
    "save_factor_state": "forecasting.inputs.case_edits",
    "with_factor_state": "forecasting.inputs.case_edits",
    "load_reference": "forecasting.inputs.reference",
    "split_by_as_of": "forecasting.inputs.reference",
    "load_effect_priors": "forecasting.priors.effects",
    "save_effect_priors": "forecasting.priors.effects",
    "with_prior": "forecasting.priors.effects",
    "Statement": "forecasting.priors.elicitation",
    "elicit": "forecasting.priors.elicitation",
    "effect_prior": "forecasting.priors.elicitation",
    "factor_state": "forecasting.priors.elicitation",
    "load_forecasters": "forecasting.priors.pooling",
    "linear_pool": "forecasting.priors.pooling",
    "fitted_pool": "forecasting.priors.pooling",
    # model and fit
    "model_inputs": "forecasting.model.logit",
    "build_model": "forecasting.model.logit",
    "fit": "forecasting.model.fitting",
    "parameter_draws": "forecasting.model.draws",
    # the whole forecast
    "load_inputs": "forecasting.pipeline",
    "run_forecast": "forecasting.pipeline",
    "CaseForecast": "forecasting.pipeline",
    # forecasts from a posterior
    "analyst_scenarios": "forecasting.forecast.scenarios",
    "compare_cases": "forecasting.forecast.what_if",
    "rating_sweep": "forecasting.forecast.what_if",
    "prior_predictive": "forecasting.forecast.prior_predictive",
    "in_words": "forecasting.forecast.extrapolation",
    # checks
    "track_record": "forecasting.checks.track_record",
    "calibration_table": "forecasting.checks.track_record",
    "sensitivity_review": "forecasting.checks.sensitivity",
    "pav_curve": "forecasting.checks.calibration",
    "loo_pit": "forecasting.checks.calibration",
    "review_checks": "forecasting.report.assemble",
    # constants
    "FACTOR_IDS": "forecasting.factors",
    "project_root": "forecasting.settings",
}
# modules offered whole: figure functions and the notebooks' settings
_MODULES = {
    "plots": "forecasting.plots",
    "prior_plots": "forecasting.plots.priors",
    "what_if_plots": "forecasting.plots.what_if",
    "notebook": "forecasting.notebook",
}

__all__ = sorted([*_API, *_MODULES])


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    if name in _MODULES:
        return importlib.import_module(_MODULES[name])
    raise AttributeError(f"module 'forecasting' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
