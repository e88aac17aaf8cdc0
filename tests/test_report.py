"""The PDF: it exists, has the sections, and shows the numbers `predict` prints."""

import dataclasses
import datetime as dt

import pytest
from pypdf import PdfReader

from forecasting.checks.sensitivity import sensitivity_review
from forecasting.checks.track_record import track_record
from forecasting.formatting import percent, percent_interval, points
from forecasting.log.movement import movement
from forecasting.model.diagnostics import check_convergence
from forecasting.report.content import ReportExtras, write_report
from forecasting.report.review_figures import save_review_figures
from forecasting.settings import ConvergenceThresholds

SECTIONS = [
    "Prior sensitivity",
    "Simulation-based calibration",
    "Reviewer appendix",
    "Bottom line.",
    "Probability of success",
    "How far to trust this",
    "How to read this report",
    "Is this case inside history?",
    "Track record on past interventions",
    "Extrapolation check",
    "Contrasts between scenarios",
    "What drives it",
    "Caveats",
    "Factor contributions",
    "Prior vs posterior",
    "Convergence",
    "The case: factor states and scenarios",
    "Reference cases used",
    "Provenance",
]


# What `forecast sbc` leaves in reports/sbc/sbc.json (a made-up run: only the layout is tested here)
SBC_SUMMARY = {
    "verdict": "pass",
    "simulations": 17,
    "date": "2026-11-28T00:00:00+00:00",
    "seconds": 12.5,
    "method": "ECDF simultaneous uniformity test",
    "quantities": {"alpha": {"ecdf_statistic": 0.5, "p_value": 0.61, "passed": True}},
}


def pdf_text(path) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(text.split())


@pytest.fixture(scope="module")
def report_text(mock_mali_result, tmp_path_factory):
    mali_result = mock_mali_result
    path = tmp_path_factory.mktemp("report") / "mali.pdf"
    track = track_record(
        mali_result.fit.posterior, mali_result.inputs, mali_result.priors, mali_result.fit.settings
    )
    extras = ReportExtras(
        track=track,
        sensitivity=sensitivity_review(mali_result),
        review_figures=save_review_figures(mali_result, track, path.parent / "review"),
        sbc=SBC_SUMMARY,
    )
    write_report(mali_result, path, extras)
    return pdf_text(path)


def test_report_has_every_section(report_text):
    for section in SECTIONS:
        assert section in report_text, section
    assert "UNRELIABLE" not in report_text


def test_report_reviewer_sections(report_text):
    assert "Latest run 2026-11-28T00:00:00+00:00: PASS over 17 simulations" in report_text
    assert "Refits with every prior sd doubled" in report_text
    for caption in ("Trace of each parameter", "Rank ECDF", "PAV-adjusted calibration", "LOO-PIT"):
        assert caption in report_text


def test_report_shows_the_numbers_predict_prints(mali_result, report_text):
    case = mali_result.case
    for name, row in mali_result.forecast.scenarios.iterrows():
        shown = f"{percent(row.p)} {percent_interval(row.p_lo80, row.p_hi80)}"
        assert case.scenarios[name].label in report_text and shown in report_text, name
    # identical scenarios share one headline row instead of repeating
    label = f"{case.scenarios['current'].label} = {case.scenarios['accelerated'].label}"
    assert label in report_text


def test_page_one_breakdown_adds_up_and_names_no_raw_ids(mali_result, report_text):
    """The main contrast's factor shares sum to the difference shown, and the PDF names
    scenarios, factors and parameters in words."""
    fc = mali_result.forecast
    row = fc.contrasts.iloc[0]
    mine = (fc.breakdown.scenario == row.scenario) & (fc.breakdown.baseline == row.baseline)
    shares = fc.breakdown[mine]["difference"]
    assert shares.sum() == pytest.approx(row.difference)
    assert f"Total {points(row.difference)}" in report_text
    for raw in ("beta[", "alpha", "as_planned", "political_cohesion", "P(success)["):
        assert raw not in report_text, raw


def test_report_carries_provenance(mali_result, report_text):
    prov = mali_result.provenance
    for key in ("data_sha256", "priors_sha256", "case_sha256", "fit_key"):
        assert prov[key][:40] in report_text.replace(" ", "")
    assert f"seed {prov['seed']}" in report_text


def test_report_lists_every_reference_case_used(mali_result, report_text):
    compact = report_text.replace(" ", "")
    missing = [c for c in mali_result.split.used.cases["case_id"] if c not in compact]
    assert not missing


def test_report_says_how_the_forecast_moved(mali_result, tmp_path):
    from forecasting.log import store as forecast_log

    entry = forecast_log.entry_from_forecast(mali_result)
    earlier = dataclasses.replace(
        entry,
        id=1,
        recorded_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        priors_sha256="0" * 64,
        scenarios={k: v | {"p": v["p"] - 0.1} for k, v in entry.scenarios.items()},
    )
    path = tmp_path / "moved.pdf"
    write_report(mali_result, path, ReportExtras(moved=movement(entry, earlier)))
    text = pdf_text(path)
    assert "Since the last forecast" in text and "(+10 pts)" in text
    assert "Inputs changed: priors." in text


def test_unreliable_fit_gets_a_banner(mali_result, tmp_path):
    failing = check_convergence(mali_result.fit.posterior, ConvergenceThresholds(min_ess_bulk=1e9))
    result = dataclasses.replace(mali_result, convergence=failing)
    path = tmp_path / "unreliable.pdf"
    write_report(result, path)
    text = pdf_text(path)
    assert "UNRELIABLE FORECAST" in text and "bulk ESS" in text
