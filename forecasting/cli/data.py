"""`forecast data ...`: the reference class built from its blind codings, and checked
against scholars' data."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from forecasting.cli.common import user_errors
from forecasting.settings import data_dir

data_app = typer.Typer(
    help="The reference class: build it from facts and blind codings; check it against "
    "scholars' data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@data_app.command()
@user_errors
def build(
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Where to write.", show_default="data/reference_cases.csv"
        ),
    ] = None,
) -> None:
    """Build the reference CSV from data/facts.csv and the blind codings in data/codings/."""
    from forecasting.files import atomic_write_text
    from forecasting.inputs.codings import agreement, build_reference, load_codings, load_facts
    from forecasting.inputs.reference import load_reference

    codings = load_codings(data_dir() / "codings")
    rows = build_reference(load_facts(data_dir() / "facts.csv"), codings)
    target = output or data_dir() / "reference_cases.csv"
    buffer = io.StringIO()
    rows.to_csv(buffer, index=False)
    atomic_write_text(target, buffer.getvalue())
    load_reference(target)  # what was written must load
    Console().print(agreement_table(agreement(codings)))
    typer.echo(f"Wrote {len(rows)} cases to {target}")


def agreement_table(table) -> Table:
    out = Table(
        title="Agreement of the two blind codings (Krippendorff's alpha, interval)",
        title_justify="left",
    )
    for column in ("factor", "alpha", "cases", "mean |gap|", "gap > 1 step"):
        out.add_column(column, justify="left" if column == "factor" else "right")
    for factor, row in table.iterrows():
        out.add_row(
            factor,
            f"{row.alpha:.3f}",
            str(int(row.cases)),
            f"{row.mean_abs_gap:.2f}",
            str(int(row.gap_over_one_step)),
        )
    return out
