"""Doyle & Sambanis (2000): read their replication file, and import their civil
wars as a reference class (the replication of their Table 3 model A8 is
`forecasting.checks.replication`).

Doyle, M. W. and N. Sambanis (2000), "International Peacebuilding: A
Theoretical and Quantitative Analysis", *American Political Science Review*
94(4): 779-801. The replication file (`peace.csv`, 124 civil wars 1944-1997,
one row each) is not shipped with the project: users download it themselves
and point the functions here (or `forecast replicate` / `forecast import`) at
it. It is read as R writes it: a first, unnamed column of row names and `NA`
for missing values (the literal `None` in `untype` means "no UN mission").

Importer: variable -> factor mapping
------------------------------------
The unit in the file is a civil war, not an intervention; many wars had no
third party at all. Every proxied rating is coded with confidence `low`
(sd 1 rating step in the model); a factor with no defensible proxy is left
blank, so the model treats it as latent and it says nothing about that
factor's effect.

Each entry: project column <- file variable(s); rule; why it is a defensible
proxy; what it misses.

political_cohesion <- factnum (number of warring factions)
    rule:   4.5 - 0.5 * factnum, clipped to 1-5: 2 factions -> 3.5, 3 (the
            file's median) -> 3, 4 -> 2.5, 5 -> 2, 6 -> 1.5, 7 or more -> 1;
            blank if missing.
    why:    fragmentation into many armed factions is the codebook's low anchor
            ("one armed faction among several"); fewer factions leave fewer
            veto players outside any settlement; the typical war maps to 3.
    misses: the government's legitimacy and the parties' buy-in (a two-faction
            war can be wholly polarised); splits inside the government; whether
            a peace agreement was signed (`treaty` is not used: it is settled
            at the war's end, after the moment the rating describes).

host_army <- nothing: blank.
    why:    nothing in the file measures the host's forces (`develop`,
            electricity use per head, is state capacity in general).

troop_readiness <- untype (UN mission type), interven (non-UN intervention)
    rule:   no UN mission and interven = 0 -> 1 (no intervening troops at
            all); Observer -> 2; TradPKO -> 3; MultiPKO -> 3.5;
            Enforcement+ -> 4; no UN mission but interven = 1 -> blank.
    why:    the mission type orders the size and the robustness of the mandate
            of the UN presence, which the codebook's anchors name: observers
            are far below what a task needs, traditional PKOs are the
            "typical" peace operation, enforcement is the robust end.
    misses: training, equipment, logistics, numbers relative to the task; a
            non-UN force's readiness (unknown, so blank, and ignored where a
            UN mission is also present); Enforcement+ stops at 4 because a
            robust mandate is not a robust force.

timing <- nothing: blank.
    why:    the file records neither planning nor the lead between
            authorisation and deployment.

outcome <- pbs2s3, as it is.
    misses: it is peacebuilding success two years after the war's end (no war
            and a minimal level of democracy), not the codebook's "primary
            objective met within 24 months of launch"; so the outcome's
            `confidence` is `medium`.

start <- yrbeg: January of 19yy (two-digit years, all 1944-1997; a four-digit
    year is taken as it is). The month is not in the file.

resolved <- yrend: December of 19yy + 2, since the outcome is measured two
    years after the war's end. A war still going when the file was coded
    (`yrend` missing; all such wars are coded failures) resolves in December
    of the latest year the file records, when that failure was observed.
    December is the latest month possible, so the `as_of` filter lets a case
    in late, never early (no look-ahead).

mission, intervener <- untype, interven: "UN <type> mission" / "UN";
    "non-UN military intervention" / "third party (non-UN)"; "no
    international intervention" / "none"; both noted when both happened.

host_country, case_id <- cname, yrbeg: `cname` up to its first "-" or " ("
    (it names a war, e.g. "Sri Lanka (Tamil)"); case_id is
    `ds2000-<slug of cname>-<start year>`.

All proxied ratings have confidence `low`; sources: "Doyle & Sambanis (2000)
replication file"; the rationale says which variable gave each rating.

Rows without `pbs2s3` or `yrbeg` cannot be reference cases and are skipped.
To fit beside the project's reference class, concatenate the imported CSV's
rows with `data/reference_cases.csv` (the `ds2000-` prefix keeps the case ids
apart) and pass the result with `--data`.

Example:

    >>> peace = load_peace_file(Path("peace.csv"))          # doctest: +SKIP
    >>> write_reference_csv(import_reference(Path("peace.csv")), Path("ds.csv"))  # doctest: +SKIP
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.errors import InputError
from forecasting.factors import FACTOR_IDS, RATING_MAX, RATING_MIN
from forecasting.files import atomic_write_text, read_csv, require_columns
from forecasting.inputs.reference import REQUIRED_COLUMNS, ReferenceClass, load_reference
from forecasting.validation import raise_if_any

SOURCE = "Doyle & Sambanis (2000) replication file"
CASE_PREFIX = "ds2000"


@dataclass(frozen=True)
class LogitSpec:
    """A logit specification: outcome on predictors, fitted on complete rows only."""

    outcome: str
    predictors: tuple[str, ...]

    @property
    def terms(self) -> tuple[str, ...]:
        return ("Intercept", *self.predictors)

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.outcome, *self.predictors)

    def complete_rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame.loc[:, list(self.columns)].dropna().astype(float)


# Table 3, model A8 of the paper.
A8_TERMS = LogitSpec(
    outcome="pbs2s3",
    predictors=(
        "wartype",
        "logcost",
        "wardur",
        "factnum",
        "factnum2",
        "trnsfcap",
        "untype4",
        "treaty",
        "develop",
        "exp",
        "decade",
    ),
)
IMPORT_NUMERIC = ("pbs2s3", "yrbeg", "yrend", "factnum", "interven")
IMPORT_COLUMNS = ("cname", "untype", *IMPORT_NUMERIC)
NEEDED_COLUMNS = tuple(dict.fromkeys((*IMPORT_COLUMNS, *A8_TERMS.columns)))
NUMERIC_COLUMNS = tuple(c for c in NEEDED_COLUMNS if c not in ("cname", "untype"))


# --- reading the file -------------------------------------------------------------------------


def load_peace_file(path: Path) -> pd.DataFrame:
    """The replication file as a DataFrame, with every column this module uses checked."""
    path = Path(path)
    # "NA" is R's missing value; "None" in `untype` is a category, not a missing value
    raw = read_csv(path, keep_default_na=False, na_values=["NA"], low_memory=False)
    if len(raw.columns) and raw.columns[0] in ("", "Unnamed: 0"):
        raw = raw.drop(columns=raw.columns[0])  # R's row names
    require_columns(
        raw, NEEDED_COLUMNS, path, "column of the Doyle & Sambanis replication file is missing"
    )
    problems = []
    for column in NUMERIC_COLUMNS:
        values = pd.to_numeric(raw[column], errors="coerce")
        bad = values.isna() & raw[column].notna() & (raw[column].astype(str).str.strip() != "")
        for i in np.flatnonzero(bad.to_numpy()):
            # lines as a spreadsheet shows them: the header is line 1
            problems.append(
                InputError(
                    path, f"{column} (line {i + 2})", f"'{raw[column].iloc[i]}' is not a number"
                )
            )
        raw[column] = values
    raise_if_any(problems)
    return raw.reset_index(drop=True)


# UN mission type -> troop_readiness (see the mapping table above)
UN_MISSION_READINESS = {"Observer": 2.0, "TradPKO": 3.0, "MultiPKO": 3.5, "Enforcement+": 4.0}
NO_INTERVENTION_READINESS = 1.0
NO_UN_MISSION = ("", "None", "none", "nan")


def cohesion_from_factions(factions: pd.Series) -> pd.Series:
    """More warring factions, less cohesion: 3 factions (the typical war) -> 3."""
    return (4.5 - 0.5 * factions).clip(RATING_MIN, RATING_MAX)


def readiness_from_missions(untype: pd.Series, interven: pd.Series) -> pd.Series:
    un_type = untype.fillna("").astype(str).str.strip()
    no_un = un_type.isin(NO_UN_MISSION)
    readiness = un_type.map(UN_MISSION_READINESS).astype(float)
    return readiness.mask(no_un & (interven == 0), NO_INTERVENTION_READINESS)


def _full_year(two_digit: pd.Series) -> pd.Series:
    years = two_digit.astype(int)
    return years.where(years >= 100, years + 1900)


def _mission_and_intervener(untype: str, interven: float) -> tuple[str, str]:
    third_party = interven == 1
    if untype in NO_UN_MISSION:
        if third_party:
            return "non-UN military intervention", "third party (non-UN)"
        return "no international intervention", "none"
    suffix = " (+ non-UN intervention)" if third_party else ""
    return f"UN {untype} mission{suffix}", "UN" + ("; third party (non-UN)" if third_party else "")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _rationale(row) -> str:
    cohesion = (
        f"PC: {row.factnum:g} warring factions -> {row.political_cohesion:g} (proxy)"
        if pd.notna(row.political_cohesion)
        else "PC: number of factions not recorded (blank)"
    )
    readiness = (
        f"TR: UN mission type '{row.untype}', non-UN intervention {int(row.interven)} -> "
        + (f"{row.troop_readiness:g} (proxy)" if pd.notna(row.troop_readiness) else "blank")
    )
    return (
        f"Imported from the Doyle & Sambanis (2000) file, war '{row.cname}'. {cohesion}; "
        f"{readiness}; HA and TI: no proxy in the file (blank, latent). Outcome: pbs2s3 = "
        f"{int(row.pbs2s3)} (peacebuilding success two years after the war's end)."
    )


def import_reference(path: Path, *, interventions_only: bool = False) -> pd.DataFrame:
    """The file's civil wars as reference cases in the format of data/reference_cases.csv.

    `interventions_only` keeps only wars with a UN mission or a non-UN intervention.
    """
    path = Path(path)
    peace = load_peace_file(path)
    problems = [
        InputError(path, f"pbs2s3 (line {i + 2})", f"'{v:g}' is not 0 or 1")
        for i, v in peace["pbs2s3"].items()
        if pd.notna(v) and v not in (0, 1)
    ]
    raise_if_any(problems)
    wars = peace[peace["pbs2s3"].notna() & peace["yrbeg"].notna()].copy()
    wars["untype"] = wars["untype"].fillna("None").astype(str).str.strip().replace("", "None")
    if interventions_only:
        wars = wars[~wars["untype"].isin(NO_UN_MISSION) | (wars["interven"] == 1)]

    start_year = _full_year(wars["yrbeg"])
    last_year = int(
        _full_year(pd.concat([peace["yrbeg"], peace["yrend"]]).dropna()).max()
    )  # the latest year the file records: when an unfinished war's failure was observed
    ended = wars["yrend"].notna()
    resolved_year = pd.Series(last_year, index=wars.index)
    resolved_year[ended] = _full_year(wars.loc[ended, "yrend"]) + 2
    wars["political_cohesion"] = cohesion_from_factions(wars["factnum"])
    wars["troop_readiness"] = readiness_from_missions(wars["untype"], wars["interven"])
    missions = [
        _mission_and_intervener(u, i) for u, i in zip(wars.untype, wars.interven, strict=True)
    ]

    out = pd.DataFrame(index=wars.index)
    ids = CASE_PREFIX + "-" + wars["cname"].map(_slug) + "-" + start_year.astype(str)
    out["case_id"] = _deduplicated(ids)
    out["host_country"] = wars["cname"].str.split(r"-| \(", n=1, regex=True).str[0].str.strip()
    out["mission"] = [m for m, _ in missions]
    out["intervener"] = [i for _, i in missions]
    out["start"] = start_year.astype(str) + "-01"
    out["resolved"] = resolved_year.astype(int).astype(str) + "-12"
    out["outcome"] = wars["pbs2s3"].astype(int)
    for factor in FACTOR_IDS:
        out[factor] = wars.get(factor, np.nan)
        out[f"{factor}_conf"] = np.where(out[factor].notna(), "low", "")
    out["confidence"] = "medium"
    out["rationale"] = [_rationale(row) for row in wars.itertuples()]
    out["sources"] = SOURCE
    return out.loc[:, list(REQUIRED_COLUMNS)].reset_index(drop=True)


def _deduplicated(ids: pd.Series) -> pd.Series:
    """Append -2, -3, ... to repeated ids (two wars of one name starting in one year)."""
    repeat = ids.groupby(ids).cumcount()
    return ids.where(repeat == 0, ids + "-" + (repeat + 1).astype(str))


def write_reference_csv(cases: pd.DataFrame, path: Path) -> ReferenceClass:
    """Write imported cases as a reference-class CSV, validated before `path` is touched."""
    path = Path(path)
    text = cases.to_csv(index=False)
    with tempfile.TemporaryDirectory() as folder:
        draft = Path(folder) / path.name
        draft.write_text(text, encoding="utf-8")
        validated = load_reference(draft)
    atomic_write_text(path, text)
    return ReferenceClass(validated.cases, path)
