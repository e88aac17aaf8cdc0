import numpy as np
import pymc as pm
import pytest

from forecasting.factors import FACTOR_IDS, RATING_CENTRE
from forecasting.inputs.reference import load_reference
from forecasting.model.logit import build_model, factor_distribution, model_inputs
from forecasting.priors.effects import load_effect_priors
from forecasting.settings import UNKNOWN_RATING_SD, SamplerSettings
from tests.conftest import EFFECTS, REFERENCE
from tests.helpers import normal_priors, simulated_reference


@pytest.fixture(scope="module")
def inputs():
    return model_inputs(load_reference(REFERENCE))


def test_structure_named_dims_and_free_variables(inputs):
    model = build_model(inputs, load_effect_priors(EFFECTS))
    # the latent factor states are integrated out, not sampled
    assert {v.name for v in model.free_RVs} == {"alpha", "beta"}
    assert model.named_vars_to_dims["beta"] == ("factor",)
    assert model.named_vars_to_dims["outcome_data"] == ("case",)
    assert model.named_vars_to_dims["case_in_fit"] == ("case",)
    assert list(model.coords["factor"]) == list(FACTOR_IDS)
    assert len(model.coords["case"]) == len(inputs.case_ids)
    assert {"prior_mu", "prior_sigma", "rating_centre", "rating_sd"} <= set(model.named_vars)
    assert [p.name for p in model.potentials] == ["outcome"]


def test_logp_and_gradient_are_finite_at_the_initial_point(inputs):
    model = build_model(inputs, load_effect_priors(EFFECTS))
    point = model.initial_point()
    assert np.isfinite(model.compile_logp()(point))
    assert all(np.isfinite(g).all() for g in np.atleast_1d(model.compile_dlogp()(point)))


def test_factors_are_centred_on_the_reference_average_and_blanks_imputed_from_it(inputs):
    reference = load_reference(REFERENCE)
    for k, factor in enumerate(FACTOR_IDS):
        coded = reference.cases[factor].dropna()
        assert inputs.factor_centre[k] == pytest.approx(coded.mean())
        # a coded rating is measured from the class average; the coded ones average to 0
        assert inputs.rating_centre[inputs.known[:, k], k].mean() == pytest.approx(0, abs=1e-9)
        # a blank is imputed from the class's distribution of that factor
        blank = ~inputs.known[:, k]
        assert (inputs.rating_centre[blank, k] == 0).all()
        assert inputs.rating_sd[blank, k] == pytest.approx(max(coded.std(ddof=1), 0.25))
    assert (inputs.rating_sd[inputs.known] <= 1.0).all()


def test_a_factor_nobody_coded_falls_back_to_the_scale_middle():
    ratings = np.array([[2.0, np.nan], [4.0, np.nan], [3.0, 1.0]])
    centre, spread = factor_distribution(ratings)
    assert centre.tolist() == [3.0, RATING_CENTRE]
    assert spread[1] == UNKNOWN_RATING_SD


def test_likelihood_integrates_over_the_rating_uncertainty(inputs):
    """The model's log-likelihood equals a Monte Carlo average over latent factor states."""
    from scipy.special import expit

    from forecasting.model.logit import success_probability

    model = build_model(inputs, load_effect_priors(EFFECTS))
    alpha, beta = 0.3, np.array([0.8, -0.4, 0.5, 0.2])
    point = {"alpha": alpha, "beta": beta}
    # the likelihood: a potential summing the cases in the fit
    log_lik = model.compile_logp(vars=[model["outcome"]])(point)
    rng = np.random.default_rng(1)
    z = rng.standard_normal((100_000, 1, len(FACTOR_IDS)))
    states = inputs.rating_centre + inputs.rating_sd * z  # (draw, case, factor)
    p_direct = expit(alpha + states @ beta).mean(axis=0)
    p_quadrature = success_probability(
        np.array([alpha]), beta[None], inputs.rating_centre, inputs.rating_sd
    )[0]
    np.testing.assert_allclose(p_quadrature, p_direct, atol=3e-3)
    y = inputs.outcome
    expected = np.where(y == 1, np.log(p_quadrature), np.log1p(-p_quadrature))
    assert log_lik == pytest.approx(expected.sum(), rel=1e-6)
    # a case held out of the fit leaves the likelihood, and only that case
    with model:
        pm.set_data({"case_in_fit": inputs.without(np.array([0])).in_fit.astype(float)})
    held_out = model.compile_logp(vars=[model["outcome"]])(point)
    assert held_out == pytest.approx(expected[1:].sum(), rel=1e-6)


def test_priors_enter_as_data(inputs):
    model = build_model(inputs, load_effect_priors(EFFECTS))
    prior_mu = np.full((1 + len(FACTOR_IDS), 1), 2.0)
    with model:
        pm.set_data({"prior_mu": prior_mu})
    logp = model.compile_fn(
        model.logp(vars=[model["beta"]]), inputs=[model.rvs_to_values[model["beta"]]]
    )
    sigma = np.array([load_effect_priors(EFFECTS).parameters()[f][1] for f in FACTOR_IDS])
    from scipy.stats import norm

    # the new prior centre is used without rebuilding the model
    assert logp({"beta": np.full(len(FACTOR_IDS), 2.0)}) == pytest.approx(
        norm.logpdf(2.0, 2.0, sigma).sum()
    )


@pytest.mark.slow
def test_small_fit_recovers_known_coefficients():
    from forecasting.model.fitting import sample

    alpha, beta = 0.4, np.array([1.0, -0.6, 0.5, 0.0])
    reference = simulated_reference(400, alpha, beta, seed=11)
    wide = {k: 0.0 for k in ("intercept", *FACTOR_IDS)}
    priors = normal_priors(wide, dict.fromkeys(wide, 2.5))
    settings = SamplerSettings(draws=300, tune=300, chains=4, seed=3)
    posterior = sample(model_inputs(reference), priors, settings, progressbar=False)["posterior"]
    beta_draws = posterior["beta"].values.reshape(-1, len(FACTOR_IDS))
    alpha_draws = posterior["alpha"].values.ravel()
    # within three posterior sds of the truth, and the signs where they are clear
    assert abs(alpha_draws.mean() - alpha) < 3 * alpha_draws.std()
    assert np.all(np.abs(beta_draws.mean(axis=0) - beta) < 3 * beta_draws.std(axis=0))
    assert beta_draws.mean(axis=0)[0] > 0.5 and beta_draws.mean(axis=0)[1] < -0.3
