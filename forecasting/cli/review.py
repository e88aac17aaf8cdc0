"""`forecast review`: the reviewer's figures and printed checks for a case."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from forecasting.cli.common import (
    CaseArg,
    DataOpt,
    DrawsOpt,
    PriorsOpt,
    RefitOpt,
    SeedOpt,
    TuneOpt,
    UnreliableOpt,
    exit_if_unreliable,
    run_case_forecast,
    scheduler_value,
    step,
    user_errors,
)
from forecasting.cli.tables import prediction_tables
from forecasting.factors import FACTOR_IDS
from forecasting.settings import DEFAULT_SEED, SamplerSettings


@user_errors
def review(
    case: CaseArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Folder for the figures.", show_default="reports/review/CASE"
        ),
    ] = None,
    seed: SeedOpt = DEFAULT_SEED,
    draws: DrawsOpt = SamplerSettings.draws,
    tune: TuneOpt = SamplerSettings.tune,
    priors: PriorsOpt = None,
    data: DataOpt = None,
    allow_unreliable: UnreliableOpt = False,
    refit: RefitOpt = False,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Run the sensitivity refits on Dask: 'local' for a local cluster, a "
            "scheduler address (tcp://host:8786), or 'none' (the default) to fit here.",
        ),
    ] = None,
) -> None:
    """Write the reviewer's figures for CASE and print diagnostics and prior sensitivity."""
    from forecasting.files import check_writable
    from forecasting.report.assemble import review_checks, review_folder_of
    from forecasting.report.review_figures import save_review_figures

    def preflight(inputs) -> None:
        check_writable(output or review_folder_of(inputs.case.id), folder=True)

    result = run_case_forecast(case, priors, data, seed, draws, tune, refit, preflight=preflight)
    checks = review_checks(result, scheduler=scheduler_value(scheduler), step=step)
    with step("Drawing the figures"):
        paths = save_review_figures(
            result, checks.track, output or review_folder_of(result.case.id)
        )
    console = Console(width=None if sys.stdout.isatty() else 110)
    console.print(*prediction_tables(result)[2:3])
    console.print(review_tables(result, checks.sensitivity))
    console.print(prior_check_line(result))
    for name, path in paths.items():
        console.print(f"{name:>22}: {escape(str(path))}", highlight=False)
    exit_if_unreliable(result, allow_unreliable)


def review_tables(result, sensitivity) -> list:
    """Convergence per parameter, power-scaling sensitivity, and the refits."""
    from rich.console import Group

    convergence = Table(title="Convergence", title_justify="left")
    for column in ("parameter", "R-hat", "bulk ESS", "tail ESS"):
        convergence.add_column(column, justify="left" if column == "parameter" else "right")
    for name, row in result.convergence.table.iterrows():
        convergence.add_row(
            escape(name), f"{row.r_hat:.3f}", f"{row.ess_bulk:.0f}", f"{row.ess_tail:.0f}"
        )
    table = sensitivity.power_scaling.table
    # short headers keep the table inside a terminal: the title says what they stand for
    short = {"intercept": "int", "likelihood": "lik"} | dict(
        zip(FACTOR_IDS, ("PC", "HA", "TR", "TI"), strict=True)
    )
    power = Table(
        title=f"Prior sensitivity (power-scaling; > {sensitivity.power_scaling.threshold} is "
        "sensitive). Columns: the prior of int(ercept), PC, HA, TR, TI; lik(elihood)",
        title_justify="left",
    )
    for column in ["quantity", *table.columns]:
        power.add_column(
            short.get(column, column),
            justify="left" if column in ("quantity", "diagnosis") else "right",
        )
    for quantity, row in table.iterrows():
        power.add_row(escape(quantity), *(f"{v:.3f}" if isinstance(v, float) else v for v in row))
    refits = Table(
        title="P(success) medians under the elicited priors, and with every prior sd x2 "
        "(wider) and x0.5 (narrower)",
        title_justify="left",
    )
    for column in ["scenario", *sensitivity.refits.columns]:
        label = column.replace(" (sd x2)", "").replace(" (sd x0.5)", "")
        refits.add_column(label, justify="left" if column == "scenario" else "right")
    for name, row in sensitivity.refits.iterrows():
        refits.add_row(
            escape(name), *(f"{v:+.3f}" if "−" in k else f"{v:.3f}" for k, v in row.items())
        )
    return Group(convergence, power, refits)


def prior_check_line(result) -> str:
    """The prior predictive check in one line: expected share of successes vs observed."""
    check = result.prior_check
    verdict = (
        "inside their central 95%"
        if check["observed_inside_95"]
        else "[bold red]OUTSIDE their central 95%: priors and record disagree[/]"
    )
    return (
        f"Prior predictive check: the priors alone expect {check['share_lo80']:.0%}-"
        f"{check['share_hi80']:.0%} (80%) and {check['share_lo95']:.0%}-"
        f"{check['share_hi95']:.0%} (95%) of the {len(result.split.used)} reference cases to "
        f"succeed; {check['observed_share']:.0%} did, {verdict}."
    )
