import matplotlib.pyplot as plt
import numpy as np
import pytest

from forecasting.checks.track_record import success_probability
from forecasting.factors import FACTOR_IDS
from forecasting.forecast.prior_predictive import draw_parameters, prior_predictive
from forecasting.inputs.cases import CURRENT, load_case
from forecasting.inputs.reference import load_reference
from forecasting.model.logit import model_inputs
from forecasting.plots.priors import (
    elicited_prior,
    pooled_priors,
    prior_predictive_cases,
    prior_predictive_scenarios,
    prior_predictive_share,
)
from forecasting.priors.effects import PARAMETERS, load_effect_priors
from forecasting.priors.elicitation import Statement, elicit
from forecasting.priors.pooling import fitted_pool, linear_pool, load_forecasters
from tests.conftest import EFFECTS, MALI, REFERENCE, ROOT
from tests.helpers import normal_priors

DRAWS = 2000


@pytest.fixture(scope="module")
def inputs():
    return model_inputs(load_reference(REFERENCE))


@pytest.fixture(scope="module")
def mali():
    return load_case(MALI)


@pytest.fixture(scope="module")
def shipped_check(inputs, mali):
    return prior_predictive(load_effect_priors(EFFECTS), inputs, mali, draws=DRAWS, seed=5)


def test_draws_follow_each_parameters_mixture():
    pool = linear_pool(load_forecasters(ROOT / "priors" / "forecasters"))
    draws = draw_parameters(pool.components(), 100_000, np.random.default_rng(2))
    for i, name in enumerate(PARAMETERS):
        mean, sd = pool.parameters()[name]
        assert draws[:, i].mean() == pytest.approx(mean, abs=0.01)
        assert draws[:, i].std() == pytest.approx(sd, rel=0.02)


def test_summaries_are_probabilities_in_order(shipped_check, inputs, mali):
    cases = shipped_check.cases
    assert list(cases["case_id"]) == list(inputs.case_ids)
    columns = ["p_lo95", "p_lo80", "p_median", "p_hi80", "p_hi95"]
    values = cases[columns].to_numpy()
    assert ((values >= 0) & (values <= 1)).all()
    assert (np.diff(values, axis=1) >= 0).all()
    assert ((shipped_check.share >= 0) & (shipped_check.share <= 1)).all()
    assert shipped_check.observed_share == pytest.approx(inputs.outcome.mean())
    assert 0 <= shipped_check.share_summary["p_share_at_most_observed"] <= 1
    scenarios = shipped_check.forecast.scenarios
    assert list(scenarios.index) == list(mali.scenarios)
    assert ((scenarios.to_numpy() >= 0) & (scenarios.to_numpy() <= 1)).all()


def test_seeded_reproducible(shipped_check, inputs, mali):
    priors = load_effect_priors(EFFECTS)
    again = prior_predictive(priors, inputs, mali, draws=DRAWS, seed=5)
    assert again.cases.equals(shipped_check.cases)
    assert np.array_equal(again.share, shipped_check.share)
    assert again.forecast.scenarios.equals(shipped_check.forecast.scenarios)
    other = prior_predictive(priors, inputs, mali, draws=DRAWS, seed=6)
    assert not np.array_equal(other.share, shipped_check.share)


def test_nearly_fixed_priors_give_the_model_probability_at_their_means(inputs, mali):
    # With (almost) no prior uncertainty every draw is the prior mean, so each case's
    # P(success) is the model's probability at those coefficients: checks the wiring
    # of alpha and of each factor's beta.
    mu = {"intercept": 0.4} | dict(zip(FACTOR_IDS, (0.9, -0.3, 0.5, 0.1), strict=True))
    priors = normal_priors(mu, dict.fromkeys(mu, 1e-6))
    check = prior_predictive(priors, inputs, mali, draws=200, seed=1)
    beta = np.array([[mu[f] for f in FACTOR_IDS]])
    expected = success_probability(
        np.array([mu["intercept"]]), beta, inputs.rating_centre, inputs.rating_sd
    )[0]
    assert check.cases["p_median"].to_numpy() == pytest.approx(expected, abs=1e-4)
    # the current scenario: the same integral over the case's own factor states, its
    # ratings measured from the reference class's average
    states = mali.scenarios[CURRENT].factors
    centre = np.array([[states[f].rating for f in FACTOR_IDS]]) - inputs.factor_centre
    spread = np.array([[states[f].sd for f in FACTOR_IDS]])
    p_current = success_probability(np.array([mu["intercept"]]), beta, centre, spread)[0, 0]
    assert check.forecast.scenarios.loc[CURRENT, "p"] == pytest.approx(p_current, abs=1e-4)


def test_plots_return_figure_and_axes(shipped_check):
    forecasters = load_forecasters(ROOT / "priors" / "forecasters")
    figures = [
        elicited_prior(elicit(Statement.odds_ratio_interval(1.1, 3.0, 0.9))),
        elicited_prior(elicit(Statement.probability_quartiles(0.3, 0.5, 0.7))),
        pooled_priors(linear_pool(forecasters), fitted=fitted_pool(forecasters)),
        prior_predictive_cases(shipped_check),
        prior_predictive_share(shipped_check),
        prior_predictive_scenarios(shipped_check),
    ]
    for fig, ax in figures:
        assert fig is (ax[0] if isinstance(ax, np.ndarray) else ax).figure
        plt.close(fig)
    fig, ax = plt.subplots()
    assert prior_predictive_share(shipped_check, ax=ax) == (fig, ax)
    plt.close(fig)
