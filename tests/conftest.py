"""Shared fixtures, and the two test tiers.

Fast tier (`pytest -m "not slow"`): no NUTS. An autouse fixture swaps the sampler
for independent draws from the priors (the idea of CausalPy's mock `pm.sample`):
forecasts, report assembly, CLI wiring, the log and scoring run on real code paths
in seconds. Its fits are cached in a folder of their own, so a mock fit is never
mistaken for a real one.

Slow tier (`@pytest.mark.slow`): real nutpie fits with small draws, one session fit
shared by the tests that need it. Every fit goes to a per-session cache folder, and
the forecast log to a temporary file, never the user's.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from forecasting.settings import CACHE_ENV, FACTOR_DIM, FAST_SAMPLER, LOG_ENV

ROOT = Path(__file__).resolve().parent.parent
MALI = ROOT / "priors" / "cases" / "mali-2013.toml"
EFFECTS = ROOT / "priors" / "effects.toml"
REFERENCE = ROOT / "data" / "reference_cases.csv"

# Small but enough for ESS >= 400 on alpha and beta with nutpie (the notebooks' fast mode too).
SMALL = FAST_SAMPLER
SMALL_CLI = ["--draws", "300", "--tune", "300", "--seed", "7"]


def prior_draws(inputs, priors, settings, *, progressbar: bool = False) -> xr.DataTree:
    """Stand-in for `fitting.sample`: independent draws from the priors, shaped like a fit
    (chains x draws), with no divergences. Real code downstream, no NUTS."""
    from forecasting.factors import FACTOR_IDS

    rng = np.random.default_rng(settings.seed)
    prior = priors.components()  # rows: intercept, then factors; columns: mixture components
    shape = (settings.chains, settings.draws)
    draws = []
    for mu, sigma, weight in zip(prior.mu, prior.sigma, prior.weight, strict=True):
        component = rng.choice(len(weight), size=shape, p=weight / weight.sum())
        draws.append(rng.normal(mu[component], sigma[component]))
    posterior = xr.Dataset(
        {
            "alpha": (("chain", "draw"), draws[0]),
            "beta": (("chain", "draw", FACTOR_DIM), np.stack(draws[1:], axis=-1)),
        },
        coords={"chain": np.arange(shape[0]), "draw": np.arange(shape[1])}
        | {FACTOR_DIM: list(FACTOR_IDS)},
    )
    stats = xr.Dataset(
        {"diverging": (("chain", "draw"), np.zeros(shape, dtype=bool))},
        coords={"chain": np.arange(shape[0]), "draw": np.arange(shape[1])},
    )
    # independent draws: R-hat 1 and an ESS of every draw, stored as a real fit stores its
    # diagnostics (computing them with ArviZ for every mock fit would dominate the tier)
    parameters = ["alpha", *(f"beta[{f}]" for f in FACTOR_IDS)]
    n = float(settings.chains * settings.draws)
    diagnostics = xr.Dataset(
        {
            "r_hat": ("parameter", np.ones(len(parameters))),
            "ess_bulk": ("parameter", np.full(len(parameters), n)),
            "ess_tail": ("parameter", np.full(len(parameters), n)),
        },
        coords={"parameter": parameters},
    )
    return xr.DataTree.from_dict(
        {"posterior": posterior, "sample_stats": stats, "diagnostics": diagnostics}
    )


@pytest.fixture(scope="session", autouse=True)
def fit_cache(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fit-cache")
    os.environ[CACHE_ENV] = str(folder)
    # and the forecast log: tests never write to the project's reports/
    os.environ[LOG_ENV] = str(tmp_path_factory.mktemp("log") / "forecast-log.sqlite")
    return folder


@pytest.fixture(scope="session")
def mock_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("mock-fit-cache")


@pytest.fixture(autouse=True)
def sampler_tier(request, monkeypatch, mock_cache):
    """Tests not marked `slow` never run NUTS: they get prior draws, cached apart."""
    if request.node.get_closest_marker("slow") is None:
        monkeypatch.setattr("forecasting.model.fitting.sample", prior_draws)
        monkeypatch.setenv(CACHE_ENV, str(mock_cache))


@pytest.fixture(scope="session")
def real_mali_result(fit_cache):
    from forecasting.pipeline import load_inputs, run_forecast

    return run_forecast(load_inputs("mali-2013"), SMALL, progressbar=False)


@pytest.fixture(scope="session")
def mock_mali_result(mock_cache):
    from forecasting.pipeline import load_inputs, run_forecast

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("forecasting.model.fitting.sample", prior_draws)
        patch.setenv(CACHE_ENV, str(mock_cache))
        return run_forecast(load_inputs("mali-2013"), SMALL, progressbar=False)


@pytest.fixture
def mali_result(request):
    """The Mali forecast at SMALL settings: a real fit in slow tests, prior draws otherwise."""
    slow = request.node.get_closest_marker("slow") is not None
    return request.getfixturevalue("real_mali_result" if slow else "mock_mali_result")
