"""Case assessments (`priors/cases/<case-id>.toml`) and their scenarios.

A case gives the state of every factor at its `as_of` date (rating and the
forecaster's sd, in rating steps); each scenario overrides some factors. The
case's own states are always the scenario `current`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from forecasting.errors import InputError, warning_line
from forecasting.factors import FACTOR_IDS, RATING_MAX, RATING_MIN
from forecasting.files import read_toml
from forecasting.settings import OUTCOME_HORIZON_MONTHS, cases_dir
from forecasting.validation import Number, raise_if_any, validated

CURRENT = "current"
# A case id names files (reports/<id>.pdf, reports/review/<id>/): a plain slug, never a path.
CASE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
# The forecaster's uncertainty about a factor state, in rating steps: above this the state
# says nothing (the scale runs 1-5), and the forecast would look precise when it is not.
SD_MAX = 2.0


def _slug(value: str) -> str:
    if not CASE_ID.fullmatch(value):
        shown = repr(value) if len(value) <= 64 else f"{value[:40]!r}… ({len(value)} characters)"
        raise ValueError(
            f"{shown} is not a case id: 1-64 lowercase letters, digits and hyphens, "
            "starting with a letter or digit (it names the report's files)"
        )
    return value


def _sd_bound(value: float) -> float:
    if value > SD_MAX:
        raise ValueError(
            f"{value:g} is more than {SD_MAX:g} rating steps (the scale runs "
            f"{RATING_MIN:g}-{RATING_MAX:g}): such a state says nothing"
        )
    return value


class FactorState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: Annotated[Number, Field(ge=RATING_MIN, le=RATING_MAX)]
    sd: Annotated[Number, Field(ge=0), AfterValidator(_sd_bound)]
    rationale: str = Field(min_length=1)


def _reference_horizon(months: int) -> int:
    """The model learns from outcomes judged `OUTCOME_HORIZON_MONTHS` after launch; a case
    judged at another horizon would get that forecast under a wrong label."""
    if months != OUTCOME_HORIZON_MONTHS:
        raise ValueError(
            f"the reference class judges outcomes at {OUTCOME_HORIZON_MONTHS} months "
            f"(data/CODEBOOK.md), so a forecast for {months} months would be a "
            f"{OUTCOME_HORIZON_MONTHS}-month forecast under another label: "
            f"set horizon_months = {OUTCOME_HORIZON_MONTHS}"
        )
    return months


class _ScenarioSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1)
    label: str | None = Field(default=None, min_length=1, max_length=60)
    factors: dict[str, FactorState] = {}


class _CaseHeader(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, AfterValidator(_slug)]
    title: str = Field(min_length=1)
    as_of: dt.date
    host: str = Field(min_length=1)
    outcome: str = Field(min_length=1)
    horizon_months: Annotated[int, Field(gt=0, strict=True), AfterValidator(_reference_horizon)]


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
    label: str = ""  # how a report names it; default: the name with spaces for underscores

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", self.name.replace("_", " "))


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
    warnings: tuple[str, ...] = ()  # accepted, but the forecaster should know (file: key: ...)


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
    scenarios = {
        CURRENT: Scenario(
            CURRENT, "the case's own factor states at as_of", current, (), "Current assessment"
        )
    }
    for name, spec in data.scenarios.items():
        factors = {f: spec.factors.get(f, current[f]) for f in FACTOR_IDS}
        overridden = tuple(f for f in FACTOR_IDS if f in spec.factors)
        scenarios[name] = Scenario(name, spec.description, factors, overridden, spec.label or "")

    header = data.case
    warnings = [
        warning_line(
            path, f"contrasts[{i}]", f"compares scenario '{c.scenario}' with itself (always 0)"
        )
        for i, c in enumerate(data.contrasts)
        if c.scenario == c.baseline
    ]
    if header.as_of > dt.date.today():
        warnings.append(
            warning_line(
                path,
                "case.as_of",
                f"{header.as_of} is in the future: every reference case resolved so far is "
                "used, so the no-look-ahead protection is off",
            )
        )
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
        warnings=tuple(warnings),
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
