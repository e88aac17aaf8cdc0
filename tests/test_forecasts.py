import arviz as az
import numpy as np
import pytest
from scipy.special import expit

from forecasting.factors import FACTOR_IDS
from forecasting.forecast.scenarios import forecast_case
from forecasting.inputs.cases import CURRENT, load_case
from forecasting.model.diagnostics import check_convergence


def fake_posterior(alpha, beta, chains=4, draws=500, seed=0, diverging=0):
    """A posterior DataTree with given draws, for testing without sampling."""
    rng = np.random.default_rng(seed)
    shape = (chains, draws)
    a = np.broadcast_to(alpha, shape) if np.ndim(alpha) == 0 else alpha
    b = np.broadcast_to(beta, (*shape, len(FACTOR_IDS))) if np.ndim(beta) == 1 else beta
    div = np.zeros(shape, dtype=bool)
    div.flat[:diverging] = True
    return az.from_dict(
        {
            "posterior": {"alpha": np.array(a, dtype=float), "beta": np.array(b, dtype=float)},
            "sample_stats": {"diverging": div, "energy": rng.normal(size=shape)},
        },
        dims={"beta": ["factor"]},
        coords={"factor": list(FACTOR_IDS)},
    )


@pytest.fixture(scope="module")
def mali():
    return load_case("mali-2013")


def test_probability_is_the_logistic_of_the_linear_predictor(mali):
    beta = np.array([0.7, 0.5, 0.4, -0.3])
    forecast = forecast_case(fake_posterior(0.2, beta), mali, seed=1)
    for name, scenario in mali.scenarios.items():
        x = np.array([scenario.factors[f].rating - 3 for f in FACTOR_IDS])
        expected = expit(0.2 + x @ beta)
        # with fixed coefficients only the factor-state uncertainty spreads the draws
        assert forecast.scenarios.loc[name, "p_median"] == pytest.approx(expected, abs=0.04)
        assert forecast.scenarios.loc[name, "p_lo95"] < forecast.scenarios.loc[name, "p_lo80"]
        assert forecast.scenarios.loc[name, "p_hi80"] < forecast.scenarios.loc[name, "p_hi95"]


def test_contributions_add_up_to_the_log_odds(mali):
    forecast = forecast_case(fake_posterior(0.2, np.array([0.7, 0.5, 0.4, -0.3])), mali, seed=1)
    log_odds = forecast.base_log_odds + forecast.contribution.sum("factor")
    np.testing.assert_allclose(expit(log_odds.values), forecast.probability.values)


def test_scenario_without_overrides_shares_the_current_draws(mali):
    forecast = forecast_case(fake_posterior(0.0, np.array([0.5, 0.5, 0.5, 0.5])), mali, seed=2)
    p = forecast.probability
    np.testing.assert_array_equal(p.sel(scenario="accelerated"), p.sel(scenario=CURRENT))


def test_contrast_summarises_the_paired_difference(mali):
    forecast = forecast_case(fake_posterior(0.0, np.array([0.5, 0.5, 0.5, 0.5])), mali, seed=2)
    row = forecast.contrasts.iloc[0]
    diff = (
        forecast.probability.sel(scenario=row.scenario)
        - forecast.probability.sel(scenario=row.baseline)
    ).values
    assert row.difference_median == pytest.approx(np.median(diff))
    assert row.p_scenario_better == pytest.approx(np.mean(diff > 0))


def test_same_seed_same_numbers(mali):
    posterior = fake_posterior(0.1, np.array([0.5, 0.2, 0.3, 0.1]))
    first = forecast_case(posterior, mali, seed=5).scenarios
    assert first.equals(forecast_case(posterior, mali, seed=5).scenarios)
    assert not first.equals(forecast_case(posterior, mali, seed=6).scenarios)


def test_convergence_passes_for_well_mixed_chains():
    rng = np.random.default_rng(0)
    posterior = fake_posterior(rng.normal(size=(4, 1000)), rng.normal(size=(4, 1000, 4)))
    convergence = check_convergence(posterior)
    assert convergence.reliable, convergence.problems


def test_convergence_fails_for_chains_that_disagree_or_diverge():
    rng = np.random.default_rng(0)
    alpha = rng.normal(size=(4, 1000)) + np.arange(4)[:, None]  # each chain somewhere else
    convergence = check_convergence(
        fake_posterior(alpha, rng.normal(size=(4, 1000, 4)), diverging=3)
    )
    assert not convergence.reliable
    assert any(p.startswith("alpha: R-hat") for p in convergence.problems)
    assert "3 divergent transitions" in convergence.problems
