"""What-if analysis (one factor state changed, a rating sweep), saving a factor state to a
case file, and the notebooks' shared settings."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting import notebook, settings
from forecasting.factors import FACTOR_IDS
from forecasting.forecast.prior_predictive import prior_tree
from forecasting.forecast.what_if import compare_cases, rating_sweep
from forecasting.inputs.case_edits import save_factor_state, with_factor_state
from forecasting.inputs.cases import CURRENT, FactorState, load_case
from forecasting.plots import what_if as what_if_plots
from forecasting.priors.effects import PARAMETERS, load_effect_priors
from tests.conftest import EFFECTS, MALI, SMALL

STRONG = FactorState(rating=4.0, sd=0.3, rationale="test")


@pytest.fixture(scope="module")
def case():
    return load_case(MALI)


@pytest.fixture(scope="module")
def positive_posterior():
    """Draws with every effect positive: P(success) rises with every rating, draw by draw."""
    rng = np.random.default_rng(3)
    alpha = rng.normal(0.0, 0.5, 2000)
    beta = np.abs(rng.normal(0.6, 0.3, (2000, len(FACTOR_IDS)))) + 0.05
    return prior_tree(alpha, beta, np.full(len(FACTOR_IDS), 3.0))


def test_changing_current_moves_every_scenario_that_does_not_override_the_factor(case):
    changed = with_factor_state(case, "troop_readiness", STRONG)
    for name, scenario in case.scenarios.items():
        expected = (
            scenario.factors["troop_readiness"]
            if "troop_readiness" in scenario.overridden
            else STRONG
        )
        assert changed.scenarios[name].factors["troop_readiness"] == expected
        assert changed.scenarios[name].overridden == scenario.overridden
    assert case.scenarios[CURRENT].factors["troop_readiness"] != STRONG  # the input is untouched


def test_changing_a_named_scenario_changes_only_it_and_marks_the_override(case):
    base = next(n for n, s in case.scenarios.items() if n != CURRENT and not s.overridden)
    changed = with_factor_state(case, "timing", STRONG, scenario=base)
    assert changed.scenarios[base].factors["timing"] == STRONG
    assert changed.scenarios[base].overridden == ("timing",)
    others = [n for n in case.scenarios if n != base]
    assert all(changed.scenarios[n] == case.scenarios[n] for n in others)


def test_unknown_factor_or_scenario_is_refused(case):
    with pytest.raises(ValueError, match="unknown factor"):
        with_factor_state(case, "morale", STRONG)
    with pytest.raises(ValueError, match="unknown scenario"):
        with_factor_state(case, "timing", STRONG, scenario="never")


def test_compare_cases_pairs_draws_so_untouched_scenarios_do_not_move(case, positive_posterior):
    base = next(n for n, s in case.scenarios.items() if n != CURRENT and not s.overridden)
    changed = with_factor_state(case, "timing", STRONG, scenario=base)
    table = compare_cases(positive_posterior, case, changed)
    assert list(table.index) == list(case.scenarios)
    untouched = table.drop(index=base)
    assert (untouched["difference_lo95"] == 0).all() and (untouched["difference_hi95"] == 0).all()
    # timing raised from the case's rating with every effect positive: better in every draw
    assert case.scenarios[base].factors["timing"].rating < STRONG.rating
    assert table.loc[base, "difference_lo95"] > 0


def test_rating_sweep_rises_with_a_positive_effect_and_pairs_with_the_assessed_case(
    case, positive_posterior
):
    sweep = rating_sweep(positive_posterior, case, "host_army")
    table = sweep.table
    assert table.index[0] == 1 and table.index[-1] == 5
    assert (np.diff(table["p"]) > 0).all()
    assessed = case.scenarios[CURRENT].factors["host_army"]
    assert sweep.assessed == assessed
    at_assessed = table.loc[assessed.rating]  # 1.5 is on the default half-step grid
    assert at_assessed["difference_lo95"] == at_assessed["difference_hi95"] == 0
    assert at_assessed["p"] == pytest.approx(sweep.p_assessed)


def test_rating_sweep_of_a_named_scenario_and_bad_ratings(case, positive_posterior):
    sweep = rating_sweep(
        positive_posterior, case, "timing", scenario="as_planned", ratings=[2, 3], sd=0.0
    )
    assert list(sweep.table.index) == [2.0, 3.0]
    assert sweep.assessed == case.scenarios["as_planned"].factors["timing"]
    with pytest.raises(ValueError, match="ratings must lie"):
        rating_sweep(positive_posterior, case, "timing", ratings=[0.5, 3])


def test_rating_sweep_plot_returns_figure_and_axes(case, positive_posterior):
    import matplotlib.pyplot as plt

    sweep = rating_sweep(positive_posterior, case, "timing")
    _, ax = what_if_plots.rating_sweep_plot(sweep)
    assert ax.get_ylabel() == "P(success)"
    _, given = plt.subplots()
    assert what_if_plots.rating_sweep_plot(sweep, ax=given, title="")[1] is given
    plt.close("all")


def test_save_factor_state_writes_a_copy_keeping_comments(case, tmp_path):
    before = MALI.read_bytes()
    target = save_factor_state(case, "host_army", STRONG, target=tmp_path / "revised.toml")
    assert MALI.read_bytes() == before
    text = target.read_text()
    assert text.splitlines()[0] == MALI.read_text().splitlines()[0]  # the header comment stays
    saved = load_case(target)
    assert saved.scenarios[CURRENT].factors["host_army"] == STRONG
    assert saved.scenarios == with_factor_state(case, "host_army", STRONG).scenarios


def test_save_factor_state_into_a_scenario_and_refusals(case, tmp_path):
    base = next(n for n, s in case.scenarios.items() if n != CURRENT and not s.overridden)
    target = save_factor_state(case, "timing", STRONG, scenario=base, target=tmp_path / "c.toml")
    saved = load_case(target)
    assert saved.scenarios[base].factors["timing"] == STRONG
    assert saved.scenarios[base].overridden == ("timing",)
    with pytest.raises(ValueError, match="unknown factor"):
        save_factor_state(case, "morale", STRONG, target=tmp_path / "bad.toml")
    assert not (tmp_path / "bad.toml").exists()


def test_notebook_settings_switch_on_fast_mode(monkeypatch):
    monkeypatch.delenv(settings.FAST_ENV, raising=False)
    assert not settings.fast_mode()
    assert notebook.sampler_settings().draws > SMALL.draws
    for value in ("1", "yes"):
        monkeypatch.setenv(settings.FAST_ENV, value)
        # the test suite's settings, so the notebooks reuse the session's cached fit
        assert notebook.sampler_settings() == SMALL
    monkeypatch.setenv(settings.FAST_ENV, "0")
    assert not settings.fast_mode()


def test_save_target_never_points_at_the_project_under_tests(monkeypatch, tmp_path):
    monkeypatch.delenv(settings.FAST_ENV, raising=False)
    monkeypatch.delenv(settings.NOTEBOOK_OUT_ENV, raising=False)
    assert notebook.save_target(EFFECTS) == EFFECTS  # by hand: where the notebook says
    monkeypatch.setenv(settings.FAST_ENV, "1")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))  # the scratch folder goes here
    notebook._scratch_folder.cache_clear()
    scratch = notebook.save_target(EFFECTS)
    assert scratch.name == EFFECTS.name and scratch.parent != EFFECTS.parent
    assert notebook.save_target(MALI).parent == scratch.parent
    assert scratch.parent.parent == tmp_path
    notebook._scratch_folder.cache_clear()
    monkeypatch.setenv(settings.NOTEBOOK_OUT_ENV, str(tmp_path))
    assert notebook.save_target(EFFECTS) == tmp_path / EFFECTS.name


def test_priors_table_has_a_row_per_parameter():
    priors = load_effect_priors(EFFECTS)
    table = notebook.priors_table(priors)
    assert list(table.index) == list(PARAMETERS)
    assert table.loc["timing", "mu"] == priors.factors["timing"].mu
    assert table.loc["intercept", "statement"] == priors.intercept.elicitation.statement
