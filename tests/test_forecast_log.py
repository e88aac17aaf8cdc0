"""The forecast log: CLI round trip, append-only storage, scores, movement, concurrent writers."""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from forecasting.cli.log import log_app
from forecasting.errors import InputError
from forecasting.log import movement as log_movement
from forecasting.log import scores as log_scores
from forecasting.log import store as forecast_log
from forecasting.settings import LOG_ENV, reports_dir
from tests.conftest import ROOT, SMALL_CLI

app = typer.Typer()
app.add_typer(log_app, name="log")


@pytest.fixture
def log(tmp_path, monkeypatch):
    path = tmp_path / "log.sqlite"
    monkeypatch.setenv(LOG_ENV, str(path))
    return path


def invoke(*args):
    return CliRunner().invoke(app, ["log", *args])


def entry(p: float, case_id: str = "case-a", as_of=dt.date(2013, 1, 14), **changes):
    """A hand-made entry whose scored scenario (`current`) has P(success) `p` (stored as an
    old entry's p_median, which the log still reads)."""
    fields = {
        "case_id": case_id,
        "as_of": as_of,
        "scenarios": {
            "current": {"p_median": p, "p_lo80": p / 2, "p_hi80": (1 + p) / 2},
            "what_if": {"p_median": p / 3, "p_lo80": 0.0, "p_hi80": 0.5},
        },
        "data_sha256": "d" * 64,
        "priors_sha256": "p" * 64,
        "case_sha256": "c" * 64,
        "package_version": "0.1.0",
        "fit_key": "k" * 64,
        "reliable": True,
        "model_version": "m1",
        "seed": 7,
        "sampler": "4 chains",
    }
    return forecast_log.Entry(**fields | changes)


# -- the CLI, end to end ------------------------------------------------------------------


def test_record_show_resolve_score_through_the_cli(mali_result, log):
    first = invoke("record", "mali-2013", "--note", "first look", *SMALL_CLI)
    assert first.exit_code == 0, first.output
    assert f"Logged entry 1 for mali-2013 in {log}" in first.stdout
    second = invoke("record", "mali-2013", "--note", "same inputs", *SMALL_CLI)
    assert second.exit_code == 0 and "Logged entry 2" in second.stdout
    assert "moved from" in second.stdout and "Inputs changed: none" in second.stdout

    shown = invoke("show", "mali-2013", "--format", "json")
    assert shown.exit_code == 0
    doc = json.loads(shown.stdout)
    assert [e["id"] for e in doc["entries"]] == [1, 2]
    assert [e["note"] for e in doc["entries"]] == ["first look", "same inputs"]
    logged = doc["entries"][0]
    expected = mali_result.forecast.scenarios
    assert list(logged["scenarios"]) == list(expected.index)
    for name, row in expected.iterrows():
        assert logged["scenarios"][name] == pytest.approx(row.to_dict(), rel=1e-12)
    for key in ("data_sha256", "priors_sha256", "case_sha256", "fit_key", "package_version"):
        assert logged[key] == mali_result.provenance[key]
    assert logged["reliable"] is True and doc["resolution"] is None
    table = invoke("show", "mali-2013")
    assert table.exit_code == 0 and "first look" in table.stdout and "current" in table.stdout

    resolved = invoke("resolve", "mali-2013", "--outcome", "1", "--date", "2015-01-14")
    assert resolved.exit_code == 0, resolved.output
    scored = invoke("score", "--format", "json")
    assert scored.exit_code == 0
    overall = json.loads(scored.stdout)["overall"]
    p = expected.loc["current", "p"]  # the predictive probability E[P] is what is scored
    assert overall["n_forecasts"] == 2 and overall["n_cases"] == 1
    assert overall["brier"] == pytest.approx((1 - p) ** 2)
    assert overall["log_score"] == pytest.approx(-math.log(p))
    assert "Brier" in invoke("score").stdout


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (["resolve", "nowhere-2020", "--outcome", "1", "--date", "2021-01-01"], "case_id"),
        (["resolve", "case-a", "--outcome", "2", "--date", "2021-01-01"], "outcome"),
        (["resolve", "case-a", "--outcome", "yes", "--date", "2021-01-01"], "outcome"),
        (["resolve", "case-a", "--outcome", "1", "--date", "14/01/2015"], "--date"),
        (["resolve", "case-a", "--outcome", "1", "--date", "2013-01-01"], "resolved_on"),
        (["show", "nowhere-2020"], "case_id"),
    ],
)
def test_bad_input_is_one_line_naming_the_log_and_key_exit_2(log, args, key):
    forecast_log.record(entry(0.4))
    done = invoke(*args)
    assert done.exit_code == 2
    assert done.stderr.strip().count("\n") == 0
    assert f"{log}: {key}:" in done.stderr
    assert "Traceback" not in done.stderr
    assert forecast_log.resolutions() == {}


def test_a_file_that_is_not_a_log_is_bad_input(log):
    log.write_bytes(b"not a database at all" * 100)
    done = invoke("score")
    assert done.exit_code == 2 and f"{log}: cannot use this file as the forecast log" in done.stderr


def test_a_log_from_a_newer_schema_is_refused(log):
    forecast_log.record(entry(0.4))
    with sqlite3.connect(log) as conn:
        conn.execute(f"PRAGMA user_version = {forecast_log.SCHEMA_VERSION + 1}")
    with pytest.raises(InputError, match="newer than this package reads") as raised:
        forecast_log.history("case-a")
    assert raised.value.key == "user_version"


def test_every_log_command_has_help():
    for command in ([], ["record"], ["show"], ["resolve"], ["score"]):
        done = invoke(*command, "--help")
        assert done.exit_code == 0 and "Usage" in done.stdout


def test_score_before_any_resolution(log):
    forecast_log.record(entry(0.4))
    assert log_scores.score_resolved() is None
    done = invoke("score")
    assert done.exit_code == 0 and "No resolved forecasts" in done.stdout


# -- the store ----------------------------------------------------------------------------


def test_location_defaults_to_reports_and_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv(LOG_ENV, raising=False)
    assert forecast_log.log_path() == reports_dir() / "forecast-log.sqlite"
    monkeypatch.setenv(LOG_ENV, str(tmp_path / "x.sqlite"))
    assert forecast_log.log_path() == tmp_path / "x.sqlite"
    assert forecast_log.log_path(tmp_path / "y.sqlite") == tmp_path / "y.sqlite"


def test_reading_a_missing_log_does_not_create_it(log):
    assert forecast_log.history("case-a") == [] and log_scores.score_resolved() is None
    assert not log.exists()


def raw_rows(path, table):
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


def test_append_only_ids_increase_and_rows_never_change(log):
    ids = [forecast_log.record(entry(p)) for p in (0.2, 0.5, 0.7)]
    forecast_log.record(entry(0.6, case_id="case-b"))
    assert ids == sorted(ids) and len(set(ids)) == 3
    before = raw_rows(log, "entries")

    forecast_log.resolve("case-a", 1, dt.date(2015, 1, 1))
    forecast_log.resolve("case-a", 0, dt.date(2015, 2, 1))  # a correction is a new row
    ids.append(forecast_log.record(entry(0.3)))

    assert raw_rows(log, "entries")[: len(before)] == before
    assert ids[-1] > max(ids[:-1])
    assert len(raw_rows(log, "resolutions")) == 2
    assert forecast_log.resolutions()["case-a"].outcome == 0
    history = forecast_log.history("case-a")
    assert [e.id for e in history] == [1, 2, 3, 5]
    assert [e.scored_p for e in history] == [0.2, 0.5, 0.7, 0.3]
    assert history[0].recorded_at.tzinfo is not None
    assert forecast_log.previous("case-a", 5).id == 3
    assert forecast_log.previous("case-a", 1) is None
    with sqlite3.connect(log) as conn:
        for statement in ("UPDATE entries SET note = 'x'", "DELETE FROM resolutions"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(statement)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == forecast_log.SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_resolve_rejects_bad_outcome_and_unknown_case(log):
    forecast_log.record(entry(0.4))
    for bad in (2, -1, True, "1"):
        with pytest.raises(InputError, match="outcome") as raised:
            forecast_log.resolve("case-a", bad, dt.date(2015, 1, 1))
        assert raised.value.file == str(log) and raised.value.key == "outcome"
    with pytest.raises(InputError, match="no forecast of 'case-z'") as raised:
        forecast_log.resolve("case-z", 1, dt.date(2015, 1, 1))
    assert raised.value.file == str(log) and raised.value.key == "case_id"


# -- scores -------------------------------------------------------------------------------


def test_scores_match_a_direct_computation(log):
    a = [0.2, 0.6, 0.9]  # case-a succeeded
    b = [0.3, 0.75]  # case-b failed
    for p in a:
        forecast_log.record(entry(p, "case-a"))
    for p in b:
        forecast_log.record(entry(p, "case-b"))
    # made after case-b resolved: hindsight, not scored
    forecast_log.record(entry(0.01, "case-b", as_of=dt.date(2016, 6, 1)))
    forecast_log.record(entry(0.5, "case-c"))  # never resolved
    forecast_log.resolve("case-a", 1, dt.date(2015, 1, 1))
    forecast_log.resolve("case-b", 0, dt.date(2016, 1, 1))

    scores = log_scores.score_resolved()
    brier_a = sum((p - 1) ** 2 for p in a) / len(a)
    brier_b = sum(p**2 for p in b) / len(b)
    log_a = -sum(math.log(p) for p in a) / len(a)
    log_b = -sum(math.log(1 - p) for p in b) / len(b)
    assert list(scores.by_case.index) == ["case-a", "case-b"]
    assert scores.by_case.loc["case-a", "brier"] == pytest.approx(brier_a)
    assert scores.by_case.loc["case-b", "brier"] == pytest.approx(brier_b)
    assert scores.by_case.loc["case-a", "log_score"] == pytest.approx(log_a)
    assert scores.by_case.loc["case-b", "log_score"] == pytest.approx(log_b)
    assert list(scores.by_case.n) == [3, 2] and scores.n_forecasts == 5
    assert scores.brier == pytest.approx((brier_a + brier_b) / 2)
    assert scores.log_score == pytest.approx((log_a + log_b) / 2)
    assert scores.calibration is None  # fewer than 10 scored forecasts


def test_calibration_table_from_ten_resolved_forecasts(log):
    probabilities = {
        "c1": ([0.05, 0.15], 0),
        "c2": ([0.12, 0.18, 0.81], 1),
        "c3": ([0.85, 0.88], 1),
        "c4": ([0.83, 0.42, 0.47], 0),
    }
    for case_id, (ps, outcome) in probabilities.items():
        for p in ps:
            forecast_log.record(entry(p, case_id))
        forecast_log.resolve(case_id, outcome, dt.date(2015, 1, 1))

    table = log_scores.score_resolved().calibration.set_index("bin_lo")
    assert table["count"].sum() == 10
    assert table.loc[0.1, "count"] == 3  # 0.12, 0.15, 0.18: outcomes 1, 0, 1
    assert table.loc[0.1, "observed"] == pytest.approx(2 / 3)
    assert table.loc[0.1, "mean_forecast"] == pytest.approx((0.12 + 0.15 + 0.18) / 3)
    assert table.loc[0.8, "observed"] == pytest.approx(3 / 4)  # 0.81, 0.83, 0.85, 0.88
    assert 0.3 not in table.index  # empty bins are left out
    done = invoke("score")
    assert done.exit_code == 0 and "Calibration" in done.stdout


# -- movement -----------------------------------------------------------------------------


def test_movement_reports_the_change_and_the_inputs_that_changed(log):
    old = forecast_log.get(forecast_log.record(entry(0.40)))
    new = forecast_log.get(
        forecast_log.record(entry(0.55, priors_sha256="q" * 64, package_version="0.2.0"))
    )
    moved = log_movement.movement(new, forecast_log.previous("case-a", new.id))
    assert moved.previous.id == old.id
    assert moved.scored_change == pytest.approx(0.15)
    assert moved.scenarios.loc["what_if", "change"] == pytest.approx(0.55 / 3 - 0.40 / 3)
    assert moved.changed_inputs == ["priors", "package version"]
    assert "40% to 55% (+15 pts)" in moved.describe()
    assert "Inputs changed: priors, package version" in moved.describe()


# -- two processes writing at once -------------------------------------------------------

WRITER = """
import datetime as dt, sys, time
from pathlib import Path
from forecasting.log import store as forecast_log

name, n, go = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
Path(f"{go}-{name}-ready").touch()
while not go.exists():  # start together
    time.sleep(0.002)
started = time.time()
for i in range(n):
    forecast_log.record(forecast_log.Entry(
        case_id="case-a", as_of=dt.date(2013, 1, 14), scenarios={"current": {"p_median": 0.5}},
        data_sha256="d", priors_sha256="p", case_sha256="c", package_version="0.1.0",
        fit_key="k", reliable=True, note=f"{name}-{i}",
    ))
print(started, time.time())
"""


def test_two_concurrent_writers_lose_nothing(log, tmp_path):
    go = tmp_path / "go"
    n = 50
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, name, str(n), str(go)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    deadline = time.monotonic() + 60
    while not all(Path(f"{go}-{name}-ready").exists() for name in ("a", "b")):  # both imported
        assert time.monotonic() < deadline and all(p.poll() is None for p in writers)
        time.sleep(0.01)
    go.touch()
    spans = []
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        spans.append([float(t) for t in out.split()])
    assert max(start for start, _ in spans) < min(end for _, end in spans)  # they did overlap

    notes = [e.note for e in forecast_log.history("case-a")]
    assert sorted(notes) == sorted(f"{w}-{i}" for w in ("a", "b") for i in range(n))
    for w in ("a", "b"):  # each writer's entries are in the order it wrote them
        assert [x for x in notes if x.startswith(w)] == [f"{w}-{i}" for i in range(n)]
    with sqlite3.connect(log) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0] == 2 * n
