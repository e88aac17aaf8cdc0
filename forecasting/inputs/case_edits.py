"""Edit a case assessment file: set one factor's state, keeping comments and order.

The counterpart of `priors.with_prior`/`save_effect_priors` for
`priors/cases/<case-id>.toml`: a forecaster revises a state (for instance from
`elicitation.factor_state`) and saves it; the file is checked by loading it
back before anything is written, and written atomically.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import tomlkit

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
    from forecasting.forecast.what_if import with_factor_state

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
