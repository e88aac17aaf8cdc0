"""The reviewer's figures, one PNG per figure, named for what they show."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt

from forecasting.checks.calibration import loo_pit, pav_curve
from forecasting.checks.track_record import TrackRecord
from forecasting.model.draws import parameter_draws
from forecasting.pipeline import CaseForecast
from forecasting.plots import results as plots

DPI = 130


def save_review_figures(result: CaseForecast, track: TrackRecord, folder: Path) -> dict[str, Path]:
    """Draw the reviewer's figures into `folder`; return their paths by name."""
    import arviz as az

    folder.mkdir(parents=True, exist_ok=True)
    posterior = result.fit.posterior
    paths: dict[str, Path] = {}

    def save_collection(collection, name: str) -> None:
        path = folder / f"{name}.png"
        collection.savefig(path, dpi=DPI, bbox_inches="tight")
        plt.close("all")
        paths[name] = path

    def save_figure(fig, name: str) -> None:
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=DPI, bbox_inches="tight")
        plt.close(fig)
        paths[name] = path

    parameters = ["alpha", "beta"]
    save_collection(az.plot_trace(posterior, var_names=parameters, backend="matplotlib"), "trace")
    save_collection(az.plot_rank(posterior, var_names=parameters, backend="matplotlib"), "rank")
    save_collection(
        az.plot_pair(posterior, var_names=parameters, backend="matplotlib"), "pairs-factor-effects"
    )
    if "energy" in posterior["sample_stats"]:
        save_collection(az.plot_energy(posterior, backend="matplotlib"), "energy")

    draws = parameter_draws(posterior).by_parameter()
    save_figure(
        plots.prior_posterior_grid(result.priors.components(), draws)[0], "prior-vs-posterior"
    )
    save_figure(plots.pav_calibration(pav_curve(track.predictions))[0], "calibration-pav")
    save_figure(
        plots.pit_ecdf_difference(loo_pit(track.predictions, result.fit.settings.seed))[0],
        "loo-pit",
    )
    return paths
