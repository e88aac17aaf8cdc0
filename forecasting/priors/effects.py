"""Effect priors: load, validate and save `priors/effects.toml`.

One table per model parameter: `[intercept]` (the log-odds of success of a
typical intervention, all factors rated 3) and `[factors.<id>]` (the change in
log-odds per rating step). Each holds the distribution, its parameters and
provenance (author, date, rationale, and the elicitation statement it came
from). The file is kept as a tomlkit document so comments and key order
survive a load/save round trip.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import tomlkit
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from forecasting.errors import InputError
from forecasting.factors import FACTOR_IDS
from forecasting.files import atomic_write_text, read_toml
from forecasting.priors.statements import StatementKind, statement_normal
from forecasting.validation import Number, raise_if_any, validated

# How far (in prior sds) a prior's parameters may drift from what its
# elicitation statement gives before the file is rejected as inconsistent.
ELICITATION_TOLERANCE = 0.02
# Bounds on a prior's parameters, on the log-odds scale. 10 is already extreme (an odds
# ratio of e^10, about 22,000, per rating step); beyond it a prior says nothing an expert
# could have meant, and the sampler wanders for minutes (or crashes) on the flat posterior.
MU_MAX = 10.0
SIGMA_MAX = 10.0


def _within(bound: float, what: str):
    def check(value: float) -> float:
        if abs(value) > bound:
            raise ValueError(
                f"{value:g} is {what}: at most {bound:g} on the log-odds scale "
                f"(an odds ratio of e^{bound:g}, about {math.exp(bound):,.0f})"
            )
        return value

    return AfterValidator(check)


class Elicitation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    statement: str = Field(min_length=1)
    kind: StatementKind
    lower: Number
    upper: Number
    mass: Annotated[Number, Field(gt=0, lt=1)]

    @model_validator(mode="after")
    def _ordered(self) -> Elicitation:
        if not self.lower < self.upper:
            raise ValueError("lower must be below upper")
        return self


class EffectPrior(BaseModel):
    """A Normal prior on the log-odds scale, with where it came from."""

    model_config = ConfigDict(extra="forbid")

    distribution: Literal["Normal"]
    mu: Annotated[Number, _within(MU_MAX, "too extreme for a mean")]
    sigma: Annotated[Number, Field(gt=0), _within(SIGMA_MAX, "too wide for a prior sd")]
    author: str = Field(min_length=1)
    date: dt.date
    rationale: str = Field(min_length=1)
    elicitation: Elicitation | None = None


class _EffectsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    intercept: EffectPrior
    factors: dict[str, EffectPrior]


PARAMETERS: tuple[str, ...] = ("intercept", *FACTOR_IDS)


@dataclass(frozen=True)
class PriorComponents:
    """The joint prior of the parameters as a mixture of independent-Normal components,
    on the log-odds scale: component j is one forecaster's joint prior (a linear
    opinion pool mixes forecasters, not parameters one by one).

    Rows follow `PARAMETERS` (intercept, then the factors); columns are components.
    A plain prior is one component with weight 1. This is what the model is built from.
    """

    mu: np.ndarray  # (parameter, component)
    sigma: np.ndarray
    weight: np.ndarray  # (parameter, component): every row the same component weights

    @property
    def forecaster_weights(self) -> np.ndarray:
        """(component,): the weight of each component of the joint mixture."""
        return self.weight[0] / self.weight[0].sum()

    def moments(self) -> dict[str, tuple[float, float]]:
        """Mean and sd of each parameter's prior."""
        mean = (self.weight * self.mu).sum(axis=1)
        second = (self.weight * (self.sigma**2 + self.mu**2)).sum(axis=1)
        sd = np.sqrt(second - mean**2)
        return {name: (float(m), float(v)) for name, m, v in zip(PARAMETERS, mean, sd, strict=True)}

    def pdf(self, name: str, grid: np.ndarray) -> np.ndarray:
        from scipy.stats import norm

        i = PARAMETERS.index(name)
        return sum(
            w * norm.pdf(grid, m, s)
            for m, s, w in zip(self.mu[i], self.sigma[i], self.weight[i], strict=True)
        )


@dataclass(frozen=True)
class EffectPriors:
    """Validated effect priors, in catalogue order, plus the document they came from."""

    intercept: EffectPrior
    factors: dict[str, EffectPrior]
    path: Path
    document: tomlkit.TOMLDocument

    def parameters(self) -> dict[str, tuple[float, float]]:
        """(mu, sigma) per parameter name: `intercept` and each factor id."""
        out = {"intercept": (self.intercept.mu, self.intercept.sigma)}
        out.update({k: (p.mu, p.sigma) for k, p in self.factors.items()})
        return out

    def components(self) -> PriorComponents:
        mu, sigma = np.array([self.parameters()[name] for name in PARAMETERS]).T
        return PriorComponents(mu[:, None], sigma[:, None], np.ones((len(PARAMETERS), 1)))


def parse_effect_priors(document: tomlkit.TOMLDocument, path: Path) -> EffectPriors:
    data = validated(_EffectsFile, document.unwrap(), path)
    problems = [
        InputError(path, f"factors.{name}", f"unknown factor (known: {', '.join(FACTOR_IDS)})")
        for name in data.factors
        if name not in FACTOR_IDS
    ]
    problems += [
        InputError(path, f"factors.{name}", "required table is missing")
        for name in FACTOR_IDS
        if name not in data.factors
    ]
    named = {"intercept": data.intercept} | {f"factors.{k}": v for k, v in data.factors.items()}
    problems += [
        problem
        for key, prior in named.items()
        if (problem := _elicitation_mismatch(prior, key, path))
    ]
    raise_if_any(problems)
    factors = {name: data.factors[name] for name in FACTOR_IDS}
    return EffectPriors(data.intercept, factors, Path(path), document)


def _elicitation_mismatch(prior: EffectPrior, key: str, path: Path) -> InputError | None:
    """The stated elicitation must give the parameters in the file (or the file is stale)."""
    e = prior.elicitation
    if e is None:
        return None
    try:
        implied = statement_normal(e.kind, e.lower, e.upper, e.mass)
    except ValueError as err:
        return InputError(path, f"{key}.elicitation", str(err))
    drift = max(abs(implied.mu - prior.mu), abs(implied.sigma - prior.sigma)) / prior.sigma
    if drift > ELICITATION_TOLERANCE or not math.isfinite(drift):
        return InputError(
            path,
            key,
            f"mu = {prior.mu}, sigma = {prior.sigma} do not match the elicitation statement, "
            f"which gives mu = {implied.mu:.3f}, sigma = {implied.sigma:.3f}",
        )
    return None


def load_effect_priors(path: Path) -> EffectPriors:
    path = Path(path)
    return parse_effect_priors(read_toml(path), path)


def with_prior(priors: EffectPriors, name: str, prior: EffectPrior) -> EffectPriors:
    """A copy of `priors` with parameter `name` (`intercept` or a factor id) replaced.

    Only the keys of that table change in the document; comments and order stay.
    """
    document = tomlkit.parse(tomlkit.dumps(priors.document))
    table = document["intercept"] if name == "intercept" else document["factors"][name]
    new = prior.model_dump(exclude_none=True)
    elicitation = new.pop("elicitation", None)
    for key, value in new.items():
        table[key] = value
    if elicitation is not None:
        if "elicitation" not in table:
            table["elicitation"] = tomlkit.table()
        for key, value in elicitation.items():
            table["elicitation"][key] = value
    return parse_effect_priors(document, priors.path)


def save_effect_priors(priors: EffectPriors, path: Path | None = None) -> Path:
    """Write the priors document atomically (a failed save leaves the old file intact)."""
    target = Path(path) if path else priors.path
    text = tomlkit.dumps(priors.document)
    parse_effect_priors(tomlkit.parse(text), target)  # never write what cannot be read back
    atomic_write_text(target, text)
    return target
