"""Cross-checks of the reference class against scholars' data (`forecast data check`).

The external data sets live outside the project (`settings.external_data_dir()`, by
default `../shared/data/external`); they are read at run time and nothing from them is
written into the project except the disagreements the user asks for. A folder or file
that is absent, or cannot be read, skips the checks that need it with a one-line
message. The rules (matching, aliases, mappings) are documented in `data/CODEBOOK.md`,
"Checks against scholars' data"; every table here is a small DataFrame, nothing prints.

1. `start_months`: our start month against Mullenbach's third-party peacekeeping
   missions, IMI (to 2005) and PRIF's humanitarian military interventions.
2. `outcomes`: our outcome against UCDP conflict termination (war-level years) and PRIF's
   ENDTYPE / ENDVIOL / NEWVIOL.
3. `rating_proxies`: Spearman's rho of each factor's rating against independent proxies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.errors import InputError
from forecasting.factors import FACTOR_IDS
from forecasting.files import read_csv, require_columns
from forecasting.settings import EXTERNAL_ENV, OUTCOME_HORIZON_MONTHS

# -- the external files ----------------------------------------------------------------------

FILES = {
    "mullenbach": "mullenbach-tppm/mullenbach_tppm_raw.csv",
    "imi": "imi-1947-2005/MergedIMIData1947-2005.csv",
    "prif": "prif-hmi/PRIF_HMI_v0-3_interventions.csv",
    "ucdp": "ucdp-termination/ucdp-term-acd-3-2021.csv",
    "kathman": "kathman-un-pko-monthly/mission-month_12-2019_kathman.csv",
    "polity": "host-proxies/polity5part2.csv",
    "cow": "host-proxies/nmc_cow_v6.csv",
    "vdem": "host-proxies/selected_vdem_v12.csv",
}
LABELS = {
    "mullenbach": "Mullenbach",
    "imi": "IMI",
    "prif": "PRIF",
    "ucdp": "UCDP termination",
    "kathman": "Kathman",
    "polity": "Polity5",
    "cow": "COW NMC",
    "vdem": "V-Dem",
}
COLUMNS = {
    "mullenbach": (
        "STATE",
        "TPTYPE",
        "PKMNAMElocation",
        "LEADSTATE",
        "STARTDAY",
        "STARTMON",
        "STARTYR",
    ),
    "imi": ("intervener", "target", "start", "end", "description"),
    "prif": (
        "HMIID",
        "COWCC",
        "HMISTART",
        "HMIEND",
        "ENDTYPE",
        "ENDVIOL",
        "NEWVIOL",
        "VIODURAT",
        "GROUNDPO",
        "INTERVEN1",
        "INTERVEN2",
        "INTERVEN3",
    ),
    "ucdp": ("conflict_id", "year", "intensity_level"),
    "kathman": ("mission", "year", "month", "troop"),
    "polity": ("ccode", "country", "year", "durable", "fragment"),
    "cow": ("stateabb", "ccode", "year", "milper", "tpop"),
    "vdem": ("COWcode", "year", "e_pt_coup", "v2xpe_exlsocgr"),
}
# What each file is needed for: named in the message when it is absent.
USES = {
    "mullenbach": "start month against Mullenbach",
    "imi": "start month against IMI",
    "prif": "start month and outcome against PRIF; troop readiness vs GROUNDPO; timing vs VIODURAT",
    "ucdp": "outcome against UCDP termination",
    "kathman": "troop readiness vs Kathman UN troops",
    "polity": "political cohesion vs Polity5 durable and fragment",
    "cow": "host army vs COW military personnel",
    "vdem": "political cohesion vs V-Dem coups and exclusion",
}
# Missing-value codes (the sets' READMEs): read as missing wherever they appear in a
# value column used here (never in a country code or id column).
MISSING = {
    "prif": (-77, -88, -99),
    "kathman": (-999,),
    "imi": (9, 999, 9999999, 88888888, 99999999),
    "polity": (-66, -77, -88),
    "cow": (-9,),
}
VALUE_COLUMNS = {
    "prif": ("COWCC", "ENDTYPE", "ENDVIOL", "NEWVIOL", "VIODURAT", "GROUNDPO"),
    "kathman": ("troop",),
    "imi": ("start", "end"),
    "polity": ("durable", "fragment"),
    "cow": ("milper", "tpop"),
}
# COWCC is a code, but PRIF writes -99 for "no data" there too; no real code is negative.


@dataclass
class External:
    """The external data sets that could be read, and a message for each that could not."""

    folder: Path
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def get(self, key: str) -> pd.DataFrame | None:
        return self.frames.get(key)


def load_external(folder: Path) -> External:
    """Read every external file present in `folder`; an absent folder or file is a message."""
    folder = Path(folder)
    external = External(folder)
    if not folder.is_dir():
        external.skipped.append(
            f"{folder}: external data folder not found; every check skipped "
            f"(set {EXTERNAL_ENV} to its location)"
        )
        return external
    for key, relative in FILES.items():
        path = folder / relative
        if not path.is_file():
            external.skipped.append(f"{path}: not found; skipped: {USES[key]}")
            continue
        try:
            frame = read_csv(path, low_memory=False)
            require_columns(frame, COLUMNS[key], path, "column missing")
        except InputError as error:  # unreadable or not the expected file: skipped, said once
            external.skipped.append(f"{error}; skipped: {USES[key]}")
            continue
        external.frames[key] = _with_missing(frame, key)
    return external


def _with_missing(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Missing-value codes become NaN; the code as written stays in `<column>_code`."""
    frame = frame.copy()
    for column in VALUE_COLUMNS.get(key, ()):
        values = pd.to_numeric(frame[column], errors="coerce")
        frame[f"{column}_code"] = values
        frame[column] = values.where(~values.isin(MISSING[key]))
    return frame


# -- our cases -------------------------------------------------------------------------------

CASE_COLUMNS = (
    "case_id",
    "host_country",
    "mission",
    "intervener",
    "intervener_type",
    "conflict_id",
    "start",
    "resolved",
    "outcome",
    *FACTOR_IDS,
    "start_check",
    "outcome_rationale",
)


def load_cases(reference_path: Path, facts_path: Path) -> pd.DataFrame:
    """The reference rows with the facts' own notes (`start_check`, `outcome_rationale`)."""
    from forecasting.inputs.codings import load_facts

    reference = read_csv(reference_path, dtype=str, keep_default_na=False)
    require_columns(
        reference, [c for c in CASE_COLUMNS[:-2]], reference_path, "required column is missing"
    )
    facts = load_facts(facts_path)
    notes = facts[["start_check", "outcome_rationale"]]
    cases = reference.join(notes, on="case_id")
    for column in ("start_check", "outcome_rationale"):
        cases[column] = cases[column].fillna("")
    return prepare_cases(cases)


def prepare_cases(cases: pd.DataFrame) -> pd.DataFrame:
    """Numbers as numbers: month indexes for start and resolved, ratings as floats."""
    cases = cases.copy()
    for column in ("start_check", "outcome_rationale"):
        if column not in cases:
            cases[column] = ""
    cases["start_month"] = cases["start"].map(month_index)
    cases["resolved_month"] = cases["resolved"].map(month_index)
    cases["outcome"] = pd.to_numeric(cases["outcome"], errors="coerce")
    for factor in FACTOR_IDS:
        cases[factor] = pd.to_numeric(cases[factor], errors="coerce")
    return cases.reset_index(drop=True)


def month_index(text: str) -> int:
    """`YYYY-MM` (or a longer ISO date) -> months since year 0."""
    year, month = str(text)[:7].split("-")
    return int(year) * 12 + int(month) - 1


def month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


# -- host countries: names and codes, written out ------------------------------------------


@dataclass(frozen=True)
class Host:
    """A host country: its COW state code, the COW abbreviation expected in the NMC file,
    the names the sources spell it with, and Polity's code where Polity differs."""

    cow: int
    abbreviation: str
    names: tuple[str, ...]
    polity: int | None = None

    @property
    def polity_code(self) -> int:
        return self.polity if self.polity is not None else self.cow


_DRC = Host(
    490, "DRC", ("Democratic Republic of the Congo", "DR Congo", "DRC", "Congo-Kinshasa", "Zaire")
)
_TIMOR = Host(860, "ETM", ("East Timor", "Timor-Leste"))
# Every host_country in data/reference_cases.csv. Polity codes the Federal Republic of
# Yugoslavia 347 (1991-2006) and South Sudan 525 (its 626 is Sudan after 2011).
HOSTS: dict[str, Host] = {
    "Afghanistan": Host(700, "AFG", ("Afghanistan",)),
    "Albania": Host(339, "ALB", ("Albania",)),
    "Angola": Host(540, "ANG", ("Angola",)),
    "Bosnia and Herzegovina": Host(
        346, "BOS", ("Bosnia and Herzegovina", "Bosnia-Herzegovina", "Bosnia")
    ),
    "Burundi": Host(516, "BUI", ("Burundi",)),
    "Cambodia": Host(811, "CAM", ("Cambodia",)),
    "Central African Republic": Host(482, "CEN", ("Central African Republic", "CAR")),
    "Chad": Host(483, "CHA", ("Chad",)),
    "Comoros": Host(581, "COM", ("Comoros",)),
    "Cote d'Ivoire": Host(437, "CDI", ("Cote d'Ivoire", "Côte d'Ivoire", "Ivory Coast")),
    "Croatia": Host(344, "CRO", ("Croatia",)),
    "DR Congo": _DRC,
    "Democratic Republic of the Congo": _DRC,
    "East Timor": _TIMOR,
    "FR Yugoslavia (Kosovo)": Host(345, "YUG", ("Serbia", "Kosovo", "Yugoslavia"), polity=347),
    "Georgia": Host(372, "GRG", ("Georgia",)),
    "Guinea-Bissau": Host(404, "GNB", ("Guinea-Bissau",)),
    "Haiti": Host(41, "HAI", ("Haiti",)),
    "Iraq": Host(645, "IRQ", ("Iraq",)),
    "Lesotho": Host(570, "LES", ("Lesotho",)),
    "Liberia": Host(450, "LBR", ("Liberia",)),
    "Libya": Host(620, "LIB", ("Libya",)),
    "Macedonia (FYROM)": Host(343, "MAC", ("Macedonia",)),
    "Mali": Host(432, "MLI", ("Mali",)),
    "Moldova": Host(359, "MLD", ("Moldova",)),
    "Mozambique": Host(541, "MZM", ("Mozambique",)),
    "Nicaragua": Host(93, "NIC", ("Nicaragua",)),
    "Nigeria (and Cameroon)": Host(475, "NIG", ("Nigeria",)),
    "Republic of the Congo": Host(
        484, "CON", ("Republic of the Congo", "Congo-Brazzaville", "Congo Brazzaville")
    ),
    "Rwanda": Host(517, "RWA", ("Rwanda",)),
    "Sierra Leone": Host(451, "SIE", ("Sierra Leone",)),
    "Solomon Islands": Host(940, "SOL", ("Solomon Islands",)),
    "Somalia": Host(520, "SOM", ("Somalia",)),
    "South Sudan": Host(626, "SSD", ("South Sudan", "Republic of South Sudan"), polity=525),
    "Sudan": Host(625, "SUD", ("Sudan",)),
    "Syria": Host(652, "SYR", ("Syria",)),
    "Timor-Leste": _TIMOR,
    "Yemen": Host(679, "YEM", ("Yemen",)),
}


def host_of(case: pd.Series) -> Host | None:
    return HOSTS.get(case["host_country"])


def _host_keys(host: Host) -> frozenset[str]:
    return frozenset({n.casefold() for n in host.names} | {f"cow:{host.cow}"})


# -- interveners and mission names ------------------------------------------------------------

# Intervener keys found in free text (ours, Mullenbach's mission names and lead states,
# PRIF's INTERVEN1-3, IMI's descriptions). "UN-authorised" does not make a force the UN's.
_UN_AUTHORISED = re.compile(r"\bUN-(?:authori[sz]ed|mandated)\b", re.IGNORECASE)
INTERVENER_PATTERNS: dict[str, str] = {
    "UN": r"\bUN\b|United Nations",
    "AU": r"\bAU\b|\bOAU\b|African Union|Organi[sz]ation of African Unity",
    "ECOWAS": r"\bECOWAS\b|\bECOMOG\b|Economic Community of West African States",
    "ECCAS": r"\bECCAS\b|\bCEEAC\b|Economic Community of Central African States",
    "CEMAC": r"\bCEMAC\b",
    "SADC": r"\bSADC\b|Southern Africa(?:n)? Development Community",
    "EU": r"\bEU\b|European Union|European Community",
    "NATO": r"\bNATO\b",
    "CIS": r"\bCIS\b|Commonwealth of Independent States",
    "US": r"\bUS\b|\bUSA\b|\bU\.S\.|United States",
    "UK": r"\bUK\b|United Kingdom|\bBritain\b|\bBritish\b",
    "France": r"\bFrance\b|\bFrench\b",
    "Italy": r"\bItaly\b|\bItalian\b",
    "Russia": r"\bRussia\b|\bRussian\b",
    "Australia": r"\bAustrai?lian?\b",  # IMI spells it "Austrailia" once
    "Nigeria": r"\bNigeria\b|\bNigerian\b",
    "South Africa": r"South Africa",
    "Senegal": r"\bSenegal\b",
    "Guinea": r"(?<!Equatorial )(?<!New )\bGuinea\b(?!-Bissau)",
    "Angola": r"\bAngola\b|\bAngolan\b",
    "Zimbabwe": r"\bZimbabwe\b",
    "Namibia": r"\bNamibia\b|\bNambia\b",
    "Ethiopia": r"\bEthiopia\b|\bEthiopian\b",
    "Kenya": r"\bKenya\b|\bKenyan\b",
    "Uganda": r"\bUganda\b|\bUgandan\b",
    "Rwanda": r"\bRwanda\b|\bRwandan\b",
    "Chad": r"\bChad\b|\bChadian\b",
    "Tanzania": r"\bTanzania\b",
    "Turkey": r"\bTurkey\b|\bTurkish\b",
    "Saudi Arabia": r"Saudi",
    "Germany": r"\bGermany\b|\bGerman\b",
    "Canada": r"\bCanada\b",
}
_INTERVENER_RES = {key: re.compile(p) for key, p in INTERVENER_PATTERNS.items()}
# IMI names interveners by COW code; organisations and coalitions have codes of their own.
IMI_INTERVENERS: dict[int, str] = {
    2: "US",
    20: "Canada",
    200: "UK",
    220: "France",
    255: "Germany",
    325: "Italy",
    365: "Russia",
    433: "Senegal",
    438: "Guinea",
    475: "Nigeria",
    483: "Chad",
    500: "Uganda",
    501: "Kenya",
    510: "Tanzania",
    517: "Rwanda",
    530: "Ethiopia",
    540: "Angola",
    552: "Zimbabwe",
    560: "South Africa",
    565: "Namibia",
    640: "Turkey",
    670: "Saudi Arabia",
    900: "Australia",
    1014: "UN",
    1016: "NATO",
    1060: "NATO",
    2220: "EU",
    2400: "AU",
    2420: "ECOWAS",
    2431: "CEMAC",
    2450: "SADC",
    3300: "Italy",  # the Multinational Protection Force in Albania (Operation Alba), Italian-led
    3850: "Australia",  # INTERFET, Australian-led
    3903: "Australia",  # RAMSI, Australian-led
}


def intervener_keys(text: str) -> frozenset[str]:
    text = _UN_AUTHORISED.sub("", str(text))
    return frozenset(key for key, pattern in _INTERVENER_RES.items() if pattern.search(text))


# Acronyms that name an organisation, a country or a party rather than a mission.
GENERIC_NAMES = frozenset(
    {
        "UN",
        "UNSC",
        "UNSCR",
        "NATO",
        "EU",
        "AU",
        "OAU",
        "ECOWAS",
        "ECOMOG",
        "SADC",
        "CEMAC",
        "ECCAS",
        "CEEAC",
        "CIS",
        "OSCE",
        "WEU",
        "IGAD",
        "PIF",
        "OAS",
        "LAS",
        "USA",
        "UK",
        "US",
        "DRC",
        "CAR",
        "RCA",
        "AFRC",
        "FDLR",
        "FARDC",
        "ISIL",
        "COMESSA",
        "CENTCOM",
        "HQ",
    }
)
_ACRONYM = re.compile(r"\b([A-Z][A-Z0-9]{2,})(\s+(?:III|II|IV|I)\b)?")
_OPERATION = re.compile(r"\bOp(?:eration|\.)\s+((?:[A-Z][\w'-]*)(?:\s+[A-Z][\w'-]*)*)")
# Names the sources use for forces we describe in words.
MISSION_ALIASES: dict[str, tuple[str, ...]] = {
    "georgia-south-ossetia-jpkf-1992": ("JPKF",),
    "moldova-transnistria-pkf-1992": ("JPF",),
    "georgia-abkhazia-cispkf-1994": ("CPKF",),
}


_LATER_MISSION = re.compile(r"\bprior to\b.*$")


def name_tokens(text: str) -> frozenset[str]:
    """Mission names in `text`: acronyms (with a roman numeral: `UNOSOM II`) and operation
    names (`Operation Restore Hope` -> `Restore Hope`), organisations left out. A mission
    named after "prior to" is a later one, not this record's (IMI: "... prior to UNTAET")."""
    text = _LATER_MISSION.sub("", str(text))
    tokens = set()
    for match in _ACRONYM.finditer(text):
        numeral = " " + match.group(2).strip() if match.group(2) else ""
        tokens.add(match.group(1) + numeral)
    tokens |= {m.group(1) for m in _OPERATION.finditer(text)}
    return frozenset(t for t in tokens if t.split()[0] not in GENERIC_NAMES)


def _mentions(text: str, token: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(token)}(?![\w])", text, re.IGNORECASE) is not None


def our_tokens(case: pd.Series) -> frozenset[str]:
    return name_tokens(case["mission"]) | frozenset(MISSION_ALIASES.get(case["case_id"], ()))


def our_interveners(case: pd.Series) -> frozenset[str]:
    keys = intervener_keys(case["intervener"])
    return keys | {"UN"} if case.get("intervener_type") == "un" else keys


# -- external interventions as one shape ------------------------------------------------------

# The columns of a candidate table: one row per external mission or intervention.
_CANDIDATE_COLUMNS = (
    "source",
    "record",
    "countries",
    "start_month",
    "start_date",
    "end_month",
    "text",
    "names",
    "interveners",
)


def _mullenbach_candidates(frame: pd.DataFrame) -> pd.DataFrame:
    """Mullenbach's rows. The host is matched by the STATE name: CCODE1 has errors (the
    Haiti MNF row carries 93, Nicaragua's code; the Iraq rows 840, the Philippines')."""
    rows = []
    for _, r in frame.iterrows():
        year, month = _int(r["STARTYR"]), _int(r["STARTMON"])
        if year is None or month is None or not 1 <= month <= 12:
            continue
        day = _int(r["STARTDAY"])
        end_year, end_month = _int(r.get("ENDYR")), _int(r.get("ENDMON"))
        name = str(r["PKMNAMElocation"])
        kind = _int(r["TPTYPE"])
        keys = set(intervener_keys(name))
        if kind in (1, 4):
            keys.add("UN")
        if kind == 4:
            keys.add("AU")
        if kind in (2, 3) and isinstance(r["LEADSTATE"], str):
            keys |= intervener_keys(r["LEADSTATE"])
        rows.append(
            {
                "source": "mullenbach",
                "record": name,
                "countries": frozenset(p.strip().casefold() for p in str(r["STATE"]).split("/")),
                "start_month": year * 12 + month - 1,
                "start_date": f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else ""),
                "end_month": _month_or_none(end_year, end_month),
                "text": name,
                "names": name_tokens(name),
                "interveners": frozenset(keys),
            }
        )
    return pd.DataFrame(rows, columns=_CANDIDATE_COLUMNS)


_SOURCES_NOTE = re.compile(r"\s*\([^()]*\)\s*$")


def _imi_candidates(frame: pd.DataFrame) -> pd.DataFrame:
    """IMI's rows; the target is a COW code, the mission name (if any) is in the text."""
    rows = []
    for _, r in frame.iterrows():
        start = r["start"]
        if pd.isna(start):
            continue
        start = int(start)
        year, month, day = start // 10000, start // 100 % 100, start % 100
        if not 1 <= month <= 12 or year < 1900:
            continue
        text = _SOURCES_NOTE.sub("", str(r["description"]).strip())  # drop "(AP, AFP)"
        end = _int(r["end"])
        keys = set(intervener_keys(text))
        code = _int(r["intervener"])
        if code in IMI_INTERVENERS:
            keys.add(IMI_INTERVENERS[code])
        rows.append(
            {
                "source": "imi",
                "record": text,
                "countries": frozenset({f"cow:{_int(r['target'])}"}),
                "start_month": year * 12 + month - 1,
                "start_date": f"{year:04d}-{month:02d}-{day:02d}",
                "end_month": _month_or_none(end // 10000, end // 100 % 100) if end else None,
                "text": text,
                "names": name_tokens(text),
                "interveners": frozenset(keys),
            }
        )
    return pd.DataFrame(rows, columns=_CANDIDATE_COLUMNS)


def _prif_candidates(frame: pd.DataFrame) -> pd.DataFrame:
    """PRIF's interventions: no mission names, interveners in INTERVEN1-3."""
    rows = []
    for index, r in frame.iterrows():
        start = pd.to_datetime(r["HMISTART"], errors="coerce")
        end = pd.to_datetime(r["HMIEND"], errors="coerce")
        if pd.isna(start) or pd.isna(r["COWCC"]):
            continue
        interveners = " / ".join(
            str(r[c]).strip()
            for c in ("INTERVEN1", "INTERVEN2", "INTERVEN3")
            if isinstance(r[c], str) and r[c].strip() not in ("-77", "-88", "-99")
        )
        rows.append(
            {
                "source": "prif",
                "record": f"{str(r['HMIID']).strip()} ({interveners})",
                "countries": frozenset({f"cow:{int(r['COWCC'])}"}),
                "start_month": start.year * 12 + start.month - 1,
                "start_date": start.strftime("%Y-%m-%d"),
                "end_month": None if pd.isna(end) else end.year * 12 + end.month - 1,
                "text": "",
                "names": frozenset(),
                "interveners": intervener_keys(interveners),
                "row": index,
            }
        )
    return pd.DataFrame(rows, columns=(*_CANDIDATE_COLUMNS, "row"))


def _month_or_none(year: int | None, month: int | None) -> int | None:
    """A month index, or None for an open or malformed date (IMI has 199705170)."""
    if year is None or month is None or not 1 <= month <= 12 or not 1900 <= year <= 2100:
        return None
    return year * 12 + month - 1


def _int(value) -> int | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(number) else int(number)


# -- 1. start months ----------------------------------------------------------------------------

NAME_YEARS = 2  # a mission matched by name may start up to this many calendar years apart
INTERVENER_YEARS = 1  # one matched by intervener alone, this many
AGREE_MONTHS = 1  # "agrees": within one month


# Records with no mission name that the rules would match but that are another
# intervention, by source and case id (the reason is in data/CODEBOOK.md).
NOT_THE_SAME: dict[tuple[str, str], str] = {
    ("prif", "georgia-south-ossetia-jpkf-1992"): "PRIF's 'Georgia (Abkhazia) 1992-1993' is "
    "the Russian action in Abkhazia, another conflict",
    ("prif", "moldova-transnistria-pkf-1992"): "PRIF's 'Moldova 1992' is the Russian 14th "
    "Army's action without the government's consent (GOVTPERM 0), not the joint force the "
    "government agreed to",
    ("imi", "moldova-transnistria-pkf-1992"): "IMI's Russian row from 1992-06 is support of "
    "the separatists (direction 3, against the government), not the joint force",
}


def match_case(case: pd.Series, candidates: pd.DataFrame) -> pd.Series | None:
    """The external record that is this case's intervention, or None.

    In the host country, not ended before our start month: a record naming one of our
    mission's names (acronym or operation name) within `NAME_YEARS` calendar years; else a
    record by one of our interveners within `INTERVENER_YEARS`, unless both carry mission
    names and none is shared (a different mission of the same intervener). Among several,
    one by our intervener first, then the closest start, then the earliest.
    """
    host = host_of(case)
    if host is None or candidates.empty:
        return None
    if len(candidates) and (candidates["source"].iloc[0], case["case_id"]) in NOT_THE_SAME:
        return None
    keys = _host_keys(host)
    ended = np.array(
        [
            e is not None and not pd.isna(e) and e < case["start_month"]
            for e in candidates["end_month"]
        ],
        dtype=bool,
    )
    here = candidates[np.array([bool(c & keys) for c in candidates["countries"]]) & ~ended]
    if here.empty:
        return None
    ours, interveners = our_tokens(case), our_interveners(case)
    years = (here["start_month"] // 12 - case["start_month"] // 12).abs()
    by_name = np.array([any(_mentions(t, n) for n in ours) for t in here["text"]], dtype=bool)
    named = here[(years <= NAME_YEARS).to_numpy() & by_name]
    if named.empty:
        by_intervener = np.array([bool(i & interveners) for i in here["interveners"]], dtype=bool)
        # both named and no name shared (else it matched above): another mission
        other_mission = np.array([bool(ours and theirs) for theirs in here["names"]], dtype=bool)
        named = here[(years <= INTERVENER_YEARS).to_numpy() & by_intervener & ~other_mission]
    if named.empty:
        return None
    order = pd.DataFrame(
        {
            "other": [not (i & interveners) for i in named["interveners"]],
            "gap": (named["start_month"] - case["start_month"]).abs(),
            "start": named["start_month"],
        },
        index=named.index,
    ).sort_values(["other", "gap", "start"], kind="stable")
    return named.loc[order.index[0]]


@dataclass(frozen=True)
class StartCheck:
    summary: pd.DataFrame  # one row per source
    matches: pd.DataFrame  # one row per matched (case, source)
    disagreements: pd.DataFrame  # the matches more than a month apart
    unmatched: dict[str, list[str]]  # per source: our cases in its years it has no match for


def start_months(cases: pd.DataFrame, external: External) -> StartCheck:
    """Our start month against each source that is present: matched, agreeing within a
    month, and every disagreement with our documented reason (`start_check`)."""
    builders = {
        "mullenbach": _mullenbach_candidates,
        "imi": _imi_candidates,
        "prif": _prif_candidates,
    }
    summary, matches, unmatched = [], [], {}
    for source, build in builders.items():
        frame = external.get(source)
        if frame is None:
            continue
        candidates = build(frame)
        first = int(candidates["start_month"].min() // 12) if len(candidates) else 0
        last = int(candidates["start_month"].max() // 12) if len(candidates) else 0
        in_range = cases[
            (cases["start_month"] // 12 >= first) & (cases["start_month"] // 12 <= last)
        ]
        found = 0
        unmatched[source] = []
        for _, case in in_range.iterrows():
            match = match_case(case, candidates)
            if match is None:
                unmatched[source].append(case["case_id"])
                continue
            found += 1
            gap = int(match["start_month"] - case["start_month"])
            matches.append(
                {
                    "source": source,
                    "case_id": case["case_id"],
                    "ours": case["start"],
                    "theirs": match["start_date"],
                    "gap_months": gap,
                    "agrees": abs(gap) <= AGREE_MONTHS,
                    "their_record": match["record"],
                    "our_reason": case["start_check"],
                    "prif_row": match.get("row"),
                }
            )
        agreeing = sum(1 for m in matches if m["source"] == source and m["agrees"])
        summary.append(
            {
                "source": LABELS[source],
                "starts covered": f"{first}-{last}",
                "our cases then": len(in_range),
                "matched": found,
                "within 1 month": agreeing,
                "disagree": found - agreeing,
                "agreement": agreeing / found if found else np.nan,
            }
        )
    matches = pd.DataFrame(
        matches,
        columns=[
            "source",
            "case_id",
            "ours",
            "theirs",
            "gap_months",
            "agrees",
            "their_record",
            "our_reason",
            "prif_row",
        ],
    )
    return StartCheck(
        summary=pd.DataFrame(summary),
        matches=matches,
        disagreements=matches[~matches["agrees"].astype(bool)].reset_index(drop=True),
        unmatched=unmatched,
    )


# -- 2. outcomes --------------------------------------------------------------------------------

WAR_LEVEL = 2  # UCDP intensity level 2: 1,000+ battle-related deaths in the calendar year
MIN_OVERLAP_MONTHS = 6  # a war-level year counts if it covers this much of months 7-24


def war_years_in_window(start_month: int) -> dict[int, int]:
    """Calendar years overlapping months 7-24 of the window (month 1 = the start month) by
    at least `MIN_OVERLAP_MONTHS`, with their overlap in months."""
    months = range(start_month + 6, start_month + OUTCOME_HORIZON_MONTHS)
    overlap: dict[int, int] = {}
    for m in months:
        overlap[m // 12] = overlap.get(m // 12, 0) + 1
    return {y: n for y, n in overlap.items() if n >= MIN_OVERLAP_MONTHS}


def prif_verdict(
    endtype, endviol, newviol, end_month, resolved_month, codes=None
) -> tuple[float, str]:
    """What PRIF's codes say about our 24-month window: 1, 0 or NaN (no verdict), and why
    (`codes`: the three as written in the file, for the explanation).

    - ENDVIOL 1 (the violent emergency ended within 12 months of the start, so inside the
      window) and NEWVIOL not 1 -> 1; with NEWVIOL 1 (it recurred within five years of the
      intervention's end, at a time the file does not give) -> no verdict;
    - ENDTYPE 3 (the interveners left while the emergency continued) before the window's
      end -> 0;
    - otherwise (ongoing, replaced by another intervention, or ended after the window) ->
      no verdict.
    """
    written = codes or (endtype, endviol, newviol)  # as in the file, missing codes included
    shown = ", ".join(
        f"{name} {_code(value)}"
        for name, value in zip(("ENDTYPE", "ENDVIOL", "NEWVIOL"), written, strict=True)
    )
    if endviol == 1:
        if newviol == 1:
            return np.nan, shown + ": ended within 12 months, recurred (date not given)"
        return 1.0, shown + ": emergency ended within 12 months"
    if endtype == 3 and end_month is not None and end_month <= resolved_month:
        return 0.0, shown + f": left in {month_text(end_month)} while the emergency continued"
    return np.nan, shown


def _code(value) -> str:
    return "missing" if pd.isna(value) else f"{int(value)}"


@dataclass(frozen=True)
class OutcomeCheck:
    summary: pd.DataFrame
    details: pd.DataFrame  # one row per covered (case, source)
    disagreements: pd.DataFrame
    notes: list[str]


def outcomes(cases: pd.DataFrame, external: External, starts: StartCheck) -> OutcomeCheck:
    """Our outcome against UCDP's war-level years (by conflict_id) and PRIF's ending codes
    (for the cases PRIF's start agrees with, so that it is the same intervention)."""
    details, summary, notes = [], [], []
    ucdp = external.get("ucdp")
    if ucdp is not None:
        rows, note = _ucdp_rows(cases, ucdp)
        details += rows
        notes += note
        summary.append(_outcome_summary("ucdp", rows))
    prif = external.get("prif")
    if prif is not None:
        rows = _prif_rows(cases, prif, starts)
        details += rows
        summary.append(_outcome_summary("prif", rows))
    details = pd.DataFrame(
        details,
        columns=["source", "case_id", "ours", "theirs", "evidence", "agrees", "our_reason"],
    )
    return OutcomeCheck(
        summary=pd.DataFrame(summary),
        details=details,
        disagreements=details[details["agrees"] == False].reset_index(drop=True),  # noqa: E712
        notes=notes,
    )


def _ucdp_rows(cases: pd.DataFrame, ucdp: pd.DataFrame) -> tuple[list[dict], list[str]]:
    years = ucdp.assign(conflict_id=ucdp["conflict_id"].astype(str).str.strip())
    by_conflict = {
        cid: dict(zip(g["year"].astype(int), g["intensity_level"], strict=True))
        for cid, g in years.groupby("conflict_id")
    }
    last_year = int(years["year"].max())
    rows, notes = [], []
    for _, case in cases.iterrows():
        cid = str(case["conflict_id"]).strip()
        if cid not in by_conflict or pd.isna(case["outcome"]):
            continue  # x-<country>-<year>: no UCDP conflict; or an id UCDP does not list
        window = war_years_in_window(case["start_month"])
        checkable = {y: n for y, n in window.items() if y <= last_year}
        if not checkable:
            notes.append(
                f"{case['case_id']}: months 7-24 fall after UCDP's last year "
                f"({last_year}); not compared"
            )
            continue
        if len(checkable) < len(window):
            notes.append(
                f"{case['case_id']}: only {', '.join(map(str, checkable))} of months "
                f"7-24 is in UCDP (to {last_year})"
            )
        war = [y for y in checkable if by_conflict[cid].get(y) == WAR_LEVEL]
        evidence = (
            "; ".join(f"intensity 2 in {y} ({checkable[y]} months of 7-24)" for y in war)
            if war
            else f"no war-level year in {', '.join(map(str, checkable))}"
        )
        rows.append(
            {
                "source": "ucdp",
                "case_id": case["case_id"],
                "ours": int(case["outcome"]),
                "theirs": "war-level year" if war else "no war-level year",
                "evidence": f"conflict {cid}: {evidence}",
                # a war-level year contradicts success; a failure may rest on the objective
                "agrees": not (war and case["outcome"] == 1),
                "our_reason": case["outcome_rationale"],
            }
        )
    return rows, notes


def _prif_rows(cases: pd.DataFrame, prif: pd.DataFrame, starts: StartCheck) -> list[dict]:
    same = starts.matches[(starts.matches["source"] == "prif") & starts.matches["agrees"]]
    by_case = cases.set_index("case_id")
    rows = []
    for _, match in same.iterrows():
        case = by_case.loc[match["case_id"]]
        record = prif.loc[match["prif_row"]]
        end = pd.to_datetime(record["HMIEND"], errors="coerce")
        end_month = None if pd.isna(end) else end.year * 12 + end.month - 1
        verdict, evidence = prif_verdict(
            record["ENDTYPE"],
            record["ENDVIOL"],
            record["NEWVIOL"],
            end_month,
            case["resolved_month"],
            codes=[record[f"{c}_code"] for c in ("ENDTYPE", "ENDVIOL", "NEWVIOL")],
        )
        if np.isnan(verdict) or pd.isna(case["outcome"]):
            agrees = None
        else:
            agrees = bool(verdict == case["outcome"])
        rows.append(
            {
                "source": "prif",
                "case_id": match["case_id"],
                "ours": int(case["outcome"]),
                "theirs": "no verdict" if np.isnan(verdict) else int(verdict),
                "evidence": f"{str(record['HMIID']).strip()}: {evidence}",
                "agrees": agrees,
                "our_reason": case["outcome_rationale"],
            }
        )
    return rows


def _outcome_summary(source: str, rows: list[dict]) -> dict:
    judged = [r for r in rows if r["agrees"] is not None]
    agree = sum(1 for r in judged if r["agrees"])
    return {
        "source": LABELS[source],
        "cases covered": len(rows),
        "with a verdict": len(judged),
        "agree": agree,
        "disagree": len(judged) - agree,
        "agreement": agree / len(judged) if judged else np.nan,
    }


# -- 3. ratings against proxies -------------------------------------------------------------------


@dataclass(frozen=True)
class Proxy:
    factor: str
    name: str
    expected: str  # the sign a valid rating should show: "+" or "-"
    column: str  # in RatingCheck.values


PROXIES = (
    Proxy("political_cohesion", "Polity5 durable (years since regime change)", "+", "durable"),
    Proxy("political_cohesion", "Polity5 fragment (0-3)", "-", "fragment"),
    Proxy("political_cohesion", "V-Dem e_pt_coup (0 none, 1 failed, 2 coup)", "-", "e_pt_coup"),
    Proxy("political_cohesion", "V-Dem v2xpe_exlsocgr (exclusion)", "-", "v2xpe_exlsocgr"),
    Proxy("host_army", "COW milper per 1,000 population", "+", "milper_per_1000"),
    Proxy("troop_readiness", "PRIF GROUNDPO (troops per 100,000)", "+", "GROUNDPO"),
    Proxy("troop_readiness", "Kathman UN troops at month 3", "+", "kathman_troops_m3"),
    Proxy("timing", "PRIF VIODURAT (months of violence before)", "+", "VIODURAT"),
)
# Kathman missions named differently from our mission names.
KATHMAN_ALIASES = {"UNOSOM I": "UNOSOM", "UNOSOM II": "UNOSOM", "UNAVEM III": "UNAVEM"}
# UN cases Kathman cannot measure: its count is a larger whole than our intervention.
KATHMAN_EXCLUDED = {
    "bosnia-unprofor-1992": "Kathman's UNPROFOR counts every theatre, mostly Croatia",
    "drc-monusco-fib-2013": "Kathman counts all of MONUSCO, not the brigade",
    "south-sudan-unmiss-rpf-2017": "Kathman counts all of UNMISS, not the protection force",
}
KATHMAN_MONTH = 2  # months after the start month: the end of the first three months


@dataclass(frozen=True)
class RatingCheck:
    correlations: pd.DataFrame  # one row per (factor, proxy)
    values: pd.DataFrame  # the proxy values per case (in memory only)
    notes: list[str]


def rating_proxies(cases: pd.DataFrame, external: External, starts: StartCheck) -> RatingCheck:
    """Spearman's rho of each factor's rating with its proxies, with the case count."""
    from scipy.stats import spearmanr

    values = pd.DataFrame(index=cases["case_id"])
    notes: list[str] = []
    launch = dict(zip(cases["case_id"], cases["start_month"] // 12, strict=True))
    codes = {c: host_of(r) for c, r in cases.set_index("case_id").iterrows()}
    unmapped = sorted({r["host_country"] for _, r in cases.iterrows() if host_of(r) is None})
    if unmapped:
        notes.append(f"hosts without a country code: {', '.join(unmapped)}")

    def country_year(frame, code_column, code_of, column):
        """The launch-year value of `column` for each case's host (NaN where none)."""
        codes_, years = (pd.to_numeric(frame[c], errors="coerce") for c in (code_column, "year"))
        known = codes_.notna() & years.notna()
        table = frame[known].set_index([codes_[known].astype(int), years[known].astype(int)])
        table = table[~table.index.duplicated()]
        out = {}
        for case_id, host in codes.items():
            key = (code_of(host), launch[case_id]) if host else None
            out[case_id] = table[column].get(key, np.nan) if key else np.nan
        return pd.Series(out, dtype=float)

    polity = external.get("polity")
    if polity is not None:
        for column in ("durable", "fragment"):
            values[column] = country_year(polity, "ccode", lambda h: h.polity_code, column)
    vdem = external.get("vdem")
    if vdem is not None:
        for column in ("e_pt_coup", "v2xpe_exlsocgr"):
            values[column] = country_year(vdem, "COWcode", lambda h: h.cow, column)
    cow = external.get("cow")
    if cow is not None:
        milper = country_year(cow, "ccode", lambda h: h.cow, "milper")
        tpop = country_year(cow, "ccode", lambda h: h.cow, "tpop")
        values["milper_per_1000"] = milper / tpop.where(tpop > 0) * 1000  # both in thousands
    prif = external.get("prif")
    if prif is not None:
        same = starts.matches[(starts.matches["source"] == "prif") & starts.matches["agrees"]]
        rows = dict(zip(same["case_id"], same["prif_row"], strict=True))
        for column in ("GROUNDPO", "VIODURAT"):
            values[column] = pd.Series(
                {c: prif.loc[rows[c], column] if c in rows else np.nan for c in values.index},
                dtype=float,
            )
    kathman = external.get("kathman")
    if kathman is not None:
        values["kathman_troops_m3"], excluded = _kathman_troops(cases, kathman)
        notes += excluded

    ratings = cases.set_index("case_id")
    rows = []
    for proxy in PROXIES:
        if proxy.column not in values:
            continue  # its file was skipped
        both = pd.DataFrame(
            {"rating": ratings[proxy.factor], "proxy": values[proxy.column]}
        ).dropna()
        n = len(both)
        rho = p = np.nan
        if n >= 3 and both["rating"].nunique() > 1 and both["proxy"].nunique() > 1:
            result = spearmanr(both["rating"], both["proxy"])
            rho, p = float(result.statistic), float(result.pvalue)
        rows.append(
            {
                "factor": proxy.factor,
                "proxy": proxy.name,
                "expected": proxy.expected,
                "cases": n,
                "rho": rho,
                "p": p,
            }
        )
    return RatingCheck(correlations=pd.DataFrame(rows), values=values, notes=notes)


def _kathman_troops(cases: pd.DataFrame, kathman: pd.DataFrame) -> tuple[pd.Series, list[str]]:
    """UN troops in the third month of each UN case's mission (month 1 = the start month)."""
    kathman = kathman.assign(mission=kathman["mission"].astype(str).str.strip())
    months = kathman["year"].astype(int) * 12 + kathman["month"].astype(int) - 1
    troops = dict(zip(zip(kathman["mission"], months, strict=True), kathman["troop"], strict=True))
    missions = set(kathman["mission"])
    out, notes = {}, []
    for _, case in cases.iterrows():
        out[case["case_id"]] = np.nan
        if case["intervener_type"] != "un":
            continue
        if case["case_id"] in KATHMAN_EXCLUDED:
            notes.append(
                f"{case['case_id']}: not compared with Kathman "
                f"({KATHMAN_EXCLUDED[case['case_id']]})"
            )
            continue
        names = [KATHMAN_ALIASES.get(t, t) for t in sorted(our_tokens(case))]
        mission = next((n for n in names if n in missions), None)
        if mission is None:
            notes.append(f"{case['case_id']}: no Kathman mission named {', '.join(names)}")
            continue
        value = troops.get((mission, case["start_month"] + KATHMAN_MONTH), np.nan)
        out[case["case_id"]] = value
        if pd.isna(value):
            notes.append(
                f"{case['case_id']}: Kathman has no troop count for {mission} in "
                f"{month_text(case['start_month'] + KATHMAN_MONTH)}"
            )
    return pd.Series(out, dtype=float), notes


# -- host codes against the files ------------------------------------------------------------------


def country_codes(cases: pd.DataFrame, external: External) -> pd.DataFrame:
    """Each host's code checked against the country-year files: the name each file gives
    the code, and the launch years a file has no row for."""
    sources = {
        "cow": ("ccode", "stateabb", lambda h: h.cow),
        "polity": ("ccode", "country", lambda h: h.polity_code),
        "vdem": ("COWcode", None, lambda h: h.cow),
    }
    if not any(external.get(key) is not None for key in sources):
        return pd.DataFrame(columns=["host", "COW", "problems"])
    rows = []
    for host_name, group in cases.groupby("host_country", sort=True):
        host = HOSTS.get(host_name)
        row = {"host": host_name, "COW": host.cow if host else None, "problems": []}
        if host is None:
            row["problems"].append("no code in the country table")
            rows.append(row)
            continue
        years = sorted(set(group["start_month"] // 12))
        for key, (code_column, name_column, code_of) in sources.items():
            frame = external.get(key)
            if frame is None:
                continue
            codes = pd.to_numeric(frame[code_column], errors="coerce")
            here = frame[codes == code_of(host)]
            if name_column:
                names = sorted(set(here[name_column].astype(str).str.strip()))
                row[LABELS[key]] = f"{code_of(host)} " + "/".join(names) if names else "absent"
                if key == "cow" and names and host.abbreviation not in names:
                    row["problems"].append(
                        f"COW {host.cow} is {'/'.join(names)}, not {host.abbreviation}"
                    )
            else:
                row[LABELS[key]] = f"{code_of(host)} " + ("found" if len(here) else "absent")
            have = set(pd.to_numeric(here["year"], errors="coerce").dropna().astype(int))
            missing = [y for y in years if y not in have]
            if missing:
                row["problems"].append(f"{LABELS[key]} has no {', '.join(map(str, missing))}")
        rows.append(row)
    table = pd.DataFrame(rows)
    if len(table):
        table["problems"] = table["problems"].map("; ".join)
    return table


# -- everything ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DataCheck:
    external: External
    starts: StartCheck
    outcomes: OutcomeCheck
    ratings: RatingCheck
    codes: pd.DataFrame

    @property
    def skipped(self) -> list[str]:
        return self.external.skipped

    def disagreements(self) -> pd.DataFrame:
        """Every disagreement of checks 1 and 2, in one table (the CSV the command writes)."""
        columns = ["check", "source", "case_id", "ours", "theirs", "detail", "our_reason"]
        start = self.starts.disagreements.assign(
            check="start month",
            source=lambda d: d["source"].map(LABELS),
            detail=lambda d: [
                f"{g:+d} months; {r}"
                for g, r in zip(d["gap_months"], d["their_record"], strict=True)
            ],
        )
        outcome = self.outcomes.disagreements.assign(
            check="outcome",
            source=lambda d: d["source"].map(LABELS),
            detail=lambda d: d["evidence"],
        )
        frames = [f[columns] for f in (start, outcome) if len(f)]
        if not frames:
            return pd.DataFrame(columns=columns)
        return pd.concat(frames, ignore_index=True)


def run_data_check(cases: pd.DataFrame, folder: Path) -> DataCheck:
    """All the checks on `cases` (from `load_cases` or `prepare_cases`) against `folder`."""
    external = load_external(folder)
    starts = start_months(cases, external)
    return DataCheck(
        external=external,
        starts=starts,
        outcomes=outcomes(cases, external, starts),
        ratings=rating_proxies(cases, external, starts),
        codes=country_codes(cases, external),
    )
