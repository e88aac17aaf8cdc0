"""Convergence checks with hard thresholds.

A forecast from a posterior that fails any of them is unreliable, and says so
everywhere it appears (CLI exit status, report banner, JSON).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import xarray as xr

from forecasting.settings import THRESHOLDS, ConvergenceThresholds

# The parameters every forecast is computed from.
CHECKED = ("alpha", "beta")


@dataclass(frozen=True)
class Convergence:
    table: pd.DataFrame  # one row per parameter: r_hat, ess_bulk, ess_tail
    divergences: int
    problems: tuple[str, ...]
    thresholds: ConvergenceThresholds

    @property
    def reliable(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            "reliable": self.reliable,
            "max_r_hat": round(float(self.table["r_hat"].max()), 4),
            "min_ess_bulk": round(float(self.table["ess_bulk"].min()), 1),
            "min_ess_tail": round(float(self.table["ess_tail"].min()), 1),
            "divergences": self.divergences,
            "problems": list(self.problems),
            "thresholds": {
                "max_r_hat": self.thresholds.max_r_hat,
                "min_ess_bulk": self.thresholds.min_ess_bulk,
                "min_ess_tail": self.thresholds.min_ess_tail,
                "max_divergences": self.thresholds.max_divergences,
            },
        }


def diagnostics_table(posterior: xr.DataTree, var_names: tuple[str, ...] = CHECKED) -> pd.DataFrame:
    """R-hat and bulk/tail ESS of every checked parameter (ArviZ)."""
    import arviz as az

    summary = az.summary(posterior, var_names=list(var_names), kind="diagnostics", round_to="none")
    return summary[["r_hat", "ess_bulk", "ess_tail"]].astype(float)


def with_diagnostics(posterior: xr.DataTree) -> xr.DataTree:
    """The posterior with its diagnostics table stored beside it (group `diagnostics`), so a
    cached fit is judged without importing ArviZ again."""
    table = diagnostics_table(posterior)
    stored = xr.Dataset(
        {column: ("parameter", table[column].to_numpy()) for column in table.columns},
        coords={"parameter": list(table.index)},
    )
    tree = posterior.copy()
    tree["diagnostics"] = xr.DataTree(stored)
    return tree


def check_convergence(
    posterior: xr.DataTree,
    thresholds: ConvergenceThresholds = THRESHOLDS,
    *,
    var_names: tuple[str, ...] = CHECKED,
) -> Convergence:
    """The thresholds applied to `var_names` (stored diagnostics are used when present)."""
    if "diagnostics" in posterior.children:
        stored = posterior["diagnostics"].to_dataset()
        table = stored.to_dataframe()[["r_hat", "ess_bulk", "ess_tail"]]
        table.index = table.index.astype(str)
    else:
        table = diagnostics_table(posterior, var_names)
    divergences = int(posterior["sample_stats"]["diverging"].sum())
    problems = []
    for name, row in table.iterrows():
        if not row["r_hat"] <= thresholds.max_r_hat:
            problems.append(f"{name}: R-hat {row['r_hat']:.3f} > {thresholds.max_r_hat}")
        if not row["ess_bulk"] >= thresholds.min_ess_bulk:
            problems.append(f"{name}: bulk ESS {row['ess_bulk']:.0f} < {thresholds.min_ess_bulk:g}")
        if not row["ess_tail"] >= thresholds.min_ess_tail:
            problems.append(f"{name}: tail ESS {row['ess_tail']:.0f} < {thresholds.min_ess_tail:g}")
    if divergences > thresholds.max_divergences:
        problems.append(f"{divergences} divergent transitions")
    return Convergence(table, divergences, tuple(problems), thresholds)
