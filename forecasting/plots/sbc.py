"""Figures of simulation-based calibration: the ECDF difference of the ranks
from uniform, inside the simultaneous band of the uniformity test.

(arviz-plots' `plot_ecdf_pit` draws the same kind of plot, but for continuous
PIT values and as a PlotCollection; these follow the project's conventions and
the discrete ranks' own band from `rank_uniformity`.)
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from forecasting.checks.rank_uniformity import UniformityReference, ecdf
from forecasting.checks.sbc import SBCResult
from forecasting.plots.results import ACCENT, INK, _axes


def sbc_ecdf_difference(
    ranks: np.ndarray,
    reference: UniformityReference,
    *,
    band_level: float = 0.95,
    label: str = "",
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """ECDF of the ranks minus the uniform CDF, with the simultaneous `band_level` band.

    A line leaving the band is evidence, at that level, that the ranks are not
    uniform: above zero, true values sit high in their posteriors
    (underestimated); below, overestimated; a wave, over- or under-dispersion.
    """
    fig, ax = _axes(ax, (4.0, 2.8))
    z = reference.eval_points
    lower, upper = reference.band(band_level)
    difference = ecdf(ranks, reference.max_rank) - z
    outside = (difference < lower - z) | (difference > upper - z)
    ax.fill_between(z, lower - z, upper - z, step="post", color=INK, alpha=0.15, lw=0)
    ax.step(z, difference, where="post", color=ACCENT if outside.any() else INK, lw=1.3)
    ax.axhline(0, color="#888", lw=0.8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("fractional rank")
    ax.set_ylabel("ECDF − uniform")
    ax.set_title(label, loc="left", fontsize=9)
    return fig, ax


def sbc_ecdf_difference_grid(result: SBCResult, *, ncols: int = 3) -> tuple[Figure, np.ndarray]:
    """`sbc_ecdf_difference` for every quantity, with the band at the verdict's level."""
    names = list(result.ranks.columns)
    nrows = -(-len(names) // ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(3.3 * ncols, 2.5 * nrows),
        layout="constrained",
        squeeze=False,
        sharey=True,
    )
    level = 1 - result.threshold
    for ax, name in zip(axes.flat, names, strict=False):
        check = result.checks.loc[name]
        verdict = "pass" if check["passed"] else "FAIL"
        sbc_ecdf_difference(
            result.ranks[name].to_numpy(),
            result.reference,
            band_level=level,
            label=f"{name}\np = {check['p_value']:.3g} ({verdict})",
            ax=ax,
        )
        ax.label_outer()
    for ax in axes.flat[len(names) :]:
        ax.set_visible(False)
    fig.suptitle(
        f"SBC ranks, {len(result.ranks)} simulations, L = {result.max_rank}; "
        f"band: simultaneous {level:.2%} (Bonferroni over {len(names)} quantities)",
        fontsize=9,
    )
    return fig, axes
