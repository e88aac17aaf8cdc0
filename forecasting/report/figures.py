"""The report's figures, saved as SVG files in a working folder."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt

from forecasting.checks.track_record import TrackRecord, calibration_table
from forecasting.forecast.scenarios import analyst_scenarios
from forecasting.model.draws import parameter_draws
from forecasting.pipeline import CaseForecast
from forecasting.plots import results as plots
from forecasting.plots.priors import pooled_priors
from forecasting.priors.pooling import PooledPriors, fitted_pool, linear_pool


def save_report_figures(
    result: CaseForecast, folder: Path, track: TrackRecord | None = None
) -> dict[str, object]:
    """Draw every report figure into `folder`; return file names by role."""
    fc = result.forecast
    names: dict[str, object] = {}

    def save(fig, name: str) -> str:
        fig.savefig(folder / name, bbox_inches="tight")
        plt.close(fig)
        return name

    labels = {name: s.label for name, s in result.case.scenarios.items()}
    fig, _ = plots.scenario_intervals(fc.scenarios, labels=[labels[n] for n in fc.scenarios.index])
    names["scenarios"] = save(fig, "scenarios.svg")

    names["waterfalls"] = [
        save(
            plots.contribution_waterfall(fc, scenario, label=labels[scenario])[0],
            f"waterfall-{i}.svg",
        )
        for i, scenario in enumerate(analyst_scenarios(fc))
    ]

    if len(fc.contrasts):
        fig, axes = plt.subplots(
            len(fc.contrasts),
            1,
            figsize=(6.5, 2.2 * len(fc.contrasts)),
            layout="constrained",
            squeeze=False,
        )
        for ax, row in zip(axes.flat, fc.contrasts.itertuples(), strict=True):
            diff = (
                fc.probability.sel(scenario=row.scenario)
                - fc.probability.sel(scenario=row.baseline)
            ).values
            plots.contrast_distribution(
                diff, label=f"{labels[row.scenario]} − {labels[row.baseline]}", ax=ax
            )
        names["contrasts"] = save(fig, "contrasts.svg")

    draws = parameter_draws(result.fit.posterior).by_parameter()
    fig, _ = plots.prior_posterior_grid(result.priors.components(), draws)
    names["prior_posterior"] = save(fig, "prior-posterior.svg")

    if isinstance(result.priors, PooledPriors):
        linear = linear_pool(list(result.priors.forecasters))
        fitted = fitted_pool(list(result.priors.forecasters))
        names["pooling"] = save(pooled_priors(linear, fitted=fitted)[0], "pooling.svg")

    if track is not None:
        fig, _ = plots.reliability(calibration_table(track.predictions))
        names["calibration"] = save(fig, "calibration.svg")
    return names
