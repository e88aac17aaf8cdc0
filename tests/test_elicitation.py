import datetime as dt
import math
import shutil

import numpy as np
import pytest
from scipy.special import expit, logit
from scipy.stats import norm, truncnorm

from forecasting.priors.effects import load_effect_priors, save_effect_priors, with_prior
from forecasting.priors.elicitation import (
    NormalPrior,
    Statement,
    effect_prior,
    elicit,
    factor_state,
    implied_summary,
)
from tests.conftest import EFFECTS


def _mass(prior: NormalPrior, lo: float, hi: float) -> float:
    return float(norm.cdf(hi, prior.mu, prior.sigma) - norm.cdf(lo, prior.mu, prior.sigma))


def test_odds_ratio_interval_puts_the_stated_mass_in_the_stated_interval():
    prior = Statement.odds_ratio_interval(1.2, 4.0, 0.8).prior()
    assert _mass(prior, math.log(1.2), math.log(4.0)) == pytest.approx(0.8, abs=2e-3)
    # maximum entropy: equal tails, i.e. the bounds are the 10% and 90% quantiles
    assert norm.ppf(0.1, prior.mu, prior.sigma) == pytest.approx(math.log(1.2), abs=5e-3)


def test_probability_interval_puts_the_stated_mass_on_the_logit_scale():
    prior = Statement.probability_interval(0.2, 0.6, 0.9).prior()
    assert _mass(prior, logit(0.2), logit(0.6)) == pytest.approx(0.9, abs=2e-3)


def test_quartile_statements_give_the_stated_quartiles():
    prior = Statement.odds_ratio_quartiles(1.2, math.sqrt(1.2 * 2.0), 2.0).prior()
    quartiles = np.exp(norm.ppf([0.25, 0.5, 0.75], prior.mu, prior.sigma))
    assert quartiles == pytest.approx([1.2, math.sqrt(2.4), 2.0], rel=5e-3)

    base = Statement.probability_quartiles(0.3, 0.5, 0.7).prior()
    assert expit(norm.ppf([0.25, 0.75], base.mu, base.sigma)) == pytest.approx([0.3, 0.7], abs=5e-3)


def test_asymmetric_quartiles_are_fitted_but_not_saved_silently():
    # A Normal on the log scale is symmetric: quartiles 1.2 / 2 with median 1.5 cannot all hold.
    statement = Statement.odds_ratio_quartiles(1.2, 1.5, 2.0)
    prior = statement.prior()
    fitted = np.exp(norm.ppf([0.25, 0.5, 0.75], prior.mu, prior.sigma))
    assert fitted == pytest.approx([1.2, 1.5, 2.0], rel=0.05)
    with pytest.raises(ValueError, match=r"state a median of 1\.55"):
        effect_prior(statement, author="a", rationale="b")


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: Statement.odds_ratio_interval(3.0, 1.1), "lower < upper"),
        (lambda: Statement.odds_ratio_interval(-1.0, 2.0), "0 < lower"),
        (lambda: Statement.odds_ratio_interval(1.1, 3.0, 1.0), "mass"),
        (lambda: Statement.probability_interval(0.2, 1.2), "0 < lower < upper < 1"),
        (lambda: Statement.odds_ratio_quartiles(1.2, 2.5, 2.0), "median"),
    ],
)
def test_bad_statements_are_rejected_with_a_reason(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_implied_summary_of_an_effect_matches_a_monte_carlo():
    base = NormalPrior(0.2, 0.5)
    effect = NormalPrior(0.6, 0.3)
    table = implied_summary(effect, role="effect", intercept=base, quantiles=(0.1, 0.5, 0.9))
    rng = np.random.default_rng(3)
    alpha = rng.normal(base.mu, base.sigma, 200_000)
    beta = rng.normal(effect.mu, effect.sigma, 200_000)
    qs = [0.1, 0.5, 0.9]
    assert table["odds_ratio"].to_numpy() == pytest.approx(np.quantile(np.exp(beta), qs), rel=0.01)
    assert table["p_typical"].to_numpy() == pytest.approx(np.quantile(expit(alpha), qs), abs=0.005)
    assert table["p_one_step_up"].to_numpy() == pytest.approx(
        np.quantile(expit(alpha + beta), qs), abs=0.005
    )


def test_implied_base_rate_reproduces_the_statement():
    statement = Statement.probability_interval(0.3, 0.75, 0.9)
    table = implied_summary(statement.prior(), role="base_rate", quantiles=(0.05, 0.95))
    assert table["p_success"].to_numpy() == pytest.approx([0.3, 0.75], abs=3e-3)


def test_elicit_uses_the_shipped_intercept_for_effects():
    e = elicit(Statement.odds_ratio_interval(1.1, 3.0, 0.9))
    shipped = load_effect_priors(EFFECTS).intercept
    assert (e.intercept.mu, e.intercept.sigma) == (shipped.mu, shipped.sigma)
    assert e.implied.loc[0.5, "p_typical"] == pytest.approx(expit(shipped.mu))
    assert e.implied.loc[0.5, "p_one_step_up"] > e.implied.loc[0.5, "p_typical"]
    assert elicit(Statement.probability_interval(0.3, 0.7)).intercept is None


@pytest.mark.parametrize(
    "statement",
    [
        Statement.odds_ratio_interval(1.2, 4.0, 0.8, text="80% sure: odds ratio 1.2 to 4"),
        Statement.odds_ratio_quartiles(1.2, math.sqrt(1.2 * 2.0), 2.0),
    ],
)
def test_effect_prior_saves_and_reloads_with_its_statement(tmp_path, statement):
    path = tmp_path / "effects.toml"
    shutil.copy(EFFECTS, path)
    new = effect_prior(
        statement, author="T. Ester", rationale="after EUTM Mali", date=dt.date(2026, 12, 1)
    )
    save_effect_priors(with_prior(load_effect_priors(path), "host_army", new))
    saved = load_effect_priors(path).factors["host_army"]  # the loader re-checks the statement
    assert saved.mu == pytest.approx(statement.prior().mu, abs=1e-3)
    assert saved.author == "T. Ester" and saved.date == dt.date(2026, 12, 1)
    assert saved.elicitation.statement == statement.wording()
    assert saved.elicitation.mass == statement.mass
    assert "# Effect priors for the mission-success model." in path.read_text()


def test_factor_state_inside_the_scale_is_the_maxent_normal():
    e = factor_state(2.0, 3.5, 0.8, rationale="weak but intact")
    assert e.state.rating == pytest.approx(2.75, abs=0.01)
    assert _mass(NormalPrior(e.state.rating, e.state.sd), 2.0, 3.5) == pytest.approx(0.8, abs=0.01)
    assert e.state.rationale == "weak but intact"
    assert e.mass_outside_scale < 0.01


def test_factor_state_at_the_end_of_the_scale_is_truncated():
    e = factor_state(1.0, 2.0, 0.8, rationale="in shambles")
    a, b = (1.0 - e.truncated_mu) / e.truncated_sigma, (5.0 - e.truncated_mu) / e.truncated_sigma
    stated = truncnorm(a, b, loc=e.truncated_mu, scale=e.truncated_sigma)
    assert stated.cdf(2.0) - stated.cdf(1.0) == pytest.approx(0.8, abs=0.005)
    # the case file gets that distribution's mean and sd: pulled in from the scale's end
    assert e.state.rating == pytest.approx(stated.mean(), abs=0.006)
    assert e.state.sd == pytest.approx(stated.std(), abs=0.006)
    assert 1.5 < e.state.rating < 2.0
    with pytest.raises(ValueError, match="whole scale"):
        factor_state(1.0, 5.0, 0.9, rationale="x")
    with pytest.raises(ValueError, match="lower < upper"):
        factor_state(0.5, 2.0, 0.8, rationale="x")
