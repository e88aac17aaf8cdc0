"""The `forecast` command: a thin layer over the library.

Exit status: 0 success; 2 bad input (one line on stderr naming the file and
key; nothing written); 3 the posterior failed the convergence checks (the
output is still produced, marked unreliable) unless `--allow-unreliable`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape  # names like beta[timing] are not markup

from forecasting.cli.common import (
    CaseArg,
    DataOpt,
    DrawsOpt,
    ForecastersOpt,
    OutputFormat,
    Pooling,
    PoolingOpt,
    PriorsOpt,
    RefitOpt,
    SeedOpt,
    TuneOpt,
    UnreliableOpt,
    err,
    exit_if_unreliable,
    print_warnings,
    run_case_forecast,
    step,
    user_errors,
)
from forecasting.cli.data import data_app
from forecasting.cli.log import log_app
from forecasting.cli.replicate import import_app, replicate
from forecasting.cli.review import review
from forecasting.cli.sbc import sbc
from forecasting.cli.tables import prediction_json, prediction_tables
from forecasting.cli.validate import validate
from forecasting.errors import InputError
from forecasting.settings import DEFAULT_SEED, SamplerSettings, reports_dir

app = typer.Typer(
    help="Forecast the probability that an intervention succeeds, from elicited priors and "
    "past interventions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
@user_errors
def report(
    case: CaseArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Where to write the PDF.", show_default="reports/CASE.pdf"
        ),
    ] = None,
    seed: SeedOpt = DEFAULT_SEED,
    draws: DrawsOpt = SamplerSettings.draws,
    tune: TuneOpt = SamplerSettings.tune,
    priors: PriorsOpt = None,
    data: DataOpt = None,
    allow_unreliable: UnreliableOpt = False,
    refit: RefitOpt = False,
    note: Annotated[str, typer.Option("--note", help="A note for the forecast log.")] = "",
    forecasters: ForecastersOpt = None,
    pooling: PoolingOpt = Pooling.linear_pool,
) -> None:
    """Write the PDF report for CASE: headline probabilities, contrasts, drivers, checks."""
    import dataclasses
    import tempfile

    from forecasting.files import check_writable
    from forecasting.log import store as forecast_log
    from forecasting.report.assemble import assemble_report, review_folder_of

    if output is not None and output.suffix.lower() != ".pdf":
        raise InputError(output, "", "the report is a PDF: give an output path ending in .pdf")

    def preflight(inputs) -> None:
        check_writable(output or reports_dir() / f"{inputs.case.id}.pdf")
        check_writable(review_folder_of(inputs.case.id), folder=True)
        forecast_log.check_log(writing=True)

    result = run_case_forecast(
        case, priors, data, seed, draws, tune, refit, forecasters, pooling, preflight=preflight
    )
    from forecasting.report.content import write_report
    from forecasting.report.fonts import unrenderable_text
    from forecasting.report.review_figures import publish_figures

    fonts = unrenderable_text(result)
    print_warnings(fonts)
    result = dataclasses.replace(result, warnings=(*result.warnings, *fonts))
    target = output or reports_dir() / f"{result.case.id}.pdf"
    # the reviewer's figures are drawn aside and published only once the PDF is written,
    # so a failed report leaves the previous figures as they were
    with tempfile.TemporaryDirectory(prefix="forecast-review-") as drafts:
        assembled = assemble_report(result, note=note, step=step, figures_folder=Path(drafts))
        with step("Writing the report"):
            write_report(result, target, assembled.extras)
        publish_figures(assembled.extras.review_figures, review_folder_of(result.case.id))
    entry_id = forecast_log.record(assembled.entry)  # only once the report exists
    err.print(
        f"Logged as entry {entry_id} in {escape(str(forecast_log.log_path()))}", highlight=False
    )
    Console().print(*prediction_tables(result)[:2])
    typer.echo(f"Wrote {target}")
    exit_if_unreliable(result, allow_unreliable)


@app.command()
@user_errors
def predict(
    case: CaseArg,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="table for people, json for programs.")
    ] = OutputFormat.table,
    seed: SeedOpt = DEFAULT_SEED,
    draws: DrawsOpt = SamplerSettings.draws,
    tune: TuneOpt = SamplerSettings.tune,
    priors: PriorsOpt = None,
    data: DataOpt = None,
    allow_unreliable: UnreliableOpt = False,
    refit: RefitOpt = False,
    forecasters: ForecastersOpt = None,
    pooling: PoolingOpt = Pooling.linear_pool,
) -> None:
    """Print P(success) per scenario, contrasts and convergence diagnostics for CASE."""
    result = run_case_forecast(case, priors, data, seed, draws, tune, refit, forecasters, pooling)
    if output_format is OutputFormat.json:
        typer.echo(json.dumps(prediction_json(result), indent=2))
    else:
        Console().print(*prediction_tables(result))
    exit_if_unreliable(result, allow_unreliable)


app.command("validate")(validate)
app.command("review")(review)
app.add_typer(log_app, name="log")
app.add_typer(data_app, name="data")
app.add_typer(import_app, name="import")
app.command("replicate")(replicate)
app.command("sbc")(sbc)


def main() -> None:
    """Entry point of the `forecast` console script."""
    app()
