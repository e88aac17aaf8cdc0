"""Simulation-based calibration: the rank-uniformity test on its own, a small
SBC that the real model passes, a deliberately broken fit that SBC catches,
the Dask path, and the command."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from forecasting.checks import sbc as sbc_module
from forecasting.checks.rank_uniformity import (
    chi_square,
    ecdf,
    ecdf_statistic,
    uniformity_reference,
)
from forecasting.checks.sbc import SBCSettings, quantity_names, run_sbc
from forecasting.inputs.reference import load_reference
from forecasting.model.logit import model_inputs
from forecasting.priors.effects import load_effect_priors
from tests.conftest import EFFECTS, REFERENCE

# Tiny fits: 2 chains x 150 draws still leave ESS above the 49 ranked draws.
SMALL = SBCSettings(simulations=30, draws=150, tune=150, chains=2, thinned_draws=49, seed=11)


@pytest.fixture(scope="module")
def design():
    return model_inputs(load_reference(REFERENCE)), load_effect_priors(EFFECTS)


@pytest.fixture(scope="module")
def calibrated(design):
    return run_sbc(*design, SMALL, scheduler=None)


def _flipped_simulate(inputs, priors, settings):
    """Fitting 1 - y is fitting y with logit_p -> -logit_p: a wrong sign in the likelihood."""
    real = _REAL_SIMULATE(inputs, priors, settings)
    return [replace(s, outcome=1 - s.outcome) for s in real]


_REAL_SIMULATE = sbc_module.simulate


# --- the uniformity test, without sampling ---------------------------------------------


def test_uniform_ranks_fail_about_as_often_as_the_test_level():
    reference = uniformity_reference(50, 99, simulations=4000, seed=1)
    rng = np.random.default_rng(2)
    p = np.array(
        [reference.p_value(ecdf_statistic(rng.integers(0, 100, 50), 99)) for _ in range(400)]
    )
    assert 0.02 <= np.mean(p < 0.05) <= 0.09
    assert 0.4 <= np.mean(p < 0.5) <= 0.6


def test_skewed_or_overdispersed_ranks_fail():
    reference = uniformity_reference(100, 99, simulations=4000, seed=1)
    rng = np.random.default_rng(3)
    skewed = np.minimum(99, (rng.beta(2.0, 1.0, 100) * 100).astype(int))
    u_shaped = np.minimum(99, (rng.beta(0.4, 0.4, 100) * 100).astype(int))
    assert reference.p_value(ecdf_statistic(skewed, 99)) < 0.001
    assert reference.p_value(ecdf_statistic(u_shaped, 99)) < 0.001
    assert chi_square(skewed, 99)[1] < 0.01


def test_band_holds_uniform_ecdfs_at_its_level():
    reference = uniformity_reference(40, 49, simulations=4000, seed=1)
    lower, upper = reference.band(0.9)
    rng = np.random.default_rng(4)
    inside = [
        np.all((lower <= e) & (e <= upper))
        for e in (ecdf(rng.integers(0, 50, 40), 49) for _ in range(500))
    ]
    assert 0.85 <= np.mean(inside) <= 0.95


def test_chi_square_uses_bins_that_divide_the_ranks_and_fill():
    ranks = np.arange(100)
    assert chi_square(ranks, 99)[2] == 20
    assert chi_square(ranks[:30], 99)[2] == 5
    assert chi_square(ranks[:5], 99)[2] == 0


# --- SBC of the model ---------------------------------------------------------------


@pytest.mark.slow
def test_the_model_passes_a_small_sbc(calibrated):
    assert calibrated.passed, calibrated.checks
    assert list(calibrated.ranks.columns) == quantity_names()
    assert len(calibrated.ranks) == SMALL.simulations
    assert calibrated.ranks.to_numpy().min() >= 0
    assert calibrated.ranks.to_numpy().max() <= SMALL.thinned_draws
    # The thinned draws are roughly independent only if ESS exceeds their number.
    assert (calibrated.fits["min_ess"] >= SMALL.thinned_draws).all()
    assert calibrated.threshold == pytest.approx(0.05 / 6)


def test_prior_draws_do_not_depend_on_the_number_of_simulations(design):
    few = sbc_module.simulate(*design, replace(SMALL, simulations=3))
    many = sbc_module.simulate(*design, replace(SMALL, simulations=5))
    for a, b in zip(few, many, strict=False):
        assert a.truth == b.truth and a.fit_seed == b.fit_seed
        np.testing.assert_array_equal(a.outcome, b.outcome)


@pytest.mark.slow
def test_sbc_catches_a_wrong_sign_in_the_likelihood(design, monkeypatch):
    monkeypatch.setattr(sbc_module, "simulate", _flipped_simulate)
    broken = run_sbc(*design, replace(SMALL, simulations=10), scheduler=None)
    assert not broken.passed
    # The sign error turns the betas' posteriors away from the truth.
    assert not broken.checks.filter(like="beta[", axis=0)["passed"].all()


@pytest.mark.slow
def test_a_running_dask_cluster_gives_the_in_process_ranks(design, calibrated):
    distributed = pytest.importorskip("distributed")
    few = replace(SMALL, simulations=sbc_module.BATCH_SIZE + 3)  # two tasks
    # Thread workers share this process's compiled model: the Dask path without a compile.
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        on_dask = run_sbc(*design, few, scheduler=cluster.scheduler_address)
    # Same prior draws and fit seeds, so the same ranks wherever the fits ran.
    pd.testing.assert_frame_equal(on_dask.ranks, calibrated.ranks.iloc[: few.simulations])
    pd.testing.assert_frame_equal(on_dask.fits, calibrated.fits.iloc[: few.simulations])


@pytest.mark.slow  # each of the two worker processes compiles the model (nutpie: 20 s CPU)
def test_the_default_local_cluster_of_processes_gives_the_in_process_ranks(design, calibrated):
    pytest.importorskip("distributed")
    few = replace(SMALL, simulations=sbc_module.BATCH_SIZE + 3)  # two tasks, one per worker
    on_dask = run_sbc(*design, few, scheduler="local", workers=2)
    pd.testing.assert_frame_equal(on_dask.ranks, calibrated.ranks.iloc[: few.simulations])
    pd.testing.assert_frame_equal(on_dask.fits, calibrated.fits.iloc[: few.simulations])


@pytest.mark.slow
def test_sbc_command_writes_summary_and_figure_and_exits_on_the_verdict(
    calibrated, tmp_path, monkeypatch
):
    from forecasting.cli.sbc import FIGURE_FILE, RANKS_FILE, SUMMARY_FILE, sbc

    app = typer.Typer()
    app.command()(sbc)
    args = ["--simulations", "10", "--draws", "100", "--tune", "100", "--scheduler", "none"]

    with monkeypatch.context() as patched:  # a passing run, without refitting
        patched.setattr(sbc_module, "run_sbc", lambda *args, **kwargs: calibrated)
        ok = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "ok")])
    assert ok.exit_code == 0, ok.output
    assert "beta[timing]" in ok.output
    summary = json.loads((tmp_path / "ok" / SUMMARY_FILE).read_text())
    assert summary["verdict"] == "pass" and summary["simulations"] == SMALL.simulations
    assert set(summary["quantities"]) == set(quantity_names())
    assert (tmp_path / "ok" / FIGURE_FILE).stat().st_size > 10_000
    ranks = pd.read_csv(tmp_path / "ok" / RANKS_FILE, index_col="simulation")
    pd.testing.assert_frame_equal(ranks[quantity_names()], calibrated.ranks)

    monkeypatch.setattr(sbc_module, "simulate", _flipped_simulate)
    bad = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "bad")])
    assert bad.exit_code == 1, bad.output
    summary = json.loads((tmp_path / "bad" / SUMMARY_FILE).read_text())
    assert summary["verdict"] == "fail" and summary["simulations"] == 10
