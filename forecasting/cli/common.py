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
from rich.markup import escape

from forecasting.errors import InputError
from forecasting.settings import SEED_MAX, SamplerSettings

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


def print_error(error: InputError) -> None:
    """One line on stderr; file names, keys and values are text, never Rich markup."""
    err.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True)


def print_warnings(warnings) -> None:
    """Each warning on one line on stderr, in the errors' `file: key: message` format."""
    for warning in warnings:
        err.print(f"[bold yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)


def check_seed(seed: int) -> None:
    """--seed must be 0..2^32-1: refused at once, before any file is read or model fitted."""
    if not 0 <= seed <= SEED_MAX:
        raise InputError("--seed", "", f"{seed} is outside 0..{SEED_MAX}")


class Scheme(StrEnum):
    loo = "loo"
    lfo = "lfo"
    grouped = "grouped"


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
    Path | None,
    typer.Option("--priors", help="Effect priors TOML.", show_default="priors/effects.toml"),
]
DataOpt = Annotated[
    Path | None,
    typer.Option("--data", help="Reference cases CSV.", show_default="data/reference_cases.csv"),
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
            print_error(error)
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
    case,
    priors,
    data,
    seed,
    draws,
    tune,
    refit,
    forecasters=None,
    pooling=Pooling.linear_pool,
    *,
    preflight: Callable | None = None,
):
    """Validate every input, then fit (or reuse the cached fit) and forecast.

    `preflight(inputs)` runs after validation and before fitting: the command's checks of
    where it will write (so an unwritable output fails in seconds, not after the fit).
    Warnings about the inputs are printed before fitting, the fit's after it; all of them
    are in the result's `warnings`.
    """
    from forecasting.pipeline import load_inputs, run_forecast

    check_seed(seed)
    inputs = load_inputs(case, priors, data, forecasters=forecasters, pooling=str(pooling))
    if preflight is not None:
        preflight(inputs)
    before = inputs.warnings()
    print_warnings(before)
    settings = SamplerSettings(draws=draws, tune=tune, seed=seed)
    # the sampler draws its own progress bar on a terminal; a spinner would fight it
    err.print("Fitting the model (or loading the cached fit)…")
    result = run_forecast(inputs, settings, progressbar=sys.stderr.isatty(), use_cache=not refit)
    err.print(
        ("Reused cached fit " if result.fit.from_cache else "Fitted and cached ")
        + result.fit.key[:12]
    )
    print_warnings(w for w in result.warnings if w not in before)
    return result


def exit_if_unreliable(result, allow_unreliable: bool) -> None:
    if result.reliable:
        return
    err.print(
        "[bold red]warning:[/] the posterior failed the convergence checks: "
        + escape("; ".join(result.convergence.problems)),
        highlight=False,
        soft_wrap=True,
    )
    if not allow_unreliable:
        raise typer.Exit(EXIT_UNRELIABLE)
