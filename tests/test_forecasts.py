import dataclasses

import arviz as az
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy.special import expit

from forecasting.factors import FACTOR_IDS
from forecasting.forecast.scenarios import forecast_case
from forecasting.inputs.cases import CURRENT, load_case
from forecasting.model.diagnostics import check_convergence


def fake_posterior(alpha, beta, chains=4, draws=500, seed=0, diverging=0, centre=3.0):
    """A posterior DataTree with given draws, fitted on factor centre `centre`."""
    rng = np.random.default_rng(seed)
    shape = (chains, draws)
    a = np.broadcast_to(alpha, shape) if np.ndim(alpha) == 0 else alpha
    b = np.broadcast_to(beta, (*shape, len(FACTOR_IDS))) if np.ndim(beta) == 1 else beta
    div = np.zeros(shape, dtype=bool)
    div.flat[:diverging] = True
    tree = az.from_dict(
        {
            "posterior": {"alpha": np.array(a, dtype=float), "beta": np.array(b, dtype=float)},
            "sample_stats": {"diverging": div, "energy": rng.normal(size=shape)},
        },
        dims={"beta": ["factor"]},
        coords={"factor": list(FACTOR_IDS)},
    )
    design = xr.Dataset(
        {"factor_centre": ("factor", np.broadcast_to(centre, (len(FACTOR_IDS),)).astype(float))},
        coords={"factor": list(FACTOR_IDS)},
    )
    tree["design"] = xr.DataTree(design)
    return tree


def varied_posterior(seed=0):
    rng = np.random.default_rng(seed)
    return fake_posterior(
        rng.normal(0.3, 0.4, size=(4, 500)),
        rng.normal([0.6, 0.5, 0.3, -0.2], 0.2, size=(4, 500, 4)),
        centre=np.array([2.4, 1.8, 2.6, 2.9]),
    )


@pytest.fixture(scope="module")
def mali():
    return load_case("mali-2013")


def test_p_is_the_predictive_mean_over_parameters_and_ratings(mali):
    """The headline equals a direct Monte Carlo average of expit over posterior draws and
    draws of the forecaster's factor states."""
    posterior = varied_posterior()
    forecast = forecast_case(posterior, mali)
    alpha = posterior["posterior"]["alpha"].values.reshape(-1)
    beta = posterior["posterior"]["beta"].values.reshape(alpha.size, -1)
    centre = np.array([2.4, 1.8, 2.6, 2.9])
    rng = np.random.default_rng(1)
    for name, scenario in mali.scenarios.items():
        rating = np.array([scenario.factors[f].rating for f in FACTOR_IDS])
        sd = np.array([scenario.factors[f].sd for f in FACTOR_IDS])
        z = rng.standard_normal((200, alpha.size, len(FACTOR_IDS)))
        x = rating - centre + sd * z
        direct = expit(alpha + np.einsum("dsk,sk->ds", x, beta)).mean()
        assert forecast.scenarios.loc[name, "p"] == pytest.approx(direct, abs=3e-3)
        row = forecast.scenarios.loc[name]
        assert row.p_lo95 <= row.p_lo80 <= row.p_median <= row.p_hi80 <= row.p_hi95


def test_intervals_are_parameter_uncertainty_only(mali):
    """With fixed coefficients there is no parameter uncertainty: the interval collapses,
    while the forecaster's rating uncertainty is shown apart."""
    beta = np.array([0.7, 0.5, 0.4, -0.3])
    forecast = forecast_case(fake_posterior(0.2, beta), mali)
    for name in mali.scenarios:
        row = forecast.scenarios.loc[name]
        assert row.p_lo95 == pytest.approx(row.p_hi95)
        assert row.rating_lo80 < row.p < row.rating_hi80


def test_rating_interval_is_the_spread_over_the_states_at_the_posterior_mean(mali):
    posterior = varied_posterior()
    forecast = forecast_case(posterior, mali)
    alpha = posterior["posterior"]["alpha"].values.mean()
    beta = posterior["posterior"]["beta"].values.reshape(-1, 4).mean(axis=0)
    scenario = mali.scenarios[CURRENT]
    rating = np.array([scenario.factors[f].rating for f in FACTOR_IDS])
    sd = np.array([scenario.factors[f].sd for f in FACTOR_IDS])
    z = np.random.default_rng(2).standard_normal((400_000, 4))
    p = expit(alpha + (rating - np.array([2.4, 1.8, 2.6, 2.9]) + sd * z) @ beta)
    lo, hi = np.quantile(p, [0.1, 0.9])
    assert forecast.scenarios.loc[CURRENT, "rating_lo80"] == pytest.approx(lo, abs=2e-3)
    assert forecast.scenarios.loc[CURRENT, "rating_hi80"] == pytest.approx(hi, abs=2e-3)


def test_contributions_add_up_to_the_log_odds_when_states_are_certain(mali):
    certain = dataclasses.replace(
        mali,
        scenarios={
            name: dataclasses.replace(
                s, factors={f: st.model_copy(update={"sd": 0.0}) for f, st in s.factors.items()}
            )
            for name, s in mali.scenarios.items()
        },
    )
    forecast = forecast_case(varied_posterior(), certain)
    log_odds = forecast.base_log_odds + forecast.contribution.sum("factor")
    np.testing.assert_allclose(expit(log_odds.values), forecast.probability.values, rtol=1e-9)


def test_contrasts_are_differences_of_the_headline_and_add_up_by_factor(mali):
    forecast = forecast_case(varied_posterior(), mali)
    for row in forecast.contrasts.itertuples():
        p = forecast.scenarios["p"]
        assert row.difference == pytest.approx(p[row.scenario] - p[row.baseline], abs=1e-12)
        diff = (
            forecast.probability.sel(scenario=row.scenario)
            - forecast.probability.sel(scenario=row.baseline)
        ).values
        assert row.difference_median == pytest.approx(np.median(diff))
        assert row.p_scenario_better == pytest.approx(np.mean(diff > 0))
        shares = forecast.breakdown[
            (forecast.breakdown.scenario == row.scenario)
            & (forecast.breakdown.baseline == row.baseline)
        ]
        assert shares["difference"].sum() == pytest.approx(row.difference, abs=1e-12)


def test_identical_scenarios_differ_by_exactly_zero(mali):
    twin = dataclasses.replace(
        mali,
        scenarios={
            **mali.scenarios,
            "twin": dataclasses.replace(mali.scenarios[CURRENT], name="twin"),
        },
        contrasts=((CURRENT, "twin"),),
    )
    forecast = forecast_case(varied_posterior(), twin)
    row = forecast.contrasts.iloc[0]
    assert row.difference == 0.0 and row.difference_lo95 == 0.0 and row.difference_hi95 == 0.0
    assert row.p_scenario_better == 0.0
    assert (forecast.breakdown["difference"] == 0.0).all()


def test_adding_or_reordering_scenarios_changes_no_other_number(mali):
    posterior = varied_posterior()
    before = forecast_case(posterior, mali).scenarios
    names = list(mali.scenarios)
    extra = dataclasses.replace(mali.scenarios[names[-1]], name="extra")
    reordered = dataclasses.replace(
        mali,
        scenarios={n: mali.scenarios[n] for n in reversed(names)} | {"extra": extra},
        contrasts=(),
    )
    after = forecast_case(posterior, reordered).scenarios
    pd.testing.assert_frame_equal(before, after.loc[names])


def test_same_posterior_same_numbers(mali):
    posterior = varied_posterior()
    assert forecast_case(posterior, mali).scenarios.equals(forecast_case(posterior, mali).scenarios)


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
