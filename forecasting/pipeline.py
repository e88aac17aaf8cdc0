"""The whole forecast for one case, from files to results: the thin stateful
shell the CLI, the notebooks and the report share.

files -> validated objects -> model inputs -> fit (cached) -> diagnostics
      -> forecasts
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from forecasting.cases import Case, load_case
from forecasting.diagnostics import Convergence, check_convergence
from forecasting.errors import InputError
from forecasting.extrapolation import Extrapolation, check_extrapolation
from forecasting.fitting import Fit, fit
from forecasting.forecasts import Forecast, forecast_case
from forecasting.model import ModelInputs, model_inputs
from forecasting.priors import EffectPriors, load_effect_priors
from forecasting.provenance import provenance
from forecasting.reference import AsOfSplit, ReferenceClass, load_reference, split_by_as_of
from forecasting.settings import (
    SamplerSettings,
    default_effect_priors_path,
    default_reference_path,
)


@dataclass(frozen=True)
class CaseForecast:
    case: Case
    priors: EffectPriors
    reference: ReferenceClass
    split: AsOfSplit
    inputs: ModelInputs
    fit: Fit
    convergence: Convergence
    forecast: Forecast
    extrapolation: Extrapolation
    provenance: dict

    @property
    def reliable(self) -> bool:
        return self.convergence.reliable


@dataclass(frozen=True)
class Inputs:
    """The validated input files of a forecast."""

    case: Case
    priors: EffectPriors
    reference: ReferenceClass


def load_inputs(
    case: str | Path, priors_path: Path | None = None, data_path: Path | None = None
) -> Inputs:
    """Load and validate every input file before any work is done."""
    return Inputs(
        case=load_case(case),
        priors=load_effect_priors(priors_path or default_effect_priors_path()),
        reference=load_reference(data_path or default_reference_path()),
    )


def run_forecast(
    inputs: Inputs,
    settings: SamplerSettings | None = None,
    *,
    progressbar: bool = True,
    use_cache: bool = True,
) -> CaseForecast:
    settings = settings or SamplerSettings()
    split = split_by_as_of(inputs.reference, inputs.case.as_of)
    if len(split.used) == 0:
        raise InputError(
            inputs.reference.path,
            "resolved",
            f"no reference case was resolved before as_of {inputs.case.as_of}",
        )
    model_data = model_inputs(split.used)
    fitted = fit(model_data, inputs.priors, settings, progressbar=progressbar, use_cache=use_cache)
    return CaseForecast(
        case=inputs.case,
        priors=inputs.priors,
        reference=inputs.reference,
        split=split,
        inputs=model_data,
        fit=fitted,
        convergence=check_convergence(fitted.posterior),
        forecast=forecast_case(fitted.posterior, inputs.case, settings.seed),
        extrapolation=check_extrapolation(inputs.case, split.used),
        provenance=provenance(
            data=inputs.reference.path,
            priors=inputs.priors.path,
            case=inputs.case.path,
            settings=settings,
            fit_key=fitted.key,
        ),
    )
