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
# # 3. The Mali scenarios
#
# What the fitted model says about the intervention in Mali: P(success) under
# each scenario, the contrasts the case asks about (was rushing it worth it?),
# what drives each number, whether the scenarios lie within the range of past
# interventions, and what would change the forecast.
#
# Scenarios are predicted from the posterior; they do not enter the fit. So
# everything after the first cell, including the what-ifs at the end, reuses one
# fit (from the cache when the inputs are unchanged).

# %%
import matplotlib.pyplot as plt
import pandas as pd

from forecasting import (
    FACTOR_IDS,
    FactorState,
    analyst_scenarios,
    compare_cases,
    in_words,
    load_inputs,
    notebook,
    plots,
    rating_sweep,
    run_forecast,
    what_if_plots,
    with_factor_state,
)

# %matplotlib inline

CASE = "mali-2013"
result = run_forecast(load_inputs(CASE), notebook.sampler_settings(), progressbar=False)
case, forecast = result.case, result.forecast
f"{case.title}, as of {case.as_of}; converged: {result.reliable}"

# %% [markdown]
# ## The scenarios
#
# `current` is the case as assessed on its `as_of` date; the named scenarios
# change some factor states.

# %%
pd.Series({name: s.description for name, s in case.scenarios.items()}, name="description")

# %%
forecast.scenarios

# %%
fig, _ = plots.scenario_intervals(forecast.scenarios)

# %% [markdown]
# ## Contrasts
#
# Each contrast is P(scenario) − P(baseline), draw by draw, with the posterior
# probability that the scenario does better.

# %%
forecast.contrasts

# %%
fig, axes = plt.subplots(1, len(forecast.contrasts), figsize=(8, 2.6), layout="constrained")
for ax, row in zip(axes, forecast.contrasts.itertuples(), strict=True):
    difference = forecast.probability.sel(scenario=row.scenario) - forecast.probability.sel(
        scenario=row.baseline
    )
    plots.contrast_distribution(difference.values, label=f"{row.scenario} − {row.baseline}", ax=ax)

# %% [markdown]
# ## What drives each number
#
# From the base rate (a typical intervention) each factor adds its effect times
# its distance from typical, on the log-odds scale.

# %%
for scenario in analyst_scenarios(forecast):
    plots.contribution_waterfall(forecast, scenario)

# %%
forecast.contributions.pivot(index="factor", columns="scenario", values="log_odds_median")

# %% [markdown]
# ## Inside the range of history?
#
# A scenario outside the convex hull of the past cases' ratings is an
# extrapolation (King & Zeng 2007): the model has no case like it to learn from.

# %%
result.extrapolation.table

# %%
print("\n\n".join(in_words(result.extrapolation)))

# %% [markdown]
# ## What would change the forecast
#
# One factor at a time, rated from 1 to 5 with everything else as assessed:
# how far P(success) (E[P]) of the case as it stands (`current`) moves. A flat curve
# means that factor's rating hardly matters for this case; a steep one, that
# the rating is worth getting right.

# %%
sweeps = {factor: rating_sweep(result.fit.posterior, case, factor) for factor in FACTOR_IDS}
fig, axes = plt.subplots(1, len(sweeps), figsize=(14, 3.0), layout="constrained", sharey=True)
for ax, sweep in zip(axes, sweeps.values(), strict=True):
    what_if_plots.rating_sweep_plot(sweep, ax=ax, title="")

# %%
pd.DataFrame({factor: sweep.table["difference"] for factor, sweep in sweeps.items()}).rename_axis(
    "rating"
)

# %% [markdown]
# A single change, as a forecaster would make it: had the host army been rated
# 2.5 (sd 0.5) rather than 1.5, what would each scenario's P(success) be?
# Scenarios that set their own host-army state keep it.

# %%
stronger_army = with_factor_state(
    case,
    "host_army",
    FactorState(rating=2.5, sd=0.5, rationale="what-if: battalions holding the line"),
)
compare_cases(result.fit.posterior, case, stronger_army)

# %% [markdown]
# The same for one named scenario: the planned sequence, had it been launched
# only partly prepared (timing 3 instead of 4.5).

# %%
hurried_plan = with_factor_state(
    case,
    "timing",
    FactorState(rating=3.0, sd=0.5, rationale="what-if: launched before certification"),
    scenario="as_planned",
)
compare_cases(result.fit.posterior, case, hurried_plan)
