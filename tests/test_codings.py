"""The reference class is built, reproducibly, from facts and two blind codings."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from forecasting.errors import InputError
from forecasting.factors import FACTOR_IDS
from forecasting.inputs.codings import (
    CODING_COLUMNS,
    Codings,
    agreement,
    build_reference,
    consensus,
    load_codings,
    load_facts,
)
from tests.conftest import ROOT

DATA = ROOT / "data"


def test_the_shipped_reference_csv_is_the_build_of_facts_and_codings():
    built = build_reference(load_facts(DATA / "facts.csv"), load_codings(DATA / "codings"))
    buffer = io.StringIO()
    built.to_csv(buffer, index=False)
    assert buffer.getvalue() == (DATA / "reference_cases.csv").read_text(), (
        "run: forecast data build"
    )


def test_every_case_has_a_dated_pre_launch_brief_and_two_codings():
    reference = pd.read_csv(DATA / "reference_cases.csv", dtype=str)
    codings = load_codings(DATA / "codings")
    for case_id in reference["case_id"]:
        brief = (DATA / "briefs" / f"{case_id}.md").read_text()
        assert "## Sources (all dated before launch)" in brief, case_id
        assert all(case_id in codings.by_coder[c].index for c in ("coder-a", "coder-b"))


def _coding(rows: dict[str, tuple[float, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "case_id": list(rows),
            **{f: [r[0] for r in rows.values()] for f in FACTOR_IDS},
            **{f"{f}_conf": [r[1] for r in rows.values()] for f in FACTOR_IDS},
            "rationale": "test",
        }
    )
    return frame[list(CODING_COLUMNS)].set_index("case_id")


def test_consensus_is_the_mean_with_the_lower_confidence_and_a_third_coder_decides_gaps():
    a = _coding({"x": (2.0, "high"), "y": (1.0, "high")})
    b = _coding({"x": (3.0, "medium"), "y": (3.0, "high")})
    c = _coding({"y": (2.5, "low")})
    ratings = consensus(Codings({"coder-a": a, "coder-b": b, "coder-c": c}))
    assert ratings.loc["x", "timing"] == 2.5 and ratings.loc["x", "timing_conf"] == "medium"
    assert ratings.loc["y", "timing"] == 2.5 and ratings.loc["y", "timing_conf"] == "low"
    with pytest.raises(InputError, match="a third coding must decide"):
        consensus(Codings({"coder-a": a, "coder-b": b}))


def test_agreement_is_krippendorffs_alpha_and_counts_wide_gaps():
    rng = np.random.default_rng(0)
    truth = rng.uniform(1, 5, 40).round(1)
    a = _coding({f"c{i}": (v, "high") for i, v in enumerate(truth)})
    same = agreement(Codings({"coder-a": a, "coder-b": a.copy()}))
    assert np.allclose(same["alpha"], 1.0) and (same["gap_over_one_step"] == 0).all()
    noisy = a.copy()
    noisy[list(FACTOR_IDS)] = np.clip(
        noisy[list(FACTOR_IDS)] + rng.choice([-2, 2], 40)[:, None], 1, 5
    )
    worse = agreement(Codings({"coder-a": a, "coder-b": noisy}))
    assert (worse["alpha"] < 0.8).all() and (worse["gap_over_one_step"] > 0).all()


def test_a_bad_coding_file_names_the_file_and_line(tmp_path):
    folder = tmp_path / "codings"
    folder.mkdir()
    for coder in ("coder-a", "coder-b"):
        frame = _coding({"x": (2.0, "high")}).reset_index()
        if coder == "coder-b":
            frame.loc[0, "timing"] = 7
        frame.to_csv(folder / f"{coder}.csv", index=False)
    with pytest.raises(InputError, match=r"coder-b.csv: timing \(line 2\): '7.0' is not 1-5"):
        load_codings(folder)
