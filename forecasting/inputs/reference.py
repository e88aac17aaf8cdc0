"""The reference class: past interventions from a CSV (format: data/CODEBOOK.md).

Loading validates every row and reports all problems at once, naming the file,
the column and the row. `split_by_as_of` keeps only cases resolved before the
forecast's information date (no look-ahead) and says why the others are out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from forecasting.errors import InputError
from forecasting.factors import FACTOR_IDS, INTERVENER_TYPES, RATING_MAX, RATING_MIN
from forecasting.files import read_csv, require_columns
from forecasting.settings import CONFIDENCE_SD
from forecasting.validation import raise_if_any

CONFIDENCE_COLUMNS = tuple(f"{f}_conf" for f in FACTOR_IDS)
REQUIRED_COLUMNS = (
    "case_id",
    "host_country",
    "mission",
    "intervener",
    "start",
    "resolved",
    "outcome",
    *FACTOR_IDS,
    *CONFIDENCE_COLUMNS,
    "confidence",
    "rationale",
    "sources",
)
# Optional columns: validated when present (a user's older file without them still loads).
OPTIONAL_COLUMNS = ("intervener_type", "conflict_id")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class ReferenceClass:
    """Validated reference cases: ratings as floats (NaN = unknown), months as Periods."""

    cases: pd.DataFrame
    path: Path

    def __len__(self) -> int:
        return len(self.cases)


@dataclass(frozen=True)
class AsOfSplit:
    used: ReferenceClass
    excluded: pd.DataFrame  # case_id, mission, reason


def load_reference(path: Path) -> ReferenceClass:
    path = Path(path)
    raw = read_csv(path, dtype=str, keep_default_na=False)
    require_columns(raw, REQUIRED_COLUMNS, path, "required column is missing")
    problems: list[InputError] = []
    if raw.empty:
        problems.append(InputError(path, "", "no reference cases"))

    def bad(column: str, row: int, message: str) -> None:
        # row numbers as a spreadsheet shows them: the header is line 1
        problems.append(InputError(path, f"{column} (line {row + 2})", message))

    seen: set[str] = set()
    for i, row in raw.iterrows():
        case_id = row["case_id"].strip()
        if not case_id:
            bad("case_id", i, "is empty")
        elif case_id in seen:
            bad("case_id", i, f"'{case_id}' appears twice")
        seen.add(case_id)
        if row["outcome"].strip() not in ("0", "1"):
            bad("outcome", i, f"'{row['outcome']}' is not 0 or 1")
        for column in ("start", "resolved"):
            if not _MONTH.match(row[column].strip()):
                bad(column, i, f"'{row[column]}' is not a month YYYY-MM")
        if row["confidence"].strip() not in ("high", "medium"):
            bad("confidence", i, f"'{row['confidence']}' is not high or medium")
        if not row["sources"].strip():
            bad("sources", i, "every case must cite its sources")
        if "intervener_type" in raw and row["intervener_type"].strip() not in INTERVENER_TYPES:
            bad(
                "intervener_type",
                i,
                f"'{row['intervener_type']}' is not one of {', '.join(INTERVENER_TYPES)}",
            )
        if "conflict_id" in raw and not row["conflict_id"].strip():
            bad("conflict_id", i, "is empty (a UCDP conflict id, or x-<country>-<year>)")
        for factor in FACTOR_IDS:
            text, conf = row[factor].strip(), row[f"{factor}_conf"].strip()
            if not text:
                if conf:
                    bad(f"{factor}_conf", i, "given for a blank rating")
                continue
            try:
                rating = float(text)
            except ValueError:
                bad(factor, i, f"'{text}' is not a number")
                continue
            if not RATING_MIN <= rating <= RATING_MAX:
                bad(factor, i, f"{rating:g} is outside {RATING_MIN:g}-{RATING_MAX:g}")
            if conf not in CONFIDENCE_SD:
                bad(f"{factor}_conf", i, f"'{conf}' is not one of {', '.join(CONFIDENCE_SD)}")
    raise_if_any(problems)

    cases = raw.copy()
    for column in raw.columns:
        cases[column] = cases[column].str.strip()
    cases["outcome"] = cases["outcome"].astype(int)
    for factor in FACTOR_IDS:
        cases[factor] = pd.to_numeric(cases[factor].replace("", None)).astype(float)
    for column in ("start", "resolved"):
        cases[column] = pd.PeriodIndex(cases[column], freq="M")
    late = cases["resolved"] < cases["start"]
    raise_if_any(
        [
            bad_order
            for i in cases.index[late]
            if (bad_order := InputError(path, f"resolved (line {i + 2})", "is before start"))
        ]
    )
    return ReferenceClass(cases.reset_index(drop=True), path)


def split_by_as_of(reference: ReferenceClass, as_of: dt.date) -> AsOfSplit:
    """Cases whose outcome was settled before `as_of`'s month, and the rest with the reason."""
    month = pd.Period(as_of, freq="M")
    cases = reference.cases
    keep = cases["resolved"] < month
    reasons = [
        f"started {row.start}, after the forecast date"
        if row.start >= month
        else f"outcome settled {row.resolved}, not before the forecast date ({month})"
        for row in cases[~keep].itertuples()
    ]
    excluded = cases.loc[~keep, ["case_id", "mission"]].assign(reason=reasons)
    used = ReferenceClass(cases[keep].reset_index(drop=True), reference.path)
    return AsOfSplit(used, excluded.reset_index(drop=True))


def rating_uncertainty(reference: ReferenceClass) -> pd.DataFrame:
    """sd (rating steps) of each coded rating, from its coding confidence; NaN where blank."""
    cases = reference.cases
    return pd.DataFrame(
        {f: cases[f"{f}_conf"].map(CONFIDENCE_SD).where(cases[f].notna()) for f in FACTOR_IDS}
    )
