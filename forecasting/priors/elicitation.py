"""Turn statements a forecaster can defend into prior distributions (PreliZ).

Effects live on the log-odds scale, so "90% sure one step multiplies the odds
of success by 1.1 to 3" is the maximum-entropy Normal with 90% of its mass
between log(1.1) and log(3). The base rate ("90% sure a typical intervention
succeeds with probability 0.2 to 0.75") is the same on the logit scale.
Quartile statements ("my median odds ratio is 1.5, quartiles 1.2 and 2") go
through PreliZ's `quartile` on the same scales.

In a notebook:

    s = Statement.odds_ratio_interval(1.1, 3.0, 0.9)
    e = elicit(s)                # e.prior (log-odds Normal), e.implied (what it means)
    new = effect_prior(s, author="A. Analyst", rationale="...")
    save_effect_priors(with_prior(priors, "host_army", new))

A case's factor states have their own helper, `factor_state`, on the 1-5 scale.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from scipy.special import expit

from forecasting.factors import RATING_MAX, RATING_MIN
from forecasting.inputs.cases import FactorState
from forecasting.priors.statements import (
    NormalPrior,
    StatementKind,
    log_odds_bounds,
    logit,
    maxent_normal,
    statement_normal,
)

if TYPE_CHECKING:
    from forecasting.priors.effects import EffectPrior

# --- Statements, what they imply, and priors ready to save -------------------------------------

StatementForm = Literal[
    "odds_ratio_interval", "odds_ratio_quartiles", "probability_interval", "probability_quartiles"
]
QUARTILE_MASS = 0.5  # the mass between the quartiles


@dataclass(frozen=True)
class Statement:
    """What a forecaster says about one parameter, in numbers and in their own words.

    Interval forms: `mass` sure the value is in [lower, upper]. Quartile forms:
    lower and upper are the quartiles, `median` the median, `mass` is 0.5.
    Odds-ratio forms are about a factor's effect per rating step; probability
    forms about the P(success) of a typical case (every factor rated 3), i.e.
    the intercept.

    >>> Statement.odds_ratio_quartiles(1.2, 1.5, 2.0).role
    'effect'
    """

    form: StatementForm
    lower: float
    upper: float
    mass: float
    median: float | None = None
    text: str = ""

    @classmethod
    def odds_ratio_interval(
        cls, lower: float, upper: float, mass: float = 0.9, *, text: str = ""
    ) -> Statement:
        return cls("odds_ratio_interval", lower, upper, mass, None, text).checked()

    @classmethod
    def odds_ratio_quartiles(
        cls, q1: float, median: float, q3: float, *, text: str = ""
    ) -> Statement:
        return cls("odds_ratio_quartiles", q1, q3, QUARTILE_MASS, median, text).checked()

    @classmethod
    def probability_interval(
        cls, lower: float, upper: float, mass: float = 0.9, *, text: str = ""
    ) -> Statement:
        return cls("probability_interval", lower, upper, mass, None, text).checked()

    @classmethod
    def probability_quartiles(
        cls, q1: float, median: float, q3: float, *, text: str = ""
    ) -> Statement:
        return cls("probability_quartiles", q1, q3, QUARTILE_MASS, median, text).checked()

    @property
    def role(self) -> Literal["effect", "base_rate"]:
        return "effect" if self.form.startswith("odds_ratio") else "base_rate"

    @property
    def interval_kind(self) -> StatementKind:
        return "odds_ratio_interval" if self.role == "effect" else "probability_interval"

    @property
    def is_quartiles(self) -> bool:
        return self.form.endswith("quartiles")

    def checked(self) -> Statement:
        """The statement itself, or ValueError saying what is wrong with its numbers."""
        log_odds_bounds(self.interval_kind, self.lower, self.upper)
        if not 0 < self.mass < 1:
            raise ValueError(f"mass must be between 0 and 1 (exclusive), not {self.mass}")
        if self.is_quartiles and not (
            self.median is not None and self.lower < self.median < self.upper
        ):
            raise ValueError("quartiles must satisfy lower quartile < median < upper quartile")
        return self

    def wording(self) -> str:
        """The forecaster's words, or a plain sentence made from the numbers."""
        if self.text:
            return self.text
        what = (
            "the odds ratio of success per rating step"
            if self.role == "effect"
            else "P(success) of a typical intervention (every factor rated 3)"
        )
        if self.is_quartiles:
            return f"{what}: median {self.median:g}, quartiles {self.lower:g} and {self.upper:g}"
        return f"{self.mass:.0%} sure {what} is between {self.lower:g} and {self.upper:g}"

    def log_odds_quantiles(self) -> tuple[list[float], list[float]]:
        """(probabilities, values on the log-odds scale) the statement pins down."""
        lo, hi = log_odds_bounds(self.interval_kind, self.lower, self.upper)
        if self.is_quartiles:
            middle = math.log(self.median) if self.role == "effect" else logit(self.median)
            return [0.25, 0.5, 0.75], [lo, middle, hi]
        return [(1 - self.mass) / 2, (1 + self.mass) / 2], [lo, hi]

    def prior(self) -> NormalPrior:
        """The Normal on the log-odds scale: PreliZ maxent (intervals) or quartile fit."""
        if not self.is_quartiles:
            lo, hi = log_odds_bounds(self.interval_kind, self.lower, self.upper)
            return maxent_normal(lo, hi, self.mass)
        return _quartile_normal(*self.log_odds_quantiles()[1])


def _quartile_normal(q1: float, median: float, q3: float) -> NormalPrior:
    import preliz as pz  # imported lazily: it takes seconds

    dist = pz.Normal()
    with warnings.catch_warnings():
        # PreliZ warns when a symmetric Normal cannot honour asymmetric quartiles
        # exactly; `implied_summary` shows the forecaster what the fit gives instead.
        warnings.simplefilter("ignore", UserWarning)
        pz.quartile(dist, q1, median, q3, plot=False)
    return NormalPrior(mu=float(dist.mu), sigma=float(dist.sigma))


def _interval_quantiles() -> list[float]:
    from forecasting.settings import INTERVALS

    qs = [0.5]
    for width in sorted(INTERVALS, reverse=True):
        qs += [(1 - width) / 2, (1 + width) / 2]
    return sorted(qs)


def shipped_intercept() -> NormalPrior:
    """The intercept prior of the shipped `priors/effects.toml`."""
    from forecasting.priors.effects import load_effect_priors
    from forecasting.settings import default_effect_priors_path

    p = load_effect_priors(default_effect_priors_path()).intercept
    return NormalPrior(p.mu, p.sigma)


def implied_summary(
    prior: NormalPrior,
    *,
    role: Literal["effect", "base_rate"] = "effect",
    intercept: NormalPrior | None = None,
    quantiles: tuple[float, ...] | None = None,
) -> pd.DataFrame:
    """What a prior means in the forecaster's terms, one row per quantile.

    For an effect: the log-odds coefficient, the odds ratio per step, and the
    P(success) of a typical case (from `intercept`, default the shipped
    intercept prior) before and after one step up on this factor. Priors are
    independent Normals, so alpha + beta is Normal and every column is exact
    (expit is monotone, so quantiles map through it). For the base rate: the
    log-odds and P(success) of a typical case.
    """
    from scipy.stats import norm

    qs = np.array(quantiles if quantiles is not None else _interval_quantiles())
    log_odds = norm.ppf(qs, prior.mu, prior.sigma)
    frame = pd.DataFrame({"quantile": qs, "log_odds": log_odds})
    if role == "base_rate":
        frame["p_success"] = expit(log_odds)
        return frame.set_index("quantile")
    base = intercept or shipped_intercept()
    frame["odds_ratio"] = np.exp(log_odds)
    frame["p_typical"] = expit(norm.ppf(qs, base.mu, base.sigma))
    stepped_sd = math.hypot(base.sigma, prior.sigma)
    frame["p_one_step_up"] = expit(norm.ppf(qs, base.mu + prior.mu, stepped_sd))
    return frame.set_index("quantile")


@dataclass(frozen=True)
class Elicited:
    """A statement, the prior it gives, and what that prior implies (`implied_summary`)."""

    statement: Statement
    prior: NormalPrior
    intercept: NormalPrior | None  # the base-rate prior the implications use (effects only)
    implied: pd.DataFrame


def elicit(statement: Statement, *, intercept: NormalPrior | None = None) -> Elicited:
    """The prior for `statement` and what it implies for P(success).

    >>> e = elicit(Statement.probability_interval(0.3, 0.75, 0.9))
    >>> round(float(e.implied.loc[0.5, "p_success"]), 3)
    0.531
    """
    prior = statement.prior()
    base = (intercept or shipped_intercept()) if statement.role == "effect" else None
    return Elicited(
        statement, prior, base, implied_summary(prior, role=statement.role, intercept=base)
    )


def effect_prior(
    statement: Statement, *, author: str, rationale: str, date: dt.date | None = None
) -> EffectPrior:
    """An `EffectPrior` for `statement`, ready for `priors.with_prior(...)` and saving.

    The file records the statement as an interval with its mass. A quartile
    statement is recorded as "50% sure between the quartiles" with the
    forecaster's words; that is the same statement only when the median sits in
    the middle of the quartiles on the log-odds scale (a Normal is symmetric
    there), so an asymmetric one is refused with the symmetric median to use.
    """
    from forecasting.priors.effects import ELICITATION_TOLERANCE, EffectPrior, Elicitation

    prior = statement.prior()
    recorded = statement_normal(
        statement.interval_kind, statement.lower, statement.upper, statement.mass
    )
    drift = max(abs(recorded.mu - prior.mu), abs(recorded.sigma - prior.sigma)) / prior.sigma
    if drift > ELICITATION_TOLERANCE:
        lo, hi = log_odds_bounds(statement.interval_kind, statement.lower, statement.upper)
        middle = math.exp((lo + hi) / 2) if statement.role == "effect" else expit((lo + hi) / 2)
        raise ValueError(
            f"median {statement.median:g} is not in the middle of the quartiles "
            f"{statement.lower:g} and {statement.upper:g} on the log-odds scale, so a Normal "
            f"prior cannot hold all three and the priors file cannot record it; "
            f"state a median of {middle:.3g}, or an interval with its probability"
        )
    return EffectPrior(
        distribution="Normal",
        mu=round(prior.mu, 4),
        sigma=round(prior.sigma, 4),
        author=author,
        date=date or dt.date.today(),
        rationale=rationale,
        elicitation=Elicitation(
            statement=statement.wording(),
            kind=statement.interval_kind,
            lower=statement.lower,
            upper=statement.upper,
            mass=statement.mass,
        ),
    )


# --- Factor states of a case, on the 1-5 rating scale ------------------------------------------


@dataclass(frozen=True)
class ElicitedFactorState:
    """A case's factor state from "`mass` sure the rating is between lower and upper".

    `state` is what a case file holds (rating = mean, sd) and the model uses as
    Normal(rating, sd); `truncated_mu`/`truncated_sigma` are the Truncated Normal
    on the 1-5 scale that the statement gives; `mass_outside_scale` is how much
    of the model's (untruncated) Normal falls outside 1-5.
    """

    state: FactorState
    lower: float
    upper: float
    mass: float
    truncated_mu: float
    truncated_sigma: float
    mass_outside_scale: float


def factor_state(
    lower: float,
    upper: float,
    mass: float = 0.8,
    *,
    rationale: str,
    best_guess: float | None = None,
) -> ElicitedFactorState:
    """A factor state from "`mass` sure the factor is between `lower` and `upper` (1-5)".

    Ratings cannot leave the 1-5 scale, so the statement is read as a Normal
    truncated to [1, 5], centred on `best_guess` (default: the interval's
    middle), whose sd is PreliZ's maximum-entropy choice for `mass` inside the
    interval. Away from the scale's ends this is the plain maxent Normal; at an
    end ("80% sure between 1 and 2") the truncation moves the mean inwards.
    (Letting PreliZ also choose the centre would put the mode at the scale's
    end, which is not what "between 1 and 2" says.) The case file stores that
    distribution's mean and sd, so the model's Normal(rating, sd) has the same
    centre and spread.

    >>> s = factor_state(2.0, 3.0, 0.8, rationale="weak but intact")
    >>> round(s.state.rating, 2), round(s.state.sd, 2)
    (2.5, 0.39)
    """
    import preliz as pz  # imported lazily: it takes seconds
    from scipy.stats import norm

    if not RATING_MIN <= lower < upper <= RATING_MAX:
        raise ValueError(f"ratings must satisfy {RATING_MIN:g} <= lower < upper <= {RATING_MAX:g}")
    if (lower, upper) == (RATING_MIN, RATING_MAX):
        raise ValueError("the interval is the whole scale: nothing to elicit")
    if not 0 < mass < 1:
        raise ValueError(f"mass must be between 0 and 1 (exclusive), not {mass}")
    centre = (lower + upper) / 2 if best_guess is None else best_guess
    if not lower <= centre <= upper:
        raise ValueError("best_guess must lie inside the interval")

    dist = pz.TruncatedNormal(mu=centre, lower=RATING_MIN, upper=RATING_MAX)
    pz.maxent(dist, lower, upper, mass, plot=False)
    rating, sd = float(dist.mean()), float(dist.std())
    outside = float(norm.cdf(RATING_MIN, rating, sd) + norm.sf(RATING_MAX, rating, sd))
    return ElicitedFactorState(
        state=FactorState(rating=round(rating, 2), sd=round(sd, 2), rationale=rationale),
        lower=lower,
        upper=upper,
        mass=mass,
        truncated_mu=float(dist.mu),
        truncated_sigma=float(dist.sigma),
        mass_outside_scale=outside,
    )
