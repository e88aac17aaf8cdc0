"""The factor catalogue: what the model's inputs mean.

Ratings run 1-5 (anchors in `data/CODEBOOK.md`); 3 is typical of past
interventions. The model measures each rating from the reference class's average
(`model.logit`), so a coefficient is the change in log-odds of success per step.
"""

from __future__ import annotations

from dataclasses import dataclass

RATING_MIN = 1.0
RATING_MAX = 5.0
RATING_CENTRE = 3.0


@dataclass(frozen=True)
class Factor:
    id: str
    label: str
    question: str
    low_anchor: str
    high_anchor: str


FACTORS: tuple[Factor, ...] = (
    Factor(
        "political_cohesion",
        "Political cohesion",
        "Cohesion and legitimacy of the host government",
        "no functioning government, or power split by a coup",
        "united government with broad legitimacy; all parties consent",
    ),
    Factor(
        "host_army",
        "Host army",
        "State of the host nation's armed forces",
        "collapsed, disintegrating or predatory",
        "capable professional force able to secure the territory",
    ),
    Factor(
        "troop_readiness",
        "Troop readiness",
        "Preparedness of the intervening troops: training, equipment, numbers",
        "far understrength, poorly equipped, no logistics",
        "robust forces, overwhelming relative to the threat",
    ),
    Factor(
        "timing",
        "Timing",
        "How the launch date relates to preparation",
        "rushed: launched at emergency speed, ahead of any planned start",
        "launched after complete preparation, force certified ready",
    ),
)

FACTOR_IDS: tuple[str, ...] = tuple(f.id for f in FACTORS)
FACTOR_BY_ID: dict[str, Factor] = {f.id: f for f in FACTORS}


# Who carries an intervention (data/CODEBOOK.md, "intervener_type"): judged by who commands
# and provides the core of the force.
INTERVENER_TYPES: dict[str, str] = {
    "un": "UN peace operation",
    "western": "Western state or alliance",
    "regional": "Regional organisation",
    "state": "Neighbour or other single state",
}
