"""`forecast replicate` and `forecast import`: published studies, replicated and imported.

`replicate STUDY PATH` refits a study's published model on the user's copy of
its replication file, by maximum likelihood and as a Bayesian model with very
wide priors, and prints both side by side. `import STUDY PATH -o OUT.csv`
writes the study's cases as a reference-class CSV (format: data/CODEBOOK.md)
that `--data` accepts. The only study so far is Doyle & Sambanis (2000);
the mapping of its variables is in `forecasting.inputs.doyle_sambanis`.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from forecasting.cli.common import (
    DrawsOpt,
    OutputFormat,
    SeedOpt,
    check_seed,
    err,
    step,
    user_errors,
)
from forecasting.settings import DEFAULT_SEED, SamplerSettings


class Study(StrEnum):
    doyle_sambanis = "doyle-sambanis"


StudyArg = Annotated[Study, typer.Argument(help="The published study: doyle-sambanis.")]
PeaceFileArg = Annotated[
    Path,
    typer.Argument(
        help="The study's replication file, as downloaded (Doyle & Sambanis: peace.csv)."
    ),
]


@user_errors
def replicate(
    study: StudyArg,
    path: PeaceFileArg,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="table for people, json for programs.")
    ] = OutputFormat.table,
    seed: SeedOpt = DEFAULT_SEED,
    draws: DrawsOpt = SamplerSettings.draws,
) -> None:
    """Refit the study's published model: Bayesian posterior beside the published-style MLE."""
    from forecasting.checks.replication import replication_table
    from forecasting.inputs.doyle_sambanis import load_peace_file

    check_seed(seed)
    peace = load_peace_file(path)
    settings = SamplerSettings(draws=draws, seed=seed)
    with step("Fitting the model by maximum likelihood and with NUTS"):
        result = replication_table(peace, settings, progressbar=sys.stderr.isatty())
    if output_format is OutputFormat.json:
        typer.echo(json.dumps(result.as_dict(), indent=2))
    else:
        Console().print(replication_rich_table(result))
    if not result.convergence.reliable:
        err.print(
            "[bold red]warning:[/] the posterior failed the convergence checks: "
            + escape("; ".join(result.convergence.problems))
        )


def replication_rich_table(result) -> Table:
    from forecasting.checks.replication import PRIOR_SD

    diagnostics = result.convergence.as_dict()
    table = Table(
        title=f"Doyle & Sambanis (2000), Table 3 model A8 — n = {result.n}",
        title_justify="left",
        caption=(
            f"Bayesian: Normal(0, {PRIOR_SD:g}) prior on every coefficient (original scale); "
            f"max R-hat {diagnostics['max_r_hat']:.3f}, min bulk ESS "
            f"{diagnostics['min_ess_bulk']:.0f}, {diagnostics['divergences']} divergences."
        ),
        caption_justify="left",
    )
    for column in ("term", "median", "sd", "MLE", "s.e.", "(median − MLE) / s.e."):
        table.add_column(column, justify="left" if column == "term" else "right")
    for term, row in result.table.iterrows():
        gap = (row["median"] - row["mle"]) / row["se"]
        table.add_row(
            term,
            *(f"{row[c]:.4g}".replace("-", "−") for c in ("median", "sd", "mle", "se")),
            f"{gap:+.2f}".replace("-", "−"),
        )
    return table


import_app = typer.Typer(
    help="Import a published study's cases as a reference-class CSV (data/CODEBOOK.md).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@import_app.command("doyle-sambanis")
@user_errors
def import_doyle_sambanis(
    path: PeaceFileArg,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Where to write the reference-class CSV.")
    ],
    interventions_only: Annotated[
        bool,
        typer.Option(
            "--interventions-only",
            help="Keep only wars with a UN mission or a non-UN military intervention.",
        ),
    ] = False,
) -> None:
    """Write Doyle & Sambanis's (2000) civil wars as reference cases (proxied ratings, low
    confidence; host army and timing blank). Pass the result to --data."""
    from forecasting.files import check_writable
    from forecasting.inputs.doyle_sambanis import import_reference, write_reference_csv

    check_writable(output)
    cases = import_reference(path, interventions_only=interventions_only)
    written = write_reference_csv(cases, output)
    typer.echo(f"Wrote {output} ({len(written)} reference cases)")
