"""Scores of the logged forecasts once their cases resolved.

**Scores.** Only entries whose `as_of` is before the case's `resolved_on` are
scored (a forecast made with the outcome known is not a forecast). Brier score
= mean (p - outcome)^2; log score = mean -ln(probability given to what
happened), in nats, with p clipped to [1e-6, 1 - 1e-6]; lower is better for
both. By case: the mean over that case's scored entries. Overall: the mean of
the per-case scores, so a case logged often does not outweigh one logged once.
With at least 10 scored entries, a calibration table bins them by forecast
probability (tenths) and gives each bin's mean forecast, observed frequency
of success and count.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from forecasting.checks.scoring import brier, calibration_table, log_score
from forecasting.log.store import SCORED_SCENARIO, history, resolutions

MIN_FOR_CALIBRATION = 10
CALIBRATION_BINS = 10


@dataclass(frozen=True)
class Scores:
    """Brier and log scores of the resolved forecasts (lower is better for both)."""

    by_case: pd.DataFrame  # index case_id: n, outcome, resolved_on, brier, log_score
    brier: float  # mean of the per-case Brier scores
    log_score: float  # mean of the per-case log scores
    n_forecasts: int
    calibration: pd.DataFrame | None  # bin_lo, bin_hi, mean_forecast, observed, count

    def as_dict(self) -> dict:
        return {
            "headline_scenario": SCORED_SCENARIO,
            "overall": {
                "brier": self.brier,
                "log_score": self.log_score,
                "n_cases": len(self.by_case),
                "n_forecasts": self.n_forecasts,
            },
            "by_case": self.by_case.reset_index().to_dict(orient="records"),
            "calibration": None
            if self.calibration is None
            else self.calibration.to_dict(orient="records"),
        }


def scored_forecasts(path: str | Path | None = None) -> pd.DataFrame:
    """One row per scoreable entry: id, case_id, as_of, p (the headline's E[P]), outcome."""
    resolved = resolutions(path)
    rows = [
        {
            "id": e.id,
            "case_id": e.case_id,
            "as_of": e.as_of,
            "p": e.scored_p,
            "outcome": r.outcome,
        }
        for case_id, r in resolved.items()
        for e in history(case_id, path)
        if e.as_of < r.resolved_on
    ]
    return pd.DataFrame(rows, columns=["id", "case_id", "as_of", "p", "outcome"])


def score_resolved(path: str | Path | None = None) -> Scores | None:
    """Brier and log scores of the resolved forecasts, or None if none is resolved yet."""
    scored = scored_forecasts(path)
    if scored.empty:
        return None
    resolved = resolutions(path)
    by_case = pd.DataFrame(
        [
            {
                "case_id": case_id,
                "n": len(group),
                "outcome": int(group.outcome.iloc[0]),
                "resolved_on": resolved[case_id].resolved_on.isoformat(),
                "brier": brier(group.p, group.outcome),
                "log_score": log_score(group.p, group.outcome),
            }
            for case_id, group in scored.groupby("case_id", sort=True)
        ]
    ).set_index("case_id")
    enough = len(scored) >= MIN_FOR_CALIBRATION
    return Scores(
        by_case=by_case,
        brier=float(by_case.brier.mean()),
        log_score=float(by_case.log_score.mean()),
        n_forecasts=len(scored),
        calibration=calibration_table(scored.p, scored.outcome, CALIBRATION_BINS)
        if enough
        else None,
    )
