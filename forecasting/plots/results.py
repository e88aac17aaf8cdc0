"""Figures. Every function takes keyword options and `ax=None`, returns the
figure and axes, and never shows or saves: callers lay figures out."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display on servers; set before pyplot is imported

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from forecasting.factors import FACTOR_BY_ID
from forecasting.forecast.scenarios import Forecast
from forecasting.priors.effects import PriorComponents

INK = "#1f3b57"
ACCENT = "#c8553d"


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    return ax.figure, ax


def scenario_intervals(
    scenarios: pd.DataFrame,
    *,
    labels: list[str] | None = None,
    ax: Axes | None = None,
    title: str = "P(success) by scenario",
) -> tuple[Figure, Axes]:
    """E[P] and the 80% and 95% intervals from the model's parameters, one row per
    scenario (`labels`: how to name them; default the index)."""
    fig, ax = _axes(ax, (6.5, 0.55 * len(scenarios) + 1.2))
    y = np.arange(len(scenarios))[::-1]
    ax.hlines(y, scenarios["p_lo95"], scenarios["p_hi95"], color=INK, lw=1.2, label="95%")
    ax.hlines(y, scenarios["p_lo80"], scenarios["p_hi80"], color=INK, lw=4.5, label="80%")
    ax.plot(scenarios["p"], y, "o", color=ACCENT, ms=7, label="E[P]", zorder=3)
    ax.set_yticks(y, labels if labels is not None else scenarios.index)
    ax.set_xlim(0, 1)
    ax.set_xlabel("P(success)")
    ax.set_title(title, loc="left")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), fontsize=8, frameon=False, ncols=3)
    return fig, ax


def contribution_waterfall(
    forecast: Forecast, scenario: str, *, label: str | None = None, ax: Axes | None = None
) -> tuple[Figure, Axes]:
    """From an average-rated intervention's log-odds, each factor's median contribution,
    to the scenario's; a probability scale on the right."""
    from matplotlib.patches import Patch
    from scipy.special import expit, logit

    fig, ax = _axes(ax, (6.5, 3.4))
    label = label or scenario
    rows = forecast.contributions[forecast.contributions["scenario"] == scenario]
    base = float(np.median(forecast.base_log_odds))
    labels = ["average-rated", *(FACTOR_BY_ID[f].label for f in rows["factor"]), "this scenario"]
    steps = rows["log_odds_median"].to_numpy()
    starts = base + np.concatenate([[0.0], np.cumsum(steps)[:-1]])
    log_odds = forecast.base_log_odds + forecast.contribution.sel(scenario=scenario).sum("factor")
    total = float(np.median(log_odds))
    x = np.arange(len(labels))
    ax.bar(x[0], base, color=INK)
    ax.bar(x[1:-1], steps, bottom=starts, color=[ACCENT if s < 0 else "#4f8a5b" for s in steps])
    errors = np.vstack([steps - rows["log_odds_lo80"], rows["log_odds_hi80"] - steps])
    ax.errorbar(x[1:-1], starts + steps, yerr=errors, fmt="none", ecolor="#555", lw=1, capsize=3)
    ax.bar(x[-1], total, color=INK, alpha=0.6)
    ax.axhline(0, color="#888", lw=0.8)
    tops = np.concatenate([[0.0, base, total], starts, starts + steps])
    margin = 0.15 * (tops.max() - tops.min() + 0.5)
    ax.set_ylim(tops.min() - margin, tops.max() + margin)
    ax.set_xticks(x, labels, rotation=20, ha="right")
    ax.set_ylabel("log-odds of success")
    probability = ax.secondary_yaxis(
        "right", functions=(expit, lambda p: logit(np.clip(p, 1e-9, 1 - 1e-9)))
    )
    probability.set_ylabel("P(success)")
    probability.set_yticks([0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95])
    ax.legend(
        handles=[
            Patch(color="#4f8a5b", label="raises the odds"),
            Patch(color=ACCENT, label="lowers the odds"),
        ],
        loc="best",
        fontsize=8,
        frameon=False,
    )
    ax.set_title(
        f"What drives '{label}' (medians; whiskers: 80% of each factor's effect)",
        loc="left",
        fontsize=10,
    )
    return fig, ax


def prior_posterior(
    prior: PriorComponents, name: str, draws: np.ndarray, *, ax: Axes | None = None
) -> tuple[Figure, Axes]:
    """Parameter `name`'s prior (a Normal or a mixture) as a curve against its posterior
    draws as a histogram."""
    fig, ax = _axes(ax, (3.2, 2.4))
    mean, sd = prior.moments()[name]
    lo = min(mean - 3.5 * sd, np.quantile(draws, 0.001))
    hi = max(mean + 3.5 * sd, np.quantile(draws, 0.999))
    grid = np.linspace(lo, hi, 300)
    ax.hist(draws, bins=60, range=(lo, hi), density=True, color=INK, alpha=0.55, label="posterior")
    ax.plot(grid, prior.pdf(name, grid), color=ACCENT, lw=2, label="prior")
    title = FACTOR_BY_ID[name].label if name in FACTOR_BY_ID else "Intercept (average-rated)"
    ax.set_title(title, loc="left", fontsize=9)
    ax.set_yticks([])
    ax.tick_params(labelsize=8)
    return fig, ax


def prior_posterior_grid(
    prior: PriorComponents, draws: dict[str, np.ndarray], *, ncols: int = 3
) -> tuple[Figure, np.ndarray]:
    """`prior_posterior` for every parameter in `draws`, one panel each (log-odds scale)."""
    names = list(draws)
    nrows = -(-len(names) // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(3.1 * ncols, 2.3 * nrows), layout="constrained", squeeze=False
    )
    for ax, name in zip(axes.flat, names, strict=False):
        prior_posterior(prior, name, draws[name], ax=ax)
    for ax in axes.flat[len(names) :]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7, frameon=False)
    fig.supxlabel("log-odds scale", fontsize=9)
    return fig, axes


def pav_calibration(calibration: pd.DataFrame, *, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """PAV-adjusted reliability: LOO predictions against their isotonic recalibration
    (`checks.calibration.pav_curve`); on the diagonal means calibrated."""
    fig, ax = _axes(ax, (3.6, 3.4))
    ax.plot([0, 1], [0, 1], color="#888", lw=1, ls="--", label="calibrated")
    ax.step(
        calibration["p_model"],
        calibration["calibrated"],
        where="post",
        color=INK,
        lw=1.5,
        label="PAV-calibrated",
    )
    ax.plot(
        calibration["p_model"], np.zeros(len(calibration)) - 0.02, "|", color=ACCENT, label="cases"
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.05, 1.03)
    ax.set_aspect("equal")
    ax.set_xlabel("predicted P(success), leave-one-out")
    ax.set_ylabel("calibrated probability")
    ax.set_title("Calibration, PAV-adjusted", loc="left", fontsize=10)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    return fig, ax


def pit_ecdf_difference(
    pit: np.ndarray, *, ax: Axes | None = None, prob: float = 0.95, seed: int = 0
) -> tuple[Figure, Axes]:
    """ECDF of LOO-PIT values minus the uniform CDF, with a simultaneous `prob` band: if
    the predictions are calibrated, the whole curve stays inside it with that probability."""
    fig, ax = _axes(ax, (4.6, 3.0))
    n = len(pit)
    grid = np.linspace(0, 1, 201)
    ecdf = np.searchsorted(np.sort(pit), grid, side="right") / n
    lo, hi = simultaneous_uniform_band(n, grid, prob, seed)
    ax.fill_between(grid, lo, hi, color=INK, alpha=0.15, label=f"{prob:.0%} simultaneous band")
    ax.plot(grid, ecdf - grid, color=ACCENT, lw=1.5, label="LOO-PIT ECDF − uniform CDF")
    ax.axhline(0, color="#888", lw=0.8)
    ax.set_xlabel("PIT value")
    ax.set_ylabel("ECDF − uniform CDF")
    ax.set_title("LOO-PIT (randomised, binary outcomes)", loc="left", fontsize=10)
    ax.legend(fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=2)
    return fig, ax


def simultaneous_uniform_band(
    n: int, grid: np.ndarray, prob: float, seed: int, simulations: int = 2000
) -> tuple[np.ndarray, np.ndarray]:
    """A band around 0 holding the whole ECDF-minus-CDF curve of `n` uniform values with
    probability `prob`: pointwise quantiles at the level whose joint coverage, over
    simulated uniform samples, is `prob` (Säilynoja, Bürkner & Vehtari 2022, by simulation)."""
    rng = np.random.default_rng(seed)
    samples = np.sort(rng.uniform(size=(simulations, n)), axis=1)
    curves = np.stack([np.searchsorted(s, grid, side="right") / n for s in samples]) - grid
    for level in np.linspace(prob, 0.99999, 400):
        lo = np.quantile(curves, (1 - level) / 2, axis=0)
        hi = np.quantile(curves, (1 + level) / 2, axis=0)
        inside = ((curves >= lo) & (curves <= hi)).all(axis=1).mean()
        if inside >= prob:
            return lo, hi
    return curves.min(axis=0), curves.max(axis=0)


def contrast_distribution(
    difference: np.ndarray, *, label: str, ax: Axes | None = None
) -> tuple[Figure, Axes]:
    """Posterior of a difference in P(success) between two scenarios, in points."""
    fig, ax = _axes(ax, (4.0, 2.6))
    ax.hist(100 * np.asarray(difference), bins=50, color=INK, alpha=0.7)
    ax.axvline(0, color=ACCENT, lw=1.5)
    ax.set_xlabel("difference in P(success), percentage points")
    ax.set_ylabel("posterior draws")
    ax.set_title(label, loc="left", fontsize=9)
    return fig, ax


def reliability(
    calibration: pd.DataFrame, *, ax: Axes | None = None, title: str = "Calibration (LOO)"
) -> tuple[Figure, Axes]:
    """Observed frequency of success against mean predicted probability, per bin.

    `calibration` is `track_record.calibration_table(...)`; point size shows the count.
    """
    fig, ax = _axes(ax, (3.6, 3.4))
    shown = calibration
    ax.plot([0, 1], [0, 1], color="#888", lw=1, ls="--", label="perfect calibration")
    ax.plot(shown["mean_forecast"], shown["observed"], color=INK, lw=1)
    ax.scatter(
        shown["mean_forecast"],
        shown["observed"],
        s=20 + 12 * shown["count"],
        color=ACCENT,
        zorder=3,
        label="bins (size: cases)",
    )
    for row in shown.itertuples():
        ax.annotate(
            str(row.count),
            (row.mean_forecast, row.observed),
            fontsize=7,
            xytext=(4, -10),
            textcoords="offset points",
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("predicted P(success), leave-one-out")
    ax.set_ylabel("observed share of successes")
    ax.set_title(title, loc="left", fontsize=10)
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    return fig, ax
