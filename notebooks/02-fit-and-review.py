# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2. Fit and review
#
# Fit the model to the past interventions resolved before the Mali case's
# `as_of`, then check the fit the way a reviewer would: did the sampler
# converge, what did the data change in the priors, does the model predict the
# past cases it was not fitted on, and how much do the answers lean on the
# priors?
#
# The fit is cached: a second run with the same inputs and settings loads it.
# `notebook.sampler_settings()` gives the full settings (4 chains × 1000 draws)
# unless `FORECAST_FAST=1` (the tests), which uses small ones.

# %%
import arviz as az

from forecasting import (
    FACTOR_IDS,
    calibration_table,
    load_inputs,
    loo_pit,
    notebook,
    pav_curve,
    plots,
    review_checks,
    run_forecast,
)

# %matplotlib inline

CASE = "mali-2013"
settings = notebook.sampler_settings()
settings

# %%
result = run_forecast(load_inputs(CASE), settings, progressbar=False)
fit = result.fit
f"{len(result.split.used)} reference cases used; fit from cache: {fit.from_cache}"

# %% [markdown]
# ## Convergence
#
# Hard thresholds (R-hat ≤ 1.01, bulk and tail ESS ≥ 400, no divergent
# transitions): a forecast from a posterior that fails any of them is marked
# unreliable everywhere it appears.

# %%
result.convergence.as_dict()

# %%
result.convergence.table

# %%
ranks = az.plot_rank(fit.posterior, var_names=["alpha", "beta"], backend="matplotlib")

# %% [markdown]
# ## Prior against posterior
#
# Each parameter's prior (curve) against its posterior draws (histogram), on
# the log-odds scale. A posterior that looks like its prior means the reference
# cases say little about that parameter, and the forecast leans on the
# elicited judgement.

# %%
posterior = fit.posterior["posterior"]
draws = {"intercept": posterior["alpha"].values.ravel()}
draws |= {f: posterior["beta"].sel(factor=f).values.ravel() for f in FACTOR_IDS}
fig, _ = plots.prior_posterior_grid(result.priors.components(), draws)

# %% [markdown]
# ## Track record: leave-one-out predictions of the past cases
#
# For every reference case, the P(success) the model gives it when fitted
# without it (PSIS-LOO; an exact refit where Pareto k is high), scored against
# the base rate and a plain maximum-likelihood logit. Brier and log score
# (-ln of the probability given to what happened): lower is better for both.
# `review_checks` computes the track record and the prior sensitivity below, as
# the report and `forecast review` do.

# %%
checks = review_checks(result)
track = checks.track
track.scores

# %%
track.worst()

# %%
fig, _ = plots.reliability(calibration_table(track.predictions))

# %% [markdown]
# Binned reliability depends on the bins; the PAV-adjusted curve (isotonic
# regression of the outcomes on the predictions) does not. On the diagonal
# means calibrated.

# %%
fig, _ = plots.pav_calibration(pav_curve(track.predictions))

# %% [markdown]
# LOO-PIT: if the leave-one-out predictions are calibrated, the (randomised)
# PIT values are uniform, and their ECDF minus the uniform CDF stays inside the
# band.

# %%
fig, _ = plots.pit_ecdf_difference(loo_pit(track.predictions, fit.settings.seed))

# %% [markdown]
# ## Prior sensitivity
#
# Power-scaling (Kallioinen et al. 2023): how much each quantity moves when one
# prior group (the intercept, or one factor's effect), or the likelihood, is
# strengthened or weakened a little. Above the threshold, a quantity leans on
# that prior; sensitive to both a prior and the likelihood, the two disagree.
# Then two refits with every prior sd doubled and halved (these reuse the model
# already compiled in this session: only the prior values change).

# %%
sensitivity = checks.sensitivity
sensitivity.power_scaling.table

# %%
{quantity: groups for quantity, groups in sensitivity.power_scaling.leaned_on().items() if groups}

# %%
sensitivity.refits
