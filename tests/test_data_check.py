"""`forecast data check`: the reference class against scholars' data.

Each check runs on a tiny external folder written here (hand-made rows, not the
scholars'), so the tests need nothing outside the project; one test runs on the real
sets in ../shared/data/external and skips, with the reason, when they are absent.
No sampling.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecasting.checks import data_check as dc
from forecasting.cli.main import app
from forecasting.settings import EXTERNAL_ENV, external_data_dir
from tests.conftest import ROOT

REAL = ROOT.parent / "shared" / "data" / "external"
needs_real = pytest.mark.skipif(
    not REAL.is_dir(),
    reason=f"the scholars' data sets are not at {REAL} (they are not shipped)",
)

# Our cases: a UN mission, two French operations in one country, a UN mission whose name
# differs from its predecessor only by a numeral, and a state intervention.
CASES = [
    # case_id, host, mission, intervener, type, conflict, start, outcome, ratings (pc, ha, tr, ti)
    ("haiti-unmih-1995", "Haiti", "UNMIH", "UN", "un", "381", "1995-03", 1, (4, 1, 4, 4.5)),
    ("mali-serval-2013", "Mali", "Operation Serval", "France", "western", "11347", "2013-01",
     1, (1.5, 2, 4.5, 1.25)),
    ("mali-barkhane-2014", "Mali", "Operation Barkhane (regional)", "France", "western",
     "11347", "2014-08", 0, (2.75, 2, 4, 4.75)),
    ("somalia-unosom2-1993", "Somalia", "UNOSOM II", "UN", "un", "337", "1993-05", 0,
     (1.5, 1, 2, 2)),
    ("somalia-unitaf-1992", "Somalia", "UNITAF (Operation Restore Hope)",
     "United States-led coalition (UN-authorised)", "western", "337", "1992-12", 1,
     (1, 1, 5, 2.75)),
]  # fmt: skip


def _cases() -> pd.DataFrame:
    rows = []
    for case_id, host, mission, intervener, kind, conflict, start, outcome, ratings in CASES:
        year, month = (int(x) for x in start.split("-"))
        rows.append(
            {
                "case_id": case_id,
                "host_country": host,
                "mission": mission,
                "intervener": intervener,
                "intervener_type": kind,
                "conflict_id": conflict,
                "start": start,
                "resolved": f"{year + 2}-{month:02d}",
                "outcome": str(outcome),
                **dict(zip(dc.FACTOR_IDS, ratings, strict=True)),
                "start_check": f"reason for the start of {case_id}",
                "outcome_rationale": f"reason for the outcome of {case_id}",
            }
        )
    return dc.prepare_cases(pd.DataFrame(rows))


def _write(folder, key: str, rows: list[dict]) -> None:
    path = folder / dc.FILES[key]
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(path, index=False)


def _mullenbach(state, name, kind, lead, start, end=(None, None)):
    year, month, day = start
    return {
        "STATE": state, "CCODE1": 93, "TPTYPE": kind, "PKMNAMElocation": name,
        "LEADSTATE": lead, "STARTDAY": day, "STARTMON": month, "STARTYR": year,
        "ENDMON": end[1], "ENDYR": end[0],
    }  # fmt: skip


def _prif(hmiid, cowcc, start, end, endtype, endviol, newviol, interveners, **more):
    row = {
        "HMIID": hmiid, "COWCC": cowcc, "HMISTART": start, "HMIEND": end, "ENDTYPE": endtype,
        "ENDVIOL": endviol, "NEWVIOL": newviol, "VIODURAT": -99, "GROUNDPO": -99,
        "INTERVEN1": interveners[0], "INTERVEN2": interveners[1], "INTERVEN3": "-88",
    }  # fmt: skip
    return row | more


@pytest.fixture
def external(tmp_path):
    """A tiny external folder with every file."""
    folder = tmp_path / "external"
    _write(folder, "mullenbach", [
        _mullenbach("Haiti", "United Nations Mission in Haiti (UNMIH)", 1, "USA", (1995, 3, 31)),
        _mullenbach("Mali", "French peacekeeping mission in Mali / Operation Serval", 3,
                    "France", (2013, 1, 11)),
        _mullenbach("Somalia", "United Nations Operation in Somalia (UNOSOM I)", 1, "Pakistan",
                    (1992, 4, 24), (1993, 3)),
        _mullenbach("Somalia", "United Nations Operation in Somalia (UNOSOM II)", 1, "Turkey",
                    (1993, 4, 1)),
        _mullenbach("Somalia", "U.S.-led Unified Task Force in Somalia (UNITAF)", 3, "USA",
                    (1992, 12, 9)),
        _mullenbach("Central African Republic", "European Union Force (EUFOR II)", 2,
                    "France", (2014, 4, 1)),
    ])  # fmt: skip
    _write(folder, "imi", [
        {"intervener": 1014, "target": 41, "start": 19930901, "end": 19960603,
         "description": "UN (UNMIH) in Haiti (UN website)"},
        {"intervener": 1014, "target": 41, "start": 19960701, "end": 19970731,
         "description": "UN (UNSMIH) in Haiti (UN website)"},
        {"intervener": 2, "target": 520, "start": 19921209, "end": 19940325,
         "description": "U.S. troops give humanitarian relief to Somalia (AP)"},
        {"intervener": 220, "target": 520, "start": 19921209, "end": 19930301,
         "description": "French troops land in Somalia (AFP)"},
        {"intervener": 1014, "target": 520, "start": 99999999, "end": 88888888,
         "description": "a row with a missing start (X)"},
    ])  # fmt: skip
    _write(folder, "prif", [
        _prif("Mali 2013-", 432, "2013-01-11", None, 0, 0, -88, ("UN", "France"),
              VIODURAT=12, GROUNDPO=60.0),
        _prif("Somalia 1992-1995", 520, "1992-12-09", "1995-03-31", 3, 0, -88, ("USA", "UN"),
              VIODURAT=47, GROUNDPO=610.0),
        _prif("Haiti 1995", 41, "1995-03-20", "1995-12-31", 1, 1, 0, ("UN", "-88"),
              VIODURAT=-99, GROUNDPO=-99),
        _prif("Iraq 2014-", 645, "2014-08-08", None, 0, 0, -88, ("USA", "UK")),
    ])  # fmt: skip
    _write(folder, "ucdp", [
        {"conflict_id": 337, "year": 1993, "intensity_level": 2},
        {"conflict_id": 337, "year": 1994, "intensity_level": 2},
        {"conflict_id": 381, "year": 1996, "intensity_level": 1},
        {"conflict_id": 11347, "year": 2014, "intensity_level": 1},
        {"conflict_id": 299, "year": 2016, "intensity_level": 2},  # UCDP runs to 2016 here
    ])  # fmt: skip
    _write(folder, "kathman", [
        {"mission": "UNMIH", "year": 1995, "month": 5, "troop": 6000},
        {"mission": "UNOSOM", "year": 1993, "month": 7, "troop": -999},
    ])  # fmt: skip
    _write(folder, "polity", [
        {"ccode": 41, "country": "Haiti", "year": 1995, "durable": 1, "fragment": -88},
        {"ccode": 432, "country": "Mali", "year": 2013, "durable": 0, "fragment": 0},
        {"ccode": 432, "country": "Mali", "year": 2014, "durable": 1, "fragment": 0},
        {"ccode": 520, "country": "Somalia", "year": 1992, "durable": -77, "fragment": 3},
        {"ccode": 520, "country": "Somalia", "year": 1993, "durable": 0, "fragment": 3},
    ])  # fmt: skip
    _write(folder, "cow", [
        {"stateabb": "HAI", "ccode": 41, "year": 1995, "milper": 0, "tpop": 7000},
        {"stateabb": "MAL", "ccode": 432, "year": 2013, "milper": 7, "tpop": 16000},
        {"stateabb": "MAL", "ccode": 432, "year": 2014, "milper": 8, "tpop": 16000},
        {"stateabb": "SOM", "ccode": 520, "year": 1992, "milper": -9, "tpop": 9000},
    ])  # fmt: skip
    _write(folder, "vdem", [
        {"COWcode": 41, "year": 1995, "e_pt_coup": 0, "v2xpe_exlsocgr": 0.6},
        {"COWcode": 432, "year": 2013, "e_pt_coup": 0, "v2xpe_exlsocgr": 0.4},
        {"COWcode": 432, "year": 2014, "e_pt_coup": 0, "v2xpe_exlsocgr": 0.5},
        {"COWcode": 520, "year": 1992, "e_pt_coup": 2, "v2xpe_exlsocgr": 0.9},
        {"COWcode": 520, "year": 1993, "e_pt_coup": 1, "v2xpe_exlsocgr": 0.8},
    ])  # fmt: skip
    return folder


def _matches(result, source):
    matches = result.starts.matches
    return matches[matches["source"] == source].set_index("case_id")


def test_start_months_match_by_name_then_intervener_and_list_each_disagreement(external):
    result = dc.run_data_check(_cases(), external)
    assert result.skipped == []

    mullenbach = _matches(result, "mullenbach")
    # by name, whatever the (wrong) CCODE1; UNOSOM II is not UNOSOM I
    assert mullenbach.loc["haiti-unmih-1995", "theirs"] == "1995-03-31"
    assert "UNOSOM II" in mullenbach.loc["somalia-unosom2-1993", "their_record"]
    assert mullenbach.loc["somalia-unosom2-1993", "gap_months"] == -1
    # another named operation of the same intervener is not this one
    assert "mali-barkhane-2014" not in mullenbach.index
    assert result.starts.unmatched["mullenbach"] == ["mali-barkhane-2014"]

    imi = _matches(result, "imi")
    # UNMIH by name, two years earlier; not UNSMIH, closer but another mission
    assert imi.loc["haiti-unmih-1995", "theirs"] == "1993-09-01"
    # UNITAF by intervener: the US row, not France's on the same day ("UN-authorised" is
    # not the UN)
    assert imi.loc["somalia-unitaf-1992", "their_record"].startswith("U.S. troops")
    assert not imi["their_record"].str.contains("missing start").any()

    prif = _matches(result, "prif")
    assert prif.loc["mali-serval-2013", "agrees"]
    assert prif.loc["mali-barkhane-2014", "gap_months"] == -19  # PRIF pools France's years

    disagreements = result.starts.disagreements.set_index(["source", "case_id"])
    unmih = disagreements.loc[("imi", "haiti-unmih-1995")]
    assert unmih["gap_months"] == -18
    assert unmih["our_reason"] == "reason for the start of haiti-unmih-1995"
    summary = result.starts.summary.set_index("source")
    assert summary.loc["Mullenbach", "matched"] == 4
    assert summary.loc["Mullenbach", "within 1 month"] == 4
    assert summary.loc["IMI", "disagree"] == 1


def test_missing_value_codes_are_missing(external):
    loaded = dc.load_external(external)
    assert np.isnan(loaded.get("prif")["GROUNDPO"].iloc[2])  # -99
    assert loaded.get("prif")["NEWVIOL_code"].iloc[0] == -88  # kept, to be shown
    assert np.isnan(loaded.get("kathman")["troop"].iloc[1])  # -999
    assert np.isnan(loaded.get("polity")["fragment"].iloc[0])  # -88
    assert np.isnan(loaded.get("polity")["durable"].iloc[3])  # -77
    assert np.isnan(loaded.get("cow")["milper"].iloc[3])  # -9
    assert loaded.get("imi")["start"].isna().sum() == 1  # 99999999
    assert loaded.get("imi")["end"].isna().sum() == 1  # 88888888 (ongoing)


def test_a_war_level_year_covering_six_months_of_months_7_to_24_contradicts_success():
    # start 1995-03: months 7-24 are 1995-09..1997-02 -> 4 months of 1995, 12 of 1996, 2 of 1997
    assert dc.war_years_in_window(dc.month_index("1995-03")) == {1996: 12}
    # start 1992-07: 1993-01..1994-06 -> 12 of 1993, 6 of 1994
    assert dc.war_years_in_window(dc.month_index("1992-07")) == {1993: 12, 1994: 6}


def test_outcomes_against_ucdp_and_prif(external):
    result = dc.run_data_check(_cases(), external)
    details = result.outcomes.details.set_index(["source", "case_id"])

    # UNITAF (1992-12): months 7-24 are 1993-06..1994-11: 1993 (7 months) and 1994 (11), both
    # war-level: outcome 1 is contradicted
    unitaf = details.loc[("ucdp", "somalia-unitaf-1992")]
    assert unitaf["agrees"] == False  # noqa: E712
    assert "intensity 2 in 1993" in unitaf["evidence"]
    # a failure with a war-level year agrees; a failure without one may rest on the objective
    assert details.loc[("ucdp", "somalia-unosom2-1993"), "agrees"]
    assert details.loc[("ucdp", "mali-barkhane-2014"), "agrees"]
    assert details.loc[("ucdp", "haiti-unmih-1995"), "agrees"]

    # PRIF only where its start agrees: Serval (ongoing: no verdict), UNITAF (left 1995-03,
    # after the window: no verdict), Haiti (ended within 12 months: 1)
    prif = details.xs("prif")
    assert set(prif.index) == {"mali-serval-2013", "somalia-unitaf-1992", "haiti-unmih-1995"}
    assert prif.loc["mali-serval-2013", "theirs"] == "no verdict"
    assert "NEWVIOL -88" in prif.loc["mali-serval-2013", "evidence"]
    assert prif.loc["haiti-unmih-1995", "agrees"]

    summary = result.outcomes.summary.set_index("source")
    assert summary.loc["UCDP termination", "disagree"] == 1
    assert summary.loc["PRIF", "with a verdict"] == 1
    table = result.disagreements()
    row = table[(table["check"] == "outcome")].iloc[0]
    assert row["case_id"] == "somalia-unitaf-1992"
    assert row["our_reason"] == "reason for the outcome of somalia-unitaf-1992"


@pytest.mark.parametrize(
    ("endtype", "endviol", "newviol", "end", "expected"),
    [
        (1, 1, 0, 10, 1.0),  # emergency over within 12 months, no recurrence
        (2, 1, np.nan, 10, 1.0),  # replaced, but the emergency had ended
        (3, 1, 1, 10, np.nan),  # ended, then recurred at a time not given
        (3, 0, np.nan, 20, 0.0),  # left inside the window, emergency continuing
        (3, 0, np.nan, 30, np.nan),  # left after the window
        (1, 0, 0, 30, np.nan),  # emergency ended after 12 months
        (0, 0, np.nan, None, np.nan),  # ongoing
    ],
)
def test_prif_verdict_mapping(endtype, endviol, newviol, end, expected):
    verdict, _ = dc.prif_verdict(endtype, endviol, newviol, end, resolved_month=24)
    assert verdict == expected or (np.isnan(verdict) and np.isnan(expected))


def test_ratings_against_proxies_spearman_with_the_case_count(external):
    result = dc.run_data_check(_cases(), external)
    values = result.ratings.values
    assert values.loc["mali-serval-2013", "milper_per_1000"] == pytest.approx(7 / 16000 * 1000)
    assert np.isnan(values.loc["somalia-unitaf-1992", "milper_per_1000"])  # -9 is missing
    assert values.loc["haiti-unmih-1995", "kathman_troops_m3"] == 6000  # 1995-05
    assert np.isnan(values.loc["somalia-unosom2-1993", "kathman_troops_m3"])  # -999
    assert np.isnan(values.loc["mali-serval-2013", "kathman_troops_m3"])  # not a UN case
    # PRIF values only where the start agrees (the same intervention)
    assert values.loc["mali-serval-2013", "GROUNDPO"] == 60.0
    assert np.isnan(values.loc["mali-barkhane-2014", "GROUNDPO"])

    rho = result.ratings.correlations.set_index("proxy")
    durable = rho.loc["Polity5 durable (years since regime change)"]
    # cohesion 4, 1.5, 2.75, 1.5 against durable 1, 0, 1, 0 (UNITAF's -77 is missing)
    assert durable["cases"] == 4
    assert durable["rho"] == pytest.approx(0.9428, abs=1e-3)
    assert set(rho["expected"]) <= {"+", "-"}
    # fewer than three cases: no rho, the count still shown
    assert rho.loc["Kathman UN troops at month 3", "cases"] == 1
    assert np.isnan(rho.loc["Kathman UN troops at month 3", "rho"])


def test_host_codes_are_checked_against_the_files(external):
    codes = dc.run_data_check(_cases(), external).codes.set_index("host")
    assert codes.loc["Haiti", "problems"] == ""
    # this COW file calls 432 "MAL", not Mali's abbreviation; and has no Somalia 1993
    assert "COW 432 is MAL, not MLI" in codes.loc["Mali", "problems"]
    assert codes.loc["Somalia", "problems"] == "COW NMC has no 1993"


def test_every_host_in_the_reference_csv_has_a_code():
    reference = pd.read_csv(ROOT / "data" / "reference_cases.csv", dtype=str)
    assert set(reference["host_country"]) <= set(dc.HOSTS)


def test_an_absent_folder_skips_every_check_in_one_line(tmp_path):
    result = dc.run_data_check(_cases(), tmp_path / "absent")
    assert len(result.skipped) == 1
    assert "external data folder not found" in result.skipped[0]
    assert EXTERNAL_ENV in result.skipped[0]
    assert result.starts.summary.empty and result.outcomes.summary.empty
    assert result.ratings.correlations.empty and result.disagreements().empty
    assert result.codes.empty


def test_an_absent_or_unreadable_file_skips_its_checks_only(external):
    (external / dc.FILES["imi"]).unlink()
    (external / dc.FILES["kathman"]).write_text("not,the,file\n1,2,3\n")
    result = dc.run_data_check(_cases(), external)
    assert any("MergedIMIData1947-2005.csv: not found; skipped: start month against IMI" in m
               for m in result.skipped)  # fmt: skip
    assert any("mission-month" in m and "troop readiness vs Kathman" in m for m in result.skipped)
    assert list(result.starts.summary["source"]) == ["Mullenbach", "PRIF"]
    assert "Kathman UN troops at month 3" not in set(result.ratings.correlations["proxy"])


def test_external_data_dir_default_and_env(monkeypatch, tmp_path):
    monkeypatch.delenv(EXTERNAL_ENV, raising=False)
    assert external_data_dir().parts[-3:] == ("shared", "data", "external")
    monkeypatch.setenv(EXTERNAL_ENV, str(tmp_path))
    assert external_data_dir() == tmp_path


def test_the_command_prints_the_tables_and_writes_the_disagreements(external, tmp_path):
    target = tmp_path / "out" / "disagreements.csv"
    out = CliRunner().invoke(app, ["data", "check", "--external", str(external), "-o", str(target)])
    assert out.exit_code == 0, out.output
    assert "Start month" in out.stdout and "Spearman" in out.stdout
    assert f"to {target}" in out.stdout
    written = pd.read_csv(target)
    assert list(written.columns) == [
        "check", "source", "case_id", "ours", "theirs", "detail", "our_reason",
    ]  # fmt: skip
    assert len(written) > 0 and written["our_reason"].str.len().gt(0).all()


def test_the_command_without_the_folder_says_so_and_exits_0(monkeypatch, tmp_path):
    monkeypatch.setenv(EXTERNAL_ENV, str(tmp_path / "absent"))
    target = tmp_path / "disagreements.csv"
    out = CliRunner().invoke(app, ["data", "check", "-o", str(target)])
    assert out.exit_code == 0, out.output
    assert "external data folder not found" in out.output
    assert "not matched in" not in out.output and "Host codes" not in out.output
    assert pd.read_csv(target).empty


def test_an_unwritable_destination_is_refused_before_the_work(tmp_path, external):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    out = CliRunner().invoke(app, ["data", "check", "--external", str(external), "-o", str(folder)])
    assert out.exit_code == 2
    assert "is a folder" in out.output


@needs_real
def test_on_the_real_data_sets():
    cases = dc.load_cases(ROOT / "data" / "reference_cases.csv", ROOT / "data" / "facts.csv")
    result = dc.run_data_check(cases, REAL)
    assert result.skipped == []
    summary = result.starts.summary.set_index("source")
    assert list(summary.index) == ["Mullenbach", "IMI", "PRIF"]
    assert (summary["matched"] > 0).all()
    # every disagreement carries the coder's documented reason
    assert result.disagreements()["our_reason"].str.len().gt(0).all()
    assert set(result.outcomes.summary["source"]) == {"UCDP termination", "PRIF"}
    assert len(result.ratings.correlations) == len(dc.PROXIES)
    assert (result.ratings.correlations["cases"] >= 10).all()
    # every host code names the state the map expects in the COW file
    assert not result.codes["problems"].str.contains("not ").any()
