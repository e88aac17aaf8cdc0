"""What goes into a report, decided once: the CLI (`report`, `review`), the notebooks
and the tests call these, then lay the results out.

Each step runs under `step(description)`, a context manager the caller supplies
(the CLI prints the description, so piped output still says what is happening).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from forecasting.checks.sensitivity import SensitivityReview, sensitivity_review
from forecasting.checks.track_record import TrackRecord, track_record
from forecasting.log import store as forecast_log
from forecasting.log.movement import movement
from forecasting.pipeline import CaseForecast, pool_comparison
from forecasting.report.content import ReportExtras, latest_sbc
from forecasting.report.review_figures import save_review_figures
from forecasting.settings import reports_dir

Step = Callable[[str], AbstractContextManager]


def quietly(_description: str) -> AbstractContextManager:
    return contextlib.nullcontext()


@dataclass(frozen=True)
class ReviewChecks:
    """The reviewer's checks of one forecast: the track record and prior sensitivity."""

    track: TrackRecord
    sensitivity: SensitivityReview


def review_checks(
    result: CaseForecast, *, scheduler: str | None = None, step: Step = quietly
) -> ReviewChecks:
    with step("Track record: leave one out, and leave the future out (refits)"):
        track = track_record(
            result.fit.posterior,
            result.inputs,
            result.priors,
            result.fit.settings,
            cases=result.split.used.cases,
            schemes=("loo", "lfo"),
        )
    with step("Prior sensitivity: power-scaling and refits under wider and narrower priors"):
        sensitivity = sensitivity_review(result, scheduler=scheduler)
    return ReviewChecks(track, sensitivity)


def review_folder_of(case_id: str) -> Path:
    """Where a case's reviewer figures are published."""
    return reports_dir() / "review" / case_id


@dataclass(frozen=True)
class AssembledReport:
    extras: ReportExtras
    entry: forecast_log.Entry  # what the forecast log records once the report is written


def assemble_report(
    result: CaseForecast,
    *,
    note: str = "",
    step: Step = quietly,
    figures_folder: Path | None = None,
) -> AssembledReport:
    """Every section of the report beyond the forecast itself."""
    entry = forecast_log.entry_from_forecast(result, note)
    previous = forecast_log.latest(result.case.id)
    checks = review_checks(result, step=step)
    with step("Refitting under the other pooling method"):
        pools = pool_comparison(result)
    with step("Reviewer figures"):
        folder = figures_folder or review_folder_of(result.case.id)
        figures = save_review_figures(result, checks.track, folder)
    extras = ReportExtras(
        track=checks.track,
        moved=movement(entry, previous) if previous else None,
        pools=pools,
        sensitivity=checks.sensitivity,
        review_figures=figures,
        sbc=latest_sbc(reports_dir() / "sbc"),
    )
    return AssembledReport(extras, entry)
