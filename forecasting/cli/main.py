"""The `forecast` command: a thin layer over the library.

Exit status: 0 success; 2 bad input (one line on stderr naming the file and
key; nothing written); 3 the posterior failed the convergence checks (the
output is still produced, marked unreliable) unless `--allow-unreliable`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape  # names like beta[timing] are not markup
from rich.table import Table

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
    Scheme,
    SeedOpt,
    TuneOpt,
    UnreliableOpt,
    check_seed,
    err,
    exit_if_unreliable,
    print_warnings,
    run_case_forecast,
    scheduler_value,
    step,
    user_errors,
)
from forecasting.cli.data import data_app
from forecasting.cli.log import log_app
from forecasting.cli.replicate import import_app, replicate
from forecasting.cli.sbc import sbc
from forecasting.errors import InputError
from forecasting.factors import FACTOR_IDS
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
        typer.Option("-o", "--output", help="Where to write the PDF [default: reports/CASE.pdf]."),
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


@app.command()
@user_errors
def validate(
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="table for people, json for programs.")
    ] = OutputFormat.table,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            help="Where to write the calibration plot (PNG) "
            "[default: reports/validation/calibration.png].",
        ),
    ] = None,
    seed: SeedOpt = DEFAULT_SEED,
    draws: DrawsOpt = SamplerSettings.draws,
    tune: TuneOpt = SamplerSettings.tune,
    priors: PriorsOpt = None,
    data: DataOpt = None,
    schemes: Annotated[
        list[Scheme] | None,
        typer.Option(
            "--scheme",
            help="loo (leave one out), lfo (leave the future out: each case predicted only "
            "from cases resolved before it started), grouped (leave one conflict out). "
            "Repeat for several [default: loo and lfo].",
        ),
    ] = None,
) -> None:
    """Score out-of-sample predictions of the reference cases: model vs base rate vs ML logit,
    with paired standard errors."""
    from forecasting.checks.track_record import calibration_table, track_record
    from forecasting.files import check_writable
    from forecasting.inputs.reference import load_reference
    from forecasting.model.fitting import fit
    from forecasting.model.logit import model_inputs
    from forecasting.priors.effects import load_effect_priors
    from forecasting.settings import default_effect_priors_path, default_reference_path

    check_seed(seed)
    reference = load_reference(data or default_reference_path())
    effect_priors = load_effect_priors(priors or default_effect_priors_path())
    target = plot or reports_dir() / "validation" / "calibration.png"
    check_writable(target)
    chosen = tuple(dict.fromkeys(str(s) for s in schemes or (Scheme.loo, Scheme.lfo)))
    if "grouped" in chosen and "conflict_id" not in reference.cases:
        raise InputError(
            reference.path, "conflict_id", "grouped validation needs this column (data/CODEBOOK.md)"
        )
    settings = SamplerSettings(draws=draws, tune=tune, seed=seed)
    inputs = model_inputs(reference)
    with step("Fitting the model to every reference case (or loading the cached fit)"):
        fitted = fit(inputs, effect_priors, settings, progressbar=sys.stderr.isatty())
    with step(f"Out-of-sample predictions ({', '.join(chosen)}; refits reuse one compiled model)"):
        record = track_record(
            fitted.posterior, inputs, effect_priors, settings, cases=reference.cases, schemes=chosen
        )
    calibration = calibration_table(record.predictions)
    _save_reliability_plot(calibration, target)
    if output_format is OutputFormat.json:
        typer.echo(json.dumps(validation_json(record, calibration), indent=2))
        return
    console = Console()
    for scheme in chosen:
        console.print(*validation_tables(record.validations[scheme]))
    worst = Table(title="Cases the model gets most wrong", title_justify="left")
    for column in ("case", "outcome", "model P(success)", "ML logit", "Pareto k"):
        worst.add_column(column, justify="left" if column == "case" else "right")
    for row in record.worst().itertuples():
        worst.add_row(
            escape(row.case_id),
            str(row.outcome),
            f"{row.p_model:.2f}",
            f"{row.p_ml_logit:.2f}",
            f"{row.pareto_k:.2f}",
        )
    console.print(worst)
    console.print(
        f"elpd (LOO) {record.elpd_loo:.2f}; exact refits for high Pareto k: "
        f"{record.n_refits}. Calibration plot: {escape(str(target))}"
    )


@app.command()
@user_errors
def review(
    case: CaseArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Folder for the figures [default: reports/review/CASE]."
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


def _save_reliability_plot(calibration, target: Path) -> None:
    import io

    import matplotlib.pyplot as plt

    from forecasting.files import atomic_write_bytes
    from forecasting.plots.results import reliability

    fig, _ = reliability(calibration)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    atomic_write_bytes(target, buffer.getvalue())


SCHEME_TITLES = {
    "loo": "Leave one out",
    "lfo": "Leave the future out (each case predicted from cases resolved before it started)",
    "grouped": "Leave one conflict out",
}


def validation_tables(validation) -> list:
    """Scores per method, and the model's paired differences in words."""
    table = Table(
        title=f"{SCHEME_TITLES[validation.scheme]}: {len(validation.predictions)} cases scored, "
        f"{validation.n_fits} refits",
        title_justify="left",
    )
    for column in ("method", "Brier", "log score", "model − this: Brier ± SE", "log score ± SE"):
        table.add_column(column, justify="left" if column == "method" else "right")
    for method, row in validation.scores.iterrows():
        if method in validation.comparisons.index:
            c = validation.comparisons.loc[method]
            diffs = (
                f"{c.brier:+.3f} ± {c.brier_se:.3f}",
                f"{c.log_score:+.3f} ± {c.log_score_se:.3f}",
            )
        else:
            diffs = ("", "")
        table.add_row(method, f"{row.brier:.3f}", f"{row.log_score:.3f}", *diffs)
    table.caption = "Lower is better for both scores. " + " ".join(
        f"{s}." for s in validation.sentences()
    )
    table.caption_justify = "left"
    return [table]


def validation_json(record, calibration) -> dict:
    return {
        "schemes": {
            scheme: {
                "n": len(v.predictions),
                "n_fits": v.n_fits,
                "scores": v.scores.round(4).to_dict(orient="index"),
                "model_minus": v.comparisons.round(4).to_dict(orient="index"),
                "in_words": v.sentences(),
            }
            for scheme, v in record.validations.items()
        },
        "n": len(record.predictions),
        "scores": {
            m: {k: round(v, 4) for k, v in row.items()}
            for m, row in record.scores.to_dict(orient="index").items()
        },
        "elpd_loo": round(record.elpd_loo, 3),
        "n_refits": record.n_refits,
        "worst": record.worst()["case_id"].tolist(),
        "predictions": record.predictions.round(4).to_dict(orient="records"),
        "calibration": calibration.round(4).to_dict(orient="records"),
    }


def prediction_json(result) -> dict:
    fc = result.forecast

    def rounded(values: dict) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in values.items()}

    return {
        "case": result.case.id,
        "as_of": result.case.as_of.isoformat(),
        "reliable": result.reliable,
        "scenarios": {name: rounded(row.to_dict()) for name, row in fc.scenarios.iterrows()},
        "contrasts": [rounded(row) for row in fc.contrasts.to_dict(orient="records")],
        "diagnostics": result.convergence.as_dict(),
        "extrapolation": result.extrapolation.as_dict(),
        "reference_cases_used": len(result.split.used),
    }


def prediction_tables(result) -> list:
    from forecasting.formatting import percent, percent_interval, points, points_interval

    fc = result.forecast
    title = escape(f"{result.case.title} — as of {result.case.as_of}")
    scenarios = Table(title=title, title_justify="left")
    columns = ("scenario", "P(success)", "80% interval", "95% interval", "rating doubt (80%)")
    for column in columns:
        scenarios.add_column(column, justify="left" if column == "scenario" else "right")
    for name, row in fc.scenarios.iterrows():
        scenarios.add_row(
            escape(name),
            percent(row.p),
            percent_interval(row.p_lo80, row.p_hi80),
            percent_interval(row.p_lo95, row.p_hi95),
            percent_interval(row.rating_lo80, row.rating_hi80),
        )
    scenarios.caption = (
        "P(success): the predictive probability E[P]. Intervals: uncertainty about the model's "
        "parameters. Rating doubt: how far P moves across the forecaster's own uncertainty "
        "about the factor states."
    )
    scenarios.caption_justify = "left"
    contrasts = Table(title="Contrasts", title_justify="left")
    for column in ("contrast", "difference", "80% interval", "P(first better)"):
        contrasts.add_column(column, justify="left" if column == "contrast" else "right")
    for row in fc.contrasts.itertuples():
        contrasts.add_row(
            escape(f"{row.scenario} − {row.baseline}"),
            points(row.difference),
            points_interval(row.difference_lo80, row.difference_hi80),
            percent(row.p_scenario_better),
        )
    d = result.convergence.as_dict()
    status = "[green]converged[/]" if result.reliable else "[bold red]UNRELIABLE[/]"
    diagnostics = (
        f"Diagnostics: {status}; max R-hat {d['max_r_hat']}, min bulk ESS "
        f"{d['min_ess_bulk']:.0f}, min tail ESS {d['min_ess_tail']:.0f}, "
        f"{d['divergences']} divergences; {len(result.split.used)} reference cases."
    )
    outside = result.extrapolation.outside()
    history = (
        f"[bold yellow]Outside the range of past interventions:[/] {escape(', '.join(outside))} "
        "(see the report's extrapolation section)."
        if outside
        else "Every scenario lies inside the range of past interventions."
    )
    return [scenarios, contrasts, diagnostics, history]


app.add_typer(log_app, name="log")
app.add_typer(data_app, name="data")
app.add_typer(import_app, name="import")
app.command("replicate")(replicate)
app.command("sbc")(sbc)


def main() -> None:
    """Entry point of the `forecast` console script."""
    app()
