"""Turn statements a forecaster can defend into prior distributions (PreliZ).

Effects live on the log-odds scale, so "90% sure one step multiplies the odds
of success by 1.1 to 3" is the maximum-entropy Normal with 90% of its mass
between log(1.1) and log(3). The base rate ("90% sure a typical intervention
succeeds with probability 0.2 to 0.75") is the same on the logit scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class NormalPrior:
    mu: float
    sigma: float


def _maxent_normal(lower: float, upper: float, mass: float) -> NormalPrior:
    import preliz as pz  # imported lazily: it is slow to import

    dist = pz.Normal()
    pz.maxent(dist, lower, upper, mass, plot=False)
    return NormalPrior(mu=float(dist.mu), sigma=float(dist.sigma))


def odds_ratio_interval(lower: float, upper: float, mass: float = 0.9) -> NormalPrior:
    """Prior on a log-odds coefficient from "`mass` sure the odds ratio per step is in
    [lower, upper]".

    >>> p = odds_ratio_interval(1.1, 3.0, 0.9)
    >>> round(p.mu, 3), round(p.sigma, 3)
    (0.597, 0.305)
    """
    if not 0 < lower < upper:
        raise ValueError("odds ratios must satisfy 0 < lower < upper")
    return _maxent_normal(math.log(lower), math.log(upper), mass)


def probability_interval(lower: float, upper: float, mass: float = 0.9) -> NormalPrior:
    """Prior on the intercept from "`mass` sure a typical case succeeds with probability
    in [lower, upper]"."""
    if not 0 < lower < upper < 1:
        raise ValueError("probabilities must satisfy 0 < lower < upper < 1")
    return _maxent_normal(logit(lower), logit(upper), mass)


ELICITATION_KINDS = {
    "odds_ratio_interval": odds_ratio_interval,
    "probability_interval": probability_interval,
}


def logit(p: float) -> float:
    return math.log(p / (1 - p))
