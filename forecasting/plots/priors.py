"""Figures about priors: an elicited prior and what it implies, several forecasters'
priors and their pools, and the prior predictive check.

Like `plots.py`: keyword options, `ax=None` (or `axes=None` for several panels)
in, figure and axes out, never shown or saved.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display on servers; set before pyplot is imported

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scipy.special import logit
from scipy.stats import norm

from forecasting.factors import FACTOR_BY_ID
from forecasting.forecast.prior_predictive import PriorPredictive
from forecasting.plots.results import ACCENT, INK, scenario_intervals
from forecasting.priors.effects import PARAMETERS
from forecasting.priors.elicitation import Elicited, NormalPrior
from forecasting.priors.pooling import PooledPriors

GREEN = "#4f8a5b"
GREY = "#888888"


def parameter_label(name: str) -> str:
    return "Base rate (intercept)" if name == "intercept" else FACTOR_BY_ID[name].label


def _axes_row(
    axes: np.ndarray | list[Axes] | None, n: int, figsize: tuple[float, float]
) -> tuple[Figure, np.ndarray]:
    if axes is None:
        fig, axes = plt.subplots(1, n, figsize=figsize, layout="constrained", squeeze=False)
        return fig, axes[0]
    axes = np.asarray(axes).reshape(-1)
    if axes.size != n:
        raise ValueError(f"need {n} axes, got {axes.size}")
    return axes[0].figure, axes


def _safe_log(x: np.ndarray) -> np.ndarray:
    return np.log(np.clip(x, 1e-12, None))  # matplotlib probes the inverse with values <= 0


def _probability_pdf(prior: NormalPrior, p: np.ndarray) -> np.ndarray:
    """Density of expit(X), X ~ Normal(mu, sigma): the log-odds density times |d logit / dp|."""
    return norm.pdf(logit(p), prior.mu, prior.sigma) / (p * (1 - p))


def elicited_prior(
    elicited: Elicited,
    *,
    axes: np.ndarray | list[Axes] | None = None,
    title: str | None = None,
    points: int = 400,
) -> tuple[Figure, np.ndarray]:
    """Left: the prior on the log-odds scale with the statement marked. Right: what it
    implies for P(success) (an effect: a typical case before and after one step up)."""
    fig, (left, right) = _axes_row(axes, 2, (10, 3.4))
    statement, prior = elicited.statement, elicited.prior
    grid = np.linspace(prior.mu - 4 * prior.sigma, prior.mu + 4 * prior.sigma, points)
    left.plot(grid, norm.pdf(grid, prior.mu, prior.sigma), color=INK, lw=2)
    probs, marks = statement.log_odds_quantiles()
    if statement.is_quartiles:
        for q, x in zip(probs, marks, strict=True):
            left.axvline(x, color=ACCENT, lw=1.2, ls="-" if q == 0.5 else "--")
        left.plot([], [], color=ACCENT, lw=1.2, ls="--", label="stated quartiles and median")
    else:
        left.axvspan(marks[0], marks[1], color=ACCENT, alpha=0.18)
        label = f"stated {statement.mass:.0%} interval"
        left.plot([], [], color=ACCENT, lw=6, alpha=0.4, label=label)
    left.axvline(0, color=GREY, lw=0.8)
    effect = statement.role == "effect"
    left.set_xlabel("log-odds per rating step" if effect else "log-odds of success, typical case")
    left.set_yticks([])
    left.legend(fontsize=8, frameon=False, loc="upper left")
    left.set_title(
        title or f"Normal(mu={prior.mu:.2f}, sigma={prior.sigma:.2f})", loc="left", fontsize=10
    )
    if effect:  # secondary axis in the forecaster's own units
        top = left.secondary_xaxis("top", functions=(np.exp, _safe_log))
        top.set_xlabel("odds ratio per step", fontsize=8)

    p = np.linspace(0.001, 0.999, points)
    if effect:
        base = elicited.intercept
        stepped = NormalPrior(base.mu + prior.mu, float(np.hypot(base.sigma, prior.sigma)))
        right.plot(p, _probability_pdf(base, p), color=GREY, lw=1.5, label="typical case")
        right.plot(p, _probability_pdf(stepped, p), color=INK, lw=2, label="one step up")
        right.set_title("P(success) of a typical case", loc="left", fontsize=10)
    else:
        right.plot(p, _probability_pdf(prior, p), color=INK, lw=2, label="typical case")
        if statement.is_quartiles:
            for x in (statement.lower, statement.median, statement.upper):
                right.axvline(x, color=ACCENT, lw=1.2, ls="-" if x == statement.median else "--")
        else:
            right.axvspan(statement.lower, statement.upper, color=ACCENT, alpha=0.18)
        right.set_title("P(success) this base rate implies", loc="left", fontsize=10)
    right.set_xlim(0, 1)
    right.set_xlabel("P(success)")
    right.set_yticks([])
    right.legend(fontsize=8, frameon=False)
    return fig, np.array([left, right])


def pooled_priors(
    linear: PooledPriors,
    *,
    fitted: PooledPriors | None = None,
    axes: np.ndarray | list[Axes] | None = None,
    points: int = 400,
) -> tuple[Figure, np.ndarray]:
    """Per parameter: each forecaster's prior, the linear pool, and the fitted Normal."""
    fig, axes = _axes_row(axes, len(PARAMETERS), (3.0 * len(PARAMETERS), 3.0))
    pool = linear.components()
    colours = plt.get_cmap("tab10")
    for i, (name, ax) in enumerate(zip(PARAMETERS, axes, strict=True)):
        lo = float((pool.mu[i] - 4 * pool.sigma[i]).min())
        hi = float((pool.mu[i] + 4 * pool.sigma[i]).max())
        grid = np.linspace(lo, hi, points)
        for j, forecaster in enumerate(linear.forecasters):
            mu, sigma = forecaster.priors.parameters()[name]
            ax.plot(grid, norm.pdf(grid, mu, sigma), color=colours(j), lw=1, label=forecaster.name)
        ax.plot(grid, pool.pdf(name, grid), color=INK, lw=2.2, label="linear pool")
        if fitted is not None:
            ax.plot(
                grid,
                fitted.components().pdf(name, grid),
                color=ACCENT,
                lw=1.6,
                ls="--",
                label="fitted Normal",
            )
        ax.axvline(0, color=GREY, lw=0.8)
        ax.set_title(parameter_label(name), loc="left", fontsize=9)
        ax.set_xlabel("log-odds" if name == "intercept" else "log-odds per step", fontsize=8)
        ax.set_yticks([])
    axes[0].legend(fontsize=7, frameon=False, loc="upper left")
    return fig, axes


def prior_predictive_cases(
    check: PriorPredictive, *, ax: Axes | None = None, title: str | None = None
) -> tuple[Figure, Axes]:
    """P(success) of each reference case under the priors alone (median and 80%), by outcome."""
    cases = check.cases.sort_values("p_median").reset_index(drop=True)
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.5, 0.12 * len(cases) + 1.5), layout="constrained")
    else:
        fig = ax.figure
    y = np.arange(len(cases))
    colour = np.where(cases["outcome"] == 1, GREEN, ACCENT)
    ax.hlines(y, cases["p_lo80"], cases["p_hi80"], color=colour, lw=1.5, alpha=0.7)
    ax.scatter(cases["p_median"], y, c=colour, s=10, zorder=3)
    ax.plot([], [], "o", color=GREEN, label="succeeded")
    ax.plot([], [], "o", color=ACCENT, label="failed")
    ax.set_yticks([])
    ax.set_ylabel("reference cases")
    ax.set_xlim(0, 1)
    ax.set_xlabel("P(success) from the priors alone (median, 80%)")
    ax.set_title(title or "Reference cases, before seeing any outcome", loc="left", fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    return fig, ax


def prior_predictive_share(
    check: PriorPredictive, *, ax: Axes | None = None, bins: int = 30
) -> tuple[Figure, Axes]:
    """The share of successes the priors expect across the reference class vs the observed."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 3), layout="constrained")
    else:
        fig = ax.figure
    ax.hist(check.share, bins=np.linspace(0, 1, bins + 1), color=INK, alpha=0.7)
    ax.axvline(check.observed_share, color=ACCENT, lw=2, label="observed")
    ax.set_xlim(0, 1)
    ax.set_yticks([])
    ax.set_xlabel("share of reference cases that succeed")
    ax.set_title("Share of successes the priors expect", loc="left", fontsize=10)
    ax.legend(fontsize=8, frameon=False)
    return fig, ax


def prior_predictive_scenarios(
    check: PriorPredictive, *, ax: Axes | None = None
) -> tuple[Figure, Axes]:
    """The case's scenarios under the priors alone (needs a check made with a case)."""
    if check.forecast is None:
        raise ValueError("this prior predictive check was made without a case")
    return scenario_intervals(
        check.forecast.scenarios, ax=ax, title="P(success) by scenario, priors alone"
    )
