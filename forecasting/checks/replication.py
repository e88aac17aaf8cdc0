"""Replicate Doyle & Sambanis (2000), Table 3 model A8, as a Bayesian logit with very
wide priors beside the maximum-likelihood estimates: a check that the inference
machinery recovers a published logit. The file is read by
`forecasting.inputs.doyle_sambanis`.

Replication
-----------
`mle_logit` fits the paper's logit of `pbs2s3` on the A8 terms by maximum
likelihood (statsmodels) on the complete rows (122 in the published file).
`bayesian_logit` fits the same specification in PyMC, sampled with nutpie.

Priors: independent Normal(0, 100) on the intercept and on every coefficient
**on the paper's (original) scale**. Against the likelihood these are flat: the
largest published standard error is about 2.2 (the intercept), so each prior
sd is at least 45 standard errors wide (and millions for `develop`, whose
coefficient is about 0.0008). The sampler does not work on that scale,
because the predictors' scales differ by four orders of magnitude (`develop`
and `trnsfcap` run into the thousands, the dummies are 0/1), which makes the
posterior badly conditioned for NUTS. Instead it samples flat-prior
coefficients `a, b` of the **standardised** predictors ((x - mean) / sd over the
rows used), maps them back (`beta_j = b_j / sd_j`, `intercept = a - sum_j b_j
mean_j / sd_j`, a linear map, so no Jacobian term is needed) and adds the
Normal(0, 100) log-density of the back-transformed coefficients as a
potential. The posterior is therefore exactly the one under the stated
original-scale priors, and it is reported on that scale (`coef`, dim `term`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.inputs.doyle_sambanis import A8_TERMS, LogitSpec
from forecasting.model.diagnostics import Convergence, check_convergence
from forecasting.settings import SamplerSettings

# sd of the Normal prior on the intercept and every coefficient, on the original scale
PRIOR_SD = 100.0


@dataclass(frozen=True)
class Estimates:
    """Per-term estimates (index: the paper's term names) and the rows they came from."""

    centre: pd.Series  # MLE coefficient, or posterior median
    spread: pd.Series  # standard error, or posterior sd
    n: int


@dataclass(frozen=True)
class BayesianEstimates(Estimates):
    convergence: Convergence


@dataclass(frozen=True)
class Replication:
    table: pd.DataFrame  # index: term; columns: median, sd, mle, se
    n: int
    convergence: Convergence

    def as_dict(self) -> dict:
        return {
            "terms": {
                term: {k: float(v) for k, v in row.items()} for term, row in self.table.iterrows()
            },
            "n": self.n,
        }


def mle_logit(frame: pd.DataFrame, spec: LogitSpec = A8_TERMS) -> Estimates:
    """Maximum-likelihood logit of `spec` on the complete rows of `frame`."""
    import statsmodels.api as sm

    rows = spec.complete_rows(frame)
    design = rows[list(spec.predictors)].copy()
    design.insert(0, "Intercept", 1.0)
    result = sm.Logit(rows[spec.outcome], design).fit(disp=0)
    return Estimates(result.params.rename(None), result.bse.rename(None), len(rows))


def build_bayesian_logit(frame: pd.DataFrame, spec: LogitSpec = A8_TERMS):
    """The PyMC model of `spec` with Normal(0, PRIOR_SD) priors on the original scale.

    Sampled on standardised predictors; `coef` (dim `term`) is the original scale.
    """
    import pymc as pm
    import pytensor.tensor as pt

    rows = spec.complete_rows(frame)
    x = rows[list(spec.predictors)].to_numpy()
    centre, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0  # a constant column: leave it unscaled rather than divide by 0
    z = (x - centre) / scale
    coords = {"term": list(spec.terms), "predictor": list(spec.predictors)}
    with pm.Model(coords=coords) as model:
        a = pm.Flat("a_std")
        b = pm.Flat("b_std", dims="predictor")
        slopes = b / scale
        intercept = a - pt.sum(slopes * centre)
        coef = pm.Deterministic("coef", pt.concatenate([intercept[None], slopes]), dims="term")
        pm.Potential("prior", pm.logp(pm.Normal.dist(0.0, PRIOR_SD), coef).sum())
        pm.Bernoulli("y", logit_p=a + pt.dot(z, b), observed=rows[spec.outcome].to_numpy())
    return model


def bayesian_logit(
    frame: pd.DataFrame,
    settings: SamplerSettings,
    spec: LogitSpec = A8_TERMS,
    *,
    progressbar: bool = False,
) -> BayesianEstimates:
    """Posterior median and sd per term (original scale), sampled with nutpie."""
    import pymc as pm

    model = build_bayesian_logit(frame, spec)
    with model:
        trace = pm.sample(
            draws=settings.draws,
            tune=settings.tune,
            chains=settings.chains,
            cores=settings.cores,
            random_seed=settings.seed,
            nuts_sampler="nutpie",
            progressbar=progressbar,
            compute_convergence_checks=False,
        )
    coef = trace["posterior"]["coef"]
    draws = coef.stack(sample=("chain", "draw")).transpose("term", "sample").to_numpy()
    terms = list(spec.terms)
    return BayesianEstimates(
        centre=pd.Series(np.median(draws, axis=1), index=terms),
        spread=pd.Series(draws.std(axis=1, ddof=1), index=terms),
        n=len(spec.complete_rows(frame)),
        convergence=check_convergence(trace, var_names=("coef",)),
    )


def replication_table(
    frame: pd.DataFrame,
    settings: SamplerSettings,
    spec: LogitSpec = A8_TERMS,
    *,
    progressbar: bool = False,
) -> Replication:
    """Bayesian posterior (median, sd) beside the MLE (coefficient, se), per term."""
    mle = mle_logit(frame, spec)
    bayes = bayesian_logit(frame, settings, spec, progressbar=progressbar)
    table = pd.DataFrame(
        {"median": bayes.centre, "sd": bayes.spread, "mle": mle.centre, "se": mle.spread}
    )
    table.index.name = "term"
    return Replication(table, mle.n, bayes.convergence)


# --- importer ---------------------------------------------------------------------------------
