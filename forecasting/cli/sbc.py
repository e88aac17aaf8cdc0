"""The `forecast sbc` command: simulation-based calibration of the model, with a
verdict, a figure and a JSON summary the report can pick up.

Exit status: 0 the ranks pass the uniformity test; 1 they fail it; 2 bad input.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from forecasting.cli.common import (
    DataOpt,
    PriorsOpt,
    SeedOpt,
    check_seed,
    err,
    scheduler_value,
    user_errors,
)
from forecasting.settings import DEFAULT_SEED, SBCSettings, reports_dir

EXIT_FAILED = 1
SUMMARY_FILE = "sbc.json"
FIGURE_FILE = "sbc_ecdf_difference.png"
RANKS_FILE = "sbc_ranks.csv"  # one row per simulation: ranks, fit seed, ESS, divergences


@user_errors
def sbc(
    simulations: Annotated[
        int, typer.Option("--simulations", min=10, help="Number of simulated data sets.")
    ] = 100,
    seed: SeedOpt = DEFAULT_SEED,
    draws: Annotated[
        int, typer.Option("--draws", min=100, help="Posterior draws per chain, before thinning.")
    ] = SBCSettings.draws,
    tune: Annotated[int, typer.Option("--tune", min=100, help="Tuning steps per chain.")] = (
        SBCSettings.tune
    ),
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="'local' for a local Dask cluster of --workers processes, a scheduler "
            "address (tcp://host:8786), or 'none' to fit in this process.",
        ),
    ] = "local",
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Workers of the local cluster.")
    ] = 2,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Folder for sbc.json and the figure.",
            show_default="reports/sbc/",
        ),
    ] = None,
    priors: PriorsOpt = None,
    data: DataOpt = None,
) -> None:
    """Simulation-based calibration: is the fitted posterior calibrated for the reference design?"""
    from forecasting.checks.sbc import run_sbc
    from forecasting.files import check_writable
    from forecasting.inputs.reference import load_reference
    from forecasting.model.logit import model_inputs
    from forecasting.priors.effects import load_effect_priors
    from forecasting.settings import default_effect_priors_path, default_reference_path

    check_seed(seed)
    data_path = data or default_reference_path()
    priors_path = priors or default_effect_priors_path()
    inputs = model_inputs(load_reference(data_path))
    effect_priors = load_effect_priors(priors_path)
    folder = output or reports_dir() / "sbc"
    check_writable(folder, folder=True)
    settings = SBCSettings(simulations=simulations, draws=draws, tune=tune, seed=seed)
    with _progress() as bar:
        task = bar.add_task("SBC fits", total=simulations)
        result = run_sbc(
            inputs,
            effect_priors,
            settings,
            scheduler=scheduler_value(scheduler),
            workers=workers,
            progress=lambda done: bar.update(task, completed=done),
        )
    Console().print(verdict_table(result))
    write_outputs(result, folder, data=data_path, priors=priors_path)
    typer.echo(f"Wrote {SUMMARY_FILE}, {FIGURE_FILE} and {RANKS_FILE} in {folder}")
    if not result.passed:
        raise typer.Exit(EXIT_FAILED)


def verdict_table(result) -> Table:
    table = Table(
        title=f"SBC: {len(result.ranks)} simulations, ranks 0..{result.max_rank}, "
        f"{result.seconds:.0f} s — {'PASS' if result.passed else 'FAIL'}",
        title_justify="left",
        caption=f"fails when p < {result.threshold:.4f} "
        f"({result.settings.family_alpha} / {len(result.checks)} quantities, Bonferroni)",
        caption_justify="left",
    )
    for column in ("quantity", "ECDF statistic", "p-value", "verdict", "chi² p (info)"):
        table.add_column(column, justify="left" if column == "quantity" else "right")
    for name, row in result.checks.iterrows():
        table.add_row(
            escape(name),  # "beta[timing]" is not rich markup
            f"{row['ecdf_statistic']:.3g}",
            f"{row['p_value']:.3g}",
            "pass" if row["passed"] else "[bold red]FAIL[/]",
            f"{row['chi2_p']:.3g}",
        )
    return table


def write_outputs(result, folder: Path, *, data: Path, priors: Path) -> None:
    """The JSON summary, the ECDF-difference figure and the ranks, each written atomically."""
    import matplotlib.pyplot as plt

    from forecasting.files import atomic_write_bytes, atomic_write_text, sha256_of_file
    from forecasting.log.provenance import git_commit, package_version
    from forecasting.plots.sbc import sbc_ecdf_difference_grid

    summary = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **result.summary(),
        "data_file": str(data),
        "data_sha256": sha256_of_file(data),
        "priors_file": str(priors),
        "priors_sha256": sha256_of_file(priors),
        "package_version": package_version(),
        "git_commit": git_commit(),
        "figure": FIGURE_FILE,
        "ranks": RANKS_FILE,
    }
    fig, _ = sbc_ecdf_difference_grid(result)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    atomic_write_bytes(folder / FIGURE_FILE, buffer.getvalue())
    atomic_write_text(folder / RANKS_FILE, result.ranks.join(result.fits).to_csv())
    atomic_write_text(folder / SUMMARY_FILE, json.dumps(summary, indent=2) + "\n")


def _progress() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
