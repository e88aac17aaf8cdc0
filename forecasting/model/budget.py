"""What the sampler may spend on one fit: a tree-depth cap per draw and a wall-clock budget.

A posterior that is hard to sample (very wide priors, data that pin nothing down) can
keep NUTS busy for many minutes before the convergence checks fail. The priors file
refuses the widest priors up front (`forecasting.priors.effects.SIGMA_MAX`); this is
the backstop: each draw takes at most 2^MAX_TREE_DEPTH gradient evaluations (nutpie's
own default, stated here), and a fit that runs past its budget is stopped and reported
in one line naming the priors file, instead of running on.
"""

from __future__ import annotations

import os
from pathlib import Path

from forecasting.errors import InputError

MAX_TREE_DEPTH = 10  # nutpie's default: the same draws as without the cap
BUDGET_ENV = "FORECAST_SAMPLING_BUDGET"
# Seconds of sampling per 2,000 iterations per chain (the default 1,000 tuning + 1,000
# draws), compilation excluded. A healthy fit of this model samples in a few seconds.
BUDGET_S = 300.0
BUDGET_ITERATIONS = 2000


def budget_seconds(draws: int, tune: int) -> float:
    """The wall-clock budget for sampling `tune + draws` iterations per chain:
    `$FORECAST_SAMPLING_BUDGET` seconds if set, else BUDGET_S per 2,000 iterations."""
    env = os.environ.get(BUDGET_ENV)
    if env:
        try:
            value = float(env)
        except ValueError:
            raise InputError(BUDGET_ENV, "", f"not a number of seconds: {env!r}") from None
        if not value > 0:
            raise InputError(BUDGET_ENV, "", f"must be a positive number of seconds: {env!r}")
        return value
    return BUDGET_S * max(1.0, (draws + tune) / BUDGET_ITERATIONS)


def sample_within_budget(compiled, priors_path: str | Path, *, draws: int, tune: int, **options):
    """`nutpie.sample(compiled, ...)` with the tree-depth cap, stopped at the time budget.

    Raises InputError naming `priors_path` when the budget runs out (nothing is returned
    or cached); an interrupt or error stops the chains and returns nothing partial.
    """
    import nutpie

    budget = budget_seconds(draws, tune)
    sampler = nutpie.sample(
        compiled,
        draws=draws,
        tune=tune,
        maxdepth=MAX_TREE_DEPTH,
        blocking=False,
        **options,
    )
    try:
        return sampler.wait(timeout=budget)
    except TimeoutError:
        sampler.cancel()
        raise InputError(
            priors_path,
            "",
            f"sampling ran past its budget of {budget:g} s and was stopped: the posterior "
            "is too hard to sample (very wide priors, or reference data that pin nothing "
            f"down); narrow the priors, or set {BUDGET_ENV} (seconds) to allow more time",
        ) from None
    except BaseException:
        sampler.cancel()
        raise
