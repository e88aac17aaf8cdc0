"""Figures: every function takes keyword options and `ax=None`, returns (figure, axes)
and never shows. The result figures are importable from here (`forecasting.plots.X`)."""

from forecasting.plots.results import (
    contrast_distribution,
    contribution_waterfall,
    pav_calibration,
    pit_ecdf_difference,
    prior_posterior,
    prior_posterior_grid,
    reliability,
    scenario_intervals,
)

__all__ = [
    "contrast_distribution",
    "contribution_waterfall",
    "pav_calibration",
    "pit_ecdf_difference",
    "prior_posterior",
    "prior_posterior_grid",
    "reliability",
    "scenario_intervals",
]
