"""Shared fixtures. Real NUTS runs happen once per session, with small draws;
every fit goes to a per-session cache folder, never the user's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from forecasting.settings import SamplerSettings

ROOT = Path(__file__).resolve().parent.parent
MALI = ROOT / "priors" / "cases" / "mali-2013.toml"
EFFECTS = ROOT / "priors" / "effects.toml"
REFERENCE = ROOT / "data" / "reference_cases.csv"

# Small but enough for ESS >= 400 on alpha and beta with nutpie.
SMALL = SamplerSettings(draws=300, tune=300, chains=4, cores=2, seed=7)
SMALL_CLI = ["--draws", "300", "--tune", "300", "--seed", "7"]


@pytest.fixture(scope="session", autouse=True)
def fit_cache(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fit-cache")
    os.environ["FORECAST_CACHE_DIR"] = str(folder)
    # and the forecast log: tests never write to the project's reports/
    os.environ["FORECAST_LOG"] = str(tmp_path_factory.mktemp("log") / "forecast-log.sqlite")
    return folder


@pytest.fixture(scope="session")
def mali_result(fit_cache):
    from forecasting.pipeline import load_inputs, run_forecast

    return run_forecast(load_inputs("mali-2013"), SMALL, progressbar=False)
