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


def score_terms(p: np.ndarray, outcome: np.ndarray) -> dict[str, np.ndarray]:
    """Each forecast's own Brier and log score: the terms whose means `brier` and
    `log_score` are, for paired comparisons."""
    p = np.asarray(p, dtype=float)
    outcome = np.asarray(outcome)
    clipped = np.clip(p, CLIP, 1 - CLIP)
    return {
        "brier": (p - outcome) ** 2,
        "log_score": -np.log(np.where(outcome == 1, clipped, 1 - clipped)),
    }


# A difference within this many paired standard errors of zero is called noise.
NOISE_SE = 2.0


def paired_comparison(p: np.ndarray, p_other: np.ndarray, outcome: np.ndarray) -> dict:
    """Mean score difference (p - p_other, negative: p scores better) with its paired
    standard error, per score, on the same cases."""
    mine, theirs = score_terms(p, outcome), score_terms(p_other, outcome)
    out = {}
    for score in ("brier", "log_score"):
        diff = mine[score] - theirs[score]
        se = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else float("nan")
        out[score] = float(diff.mean())
        out[f"{score}_se"] = se
    return out


def in_words(difference: float, se: float, *, better: str, worse: str, score: str) -> str:
    """'model beats base rate on Brier by 0.071 (paired SE 0.030)' or '... within noise'."""
    if not np.isfinite(se) or abs(difference) <= NOISE_SE * se:
        return (
            f"{better} vs {worse} on {score}: {difference:+.3f} (paired SE {se:.3f}), within noise"
        )
    who, whom = (better, worse) if difference < 0 else (worse, better)
    return (
        f"{who} beats {whom} on {score} by {abs(difference):.3f} (paired SE {se:.3f}, "
        f"more than {NOISE_SE:g} SE)"
    )
