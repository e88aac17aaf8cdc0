"""What the notebooks share: sampler settings (small under the tests) and where a
worksheet saves the files it edits.

The tests execute the notebooks with `FORECAST_FAST=1`: fits then use the same
small settings as the test suite's session fit (tests/conftest.py, `SMALL`), so
the notebooks reuse that cached fit instead of sampling again. Run by hand,
without the variable, they use the full default settings.
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

import pandas as pd

from forecasting.priors.effects import PARAMETERS, EffectPriors
from forecasting.settings import SamplerSettings

FAST_ENV = "FORECAST_FAST"
OUT_ENV = "FORECAST_NOTEBOOK_OUT"

# Equal to tests/conftest.py's SMALL: equal settings give equal fit keys, so one cached fit.
FAST_SETTINGS = SamplerSettings(draws=300, tune=300, chains=4, cores=2, seed=7)


def fast_mode() -> bool:
    """True when `FORECAST_FAST` is set to anything but empty or 0."""
    return os.environ.get(FAST_ENV, "").strip() not in ("", "0")


def sampler_settings() -> SamplerSettings:
    """Small settings in fast mode (the tests), the full defaults otherwise."""
    return FAST_SETTINGS if fast_mode() else SamplerSettings()


def save_target(default: Path) -> Path:
    """Where a notebook saves the file it would write to `default`.

    `default` when run by hand. When `FORECAST_NOTEBOOK_OUT` names a folder, the
    same file name in that folder; in fast mode without it, a fresh temporary
    folder: a notebook run by the tests never overwrites the project's files.
    """
    folder = os.environ.get(OUT_ENV)
    if folder:
        return Path(folder) / Path(default).name
    if fast_mode():
        return _scratch_folder() / Path(default).name
    return Path(default)


@functools.cache
def _scratch_folder() -> Path:
    """One temporary folder per process, so a notebook's saved files sit together."""
    return Path(tempfile.mkdtemp(prefix="forecast-notebook-"))


def priors_table(priors: EffectPriors) -> pd.DataFrame:
    """One row per parameter: mu, sigma (log-odds), the statement it came from, who and when."""
    rows = {}
    for name in PARAMETERS:
        prior = priors.intercept if name == "intercept" else priors.factors[name]
        rows[name] = {
            "mu": prior.mu,
            "sigma": prior.sigma,
            "statement": prior.elicitation.statement if prior.elicitation else "",
            "author": prior.author,
            "date": prior.date,
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("parameter")
