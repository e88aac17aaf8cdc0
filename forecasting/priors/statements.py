"""Elicitation statements on the model's scales, turned into Normal priors by maximum
entropy: the arithmetic both the priors file check (`effects`) and the notebooks'
elicitation helpers (`elicitation`) need.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

StatementKind = Literal["odds_ratio_interval", "probability_interval"]


@dataclass(frozen=True)
class NormalPrior:
    mu: float
    sigma: float


def log_odds_bounds(kind: StatementKind, lower: float, upper: float) -> tuple[float, float]:
    """A statement's interval on the log-odds scale of the model's parameters."""
    if kind == "odds_ratio_interval":
        if not 0 < lower < upper:
            raise ValueError("odds ratios must satisfy 0 < lower < upper")
        return math.log(lower), math.log(upper)
    if not 0 < lower < upper < 1:
        raise ValueError("probabilities must satisfy 0 < lower < upper < 1")
    return logit(lower), logit(upper)


def odds_ratio_interval(lower: float, upper: float, mass: float = 0.9) -> NormalPrior:
    """Prior on a log-odds coefficient from "`mass` sure the odds ratio per step is in
    [lower, upper]".

    >>> p = odds_ratio_interval(1.1, 3.0, 0.9)
    >>> round(p.mu, 3), round(p.sigma, 3)
    (0.597, 0.305)
    """
    return maxent_normal(*log_odds_bounds("odds_ratio_interval", lower, upper), mass)


def probability_interval(lower: float, upper: float, mass: float = 0.9) -> NormalPrior:
    """Prior on the intercept from "`mass` sure a typical case succeeds with probability
    in [lower, upper]"."""
    return maxent_normal(*log_odds_bounds("probability_interval", lower, upper), mass)


def maxent_normal(lower: float, upper: float, mass: float) -> NormalPrior:
    import preliz as pz  # imported lazily: it takes seconds

    dist = pz.Normal()
    pz.maxent(dist, lower, upper, mass, plot=False)
    return NormalPrior(mu=float(dist.mu), sigma=float(dist.sigma))


def statement_normal(kind: StatementKind, lower: float, upper: float, mass: float) -> NormalPrior:
    """What a statement gives, in closed form: used to check priors files quickly.

    A Normal's entropy grows with sigma alone, and for a given sigma the mass in
    an interval is largest when mu is its midpoint; so the maximum-entropy Normal
    is centred there with the widest sigma that keeps `mass` inside. PreliZ's
    numerical `maxent` finds the same (tests check), but importing it takes seconds.
    """
    from scipy.special import ndtri  # the Normal quantile function, without scipy.stats

    lo, hi = log_odds_bounds(kind, lower, upper)
    return NormalPrior(mu=(lo + hi) / 2, sigma=(hi - lo) / (2 * float(ndtri((1 + mass) / 2))))


def logit(p: float) -> float:
    return math.log(p / (1 - p))
