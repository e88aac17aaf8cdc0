"""`forecast data ...`: the reference class built from its blind codings, and checked
against scholars' data."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from forecasting.cli.common import err, user_errors
from forecasting.settings import data_dir, external_data_dir, reports_dir

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


@data_app.command()
@user_errors
def check(
    external: Annotated[
        Path | None,
        typer.Option(
            "--external",
            help="The scholars' data sets [default: $FORECAST_EXTERNAL_DATA, else "
            "../shared/data/external].",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Where to write every disagreement [default: "
            "reports/data-check/disagreements.csv].",
        ),
    ] = None,
) -> None:
    """Check the reference class against scholars' data (start, outcome, ratings).

    Start months against Mullenbach, IMI and PRIF; outcomes against UCDP and PRIF; each
    factor's ratings against independent proxies (Spearman's rho). Rules: data/CODEBOOK.md.
    """
    from forecasting.checks.data_check import load_cases, run_data_check
    from forecasting.files import atomic_write_text, check_writable

    target = output or reports_dir() / "data-check" / "disagreements.csv"
    check_writable(target)
    cases = load_cases(data_dir() / "reference_cases.csv", data_dir() / "facts.csv")
    result = run_data_check(cases, external or external_data_dir())
    for message in result.skipped:
        err.print(f"[bold yellow]skipped:[/] {escape(message)}", highlight=False, soft_wrap=True)
    out = Console()
    if not out.is_terminal and "COLUMNS" not in os.environ:
        out = Console(width=WIDE)  # piped to a file: wide enough for the tables
    print_data_check(out, result)
    disagreements = result.disagreements()
    buffer = io.StringIO()
    disagreements.to_csv(buffer, index=False)
    atomic_write_text(target, buffer.getvalue())
    typer.echo(f"Wrote {len(disagreements)} disagreements to {target}")


def print_data_check(out: Console, result) -> None:
    """The check's tables: start months, outcomes, ratings, host codes, and notes."""
    from forecasting.checks.data_check import LABELS, NOT_THE_SAME

    starts, outcomes, ratings = result.starts, result.outcomes, result.ratings
    if len(starts.summary):
        out.print(
            _frame_table(
                "Start month: ours against scholars' (agree = within one month)",
                starts.summary,
                {"agreement": _percent},
            )
        )
        _print_disagreements(
            out,
            "Start month: disagreements (gap = theirs - ours, months)",
            starts.disagreements.assign(
                source=lambda d: d["source"].map(LABELS),
                gap=lambda d: d["gap_months"].map(lambda g: f"{g:+d}"),
            )[["case_id", "source", "ours", "theirs", "gap", "their_record", "our_reason"]],
            "Our documented reasons (facts.csv start_check)",
        )
    if len(outcomes.summary):
        out.print(
            _frame_table(
                "Outcome: ours against UCDP (a war-level year in months 7-24 contradicts 1) and "
                "PRIF (ENDTYPE/ENDVIOL/NEWVIOL)",
                outcomes.summary,
                {"agreement": _percent},
            )
        )
        _print_disagreements(
            out,
            "Outcome: disagreements",
            outcomes.disagreements.assign(source=lambda d: d["source"].map(LABELS))[
                ["case_id", "source", "ours", "theirs", "evidence", "our_reason"]
            ],
            "Our documented reasons (facts.csv outcome_rationale)",
        )
    if len(ratings.correlations):
        out.print(
            _frame_table(
                "Ratings against independent proxies (Spearman's rho, launch year)",
                ratings.correlations,
                {"rho": "{:+.2f}".format, "p": "{:.3f}".format},
            )
        )
    codes = result.codes
    if len(codes) and "problems" in codes:
        gaps = codes[codes["problems"] != ""]
        out.print(
            f"Host codes: {len(codes)} host names checked against the country-year files; "
            f"{len(codes) - len(gaps)} have a row for every launch year."
        )
        if len(gaps):
            out.print(_frame_table("Host codes with gaps", gaps[["host", "COW", "problems"]], {}))
    for source, cases in starts.unmatched.items():
        if cases:
            out.print(
                f"Not found in {LABELS[source]} (our cases in its years): {', '.join(cases)}",
                highlight=False,
            )
    notes = [*outcomes.notes, *ratings.notes]
    notes += [
        f"{case} not matched in {LABELS[source]}: {why}"
        for (source, case), why in NOT_THE_SAME.items()
        if source in starts.unmatched  # that source was read
    ]
    if notes:
        out.print("Notes:")
        for note in notes:
            out.print(f"  - {escape(note)}", highlight=False)


WIDE = 120


def _percent(value) -> str:
    return "-" if value != value else f"{value:.0%}"


# Columns never wrapped, and long texts cut to one line (the CSV has them whole).
_NO_WRAP = ("case_id", "source", "ours", "theirs", "gap", "host")
_ONE_LINE = {"their_record": 44, "evidence": 64, "problems": 80}


def _frame_table(title: str, frame, formats: dict) -> Table:
    out = Table(title=title, title_justify="left")
    for column in frame.columns:
        numeric = frame[column].dtype.kind in "if" or column in formats
        out.add_column(
            str(column),
            justify="right" if numeric else "left",
            no_wrap=column in _NO_WRAP or column in _ONE_LINE,
            overflow="ellipsis" if column in _ONE_LINE else "fold",
            max_width=_ONE_LINE.get(column),
        )
    for _, row in frame.iterrows():
        out.add_row(
            *(
                escape(formats[c](v) if c in formats else ("-" if v != v else str(v)))
                for c, v in row.items()
            )
        )
    return out


def _print_disagreements(out: Console, title: str, frame, reasons_title: str) -> None:
    if not len(frame):
        out.print(f"{title}: none")
        return
    out.print(_frame_table(title, frame.drop(columns="our_reason"), {}))
    out.print(reasons_title + ":")
    for case_id, reason in frame.drop_duplicates("case_id")[["case_id", "our_reason"]].values:
        out.print(f"  {escape(case_id)}: {escape(reason or '(none given)')}", highlight=False)
