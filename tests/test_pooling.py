import shutil

import numpy as np
import pymc as pm
import pytest
import tomlkit

from forecasting.errors import InputError
from forecasting.inputs.reference import load_reference
from forecasting.model.logit import build_model, model_inputs
from forecasting.priors.effects import PARAMETERS
from forecasting.priors.pooling import (
    fitted_pool,
    linear_pool,
    load_forecaster,
    load_forecasters,
    mixture_quantiles,
)
from tests.conftest import REFERENCE, ROOT

SHIPPED = ROOT / "priors" / "forecasters"


def _edited(source, target, edit):
    doc = tomlkit.parse(source.read_text())
    edit(doc)
    target.write_text(tomlkit.dumps(doc))
    return target


@pytest.fixture
def unequal(tmp_path):
    """The shipped forecasters, weighted 1 and 3."""
    folder = tmp_path / "forecasters"
    folder.mkdir()
    shutil.copy(SHIPPED / "sahel-analyst.toml", folder)

    def heavier(doc):
        doc["forecaster"]["weight"] = 3.0

    _edited(SHIPPED / "peacekeeping-scholar.toml", folder / "peacekeeping-scholar.toml", heavier)
    return load_forecasters(folder)


def test_shipped_forecasters_load_with_names_weights_and_statements():
    forecasters = load_forecasters(SHIPPED)
    assert {f.name for f in forecasters} == {"sahel-analyst", "peacekeeping-scholar"}
    assert all(f.weight == 1.0 for f in forecasters)
    for f in forecasters:
        priors = [f.priors.intercept, *f.priors.factors.values()]
        assert all(p.elicitation is not None and p.author and p.rationale for p in priors)
    # the two disagree where the files say they do
    by_name = {f.name: f.priors.parameters() for f in forecasters}
    for factor in ("troop_readiness", "timing"):
        assert by_name["sahel-analyst"][factor][0] > by_name["peacekeeping-scholar"][factor][0]


def test_linear_pool_quantiles_match_a_monte_carlo_of_the_mixture(unequal):
    pool = linear_pool(unequal)
    components = pool.components()
    assert components.mu.shape == (len(PARAMETERS), 2)
    assert pool.weights == {"peacekeeping-scholar": 0.75, "sahel-analyst": 0.25}

    rng = np.random.default_rng(11)
    n = 400_000
    qs = np.array([0.05, 0.25, 0.5, 0.75, 0.95])
    for name in PARAMETERS:
        # draw from each forecaster's Normal in proportion to its weight
        counts = {f.name: round(n * w) for f, w in zip(unequal, (0.75, 0.25), strict=True)}
        draws = np.concatenate(
            [rng.normal(*f.priors.parameters()[name], counts[f.name]) for f in unequal]
        )
        expected = np.quantile(draws, qs)
        assert mixture_quantiles(components, name, qs) == pytest.approx(expected, abs=0.01)


def test_fitted_pool_has_the_mixtures_mean_and_sd(unequal):
    fitted = fitted_pool(unequal)
    assert fitted.components().mu.shape == (len(PARAMETERS), 1)
    w = np.array([0.75, 0.25])
    for name in PARAMETERS:
        mu, sigma = np.array([f.priors.parameters()[name] for f in unequal]).T
        mean = float(w @ mu)
        sd = float(np.sqrt(w @ (sigma**2 + (mu - mean) ** 2)))
        assert fitted.parameters()[name] == pytest.approx((mean, sd), rel=1e-9)
        assert linear_pool(unequal).parameters()[name] == pytest.approx((mean, sd), rel=1e-9)
    assert fitted.sources == tuple(f.path for f in unequal)
    assert fitted.path == unequal[0].path.parent


@pytest.mark.parametrize(
    "edit, key, message",
    [
        (lambda d: d.pop("forecaster"), "forecaster", "required table is missing"),
        (lambda d: d["forecaster"].__setitem__("weight", 0), "forecaster.weight", "greater than 0"),
        (lambda d: d["forecaster"].__setitem__("wieght", 1), "forecaster.wieght", "unknown key"),
        (lambda d: d["forecaster"].pop("name"), "forecaster.name", "required key is missing"),
        (lambda d: d["factors"]["timing"].__setitem__("mu", 1.5), "factors.timing", "do not match"),
        (lambda d: d["factors"].pop("host_army"), "factors.host_army", "required table"),
    ],
)
def test_bad_forecaster_file_names_file_and_key(tmp_path, edit, key, message):
    path = _edited(SHIPPED / "sahel-analyst.toml", tmp_path / "bad.toml", edit)
    with pytest.raises(InputError) as info:
        load_forecaster(path)
    assert info.value.file == str(path)
    assert info.value.key == key
    assert message in info.value.message


def test_every_problem_in_a_forecaster_file_is_reported_at_once(tmp_path):
    def two_problems(doc):
        doc["forecaster"]["weight"] = -1
        doc["intercept"]["sigma"] = -0.5

    path = _edited(SHIPPED / "sahel-analyst.toml", tmp_path / "bad.toml", two_problems)
    with pytest.raises(InputError) as info:
        load_forecaster(path)
    assert {p.key for p in info.value.problems} == {"forecaster.weight", "intercept.sigma"}


def test_folder_problems_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="no forecaster files"):
        load_forecasters(tmp_path)
    shutil.copy(SHIPPED / "sahel-analyst.toml", tmp_path / "a.toml")
    shutil.copy(SHIPPED / "sahel-analyst.toml", tmp_path / "b.toml")
    with pytest.raises(InputError, match="'sahel-analyst' is also the name in"):
        load_forecasters(tmp_path)


@pytest.mark.parametrize("pool", [linear_pool, fitted_pool])
def test_model_builds_from_a_pool_with_finite_logp(pool):
    priors = pool(load_forecasters(SHIPPED))
    model = build_model(model_inputs(load_reference(REFERENCE)), priors)
    point = model.initial_point()
    assert np.isfinite(model.compile_logp()(point))


def test_linear_pool_prior_is_the_mixture_of_the_forecasters_joint_priors():
    """The model's prior density at a point is sum_f w_f prod_p Normal(theta_p | f), and
    its draws match a direct Monte Carlo of 'pick a forecaster, draw all his parameters'
    in what matters: the prior mean P(success) of a Mali-like case."""
    from scipy.special import expit
    from scipy.stats import norm

    forecasters = load_forecasters(SHIPPED)
    pool = linear_pool(forecasters)
    model = build_model(model_inputs(load_reference(REFERENCE)), pool)
    c = pool.components()
    theta = np.array([0.3, 0.5, 0.2, -0.1, 0.4])
    expected = np.log(
        sum(
            w * np.prod(norm.pdf(theta, c.mu[:, j], c.sigma[:, j]))
            for j, w in enumerate(c.forecaster_weights)
        )
    )
    logp = model.compile_logp(vars=[model["theta"]])({"theta": theta})
    assert logp == pytest.approx(expected, rel=1e-9)

    x = np.array([-1.0, -1.5, -0.5, -1.5])  # rated well below average on every factor
    alpha, beta = pm.draw([model["alpha"], model["beta"]], draws=10_000, random_seed=3)
    from_model = expit(alpha + beta @ x).mean()
    rng = np.random.default_rng(4)
    which = rng.choice(len(c.forecaster_weights), size=10_000, p=c.forecaster_weights)
    direct_theta = rng.normal(c.mu[:, which].T, c.sigma[:, which].T)
    direct = expit(direct_theta[:, 0] + direct_theta[:, 1:] @ x).mean()
    assert from_model == pytest.approx(direct, abs=0.01)
