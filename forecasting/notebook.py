"""What the notebooks share: sampler settings (small under the tests) and where a
worksheet saves the files it edits.

The tests execute the notebooks with `FORECAST_FAST=1`: fits then use the same
small settings as the test suite's session fit (tests/conftest.py, `SMALL`), so
the notebooks reuse that cached fit instead of sampling again. Run by hand,
without the variable, they use the full default settings.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import pandas as pd

from forecasting.priors.effects import PARAMETERS, EffectPriors
from forecasting.settings import FAST_SAMPLER, SamplerSettings, fast_mode, notebook_out_dir


def sampler_settings() -> SamplerSettings:
    """Small settings in fast mode (the tests), the full defaults otherwise."""
    return FAST_SAMPLER if fast_mode() else SamplerSettings()


def save_target(default: Path) -> Path:
    """Where a notebook saves the file it would write to `default`.

    `default` when run by hand. When `FORECAST_NOTEBOOK_OUT` names a folder, the
    same file name in that folder; in fast mode without it, a fresh temporary
    folder: a notebook run by the tests never overwrites the project's files.
    """
    folder = notebook_out_dir()
    if folder:
        return folder / Path(default).name
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
