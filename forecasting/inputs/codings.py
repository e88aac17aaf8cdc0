"""Blind codings of the reference cases, and the reference class built from them.

Every case has a pre-launch brief (`data/briefs/<case_id>.md`, sources dated before the
launch, no outcome) and is rated from the brief alone by two coders who never see the
outcomes, each other's ratings or the earlier rows (`data/codings/coder-<x>.csv`). The
facts of each case — dates, intervener, conflict, outcome — are coded separately, by
coders who do not rate (`data/facts.csv`). The reference class is built from the two:

- a rating is the mean of the two coders' ratings; where they differ by more than
  `MAX_GAP` steps, a third coding (`coder-c.csv`) decides;
- its confidence is the lower of the coders' (the third coder's where it decided).

Agreement per factor is Krippendorff's alpha, interval metric (`agreement`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.errors import InputError
from forecasting.factors import FACTOR_IDS, RATING_MAX, RATING_MIN
from forecasting.files import read_csv, require_columns
from forecasting.inputs.reference import REQUIRED_COLUMNS
from forecasting.settings import CONFIDENCE_SD
from forecasting.validation import raise_if_any

# Two codings further apart than this (rating steps) go to a third coder.
MAX_GAP = 1.0
CODING_COLUMNS = (
    "case_id",
    *FACTOR_IDS,
    *(f"{f}_conf" for f in FACTOR_IDS),
    "rationale",
)
FACT_COLUMNS = (
    "case_id",
    "host_country",
    "mission",
    "intervener",
    "intervener_type",
    "conflict_id",
    "start",
    "resolved",
    "outcome",
    "confidence",
    "outcome_rationale",
    "start_check",
    "sources",
)
_CONFIDENCE_RANK = {c: i for i, c in enumerate(CONFIDENCE_SD)}  # high < medium < low


@dataclass(frozen=True)
class Codings:
    """Each coder's ratings, indexed by case id; `coder-a` and `coder-b` are the two blind
    codings, `coder-c` the third that decides wide gaps."""

    by_coder: dict[str, pd.DataFrame]
    primary: tuple[str, str] = ("coder-a", "coder-b")


def load_codings(folder: Path) -> Codings:
    """`coder-*.csv` in `folder`, each validated (ratings 1-5 or blank, known confidences)."""
    folder = Path(folder)
    by_coder = {}
    for path in sorted(folder.glob("coder-*.csv")):
        frame = read_csv(path, dtype=str, keep_default_na=False)
        require_columns(frame, CODING_COLUMNS, path, "required column is missing")
        problems = []
        for i, row in frame.iterrows():
            for f in FACTOR_IDS:
                text, conf = row[f].strip(), row[f"{f}_conf"].strip()
                if not text:
                    continue
                try:
                    value = float(text)
                except ValueError:
                    value = np.nan
                if not RATING_MIN <= value <= RATING_MAX:
                    problems.append(InputError(path, f"{f} (line {i + 2})", f"'{text}' is not 1-5"))
                if conf not in CONFIDENCE_SD:
                    problems.append(
                        InputError(
                            path, f"{f}_conf (line {i + 2})", f"'{conf}' is not a confidence"
                        )
                    )
        if frame["case_id"].duplicated().any():
            dup = frame["case_id"][frame["case_id"].duplicated()].iloc[0]
            problems.append(InputError(path, "case_id", f"'{dup}' is coded twice"))
        raise_if_any(problems)
        frame = frame.set_index("case_id")
        for f in FACTOR_IDS:
            frame[f] = pd.to_numeric(frame[f].replace("", None)).astype(float)
        by_coder[path.stem] = frame
    for coder in ("coder-a", "coder-b"):
        if coder not in by_coder:
            raise InputError(folder / f"{coder}.csv", "", "two blind codings are needed")
    return Codings(by_coder)


def agreement(codings: Codings) -> pd.DataFrame:
    """Per factor: Krippendorff's alpha (interval) of the two primary coders, the cases
    both rated, and how many differ by more than `MAX_GAP`."""
    import krippendorff

    a, b = (codings.by_coder[c] for c in codings.primary)
    cases = a.index.intersection(b.index)
    rows = []
    for f in FACTOR_IDS:
        pair = np.vstack([a.loc[cases, f].to_numpy(float), b.loc[cases, f].to_numpy(float)])
        both = ~np.isnan(pair).any(axis=0)
        rows.append(
            {
                "factor": f,
                "alpha": float(
                    krippendorff.alpha(reliability_data=pair, level_of_measurement="interval")
                ),
                "cases": int(both.sum()),
                "mean_abs_gap": float(np.abs(pair[0] - pair[1])[both].mean()),
                "gap_over_one_step": int((np.abs(pair[0] - pair[1])[both] > MAX_GAP).sum()),
            }
        )
    return pd.DataFrame(rows).set_index("factor")


def consensus(codings: Codings) -> pd.DataFrame:
    """One rating and confidence per case and factor, by the rule in the module docstring."""
    a, b = (codings.by_coder[c] for c in codings.primary)
    third = codings.by_coder.get("coder-c")
    out = pd.DataFrame(index=a.index.intersection(b.index))
    for f in FACTOR_IDS:
        ratings, confs = [], []
        for case in out.index:
            ra, rb = a.loc[case, f], b.loc[case, f]
            ca, cb = a.loc[case, f"{f}_conf"], b.loc[case, f"{f}_conf"]
            if np.isnan(ra) or np.isnan(rb):  # one blank: the other coder's rating stands
                rating, conf = (rb, cb) if np.isnan(ra) else (ra, ca)
            elif abs(ra - rb) > MAX_GAP:
                if third is None or case not in third.index:
                    raise InputError(
                        Path("data/codings/coder-c.csv"),
                        case,
                        f"{f}: the two codings differ by {abs(ra - rb):g} steps; a third "
                        "coding must decide",
                    )
                rating, conf = third.loc[case, f], third.loc[case, f"{f}_conf"]
            else:
                rating = (ra + rb) / 2
                conf = max(ca, cb, key=lambda c: _CONFIDENCE_RANK[c])
            ratings.append(rating)
            confs.append(conf if not np.isnan(rating) else "")
        out[f] = ratings
        out[f"{f}_conf"] = confs
    return out


def load_facts(path: Path) -> pd.DataFrame:
    frame = read_csv(path, dtype=str, keep_default_na=False)
    require_columns(frame, FACT_COLUMNS, path, "required column is missing")
    return frame.set_index("case_id")


def build_reference(facts: pd.DataFrame, codings: Codings) -> pd.DataFrame:
    """The reference CSV's rows: every case with facts and two blind codings, in start
    order (the format of `data/CODEBOOK.md`)."""
    ratings = consensus(codings)
    cases = facts.index.intersection(ratings.index)
    rows = facts.loc[cases].join(ratings.loc[cases])
    rows["rationale"] = [
        f"Outcome: {rows.loc[c, 'outcome_rationale']} Ratings: mean of two blind codings of "
        f"data/briefs/{c}.md (the coders' reasons: data/codings/)."
        for c in rows.index
    ]
    rows = rows.reset_index().sort_values(["start", "case_id"])
    columns = [*REQUIRED_COLUMNS, "intervener_type", "conflict_id"]
    for f in FACTOR_IDS:
        rows[f] = rows[f].map(lambda v: "" if np.isnan(v) else f"{v:g}")
    return rows[columns]
