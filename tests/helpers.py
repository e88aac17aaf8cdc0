"""Small builders shared by tests: priors from numbers, reference classes from arrays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import tomlkit

from forecasting.factors import FACTOR_IDS
from forecasting.inputs.reference import ReferenceClass
from forecasting.priors.effects import EffectPriors, parse_effect_priors


def normal_priors(mu: dict[str, float], sigma: dict[str, float]) -> EffectPriors:
    """Effect priors with the given (mu, sigma) per parameter and no elicitation statement."""
    lines = []
    for name in ("intercept", *FACTOR_IDS):
        table = name if name == "intercept" else f"factors.{name}"
        lines += [
            f"[{table}]",
            'distribution = "Normal"',
            f"mu = {mu[name]}",
            f"sigma = {sigma[name]}",
            'author = "test"',
            "date = 2026-11-28",
            'rationale = "test prior"',
            "",
        ]
    return parse_effect_priors(tomlkit.parse("\n".join(lines)), Path("test-priors.toml"))


def simulated_reference(
    n: int, alpha: float, beta: np.ndarray, seed: int, confidence: str = "high"
) -> ReferenceClass:
    """A reference class whose outcomes follow the model with known coefficients."""
    rng = np.random.default_rng(seed)
    ratings = rng.integers(1, 6, size=(n, len(FACTOR_IDS))).astype(float)
    p = 1 / (1 + np.exp(-(alpha + (ratings - 3) @ beta)))
    frame = pd.DataFrame(ratings, columns=list(FACTOR_IDS))
    for f in FACTOR_IDS:
        frame[f"{f}_conf"] = confidence
    frame["case_id"] = [f"sim-{i}" for i in range(n)]
    frame["outcome"] = rng.binomial(1, p)
    frame["start"] = pd.Period("1995-01", "M")
    frame["resolved"] = pd.Period("1997-01", "M")
    return ReferenceClass(frame, Path("simulated.csv"))
