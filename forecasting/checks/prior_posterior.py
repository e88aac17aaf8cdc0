"""How much the data moved each prior: prior and posterior mean and sd per parameter,
the ratio of the sds (1 = the data did not narrow it) and the shift of the mean in
prior sds."""

from __future__ import annotations

import pandas as pd
import xarray as xr

from forecasting.model.draws import parameter_draws


def prior_posterior_table(priors, posterior: xr.DataTree) -> pd.DataFrame:
    """One row per parameter (intercept, then the factors), from any priors object with
    `parameters()` (mean, sd per parameter)."""
    draws = parameter_draws(posterior).by_parameter()
    rows = {}
    for name, (mu, sigma) in priors.parameters().items():
        d = draws[name]
        rows[name] = {
            "prior_mean": mu,
            "prior_sd": sigma,
            "posterior_mean": float(d.mean()),
            "posterior_sd": float(d.std()),
            "sd_ratio": float(d.std() / sigma),
            "shift_in_prior_sds": float((d.mean() - mu) / sigma),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("parameter")
