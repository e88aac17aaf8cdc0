import numpy as np
import pytest
import statsmodels.api as sm
from scipy.special import expit

from forecasting.checks import track_record as tr
from forecasting.forecast.extrapolation import check_extrapolation, in_convex_hull, in_words
from forecasting.inputs.cases import load_case
from forecasting.model.draws import parameter_draws
from forecasting.model.fitting import fit
from forecasting.model.logit import success_probability


@pytest.fixture(scope="module")
def record(real_mali_result):
    result = real_mali_result
    return tr.track_record(result.fit.posterior, result.inputs, result.priors, result.fit.settings)


def test_integrated_probability_matches_monte_carlo():
    rng = np.random.default_rng(0)
    alpha, beta = rng.normal(size=3), rng.normal(size=(3, 4))
    centre, spread = rng.normal(size=(2, 4)), rng.uniform(0, 1, size=(2, 4))
    z = rng.standard_normal((200_000, 4))
    for s in range(3):
        for i in range(2):
            direct = expit(alpha[s] + (centre[i] + spread[i] * z) @ beta[s]).mean()
            exact = success_probability(
                alpha[s : s + 1], beta[s : s + 1], centre[i : i + 1], spread[i : i + 1]
            )
            assert exact[0, 0] == pytest.approx(direct, abs=2e-3)


@pytest.mark.slow
def test_loo_predictions_and_scores(record, mali_result):
    p = record.predictions
    assert len(p) == len(mali_result.inputs.outcome)
    assert p["p_model"].between(0, 1).all() and (p["pareto_k"] < tr.K_THRESHOLD).all()
    y = p["outcome"].to_numpy()
    base = (y.sum() - y) / (len(y) - 1)
    np.testing.assert_allclose(p["p_base_rate"], base)
    assert record.scores.loc["base rate (LOO)", "brier"] == pytest.approx(np.mean((base - y) ** 2))
    # a model that has learnt anything beats the base rate on its own history
    assert record.scores.loc["model (LOO)", "brier"] < record.scores.loc["base rate (LOO)", "brier"]
    worst = record.worst(3)
    assert (worst["error"].diff().dropna() <= 0).all()


def test_ml_logit_loo_matches_a_direct_fit(mali_result):
    inputs = mali_result.inputs
    design = sm.add_constant(inputs.rating_centre, has_constant="add")
    keep = np.arange(len(inputs.outcome)) != 4
    direct = sm.Logit(inputs.outcome[keep], design[keep]).fit(disp=0).predict(design[4:5])[0]
    assert tr.ml_logit_loo(inputs)[4] == pytest.approx(direct, rel=1e-6)


def test_high_pareto_k_triggers_an_exact_refit(mali_result, monkeypatch):
    original = tr.psis_loo

    def one_bad_k(posterior, inputs):
        frame = original(posterior, inputs)
        frame.loc[0, "pareto_k"] = 1.0
        return frame

    monkeypatch.setattr(tr, "psis_loo", one_bad_k)
    record = tr.track_record(
        mali_result.fit.posterior, mali_result.inputs, mali_result.priors, mali_result.fit.settings
    )
    assert record.n_refits == 1 and record.predictions["refit"].tolist()[:2] == [True, False]
    # the refitted case's prediction comes from a posterior fitted without it
    held_out = fit(
        tr.leave_out(mali_result.inputs, 0), mali_result.priors, mali_result.fit.settings
    )
    without = parameter_draws(held_out.posterior)
    direct = success_probability(
        without.flat_alpha,
        without.flat_beta,
        mali_result.inputs.rating_centre[:1],
        mali_result.inputs.rating_sd[:1],
    ).mean()
    assert record.predictions.loc[0, "p_model"] == pytest.approx(direct)


@pytest.mark.slow
def test_calibration_table_counts_every_case(record):
    table = tr.calibration_table(record.predictions)
    assert table["count"].sum() == len(record.predictions)
    # each bin's observed frequency is the success share of the cases predicted inside it
    p, y = record.predictions["p_model"], record.predictions["outcome"]
    for row in table.itertuples():
        inside = (p >= row.bin_lo) & ((p < row.bin_hi) | (row.bin_hi == 1))
        assert row.observed == pytest.approx(y[inside].mean())
        assert row.count == inside.sum()


def test_convex_hull_check():
    square = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    assert in_convex_hull(square, np.array([0.5, 0.5]))
    assert in_convex_hull(square, np.array([1.0, 1.0]))
    assert not in_convex_hull(square, np.array([1.2, 0.5]))


def test_scenario_built_outside_history_is_flagged(mali_result, tmp_path):
    used = mali_result.split.used
    text = (
        mali_result.case.path.read_text()
        + '\n[scenarios.fantasy]\ndescription = "every factor at its best"\n'
        + "".join(
            f'[scenarios.fantasy.factors.{f}]\nrating = 5\nsd = 0\nrationale = "x"\n'
            for f in ("political_cohesion", "host_army", "troop_readiness", "timing")
        )
    )
    case_file = tmp_path / "fantasy.toml"
    case_file.write_text(text)
    extrapolation = check_extrapolation(load_case(case_file), used)
    assert "fantasy" in extrapolation.outside()
    assert extrapolation.as_dict()["fantasy"]["in_hull"] is False
    assert any(s.startswith("fantasy: OUTSIDE") for s in in_words(extrapolation))


def test_a_scenario_between_two_past_cases_is_inside(mali_result):
    cases = mali_result.split.used.cases.dropna(subset=["timing"])
    factors = ["political_cohesion", "host_army", "troop_readiness", "timing"]
    midpoint = cases[factors].iloc[:2].mean().to_numpy()
    assert in_convex_hull(cases[factors].to_numpy(dtype=float), midpoint)
    # and a point beyond the best past case on every factor is not
    beyond = cases[factors].max().to_numpy(dtype=float) + 0.5
    assert not in_convex_hull(cases[factors].to_numpy(dtype=float), beyond)


def test_hull_distance_is_zero_inside_and_euclidean_outside():
    from forecasting.forecast.extrapolation import hull_distance

    square = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    assert hull_distance(square, np.array([0.5, 0.5])) == pytest.approx(0, abs=1e-6)
    assert hull_distance(square, np.array([1.5, 0.5])) == pytest.approx(0.5, abs=1e-6)
    assert hull_distance(square, np.array([2.0, 2.0])) == pytest.approx(np.sqrt(2), abs=1e-6)
