"""Is a scenario inside the range of history? (King & Zeng 2007, "When can
history be our guide?")

Two checks on the factor ratings (points, without their sd):

- Convex hull: a scenario is an interpolation if its ratings are a convex
  combination of the reference cases' ratings; otherwise the model must
  extrapolate. Checked as a linear-programming feasibility problem, as in
  WhatIf, on the reference cases with all four ratings coded. Outside, the
  Euclidean distance to the hull, in rating steps, says how far: "0.4 steps
  outside" and "1.4 steps outside" read differently.
- Gower distance: the mean over factors of |difference| / range of the
  factor (range = 4 rating steps). The share of reference cases within
  `NEARBY_DISTANCE` tells how much history resembles the scenario.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.factors import FACTOR_IDS, RATING_MAX, RATING_MIN
from forecasting.inputs.cases import Case
from forecasting.inputs.reference import ReferenceClass

# Nearby: on average within 0.4 rating steps per factor (10% of the scale).
NEARBY_DISTANCE = 0.1


@dataclass(frozen=True)
class Extrapolation:
    table: pd.DataFrame  # per scenario: in_hull, hull_distance (rating steps), share_nearby,
    # n_nearby, nearest, nearest_distance (Gower)
    n_complete: int  # reference cases with all ratings coded (the hull's points)

    def as_dict(self) -> dict:
        return {
            name: {
                "in_hull": None if row.in_hull is None else bool(row.in_hull),
                "hull_distance_steps": None
                if np.isnan(row.hull_distance)
                else round(float(row.hull_distance), 3),
                "share_nearby": round(float(row.share_nearby), 4),
                "nearest_case": row.nearest,
                "nearest_distance": None
                if np.isnan(row.nearest_distance)
                else round(float(row.nearest_distance), 4),
            }
            for name, row in self.table.iterrows()
        }

    def outside(self) -> list[str]:
        return [name for name, row in self.table.iterrows() if row.in_hull is False]


def in_convex_hull(points: np.ndarray, x: np.ndarray) -> bool:
    """Is `x` a convex combination of the rows of `points`? (LP feasibility)"""
    from scipy.optimize import linprog  # lazily: a second to import

    n = len(points)
    equality = np.vstack([points.T, np.ones(n)])
    target = np.append(x, 1.0)
    result = linprog(
        np.zeros(n), A_eq=equality, b_eq=target, bounds=[(0, None)] * n, method="highs"
    )
    return result.status == 0


# The sum-to-one constraint enters NNLS as a heavily weighted extra row.
_SUM_WEIGHT = 1e4


def hull_distance(points: np.ndarray, x: np.ndarray) -> float:
    """Euclidean distance from `x` to the convex hull of the rows of `points` (0 inside),
    in the points' units: min ||points.T @ w - x|| over w >= 0, sum(w) = 1, by NNLS."""
    from scipy.optimize import nnls

    design = np.vstack([points.T, _SUM_WEIGHT * np.ones(len(points))])
    target = np.append(x, _SUM_WEIGHT)
    weights, _ = nnls(design, target, maxiter=50 * len(points))
    return float(np.linalg.norm(points.T @ (weights / weights.sum()) - x))


def _cases(n: int) -> str:
    return {0: "No past case lies", 1: "One past case lies"}.get(n, f"{n} past cases lie")


def gower_distances(points: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.mean(np.abs(points - x) / (RATING_MAX - RATING_MIN), axis=1)


def check_extrapolation(case: Case, reference: ReferenceClass) -> Extrapolation:
    cases = reference.cases
    complete = cases.dropna(subset=list(FACTOR_IDS))
    points = complete[list(FACTOR_IDS)].to_numpy(dtype=float)
    rows = []
    for name, scenario in case.scenarios.items():
        if len(complete) == 0:  # nothing to compare with: say so rather than guess
            rows.append(
                {
                    "scenario": name,
                    "in_hull": None,
                    "hull_distance": np.nan,
                    "share_nearby": 0.0,
                    "n_nearby": 0,
                    "nearest": None,
                    "nearest_distance": np.nan,
                }
            )
            continue
        x = np.array([scenario.factors[f].rating for f in FACTOR_IDS])
        distance = gower_distances(points, x)
        nearest = int(np.argmin(distance))
        inside = in_convex_hull(points, x)
        rows.append(
            {
                "scenario": name,
                "in_hull": inside,
                "hull_distance": 0.0 if inside else hull_distance(points, x),
                "share_nearby": float(np.mean(distance <= NEARBY_DISTANCE)),
                "n_nearby": int(np.sum(distance <= NEARBY_DISTANCE)),
                "nearest": complete["case_id"].iloc[nearest],
                "nearest_distance": float(distance[nearest]),
            }
        )
    # in_hull is True, False or None (not checkable): keep it as Python objects
    table = pd.DataFrame(rows).astype({"in_hull": object}).set_index("scenario")
    return Extrapolation(table, len(complete))


def in_words(extrapolation: Extrapolation, labels: dict[str, str] | None = None) -> list[str]:
    """One sentence per scenario, for analysts (`labels`: scenario names in words)."""
    labels = labels or {}
    sentences = []
    for name, row in extrapolation.table.iterrows():
        name = labels.get(name, name)
        if row.in_hull is None:
            sentences.append(
                f"{name}: cannot be checked: no reference case has all four ratings coded."
            )
            continue
        where = (
            "inside the range of past interventions (its ratings are a mix of cases that happened)"
            if row.in_hull
            else f"OUTSIDE the range of past interventions by {row.hull_distance:.2f} rating "
            "steps: no mix of past cases has these ratings, so the model extrapolates and its "
            "number deserves less trust"
        )
        steps = row.nearest_distance * (RATING_MAX - RATING_MIN)
        sentences.append(
            f"{name}: {where}. {_cases(row.n_nearby)} within "
            f"{NEARBY_DISTANCE * (RATING_MAX - RATING_MIN):g} rating steps per factor on "
            f"average; the nearest, {row.nearest}, is {steps:.2f} steps away."
        )
    return sentences
