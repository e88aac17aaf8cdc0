"""The reviewer's checks: power-scaling sensitivity, sensitivity refits, calibration."""

import numpy as np
import pandas as pd
import pytest

from forecasting.checks import calibration
from forecasting.checks import sensitivity as review
from forecasting.factors import FACTOR_IDS
from forecasting.model.parallel import fit_many
from forecasting.settings import CACHE_ENV
from tests.conftest import SMALL


@pytest.fixture(scope="module")
def tree(real_mali_result):
    mali_result = real_mali_result
    return review.power_scaling_tree(
        mali_result.fit.posterior,
        mali_result.inputs,
        mali_result.priors.components(),
        mali_result.case,
    )


@pytest.mark.slow
def test_power_scaling_tree_holds_log_prior_and_likelihood(tree, mali_result):
    from scipy.stats import norm

    mu, sigma = mali_result.priors.parameters()["host_army"]
    beta = tree["posterior"]["beta"].sel(factor="host_army").values
    np.testing.assert_allclose(
        tree["log_prior"]["beta"].sel(factor="host_army").values, norm.logpdf(beta, mu, sigma)
    )
    assert tree["log_likelihood"]["outcome"].shape[-1] == len(mali_result.inputs.outcome)
    assert list(tree["posterior"]["p_success"]["scenario"].values) == list(
        mali_result.case.scenarios
    )


@pytest.mark.slow
def test_prior_sensitivity_table_has_a_column_per_prior_group(tree, mali_result):
    sensitivity = review.prior_sensitivity(tree)
    table = sensitivity.table
    assert list(table.columns) == ["intercept", *FACTOR_IDS, "likelihood", "diagnosis"]
    assert f"P(success)[{next(iter(mali_result.case.scenarios))}]" in table.index
    numbers = table.drop(columns="diagnosis")
    assert (numbers >= 0).all().all()
    # each factor's effect responds to its own prior at least half as much as to any other
    # (others move it only through posterior correlation)
    for f in FACTOR_IDS:
        row = table.loc[f"beta[{f}]", list(FACTOR_IDS)]
        assert row[f] >= 0.5 * row.max()


def test_diagnosis_in_words():
    row = pd.Series({"intercept": 0.2, "likelihood": 0.2})
    assert review._diagnosis(row) == "prior-data conflict"
    assert review._diagnosis(pd.Series({"intercept": 0.2, "likelihood": 0.01})).startswith("leans")
    assert review._diagnosis(pd.Series({"intercept": 0.01, "likelihood": 0.2})) == "-"


def test_scaled_priors_keep_centres_and_scale_sds(mali_result):
    prior = mali_result.priors.components()
    wider = review.ScaledPriors(prior, 2.0).components()
    np.testing.assert_array_equal(wider.mu, prior.mu)
    np.testing.assert_allclose(wider.sigma, 2 * prior.sigma)


def test_pav_calibration_is_monotone_and_loo_pit_in_unit_interval():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=400)
    predictions = pd.DataFrame({"case_id": range(400), "p_model": p, "outcome": rng.binomial(1, p)})
    pav = calibration.pav_curve(predictions)
    assert (np.diff(pav["calibrated"]) >= 0).all()
    pit = calibration.loo_pit(predictions, seed=1)
    assert ((pit >= 0) & (pit <= 1)).all()
    # calibrated predictions give roughly uniform PIT values
    assert abs(np.mean(pit < 0.5) - 0.5) < 0.08


@pytest.mark.slow
def test_fit_many_on_a_local_dask_cluster_matches_in_process(
    real_mali_result, monkeypatch, tmp_path
):
    """The worker really samples (an empty cache folder: nothing to load) and, seeded,
    gives the same draws as the fit made in this process."""
    pytest.importorskip("distributed")
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))  # the workers start with this environment
    job = (real_mali_result.inputs, real_mali_result.priors, SMALL)
    [remote] = fit_many([job], scheduler="local")
    assert not remote.from_cache
    assert remote.key == real_mali_result.fit.key
    np.testing.assert_array_equal(
        remote.posterior["posterior"]["alpha"].values,
        real_mali_result.fit.posterior["posterior"]["alpha"].values,
    )
