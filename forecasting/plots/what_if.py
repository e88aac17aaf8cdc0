"""Figures for `what_if`: keyword options, `ax=None` in, figure and axes out, never shown."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display on servers; set before pyplot is imported

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from forecasting.factors import FACTOR_BY_ID, RATING_MAX, RATING_MIN
from forecasting.forecast.what_if import RatingSweep
from forecasting.plots.results import ACCENT, INK


def rating_sweep_plot(
    sweep: RatingSweep, *, ax: Axes | None = None, title: str | None = None
) -> tuple[Figure, Axes]:
    """Median P(success) with its 80% band against the swept factor's rating; the
    assessed rating and P(success) marked."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(4.2, 3.0), layout="constrained")
    else:
        fig = ax.figure
    t = sweep.table
    ax.fill_between(t.index, t["p_lo80"], t["p_hi80"], color=INK, alpha=0.18, label="80%")
    ax.plot(t.index, t["p"], color=INK, lw=2, label="E[P]")
    ax.axvline(sweep.assessed.rating, color=ACCENT, lw=1.2, ls="--", label="as assessed")
    ax.plot([sweep.assessed.rating], [sweep.p_assessed], "o", color=ACCENT, zorder=3)
    ax.set_xlim(RATING_MIN, RATING_MAX)
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"{FACTOR_BY_ID[sweep.factor].label} rating (1-5)")
    ax.set_ylabel("P(success)")
    if title is None:
        title = f"'{sweep.scenario}' as one rating moves"
    ax.set_title(title, loc="left", fontsize=10)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    return fig, ax
