import datetime as dt
import re

import pandas as pd
import pytest

from forecasting.errors import InputError
from forecasting.factors import FACTOR_IDS, INTERVENER_TYPES
from forecasting.inputs.reference import REQUIRED_COLUMNS, load_reference, split_by_as_of
from tests.conftest import REFERENCE

DOCUMENT_SYMBOL = re.compile(r"S/RES/\d+|S/\d{4}/\d+|\(\d{4}\)|\d{4}")


def test_shipped_reference_class_is_valid_and_cited():
    reference = load_reference(REFERENCE)
    cases = reference.cases
    assert len(cases) >= 80
    assert cases["case_id"].is_unique
    assert set(cases["outcome"]) == {0, 1}
    assert cases["start"].min() >= pd.Period("1990-01", "M")
    assert cases["start"].max() <= pd.Period("2020-12", "M")
    assert set(cases["intervener_type"]) <= set(INTERVENER_TYPES)
    assert (cases["conflict_id"] != "").all()
    assert ((cases["resolved"] - cases["start"]).map(lambda d: d.n) == 24).all()
    assert cases["sources"].map(lambda s: bool(DOCUMENT_SYMBOL.search(s))).all()
    assert (cases["rationale"].str.len() > 80).all()
    for factor in FACTOR_IDS:
        coded = cases[factor].notna()
        assert (cases.loc[coded, f"{factor}_conf"] != "").all()


def test_as_of_keeps_only_cases_resolved_before_it():
    reference = load_reference(REFERENCE)
    split = split_by_as_of(reference, dt.date(2000, 1, 1))
    assert (split.used.cases["resolved"] < pd.Period("2000-01", "M")).all()
    assert len(split.used) + len(split.excluded) == len(reference)
    assert (
        split.excluded["reason"]
        .str.contains("after the forecast date|not before the forecast")
        .all()
    )
    mali = split_by_as_of(reference, dt.date(2013, 1, 14))
    # no look-ahead: Serval, AFISMA and later missions are excluded from the Mali forecast
    assert "mali-serval-2013" in set(mali.excluded["case_id"])
    assert (mali.used.cases["resolved"] < pd.Period("2013-01", "M")).all()


@pytest.fixture
def frame():
    return pd.read_csv(REFERENCE, dtype=str, keep_default_na=False)


def error_of(tmp_path, frame) -> str:
    path = tmp_path / "cases.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(InputError) as info:
        load_reference(path)
    return str(info.value)


@pytest.mark.parametrize("column", ["outcome", "host_army", "sources"])
def test_missing_column(tmp_path, frame, column):
    assert f"cases.csv: {column}: required column is missing" in error_of(
        tmp_path, frame.drop(columns=column)
    )


def test_outcome_not_0_or_1(tmp_path, frame):
    frame.loc[2, "outcome"] = "2"
    assert "cases.csv: outcome (line 4): '2' is not 0 or 1" in error_of(tmp_path, frame)


def test_rating_out_of_range(tmp_path, frame):
    frame.loc[0, "timing"] = "7"
    assert "cases.csv: timing (line 2): 7 is outside 1-5" in error_of(tmp_path, frame)


def test_bad_month_and_missing_sources_reported_together(tmp_path, frame):
    frame.loc[0, "start"] = "1994"
    frame.loc[1, "sources"] = ""
    message = error_of(tmp_path, frame)
    assert "start (line 2): '1994' is not a month YYYY-MM" in message
    assert "sources (line 3): every case must cite its sources" in message


def test_required_columns_are_documented_in_the_codebook():
    codebook = (REFERENCE.parent / "CODEBOOK.md").read_text()
    for column in REQUIRED_COLUMNS:
        assert f"`{column}`" in codebook
