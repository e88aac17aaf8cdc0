"""The whole forecast for one case, from files to results: the thin stateful
shell the CLI, the notebooks and the report share.

files -> validated objects -> model inputs -> fit (cached) -> diagnostics
      -> forecasts
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from forecasting.errors import InputError, warning_line
from forecasting.forecast.extrapolation import Extrapolation, check_extrapolation
from forecasting.forecast.prior_predictive import prior_predictive
from forecasting.forecast.scenarios import Forecast, forecast_case
from forecasting.inputs.cases import Case, load_case
from forecasting.inputs.reference import AsOfSplit, ReferenceClass, load_reference, split_by_as_of
from forecasting.log.provenance import provenance
from forecasting.model.diagnostics import Convergence, check_convergence
from forecasting.model.fitting import Fit, fit
from forecasting.model.logit import ModelInputs, model_inputs
from forecasting.priors.effects import EffectPriors, load_effect_priors
from forecasting.priors.pooling import PooledPriors, fitted_pool, linear_pool, load_forecasters
from forecasting.settings import (
    SamplerSettings,
    default_effect_priors_path,
    default_reference_path,
)

PoolingMethod = Literal["linear_pool", "fitted_pool"]
POOLS = {"linear_pool": linear_pool, "fitted_pool": fitted_pool}
# Fewer reference cases than this (after the as-of filter) and the factor effects rest
# mostly on the priors: the forecast is still made, with a warning.
MIN_REFERENCE_CASES = 10
# A case more than this long after the newest usable reference case is forecast from an
# older world: still made, with a warning.
STALE_HISTORY_MONTHS = 120


@dataclass(frozen=True)
class CaseForecast:
    case: Case
    priors: EffectPriors | PooledPriors
    reference: ReferenceClass
    split: AsOfSplit
    inputs: ModelInputs
    fit: Fit
    convergence: Convergence
    forecast: Forecast
    extrapolation: Extrapolation
    provenance: dict
    prior_check: pd.Series  # prior predictive share of successes vs the observed share
    warnings: tuple[str, ...] = ()  # accepted but worth knowing (file: key: message)

    @property
    def reliable(self) -> bool:
        return self.convergence.reliable


@dataclass(frozen=True)
class Inputs:
    """The validated input files of a forecast."""

    case: Case
    priors: EffectPriors | PooledPriors
    reference: ReferenceClass

    @functools.cached_property
    def split(self) -> AsOfSplit:
        """The reference cases usable at the case's as_of; none is bad input (the case file's
        as_of), so it is found here, before any fitting."""
        split = split_by_as_of(self.reference, self.case.as_of)
        if len(split.used) == 0:
            earliest = min(self.reference.cases["resolved"]).strftime("%Y-%m")
            raise InputError(
                self.case.path,
                "case.as_of",
                f"{self.case.as_of} is before any reference case was resolved (earliest "
                f"{earliest} in {self.reference.path}): there is nothing to learn from",
            )
        return split

    @functools.cached_property
    def model_inputs(self) -> ModelInputs:
        """The arrays the model is fitted to: the usable reference cases."""
        return model_inputs(self.split.used)

    @functools.cached_property
    def prior_check(self) -> pd.Series:
        """The prior predictive check as a gate: the share of successes the priors expect
        across the reference cases used, beside the share observed (no fitting)."""
        return prior_predictive(self.priors, self.model_inputs).share_summary

    def warnings(self) -> list[str]:
        """What is accepted but weakens the forecast: the case's own warnings (a contrast
        of a scenario with itself, an as_of in the future), a thin reference set, and
        priors whose predicted share of successes the record contradicts."""
        used = self.split.used.cases
        path = self.reference.path
        warnings = list(self.case.warnings)
        newest = max(used["resolved"])
        months_since = (pd.Period(self.case.as_of, freq="M") - newest).n
        if months_since > STALE_HISTORY_MONTHS:
            warnings.append(
                warning_line(
                    path,
                    "resolved",
                    f"the newest reference case usable at as_of {self.case.as_of} was resolved "
                    f"in {newest}, {months_since // 12} years earlier: the forecast learns "
                    "only from an older world",
                )
            )
        check = self.prior_check
        if not check["observed_inside_95"]:
            warnings.append(
                warning_line(
                    self.priors.path,
                    "intercept",
                    f"the priors expect {check['share_lo95']:.0%}-{check['share_hi95']:.0%} "
                    f"of the {len(used)} reference cases to succeed (central 95% of the prior "
                    f"predictive), but {check['observed_share']:.0%} did: priors and record "
                    "disagree (prior predictive check)",
                )
            )
        if len(used) < MIN_REFERENCE_CASES:
            warnings.append(
                warning_line(
                    path,
                    "",
                    f"only {len(used)} reference case(s) resolved before as_of "
                    f"{self.case.as_of} (fewer than {MIN_REFERENCE_CASES}): the factor "
                    "effects rest mostly on the priors",
                )
            )
        for outcome, what in ((1, "successes"), (0, "failures")):
            if not (used["outcome"] == outcome).any():
                warnings.append(
                    warning_line(
                        path,
                        "outcome",
                        f"no {what} among the {len(used)} reference case(s) used: the model "
                        "cannot learn what separates success from failure, and contrasts "
                        "between scenarios are not to be trusted",
                    )
                )
        return warnings


def load_inputs(
    case: str | Path,
    priors_path: Path | None = None,
    data_path: Path | None = None,
    *,
    forecasters: Path | None = None,
    pooling: PoolingMethod = "linear_pool",
) -> Inputs:
    """Load and validate every input file before any work is done.

    With `forecasters` (a folder of forecasters' priors files) the effect priors
    are their pool, by `pooling`, instead of `priors_path`.
    """
    if forecasters is not None:
        priors = POOLS[pooling](load_forecasters(forecasters))
    else:
        priors = load_effect_priors(priors_path or default_effect_priors_path())
    inputs = Inputs(
        case=load_case(case),
        priors=priors,
        reference=load_reference(data_path or default_reference_path()),
    )
    _ = inputs.split  # no usable reference case is bad input: found before any work
    return inputs


def pool_comparison(result: CaseForecast) -> pd.DataFrame | None:
    """With pooled priors: P(success) per scenario under both pooling methods (the other
    one refitted), and the difference. None when the priors are not pooled."""
    priors = result.priors
    if not isinstance(priors, PooledPriors):
        return None
    other = "fitted_pool" if priors.method == "linear_pool" else "linear_pool"
    refitted = fit(
        result.inputs,
        POOLS[other](list(priors.forecasters)),
        result.fit.settings,
        progressbar=False,
    )
    scenarios = forecast_case(refitted.posterior, result.case).scenarios
    table = pd.DataFrame(
        {
            priors.method: result.forecast.scenarios["p"],
            other: scenarios["p"],
        }
    )
    table["fitted − linear"] = table["fitted_pool"] - table["linear_pool"]
    return table


def run_forecast(
    inputs: Inputs,
    settings: SamplerSettings | None = None,
    *,
    progressbar: bool = True,
    use_cache: bool = True,
) -> CaseForecast:
    settings = settings or SamplerSettings()
    split, model_data = inputs.split, inputs.model_inputs
    fitted = fit(model_data, inputs.priors, settings, progressbar=progressbar, use_cache=use_cache)
    return CaseForecast(
        case=inputs.case,
        priors=inputs.priors,
        reference=inputs.reference,
        split=split,
        inputs=model_data,
        fit=fitted,
        convergence=check_convergence(fitted.posterior),
        forecast=forecast_case(fitted.posterior, inputs.case),
        extrapolation=check_extrapolation(inputs.case, split.used),
        prior_check=inputs.prior_check,
        provenance=provenance(
            data=inputs.reference.path,
            priors=inputs.priors.path,
            case=inputs.case.path,
            settings=settings,
            fit_key=fitted.key,
        ),
        warnings=(*inputs.warnings(), *fitted.warnings),
    )
