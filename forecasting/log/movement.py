"""How a case's forecast moved between two logged entries, and which inputs changed."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from forecasting.log.store import SCORED_SCENARIO, TRACKED_INPUTS, Entry, scenario_p


@dataclass(frozen=True)
class Movement:
    """How a case's forecast moved between two logged entries, and which inputs changed."""

    latest: Entry
    previous: Entry
    scenarios: pd.DataFrame  # index scenario: previous, latest, change (E[P])
    inputs: pd.DataFrame  # index input: previous, latest, changed
    changed_inputs: list[str] = field(default_factory=list)

    @property
    def scored_change(self) -> float:
        return float(self.scenarios.loc[SCORED_SCENARIO, "change"])

    def describe(self) -> str:
        """One sentence for a report: the headline move and what changed."""
        from forecasting.formatting import percent, points

        when = self.previous.recorded_at.strftime("%Y-%m-%d %H:%M UTC")
        row = self.scenarios.loc[SCORED_SCENARIO]
        changed = ", ".join(self.changed_inputs) if self.changed_inputs else "none"
        return (
            f"P(success) in the current situation moved from {percent(row.previous)} to "
            f"{percent(row.latest)} ({points(row.change)}) since the forecast logged "
            f"{when} (entry {self.previous.id}). Inputs changed: {changed}."
        )


def movement(latest: Entry, previous: Entry) -> Movement:
    """Per-scenario change in E[P] from `previous` to `latest`, and the inputs that changed.

    A scenario present in only one of the two entries has NaN for the other and for `change`.
    """
    if latest.case_id != previous.case_id:
        raise ValueError(f"entries of different cases: {latest.case_id}, {previous.case_id}")
    names = list(latest.scenarios) + [n for n in previous.scenarios if n not in latest.scenarios]

    def p(entry: Entry, name: str) -> float:
        return scenario_p(entry.scenarios.get(name, {}))

    scenarios = pd.DataFrame(
        {
            "previous": [p(previous, n) for n in names],
            "latest": [p(latest, n) for n in names],
        },
        index=pd.Index(names, name="scenario"),
    )
    scenarios["change"] = scenarios.latest - scenarios.previous
    inputs = pd.DataFrame(
        [
            {
                "input": label,
                "previous": getattr(previous, attr),
                "latest": getattr(latest, attr),
            }
            for label, attr in TRACKED_INPUTS.items()
        ]
    ).set_index("input")
    inputs["changed"] = inputs.previous != inputs.latest
    return Movement(
        latest=latest,
        previous=previous,
        scenarios=scenarios,
        inputs=inputs,
        changed_inputs=list(inputs.index[inputs.changed]),
    )
