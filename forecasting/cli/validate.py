"""`forecast validate`: out-of-sample scores of the reference cases, with paired SEs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from forecasting.cli.common import (
    DataOpt,
    DrawsOpt,
    OutputFormat,
    PriorsOpt,
    Scheme,
    SeedOpt,
    TuneOpt,
    check_seed,
    step,
    user_errors,
)
from forecasting.errors import InputError
from forecasting.settings import DEFAULT_SEED, SamplerSettings, reports_dir


@user_errors
def validate(
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="table for people, json for programs.")
    ] = OutputFormat.table,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            help="Where to write the calibration plot (PNG).",
            show_default="reports/validation/calibration.png",
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
            "Repeat for several.",
            show_default="loo and lfo",
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
