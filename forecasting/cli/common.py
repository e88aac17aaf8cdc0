"""What every `forecast` command shares: exit statuses, options, error handling,
and running a case's forecast."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from forecasting.errors import InputError
from forecasting.settings import SamplerSettings

# `--scheduler` in every command: "local" (a local Dask cluster), an address, or this
# value to run in this process (`model.parallel`'s None).
NO_SCHEDULER = "none"


def scheduler_value(option: str | None) -> str | None:
    """The `scheduler` argument of the library for a `--scheduler` option value."""
    return None if option in (None, NO_SCHEDULER) else option


EXIT_INPUT = 2
EXIT_UNRELIABLE = 3

err = Console(stderr=True)


@contextlib.contextmanager
def step(description: str) -> Iterator[None]:
    """Say what a long step does: a spinner on a terminal, a plain line when piped."""
    if err.is_terminal:
        with err.status(f"{description}…"):
            yield
    else:
        err.print(f"{description}…", highlight=False)
        yield


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


CaseArg = Annotated[
    str,
    typer.Argument(
        help="A case id under priors/cases/ (e.g. mali-2013) or a path to a case TOML file."
    ),
]
PriorsOpt = Annotated[
    Path | None, typer.Option("--priors", help="Effect priors TOML [default: priors/effects.toml].")
]
DataOpt = Annotated[
    Path | None,
    typer.Option("--data", help="Reference cases CSV [default: data/reference_cases.csv]."),
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed (sampler and forecasts).")]
DrawsOpt = Annotated[int, typer.Option("--draws", min=100, help="Posterior draws per chain.")]
TuneOpt = Annotated[int, typer.Option("--tune", min=100, help="Tuning steps per chain.")]
UnreliableOpt = Annotated[
    bool,
    typer.Option(
        "--allow-unreliable", help="Exit 0 even if the posterior fails the convergence checks."
    ),
]
RefitOpt = Annotated[bool, typer.Option("--refit", help="Ignore any cached fit and sample again.")]


def user_errors[**P, R](command: Callable[P, R]) -> Callable[P, R]:
    """Bad input becomes one line on stderr naming the file and key, and exit status 2."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except InputError as error:
            err.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_INPUT) from None

    return wrapper


class Pooling(StrEnum):
    linear_pool = "linear_pool"
    fitted_pool = "fitted_pool"


ForecastersOpt = Annotated[
    Path | None,
    typer.Option(
        "--forecasters",
        help="Pool the effect priors of the forecasters' files in this folder "
        "(e.g. priors/forecasters) instead of using --priors.",
    ),
]
PoolingOpt = Annotated[
    Pooling,
    typer.Option("--pooling", help="With --forecasters: linear_pool (mixture) or fitted_pool."),
]


def run_case_forecast(
    case, priors, data, seed, draws, tune, refit, forecasters=None, pooling=Pooling.linear_pool
):
    """Validate every input, then fit (or reuse the cached fit) and forecast."""
    from forecasting.pipeline import load_inputs, run_forecast

    inputs = load_inputs(case, priors, data, forecasters=forecasters, pooling=str(pooling))
    settings = SamplerSettings(draws=draws, tune=tune, seed=seed)
    # the sampler draws its own progress bar on a terminal; a spinner would fight it
    err.print("Fitting the model (or loading the cached fit)…")
    result = run_forecast(inputs, settings, progressbar=sys.stderr.isatty(), use_cache=not refit)
    err.print(
        ("Reused cached fit " if result.fit.from_cache else "Fitted and cached ")
        + result.fit.key[:12]
    )
    return result


def exit_if_unreliable(result, allow_unreliable: bool) -> None:
    if result.reliable:
        return
    err.print(
        "[bold red]warning:[/] the posterior failed the convergence checks: "
        + "; ".join(result.convergence.problems)
    )
    if not allow_unreliable:
        raise typer.Exit(EXIT_UNRELIABLE)
