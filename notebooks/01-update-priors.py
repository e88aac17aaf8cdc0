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
# # 1. Update the priors
#
# A worksheet for revising what the model believes before it sees any data:
# the effect priors (`priors/effects.toml`) and the Mali case's factor states
# (`priors/cases/mali-2013.toml`). Each revision starts from a statement you can
# defend ("90% sure one step of timing multiplies the odds of success by 0.8 to
# 2.5"), shows the distribution it gives and what that means for P(success),
# checks what the priors predict for the past interventions, and saves.
#
# **Where it saves** is set in the next cell. Run by hand, the revised files go
# next to the shipped ones under new names (`priors/effects-revised.toml`,
# `priors/cases/mali-2013-revised.toml`); use them with
# `forecast report priors/cases/mali-2013-revised.toml --priors priors/effects-revised.toml`,
# or point the variables at the shipped files to revise them in place. Under the
# tests (`FORECAST_FAST=1`, or `FORECAST_NOTEBOOK_OUT` naming a folder) both go
# to a scratch folder instead.

# %%
import pandas as pd

from forecasting import (
    Statement,
    effect_prior,
    elicit,
    factor_state,
    fitted_pool,
    linear_pool,
    load_case,
    load_effect_priors,
    load_forecasters,
    load_inputs,
    model_inputs,
    notebook,
    prior_plots,
    prior_predictive,
    project_root,
    save_effect_priors,
    save_factor_state,
    split_by_as_of,
    with_factor_state,
    with_prior,
)

# %matplotlib inline

PRIORS_OUT = notebook.save_target(project_root() / "priors" / "effects-revised.toml")
CASE_OUT = notebook.save_target(project_root() / "priors" / "cases" / "mali-2013-revised.toml")
AUTHOR = "A. Forecaster"  # who the revised priors are recorded as coming from

inputs = load_inputs("mali-2013")
priors, case = inputs.priors, inputs.case
PRIORS_OUT, CASE_OUT

# %% [markdown]
# ## The priors as they stand
#
# Every parameter is on the log-odds scale: the intercept is the log-odds of
# success of a typical intervention (every factor rated 3), each factor's prior
# the change in log-odds per rating step.

# %%
notebook.priors_table(priors)

# %% [markdown]
# ## The base rate
#
# How often does a typical intervention succeed? State it as an interval of
# P(success) and how sure you are of it. The table gives the prior's quantiles
# on the log-odds scale and as P(success).

# %%
base_rate = elicit(
    Statement.probability_interval(
        0.30,
        0.75,
        0.9,
        text="90% sure a typical intervention (every factor rated 3) succeeds with "
        "probability between 0.30 and 0.75",
    )
)
base_rate.implied

# %%
fig, _ = prior_plots.elicited_prior(base_rate)

# %% [markdown]
# ## Revising one factor's effect: timing
#
# The shipped prior says one step more deliberate timing multiplies the odds of
# success by 0.6 to 2.5 (90%). Suppose the forecaster is now surer that
# rushing hurts: "90% sure, 0.8 to 2.5". The implications are read against the
# base rate above: P(success) of a typical case, and of one a step more
# deliberate.

# %%
timing = elicit(
    Statement.odds_ratio_interval(
        0.8,
        2.5,
        0.9,
        text="90% sure one step more deliberate timing multiplies the odds of success "
        "by 0.8 to 2.5",
    ),
    intercept=base_rate.prior,
)
timing.implied

# %%
fig, _ = prior_plots.elicited_prior(timing)

# %% [markdown]
# A quartile statement ("median odds ratio 1.4, quartiles 1.1 and 1.8") works the
# same way. A Normal on the log-odds scale is symmetric, so the file can record a
# quartile statement only when the median sits midway between the quartiles on
# that scale; `effect_prior` says which median to state otherwise.

# %%
quartiles = elicit(Statement.odds_ratio_quartiles(1.1, 1.4, 1.8), intercept=base_rate.prior)
quartiles.implied

# %% [markdown]
# Turn the timing statement into a prior with its provenance, and put it in a
# copy of the priors (nothing is written yet). The revised priors are checked
# against their statements on the way, as when the file is loaded.

# %%
revised = with_prior(
    priors,
    "timing",
    effect_prior(
        timing.statement,
        author=AUTHOR,
        rationale="Rushed launches in the reference class (Somalia 1992, Rwanda 1993) failed "
        "more often than deliberate ones; less room than before for timing not to matter.",
    ),
)
notebook.priors_table(revised).loc[["timing"], ["mu", "sigma", "statement"]]

# %% [markdown]
# ## Prior predictive check
#
# Before any outcome is seen, what do the priors predict for the past
# interventions the model will learn from (those resolved before the case's
# `as_of`), and for the Mali scenarios? Priors that expect almost every
# intervention to fail, or to succeed, show up here: the observed share of
# successes should look like one of the shares the priors simulate
# (`p_share_at_most_observed` near 0 or 1 says it does not).

# %%
reference = model_inputs(split_by_as_of(inputs.reference, case.as_of).used)
check = prior_predictive(revised, reference, case)
check.share_summary

# %%
fig, _ = prior_plots.prior_predictive_share(check)

# %%
fig, _ = prior_plots.prior_predictive_cases(check)

# %%
fig, _ = prior_plots.prior_predictive_scenarios(check)

# %% [markdown]
# ## Revising a factor state of the case
#
# The Mali file rates the host army 1.5 (sd 0.5) on 14 January 2013. Suppose a
# forecaster says "80% sure the army is between 1 and 2, best guess 1.5": the
# scale stops at 1, so the statement is read as a Normal truncated to 1-5, and
# the case file stores its mean and sd.

# %%
army = factor_state(
    1.0,
    2.0,
    0.8,
    best_guess=1.5,
    rationale="Routed in the north in 2012 and fell back from Konna on 10 January 2013; "
    "the EU training mission has not deployed.",
)
pd.Series(
    {
        "rating": army.state.rating,
        "sd": army.state.sd,
        "truncated Normal mu": army.truncated_mu,
        "truncated Normal sigma": army.truncated_sigma,
        "mass outside 1-5": army.mass_outside_scale,
    }
)

# %% [markdown]
# What the revised case implies under the revised priors, before any data
# (scenarios that override the host army keep their own state).

# %%
revised_case = with_factor_state(case, "host_army", army.state)
fig, _ = prior_plots.prior_predictive_scenarios(prior_predictive(revised, reference, revised_case))

# %% [markdown]
# ## Save
#
# Both files are checked by reading them back before they are written, and
# written atomically.

# %%
saved_priors = save_effect_priors(revised, PRIORS_OUT)
saved_case = save_factor_state(case, "host_army", army.state, target=CASE_OUT)
reloaded = load_effect_priors(saved_priors)
pd.Series(
    {
        "priors saved to": str(saved_priors),
        "timing prior (mu, sigma)": reloaded.parameters()["timing"],
        "case saved to": str(saved_case),
        "host army state": load_case(saved_case).scenarios["current"].factors["host_army"].rating,
    }
)

# %% [markdown]
# ## Pooling several forecasters
#
# Each forecaster keeps their own priors file in `priors/forecasters/`. The
# linear pool is the weighted mixture of their Normals, keeping disagreement as
# several modes; the fitted pool is the single Normal with the mixture's mean
# and sd (one wide hump). `forecast report mali-2013 --forecasters priors/forecasters`
# uses the pool in place of `priors/effects.toml`.

# %%
forecasters = load_forecasters()
linear, fitted = linear_pool(forecasters), fitted_pool(forecasters)
pd.DataFrame(
    {
        f.name: {name: f"{mu:+.2f} ± {sd:.2f}" for name, (mu, sd) in f.priors.parameters().items()}
        for f in forecasters
    }
    | {"pool (mean ± sd)": {n: f"{m:+.2f} ± {s:.2f}" for n, (m, s) in linear.parameters().items()}}
)

# %%
fig, _ = prior_plots.pooled_priors(linear, fitted=fitted)

# %% [markdown]
# The two pools have the same mean and sd per parameter, so they differ only in
# shape; what the priors alone predict for the Mali scenarios under each:

# %%
pd.DataFrame(
    {
        pool.method: prior_predictive(pool, reference, case).forecast.scenarios["p"]
        for pool in (linear, fitted)
    }
)
