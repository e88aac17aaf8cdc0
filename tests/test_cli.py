"""The `forecast` command, in-process (fast) and once as a real subprocess."""

import json
import subprocess
import sys

import pytest

from forecasting.cli import main as cli
from forecasting.cli.common import EXIT_UNRELIABLE
from tests.conftest import MALI, SMALL_CLI


def run(monkeypatch, capsys, *args):
    monkeypatch.setattr(sys, "argv", ["forecast", *args])
    with pytest.raises(SystemExit) as done:
        cli.main()
    out, err = capsys.readouterr()
    return done.value.code, out, err


def test_predict_json_has_the_documented_shape(mali_result, monkeypatch, capsys):
    code, out, _ = run(monkeypatch, capsys, "predict", "mali-2013", "--format", "json", *SMALL_CLI)
    assert code == 0
    result = json.loads(out)
    assert result["case"] == "mali-2013" and result["as_of"] == "2013-01-14"
    assert result["reliable"] is True
    assert next(iter(result["scenarios"])) == "current"
    for numbers in result["scenarios"].values():
        assert set(numbers) == {
            "p",
            "p_median",
            "p_lo80",
            "p_hi80",
            "p_lo95",
            "p_hi95",
            "rating_lo80",
            "rating_hi80",
        }
        assert numbers["p_lo95"] <= numbers["p_lo80"] <= numbers["p_median"] <= numbers["p_hi80"]
        assert numbers["rating_lo80"] <= numbers["p"] <= numbers["rating_hi80"]
    assert result["contrasts"][0]["scenario"] == "accelerated"
    assert {"difference", "difference_lo80", "p_scenario_better"} <= set(result["contrasts"][0])
    assert {"max_r_hat", "min_ess_bulk", "min_ess_tail", "divergences"} <= set(
        result["diagnostics"]
    )
    assert set(result["extrapolation"]) == set(result["scenarios"])
    assert {"in_hull", "share_nearby"} <= set(result["extrapolation"]["as_planned"])
    expected = mali_result.forecast.scenarios.loc["as_planned", "p"]
    assert result["scenarios"]["as_planned"]["p"] == round(expected, 4)


def test_predict_table(mali_result, monkeypatch, capsys):
    code, out, err = run(monkeypatch, capsys, "predict", "mali-2013", *SMALL_CLI)
    assert code == 0
    assert "as_planned" in out and "converged" in out
    assert "Reused cached fit" in err


def test_report_writes_the_pdf_where_asked(mali_result, monkeypatch, capsys, tmp_path):
    target = tmp_path / "mali.pdf"
    code, out, _ = run(monkeypatch, capsys, "report", "mali-2013", "-o", str(target), *SMALL_CLI)
    assert code == 0
    assert target.read_bytes().startswith(b"%PDF")
    assert f"Wrote {target}" in out


def test_validate_json_scores_three_methods(mali_result, monkeypatch, capsys, tmp_path):
    plot = tmp_path / "calibration.png"
    code, out, _ = run(
        monkeypatch, capsys, "validate", "--format", "json", "--plot", str(plot), *SMALL_CLI
    )
    assert code == 0
    result = json.loads(out)
    assert result["n"] == len(mali_result.reference)  # validate uses every reference case
    assert set(result["scores"]) == {"model (LOO)", "base rate (LOO)", "ML logit (LOO)"}
    assert all(0 <= s["brier"] <= 1 for s in result["scores"].values())
    assert plot.read_bytes().startswith(b"\x89PNG")


def test_review_writes_named_figures_and_prints_sensitivity(
    mali_result, monkeypatch, capsys, tmp_path
):
    code, out, _ = run(monkeypatch, capsys, "review", "mali-2013", "-o", str(tmp_path), *SMALL_CLI)
    assert code == 0
    for name in (
        "trace",
        "rank",
        "prior-vs-posterior",
        "calibration-pav",
        "loo-pit",
        "pairs-factor-effects",
    ):
        assert (tmp_path / f"{name}.png").read_bytes().startswith(b"\x89PNG"), name
    assert "Prior sensitivity" in out and "narrower" in out
    assert "Prior predictive check: the priors alone expect" in out


def test_unreliable_posterior_exits_3_unless_allowed(mali_result, monkeypatch, capsys):
    # the same fit, judged against a bulk-ESS bar no sampler can meet
    from forecasting import pipeline
    from forecasting.model.diagnostics import check_convergence
    from forecasting.settings import ConvergenceThresholds

    impossible = ConvergenceThresholds(min_ess_bulk=1e9)
    monkeypatch.setattr(
        pipeline, "check_convergence", lambda posterior: check_convergence(posterior, impossible)
    )
    args = ["predict", "mali-2013", "--format", "json", *SMALL_CLI]
    code, out, err = run(monkeypatch, capsys, *args)
    assert code == EXIT_UNRELIABLE
    assert json.loads(out)["reliable"] is False
    assert "failed the convergence checks" in err
    code, _, _ = run(monkeypatch, capsys, *args, "--allow-unreliable")
    assert code == 0


BAD_CASE = MALI.read_text().replace("rating = 1.5", "rating = 9", 1)


@pytest.mark.parametrize("command", ["report", "predict"])
def test_bad_case_file_one_line_exit_2_nothing_written(monkeypatch, capsys, tmp_path, command):
    case = tmp_path / "bad.toml"
    case.write_text(BAD_CASE)
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old report")
    args = [command, str(case)] + (["-o", str(target)] if command == "report" else [])
    code, out, err = run(monkeypatch, capsys, *args)
    assert code == 2
    assert err.strip().count("\n") == 0
    assert f"{case}: factors.political_cohesion.rating:" in err
    assert "Traceback" not in err and out == ""
    assert target.read_bytes() == b"old report"


def test_bad_reference_csv(monkeypatch, capsys, tmp_path):
    data = tmp_path / "ref.csv"
    data.write_text("case_id,outcome\nx,1\n")
    code, _, err = run(monkeypatch, capsys, "predict", "mali-2013", "--data", str(data))
    assert code == 2 and f"{data}: host_country: required column is missing" in err


def test_every_command_has_help(monkeypatch, capsys):
    for command in (
        [],
        ["report"],
        ["predict"],
        ["validate"],
        ["review"],
        ["replicate"],
        ["log"],
        ["log", "record"],
        ["log", "show"],
        ["log", "resolve"],
        ["log", "score"],
        ["import"],
    ):
        code, out, _ = run(monkeypatch, capsys, *command, "--help")
        assert code == 0 and "Usage" in out


def test_real_subprocess_bad_input_exits_2_without_traceback(tmp_path):
    case = tmp_path / "broken.toml"
    case.write_text("[case\nid = 1")
    target = tmp_path / "never.pdf"
    done = subprocess.run(
        [sys.executable, "-m", "forecasting", "report", str(case), "-o", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {case}: line 1: malformed TOML")
    assert "Traceback" not in done.stderr
    assert not target.exists()
