"""Calibration of leave-one-out predictions of the reference cases: PAV-adjusted
reliability (Dimitriadis et al. 2021) and randomised LOO-PIT values."""

from __future__ import annotations

import numpy as np
import pandas as pd


def pav_curve(predictions: pd.DataFrame) -> pd.DataFrame:
    """PAV-adjusted (isotonic) calibration of LOO predictions (Dimitriadis et al. 2021):
    sorted predictions against the isotonic regression of the outcomes on them."""
    from scipy.optimize import isotonic_regression

    ordered = predictions.sort_values("p_model")
    calibrated = isotonic_regression(ordered["outcome"].to_numpy(dtype=float)).x
    return pd.DataFrame(
        {
            "case_id": ordered["case_id"].to_numpy(),
            "p_model": ordered["p_model"].to_numpy(),
            "calibrated": calibrated,
        }
    )


def loo_pit(predictions: pd.DataFrame, seed: int) -> np.ndarray:
    """Randomised LOO-PIT values for binary outcomes: uniform if the LOO predictions are
    calibrated. For y = 0 the PIT is uniform on [0, 1-p); for y = 1 on [1-p, 1)."""
    rng = np.random.default_rng(seed)
    p = predictions["p_model"].to_numpy()
    y = predictions["outcome"].to_numpy()
    u = rng.uniform(size=len(p))
    return np.where(y == 0, u * (1 - p), (1 - p) + u * p)
