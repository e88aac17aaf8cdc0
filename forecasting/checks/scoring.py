"""Proper scores of probability forecasts of a 0/1 outcome, defined once for the
track record and the forecast log. Both are lower-is-better."""

from __future__ import annotations

import numpy as np
import pandas as pd

# Probabilities are clipped away from 0 and 1 so one confident miss cannot give an
# infinite log score.
CLIP = 1e-6


def brier(p: np.ndarray, outcome: np.ndarray) -> float:
    """Mean squared difference between forecast and outcome (0 is perfect, 0.25 is a coin)."""
    return float(np.mean((np.asarray(p, dtype=float) - np.asarray(outcome)) ** 2))


def log_score(p: np.ndarray, outcome: np.ndarray) -> float:
    """Mean -ln(probability given to what happened), in nats (0 is perfect, 0.693 a coin)."""
    p = np.clip(np.asarray(p, dtype=float), CLIP, 1 - CLIP)
    outcome = np.asarray(outcome)
    return float(np.mean(-np.log(np.where(outcome == 1, p, 1 - p))))


def calibration_table(p: np.ndarray, outcome: np.ndarray, bins: int = 10):
    """Forecasts binned by probability: mean forecast, observed frequency, count (non-empty)."""
    p, outcome = np.asarray(p, dtype=float), np.asarray(outcome, dtype=float)
    index = np.minimum((p * bins).astype(int), bins - 1)  # p = 1 goes in the top bin
    rows = [
        {
            "bin_lo": b / bins,
            "bin_hi": (b + 1) / bins,
            "mean_forecast": float(p[index == b].mean()),
            "observed": float(outcome[index == b].mean()),
            "count": int((index == b).sum()),
        }
        for b in range(bins)
        if (index == b).any()
    ]
    return pd.DataFrame(rows, columns=["bin_lo", "bin_hi", "mean_forecast", "observed", "count"])
