"""Edit a case assessment file: set one factor's state, keeping comments and order.

The counterpart of `priors.with_prior`/`save_effect_priors` for
`priors/cases/<case-id>.toml`: a forecaster revises a state (for instance from
`elicitation.factor_state`) and saves it; the file is checked by loading it
back before anything is written, and written atomically.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import tomlkit

from forecasting.factors import FACTOR_IDS
from forecasting.files import atomic_write_text, read_toml
from forecasting.inputs.cases import CURRENT, Case, FactorState, load_case


def save_factor_state(
    case: Case,
    factor: str,
    state: FactorState,
    *,
    scenario: str = CURRENT,
    target: Path | None = None,
) -> Path:
    """Write `state` as `factor`'s state in `case`'s file (`current`: the case's own
    `[factors]`; otherwise that scenario's overrides), to `target` (default: the
    case file itself). Returns the path written."""

    with_factor_state(case, factor, state, scenario=scenario)  # checks factor and scenario
    document = read_toml(case.path)
    if scenario == CURRENT:
        tables = document["factors"]
    else:
        spec = document["scenarios"][scenario]
        if "factors" not in spec:
            spec["factors"] = tomlkit.table(is_super_table=True)
        tables = spec["factors"]
    if factor not in tables:
        tables[factor] = tomlkit.table()
    for key, value in state.model_dump().items():
        tables[factor][key] = value
    text = tomlkit.dumps(document)
    target = Path(target) if target else case.path
    with tempfile.TemporaryDirectory() as scratch:  # never write what cannot be read back
        check = Path(scratch) / target.name
        check.write_text(text, encoding="utf-8")
        load_case(check)
    atomic_write_text(target, text)
    return target


def with_factor_state(
    case: Case, factor: str, state: FactorState, *, scenario: str = CURRENT
) -> Case:
    """A copy of `case` with `factor` in `state`.

    For `current` (the case's own assessment) every scenario that does not
    override `factor` changes with it, as if the case file had said so; for a
    named scenario, only that scenario changes (and now overrides `factor`).
    """
    check_factor_and_scenario(case, factor, scenario)
    scenarios = {}
    for name, s in case.scenarios.items():
        if name == scenario or (scenario == CURRENT and factor not in s.overridden):
            overridden = s.overridden
            if name == scenario != CURRENT:  # a named scenario now overrides `factor`
                overridden = tuple(f for f in FACTOR_IDS if f in (*overridden, factor))
            s = dataclasses.replace(s, factors={**s.factors, factor: state}, overridden=overridden)
        scenarios[name] = s
    return dataclasses.replace(case, scenarios=scenarios)


def check_factor_and_scenario(case: Case, factor: str, scenario: str) -> None:
    if factor not in FACTOR_IDS:
        raise ValueError(f"unknown factor '{factor}' (known: {', '.join(FACTOR_IDS)})")
    if scenario not in case.scenarios:
        raise ValueError(f"unknown scenario '{scenario}' (known: {', '.join(case.scenarios)})")
