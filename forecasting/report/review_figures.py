"""The reviewer's figures, one PNG per figure, named for what they show.

Each PNG is written atomically (a killed run leaves the previous file or the whole new
one, never a truncated one).
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib.pyplot as plt

from forecasting.checks.calibration import loo_pit, pav_curve
from forecasting.checks.track_record import TrackRecord
from forecasting.factors import FACTOR_BY_ID, FACTOR_IDS
from forecasting.files import atomic_write_bytes
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
        buffer = io.BytesIO()  # the collection's own savefig takes only a path
        collection.get_viz("figure").savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
        plt.close("all")
        paths[name] = _write(folder / f"{name}.png", buffer)

    def save_figure(fig, name: str) -> None:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
        plt.close(fig)
        paths[name] = _write(folder / f"{name}.png", buffer)

    draws = parameter_draws(posterior)
    labelled = labelled_posterior(draws, posterior)
    # one row per parameter, so no panel's title falls on the panel above
    save_collection(az.plot_trace_dist(labelled, backend="matplotlib"), "trace")
    rank = az.plot_rank(
        labelled,
        backend="matplotlib",
        col_wrap=3,
        figure_kwargs={"figsize": (11, 5.5), "layout": "constrained"},
    )
    save_collection(rank, "rank")
    save_collection(az.plot_pair(labelled, backend="matplotlib"), "pairs-factor-effects")
    if "energy" in posterior["sample_stats"]:
        save_collection(az.plot_energy(posterior, backend="matplotlib", show_bfmi=False), "energy")

    draws = draws.by_parameter()
    save_figure(
        plots.prior_posterior_grid(result.priors.components(), draws)[0], "prior-vs-posterior"
    )
    save_figure(plots.pav_calibration(pav_curve(track.predictions))[0], "calibration-pav")
    save_figure(
        plots.pit_ecdf_difference(loo_pit(track.predictions, result.fit.settings.seed))[0],
        "loo-pit",
    )
    return paths


# What each figure shows, for captions.
CAPTIONS = {
    "trace": "Trace of each parameter, chain by chain (right) and each chain's density (left): "
    "chains should overlap like noise",
    "rank": "Rank ECDF of each chain's draws among all draws, with the p-value of the test "
    "that the chains mix (small p: they do not)",
    "pairs-factor-effects": "Pairs of parameters: the joint posterior, to spot strong correlation",
    "energy": "Energy: the marginal and transition energy distributions of the sampler should "
    "overlap (if the transitions are much narrower, the sampler explores poorly)",
    "prior-vs-posterior": "Prior (curve) against posterior (histogram) of every parameter",
    "calibration-pav": "PAV-adjusted calibration of the leave-one-out predictions",
    "loo-pit": "LOO-PIT: the ECDF difference of randomised PIT values stays inside the band "
    "if the leave-one-out predictions are calibrated",
}


def labelled_posterior(draws, posterior):
    """The parameters as one variable each, named in words, for ArviZ's plots."""
    import xarray as xr

    coords = {"chain": posterior["posterior"]["chain"], "draw": posterior["posterior"]["draw"]}
    variables = {"Intercept": (("chain", "draw"), draws.alpha)} | {
        FACTOR_BY_ID[f].label: (("chain", "draw"), draws.beta[..., k])
        for k, f in enumerate(FACTOR_IDS)
    }
    return xr.DataTree.from_dict(
        {
            "posterior": xr.Dataset(variables, coords=coords),
            "sample_stats": posterior["sample_stats"].to_dataset(),
        }
    )


def _write(path: Path, buffer: io.BytesIO) -> Path:
    atomic_write_bytes(path, buffer.getvalue())
    return path


def publish_figures(figures: dict[str, Path], folder: Path) -> dict[str, Path]:
    """Copy figures drawn elsewhere into `folder`, each atomically; their new paths by name."""
    return {
        name: _write(folder / path.name, io.BytesIO(path.read_bytes()))
        for name, path in figures.items()
    }
