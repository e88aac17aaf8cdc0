"""Integration: the Mali forecast from shipped files (one small real fit per session)."""

import dataclasses

import numpy as np
import pandas as pd

from forecasting.inputs.reference import ReferenceClass
from forecasting.model.fitting import fit_key
from forecasting.model.logit import model_inputs
from forecasting.pipeline import load_inputs, run_forecast
from tests.conftest import MALI, ROOT, SMALL
from tests.helpers import normal_priors


def test_small_mali_fit_converges_and_orders_scenarios(mali_result):
    assert mali_result.reliable, mali_result.convergence.problems
    # no look-ahead: only cases resolved before January 2013
    assert len(mali_result.split.used) < len(mali_result.reference)
    assert (mali_result.split.used.cases["resolved"] < pd.Period("2013-01", "M")).all()
    p = mali_result.forecast.scenarios["p"]
    assert set(p.index) >= {"current", "accelerated", "as_planned"}
    assert ((p > 0) & (p < 1)).all()


def test_second_run_reuses_the_cached_fit(mali_result):
    again = run_forecast(load_inputs("mali-2013"), SMALL, progressbar=False)
    assert not mali_result.fit.from_cache and again.fit.from_cache
    assert again.fit.key == mali_result.fit.key
    np.testing.assert_array_equal(
        again.fit.posterior["posterior"]["beta"].values,
        mali_result.fit.posterior["posterior"]["beta"].values,
    )
    assert again.forecast.scenarios.equals(mali_result.forecast.scenarios)


def test_any_change_to_what_the_fit_depends_on_changes_the_key(mali_result):
    inputs, priors = mali_result.inputs, mali_result.priors
    key = fit_key(inputs, priors, SMALL)
    assert key == mali_result.fit.key
    changed_prior = normal_priors(
        {k: mu for k, (mu, _) in priors.parameters().items()} | {"timing": 0.0},
        {k: sigma for k, (_, sigma) in priors.parameters().items()},
    )
    assert fit_key(inputs, changed_prior, SMALL) != key
    fewer = ReferenceClass(mali_result.split.used.cases.iloc[1:], mali_result.reference.path)
    assert fit_key(model_inputs(fewer), priors, SMALL) != key
    assert fit_key(inputs, priors, dataclasses.replace(SMALL, draws=301)) != key
    assert fit_key(inputs, priors, dataclasses.replace(SMALL, seed=8)) != key


def test_pooled_forecasters_and_the_other_pooling_method(fit_cache):
    from forecasting.pipeline import pool_comparison
    from forecasting.priors.pooling import PooledPriors

    folder = ROOT / "priors" / "forecasters"
    result = run_forecast(load_inputs("mali-2013", forecasters=folder), SMALL, progressbar=False)
    assert isinstance(result.priors, PooledPriors) and result.priors.method == "linear_pool"
    assert result.priors.components().mu.shape[1] == 2  # one mixture component per forecaster
    table = pool_comparison(result)
    assert list(table.columns) == ["linear_pool", "fitted_pool", "fitted − linear"]
    np.testing.assert_allclose(
        table["fitted − linear"], table["fitted_pool"] - table["linear_pool"]
    )
    assert table["linear_pool"].equals(result.forecast.scenarios["p"])
    assert len(result.provenance["priors_sha256"]) == 64


def test_a_case_long_after_its_newest_reference_case_is_warned(tmp_path):
    """as_of 2034: nothing in the reference class resolved after 2022, so the forecast
    learns from a world more than ten years older and says so."""
    text = MALI.read_text().replace("as_of = 2013-01-14", "as_of = 2034-06-01")
    case = tmp_path / "late.toml"
    case.write_text(text)
    warnings = load_inputs(case).warnings()
    assert any(": resolved: the newest reference case usable" in w for w in warnings)
    assert not any("newest reference case" in w for w in load_inputs("mali-2013").warnings())
