"""`forecast log ...`: record, list, resolve and score logged forecasts.

A Typer sub-app; `forecasting.cli.main` mounts it as `log`. The store and the
scoring rules are in `forecasting.log.store`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape  # notes, case ids and scenario names are text, not markup
from rich.table import Table

from forecasting.cli.common import (
    DataOpt,
    DrawsOpt,
    OutputFormat,
    PriorsOpt,
    RefitOpt,
    SeedOpt,
    TuneOpt,
    UnreliableOpt,
    exit_if_unreliable,
    run_case_forecast,
    user_errors,
)
from forecasting.errors import InputError
from forecasting.settings import DEFAULT_SEED, SamplerSettings

if TYPE_CHECKING:
    from forecasting.log.scores import Scores


def _log():
    """The log store, imported when a log command runs (it brings pandas), not at start-up."""
    from forecasting.log import store as forecast_log

    return forecast_log


def _movement(entry, before):
    from forecasting.log.movement import movement

    return movement(entry, before)


log_app = typer.Typer(
    help="The forecast log: record forecasts, list a case's history, record outcomes, score.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

LoggedCaseArg = Annotated[
    str,
    typer.Argument(help="A case id as logged (e.g. mali-2013), or the path to its case TOML file."),
]
FormatOpt = Annotated[
    OutputFormat, typer.Option("--format", help="table for people, json for programs.")
]


def _case_id(case: str) -> str:
    """The logged id of CASE: itself, or the id inside a case file given by path."""
    if case.endswith(".toml"):
        from forecasting.inputs.cases import load_case

        return load_case(case).id
    return case


@log_app.command()
@user_errors
def record(
    case: Annotated[
        str,
        typer.Argument(
            help="A case id under priors/cases/ (e.g. mali-2013) or a path to a case TOML file."
        ),
    ],
    note: Annotated[str, typer.Option("--note", help="Why this forecast was made.")] = "",
    seed: SeedOpt = DEFAULT_SEED,
    draws: DrawsOpt = SamplerSettings.draws,
    tune: TuneOpt = SamplerSettings.tune,
    priors: PriorsOpt = None,
    data: DataOpt = None,
    allow_unreliable: UnreliableOpt = False,
    refit: RefitOpt = False,
) -> None:
    """Forecast CASE (reusing a cached fit) and append the forecast to the log."""
    result = run_case_forecast(
        case,
        priors,
        data,
        seed,
        draws,
        tune,
        refit,
        preflight=lambda inputs: _log().check_log(writing=True),
    )
    entry = _log().record_forecast(result, note)
    before = _log().previous(entry.case_id, entry.id)
    typer.echo(f"Logged entry {entry.id} for {entry.case_id} in {_log().log_path()}")
    if before is not None:
        typer.echo(_movement(entry, before).describe())
    exit_if_unreliable(result, allow_unreliable)


@log_app.command()
@user_errors
def show(case: LoggedCaseArg, output_format: FormatOpt = OutputFormat.table) -> None:
    """List every logged forecast of CASE, oldest first, and its outcome if resolved."""
    case_id = _case_id(case)
    _log().require_logged(case_id)
    entries = _log().history(case_id)
    resolution = _log().resolutions().get(case_id)
    if output_format is OutputFormat.json:
        document = {
            "case": case_id,
            "log": str(_log().log_path()),
            "headline_scenario": _log().SCORED_SCENARIO,
            "entries": [e.as_dict() for e in entries],
            "resolution": resolution.as_dict() if resolution else None,
        }
        typer.echo(json.dumps(document, indent=2))
        return
    Console().print(_history_table(case_id, entries))
    if resolution is not None:
        what = "succeeded" if resolution.outcome else "failed"
        typer.echo(f"Resolved: {what} (outcome {resolution.outcome}) on {resolution.resolved_on}.")


def _history_table(case_id: str, entries: list) -> Table:
    """One block per entry: what it is in the first column, a row per scenario beside it."""
    from forecasting.formatting import percent, percent_interval

    table = Table(
        title=f"Forecast log: {escape(case_id)} — P(success), posterior median and 80% interval",
        title_justify="left",
    )
    table.add_column("entry", ratio=1, min_width=20)
    table.add_column("scenario", no_wrap=True)
    table.add_column("median", justify="right", no_wrap=True)
    table.add_column("80%", justify="right", no_wrap=True)
    before = None
    for entry in entries:
        changed = (
            "first entry"
            if before is None
            else ", ".join(_movement(entry, before).changed_inputs) or "none"
        )
        about = [
            f"#{entry.id}  {entry.recorded_at:%Y-%m-%d %H:%M} UTC",
            f"as of {entry.as_of}",
            f"inputs changed: {changed}",
            *([escape(entry.note)] if entry.note else []),
            *([] if entry.reliable else ["[bold red]UNRELIABLE[/]"]),
        ]
        # the entry's description runs down beside its scenarios, one line per row
        rows = list(itertools.zip_longest(about, entry.scenarios.items(), fillvalue=None))
        for i, (line, scenario) in enumerate(rows):
            name, p = scenario or ("", {})
            table.add_row(
                line or "",
                escape(name),
                percent(_log().scenario_p(p)) if p else "",
                percent_interval(p["p_lo80"], p["p_hi80"]) if "p_lo80" in p else "",
                end_section=i == len(rows) - 1,
            )
        before = entry
    return table


@log_app.command()
@user_errors
def resolve(
    case: LoggedCaseArg,
    outcome: Annotated[
        str, typer.Option("--outcome", help="1 if the intervention succeeded, 0 if it failed.")
    ],
    date: Annotated[str, typer.Option("--date", help="When the outcome was known, YYYY-MM-DD.")],
) -> None:
    """Record the outcome of CASE (a later resolve corrects an earlier one)."""
    try:
        resolved_on = dt.date.fromisoformat(date)
    except ValueError:
        raise InputError(
            _log().log_path(), "--date", f"not a date in the form YYYY-MM-DD: {date!r}"
        ) from None
    # resolve() rejects anything but 0 and 1, naming the log file and the key
    value = int(outcome) if outcome in ("0", "1") else outcome
    resolution = _log().resolve(_case_id(case), value, resolved_on)
    typer.echo(
        f"Resolved {resolution.case_id}: outcome {resolution.outcome} on "
        f"{resolution.resolved_on} ({_log().log_path()})"
    )


@log_app.command()
@user_errors
def score(output_format: FormatOpt = OutputFormat.table) -> None:
    """Brier and log scores of the resolved forecasts, by case and overall."""
    from forecasting.log.scores import score_resolved

    scores = score_resolved()
    if output_format is OutputFormat.json:
        document = {"log": str(_log().log_path())}
        document |= scores.as_dict() if scores else {"overall": None, "by_case": []}
        typer.echo(json.dumps(document, indent=2))
        return
    if scores is None:
        typer.echo(f"No resolved forecasts in {_log().log_path()} yet.")
        return
    Console().print(*_score_tables(scores))


def _score_tables(scores: Scores) -> list:
    from forecasting.formatting import percent
    from forecasting.log.scores import MIN_FOR_CALIBRATION

    table = Table(
        title=f"Scores of the '{_log().SCORED_SCENARIO}' scenario's P(success) (lower is better)",
        title_justify="left",
        caption="overall: the mean of the per-case scores",
        caption_justify="left",
    )
    for column in ("case", "forecasts", "outcome", "resolved", "Brier", "log score"):
        table.add_column(column, justify="left" if column == "case" else "right")
    for case_id, row in scores.by_case.iterrows():
        table.add_row(
            escape(case_id),
            str(row.n),
            str(row.outcome),
            row.resolved_on,
            f"{row.brier:.3f}",
            f"{row.log_score:.3f}",
        )
    table.add_row(
        "overall",
        str(scores.n_forecasts),
        "",
        "",
        f"{scores.brier:.3f}",
        f"{scores.log_score:.3f}",
        style="bold",
    )
    if scores.calibration is None:
        note = (
            f"A calibration table needs at least {MIN_FOR_CALIBRATION} resolved "
            f"forecasts ({scores.n_forecasts} so far)."
        )
        return [table, note]
    calibration = Table(title="Calibration", title_justify="left")
    for column in ("forecast bin", "mean forecast", "observed", "count"):
        calibration.add_column(column, justify="right")
    for row in scores.calibration.itertuples():
        calibration.add_row(
            f"{percent(row.bin_lo)}–{percent(row.bin_hi)}",
            percent(row.mean_forecast),
            percent(row.observed),
            str(row.count),
        )
    return [table, calibration]
