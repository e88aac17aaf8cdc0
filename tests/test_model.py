import numpy as np
import pymc as pm
import pytest

from forecasting.factors import FACTOR_IDS
from forecasting.model import build_model, model_inputs
from forecasting.priors import load_effect_priors
from forecasting.reference import load_reference
from forecasting.settings import UNKNOWN_RATING_SD, SamplerSettings
from tests.conftest import EFFECTS, REFERENCE
from tests.helpers import normal_priors, simulated_reference


@pytest.fixture(scope="module")
def inputs():
    return model_inputs(load_reference(REFERENCE))


def test_structure_named_dims_and_free_variables(inputs):
    model = build_model(inputs, load_effect_priors(EFFECTS))
    assert {v.name for v in model.free_RVs} == {"alpha", "beta", "rating_z"}
    assert model.named_vars_to_dims["beta"] == ("factor",)
    assert model.named_vars_to_dims["rating_z"] == ("case", "factor")
    assert list(model.coords["factor"]) == list(FACTOR_IDS)
    assert len(model.coords["case"]) == len(inputs.case_ids)
    assert {"alpha_mu", "beta_sigma", "rating_centre", "rating_sd"} <= set(model.named_vars)


def test_logp_and_gradient_are_finite_at_the_initial_point(inputs):
    model = build_model(inputs, load_effect_priors(EFFECTS))
    point = model.initial_point()
    assert np.isfinite(model.compile_logp()(point))
    assert all(np.isfinite(g).all() for g in np.atleast_1d(model.compile_dlogp()(point)))


def test_unknown_ratings_are_latent_around_typical(inputs):
    assert (inputs.rating_sd[~inputs.known] == UNKNOWN_RATING_SD).all()
    assert (inputs.rating_centre[~inputs.known] == 0).all()
    assert (inputs.rating_sd[inputs.known] <= 1.0).all()


def test_priors_enter_as_data(inputs):
    model = build_model(inputs, load_effect_priors(EFFECTS))
    with model:
        pm.set_data({"beta_mu": np.full(len(FACTOR_IDS), 2.0)})
    assert model["beta_mu"].get_value().tolist() == [2.0] * len(FACTOR_IDS)


@pytest.mark.slow
def test_small_fit_recovers_known_coefficients():
    from forecasting.fitting import sample

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
