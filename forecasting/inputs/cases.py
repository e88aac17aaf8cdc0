"""Case assessments (`priors/cases/<case-id>.toml`) and their scenarios.

A case gives the state of every factor at its `as_of` date (rating and the
forecaster's sd, in rating steps); each scenario overrides some factors. The
case's own states are always the scenario `current`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from forecasting.errors import InputError
from forecasting.factors import FACTOR_IDS, RATING_MAX, RATING_MIN
from forecasting.files import read_toml
from forecasting.settings import cases_dir
from forecasting.validation import raise_if_any, validated

CURRENT = "current"


class FactorState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: float = Field(ge=RATING_MIN, le=RATING_MAX)
    sd: float = Field(ge=0)
    rationale: str = Field(min_length=1)


class _ScenarioSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1)
    factors: dict[str, FactorState] = {}


class _CaseHeader(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    as_of: dt.date
    host: str = Field(min_length=1)
    outcome: str = Field(min_length=1)
    horizon_months: int = Field(gt=0)


class _ContrastSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scenario: str
    baseline: str


class _CaseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case: _CaseHeader
    factors: dict[str, FactorState]
    scenarios: dict[str, _ScenarioSpec] = {}
    contrasts: list[_ContrastSpec] = []


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    factors: dict[str, FactorState]  # every factor, overrides applied, catalogue order
    overridden: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    as_of: dt.date
    host: str
    outcome: str
    horizon_months: int
    scenarios: dict[str, Scenario]  # `current` first, then the file's order
    contrasts: tuple[tuple[str, str], ...]  # (scenario, baseline): P(scenario) - P(baseline)
    path: Path


def resolve_case_path(case: str) -> Path:
    """A case id under `priors/cases/`, or a path to a case TOML file anywhere."""
    candidate = Path(case)
    if candidate.suffix == ".toml" or candidate.exists():
        return candidate
    path = cases_dir() / f"{case}.toml"
    if not path.exists():
        known = sorted(p.stem for p in cases_dir().glob("*.toml"))
        raise InputError(path, "", f"no such case (known cases: {', '.join(known) or 'none'})")
    return path


def load_case(case: str | Path) -> Case:
    path = resolve_case_path(str(case))
    data = validated(_CaseFile, read_toml(path).unwrap(), path)
    problems = _unknown_factors(data.factors, "factors", path)
    problems += [
        InputError(path, f"factors.{name}", "required table is missing")
        for name in FACTOR_IDS
        if name not in data.factors
    ]
    for name, spec in data.scenarios.items():
        if name == CURRENT:
            problems.append(InputError(path, f"scenarios.{name}", "the name 'current' is reserved"))
        problems += _unknown_factors(spec.factors, f"scenarios.{name}.factors", path)
    names = [CURRENT, *data.scenarios]
    for i, contrast in enumerate(data.contrasts):
        for role in ("scenario", "baseline"):
            if getattr(contrast, role) not in names:
                problems.append(
                    InputError(
                        path,
                        f"contrasts[{i}].{role}",
                        f"unknown scenario '{getattr(contrast, role)}' (known: {', '.join(names)})",
                    )
                )
    raise_if_any(problems)

    current = {name: data.factors[name] for name in FACTOR_IDS}
    scenarios = {CURRENT: Scenario(CURRENT, "the case's own factor states at as_of", current, ())}
    for name, spec in data.scenarios.items():
        factors = {f: spec.factors.get(f, current[f]) for f in FACTOR_IDS}
        overridden = tuple(f for f in FACTOR_IDS if f in spec.factors)
        scenarios[name] = Scenario(name, spec.description, factors, overridden)

    header = data.case
    return Case(
        id=header.id,
        title=header.title,
        as_of=header.as_of,
        host=header.host,
        outcome=header.outcome,
        horizon_months=header.horizon_months,
        scenarios=scenarios,
        contrasts=tuple((c.scenario, c.baseline) for c in data.contrasts)
        or default_contrasts(list(scenarios)),
        path=path,
    )


def default_contrasts(names: list[str]) -> tuple[tuple[str, str], ...]:
    """Every pair of named scenarios in file order; with one named scenario, it against current."""
    named = [n for n in names if n != CURRENT]
    if len(named) == 1:
        return ((named[0], CURRENT),)
    return tuple(itertools.combinations(named, 2))


def _unknown_factors(factors: dict, prefix: str, path: Path) -> list[InputError]:
    return [
        InputError(path, f"{prefix}.{name}", f"unknown factor (known: {', '.join(FACTOR_IDS)})")
        for name in factors
        if name not in FACTOR_IDS
    ]
