"""Simulation-based calibration (SBC) of the model as it is fitted (Talts et al. 2018).

Each simulation draws alpha and beta from the prior, simulates the outcomes
of a fixed design (the reference cases' ratings and rating sds) with the
latent factor states drawn explicitly, fits the posterior with nutpie as
`fitting.py` does, and ranks each true value among L roughly independent
posterior draws. When the model and sampler are right, every quantity's
ranks are uniform on 0..L; `rank_uniformity.py` gives the verdict.

Quantities ranked: alpha, each beta, and P(success) of a fixed scenario
(every factor `scenario_offset` steps from the reference average, default -1:
p = expit(alpha - sum(beta))).

Thinning: each fit keeps `chains x draws` draws and ranks against L of them,
evenly spaced. They are roughly independent when the fit's smallest bulk ESS
is at least L; fits below are counted (`SBCResult.fits.min_ess`), since
autocorrelated draws bend the ranks into a U.

Speed: the model is compiled once per process (cached by a hash of the
design) and refitted on new outcomes with `with_data`, no recompilation.
Fits are independent, so they run on Dask workers (a local cluster by
default, or a running cluster's address), or in this process.

Reproducibility: simulation i's prior draw, outcomes and fit seed depend only
on (seed, i), and are made in the calling process: the same whatever the
number of simulations, and the same ranks in this process or on any cluster.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from forecasting.checks.rank_uniformity import (
    UniformityReference,
    chi_square,
    ecdf_statistic,
    uniformity_reference,
)
from forecasting.factors import FACTOR_IDS
from forecasting.files import sha256_of_text
from forecasting.model.draws import parameter_draws
from forecasting.model.fitting import compiled_model
from forecasting.model.logit import ModelInputs, build_model
from forecasting.model.parallel import LOCAL, LOCAL_WORKERS, dask_client
from forecasting.priors.effects import EffectPriors
from forecasting.settings import SBCSettings

# Simulations per Dask task: small enough to balance the load and report progress.
BATCH_SIZE = 5


@dataclass(frozen=True)
class SBCResult:
    """Ranks per simulation and quantity, and the uniformity verdict per quantity."""

    ranks: pd.DataFrame  # index simulation; one column per quantity; values 0..L
    fits: pd.DataFrame  # index simulation: fit seed, min bulk ESS, divergences
    checks: pd.DataFrame  # index quantity: ecdf statistic, p_value, passed, chi-square
    threshold: float  # per-quantity p-value below which a quantity fails (Bonferroni)
    passed: bool
    settings: SBCSettings
    scheduler: str
    seconds: float
    reference: UniformityReference

    @property
    def max_rank(self) -> int:
        return self.settings.thinned_draws

    def summary(self) -> dict:
        """A JSON-ready summary: verdicts, statistics, fit health, settings."""
        ess = self.fits["min_ess"]
        return {
            "verdict": "pass" if self.passed else "fail",
            "simulations": len(self.ranks),
            "seconds": round(self.seconds, 1),
            "scheduler": self.scheduler,
            "method": METHOD,
            "family_alpha": self.settings.family_alpha,
            "threshold": self.threshold,
            "quantities": {
                name: {column: _plain(self.checks.at[name, column]) for column in self.checks}
                for name in self.checks.index
            },
            "fits": {
                "median_min_ess": float(ess.median()),
                "below_thinned_draws": int((ess < self.max_rank).sum()),
                "with_divergences": int((self.fits["divergences"] > 0).sum()),
            },
            "settings": self.settings.as_dict(),
        }


METHOD = (
    "ECDF simultaneous uniformity test of the ranks (Säilynoja et al. 2022), p-value from "
    "simulated uniform ranks; a quantity fails when p < family_alpha / quantities "
    "(Bonferroni); chi-square on equal bins for information only"
)


@dataclass(frozen=True)
class _Design:
    """What a fit needs besides the outcomes; the same for every simulation."""

    inputs: ModelInputs
    priors: EffectPriors

    @property
    def key(self) -> str:
        canonical = self.inputs.canonical()
        canonical.pop("outcome")  # replaced in every simulation
        content = {
            "inputs": canonical,
            "priors": self.priors.parameters(),
        }
        return sha256_of_text(json.dumps(content, sort_keys=True))


@dataclass(frozen=True)
class _Simulation:
    index: int
    fit_seed: int
    outcome: np.ndarray  # (case,) simulated 0/1
    truth: dict[str, float]  # true value of each quantity


def quantity_names(scenario_offset: float = SBCSettings.scenario_offset) -> list[str]:
    return ["alpha", *(f"beta[{f}]" for f in FACTOR_IDS), f"p_success[offset={scenario_offset:g}]"]


def quantities(alpha: np.ndarray, beta: np.ndarray, scenario_offset: float) -> dict:
    """Each ranked quantity from alpha (...) and beta (..., factor), same leading shape."""
    x = scenario_offset
    values = [alpha, *np.moveaxis(beta, -1, 0), expit(alpha + x * beta.sum(axis=-1))]
    return dict(zip(quantity_names(scenario_offset), values, strict=True))


def run_sbc(
    inputs: ModelInputs,
    priors: EffectPriors,
    settings: SBCSettings | None = None,
    *,
    scheduler: str | None = None,
    workers: int = LOCAL_WORKERS,
    progress: Callable[[int], None] | None = None,
) -> SBCResult:
    """SBC of `build_model(inputs, priors)` fitted with nutpie, on `inputs`' design.

    `scheduler`: None runs every fit here; `"local"` a local Dask cluster of
    `workers` single-threaded processes; an address (`tcp://host:port`) a
    running cluster (`model.parallel`'s convention). `progress` is called with
    the number of simulations done so far.
    """
    settings = settings or SBCSettings()
    start = time.perf_counter()
    design = _Design(inputs, priors)
    simulations = simulate(inputs, priors, settings)
    if scheduler is None:
        rows = _run_in_process(design, settings, simulations, progress)
    else:
        rows = _run_on_dask(design, settings, simulations, scheduler, workers, progress)
    rows = sorted(rows, key=lambda row: row["simulation"])
    names = quantity_names(settings.scenario_offset)
    table = pd.DataFrame(rows).set_index("simulation")
    reference = uniformity_reference(
        len(table),
        settings.thinned_draws,
        simulations=settings.reference_samples,
        seed=settings.seed,
    )
    threshold = settings.family_alpha / len(names)
    checks = _checks(table[names], reference, threshold)
    return SBCResult(
        ranks=table[names],
        fits=table[["fit_seed", "min_ess", "divergences"]],
        checks=checks,
        threshold=threshold,
        passed=bool(checks["passed"].all()),
        settings=settings,
        scheduler=_describe(scheduler, workers),
        seconds=time.perf_counter() - start,
        reference=reference,
    )


def _describe(scheduler: str | None, workers: int) -> str:
    if scheduler is None:
        return "in-process"
    if scheduler == LOCAL:
        return f"local Dask cluster ({workers} workers)"
    return scheduler


def simulate(inputs: ModelInputs, priors: EffectPriors, settings: SBCSettings) -> list[_Simulation]:
    """Prior draws of alpha and beta, and outcomes simulated from them for the design.

    alpha and beta come from the model itself (built apart from any fitted one),
    so from exactly its priors. The outcomes follow the model's generative story
    with the latent factor states drawn explicitly, x = centre + sd * z and
    y ~ Bernoulli(expit(alpha + x . beta)); the fitted model integrates x out
    (Gauss-Hermite), so SBC checks that integration too.
    """
    import pymc as pm

    model = build_model(inputs, priors)
    alpha, beta = pm.draw(
        [model["alpha"], model["beta"]], draws=settings.simulations, random_seed=settings.seed
    )
    alpha, beta = np.reshape(alpha, (-1,)), np.reshape(beta, (settings.simulations, -1))
    truths = quantities(alpha, beta, settings.scenario_offset)
    simulations = []
    for i in range(settings.simulations):
        fit_seed, outcome_seed = np.random.SeedSequence([settings.seed, i]).spawn(2)
        rng = np.random.default_rng(outcome_seed)
        states = inputs.rating_centre + inputs.rating_sd * rng.standard_normal(
            inputs.rating_centre.shape
        )
        p_success = expit(alpha[i] + states @ beta[i])
        simulations.append(
            _Simulation(
                index=i,
                fit_seed=int(fit_seed.generate_state(1)[0]),
                outcome=(rng.random(len(p_success)) < p_success).astype(inputs.outcome.dtype),
                truth={name: float(values[i]) for name, values in truths.items()},
            )
        )
    return simulations


def _run_in_process(design, settings, simulations, progress) -> list[dict]:
    compiled = _compiled(design)
    rows = []
    for simulation in simulations:
        rows.append(_fit_and_rank(compiled, settings, simulation, cores=settings.chains))
        if progress:
            progress(len(rows))
    return rows


def _run_on_dask(design, settings, simulations, scheduler, workers, progress) -> list[dict]:
    from distributed import as_completed

    batches = [simulations[i : i + BATCH_SIZE] for i in range(0, len(simulations), BATCH_SIZE)]
    rows: list[dict] = []
    with dask_client(scheduler, workers) as client:
        [shared] = client.scatter([design], broadcast=True)
        futures = [
            client.submit(_run_batch, shared, settings, batch, pure=False) for batch in batches
        ]
        for future in as_completed(futures):
            rows.extend(future.result())
            if progress:
                progress(len(rows))
    return rows


def _run_batch(design: _Design, settings: SBCSettings, batch: list[_Simulation]) -> list[dict]:
    """One Dask task: fit a few simulations with this worker's compiled model."""
    compiled = _compiled(design)
    return [_fit_and_rank(compiled, settings, simulation, cores=1) for simulation in batch]


def _compiled(design: _Design):
    """The design's nutpie model, from the process's one compiled-model cache."""
    return compiled_model(design.inputs, design.priors)


def _fit_and_rank(compiled, settings: SBCSettings, simulation: _Simulation, *, cores: int) -> dict:
    import nutpie
    from arviz_stats.base import array_stats

    trace = nutpie.sample(
        compiled.with_data(outcome_data=simulation.outcome),
        draws=settings.draws,
        tune=settings.tune,
        chains=settings.chains,
        cores=min(cores, os.cpu_count() or 1),
        seed=simulation.fit_seed,
        save_warmup=False,
        progress_bar=False,
    )
    fitted = parameter_draws(trace)
    draws = quantities(fitted.alpha, fitted.beta, settings.scenario_offset)
    total = settings.chains * settings.draws
    kept = np.linspace(0, total - 1, settings.thinned_draws).round().astype(int)
    row = {
        "simulation": simulation.index,
        "fit_seed": simulation.fit_seed,
        "min_ess": float(
            min(array_stats.ess(d, chain_axis=0, draw_axis=1) for d in draws.values())
        ),
        "divergences": int(trace["sample_stats"]["diverging"].sum()),
    }
    for name, values in draws.items():
        thinned = values.reshape(-1)[kept]
        row[name] = int(np.count_nonzero(thinned < simulation.truth[name]))
    return row


def _checks(ranks: pd.DataFrame, reference: UniformityReference, threshold: float) -> pd.DataFrame:
    rows = {}
    for name in ranks.columns:
        values = ranks[name].to_numpy()
        statistic = ecdf_statistic(values, reference.max_rank)
        p_value = reference.p_value(statistic)
        chi2, chi2_p, bins = chi_square(values, reference.max_rank)
        rows[name] = {
            "ecdf_statistic": statistic,
            "p_value": p_value,
            "passed": p_value >= threshold,
            "chi2": chi2,
            "chi2_p": chi2_p,
            "chi2_bins": bins,
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("quantity")


def _plain(value):
    """numpy scalars to JSON-ready Python values (nan to None)."""
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    value = float(value)
    return None if np.isnan(value) else value
