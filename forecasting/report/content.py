"""The PDF report: results laid out with Typst. Page 1 is for analysts (headline
probabilities, contrasts, drivers, caveats); the rest is for reviewers (factor
contributions, prior vs posterior, convergence, inputs, reference cases,
provenance).

All numbers are computed before this module; it only formats and lays out.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.checks.prior_posterior import prior_posterior_table
from forecasting.checks.sensitivity import SensitivityReview
from forecasting.checks.track_record import TrackRecord
from forecasting.factors import FACTOR_BY_ID, FACTOR_IDS, RATING_MAX, RATING_MIN
from forecasting.files import atomic_write_bytes
from forecasting.forecast.extrapolation import in_words
from forecasting.forecast.scenarios import analyst_scenarios
from forecasting.formatting import percent, percent_interval, points, points_interval, signed
from forecasting.inputs.cases import CURRENT, Case
from forecasting.log.movement import Movement
from forecasting.pipeline import CaseForecast
from forecasting.report.page_one import (
    bottom_line,
    breakdown,
    parameter_label,
    same_states,
    scenario_label,
    state_text,
    trust_box,
)
from forecasting.report.review_figures import CAPTIONS

TEMPLATE = Path(__file__).parent / "templates" / "report.typ"


@dataclass(frozen=True)
class ReportExtras:
    """Optional sections, each computed before the report is laid out."""

    track: TrackRecord | None = None  # leave-one-out track record of the same fit
    moved: Movement | None = None  # change since the previous logged forecast
    pools: pd.DataFrame | None = None  # P(success) under both pooling methods
    sensitivity: SensitivityReview | None = None  # power-scaling and prior refits
    review_figures: dict[str, Path] = field(default_factory=dict)  # reviewer appendix (PNG)
    sbc: dict | None = None  # the latest `forecast sbc` summary, with its figure's path


def write_report(result: CaseForecast, output: Path, extras: ReportExtras | None = None) -> Path:
    """Render the report to `output` (PDF), atomically: a failure leaves no partial file."""
    import typst

    from forecasting.report.figures import save_report_figures

    extras = extras or ReportExtras()
    output = Path(output)
    with tempfile.TemporaryDirectory(prefix="forecast-report-") as tmp:
        work = Path(tmp)
        figures = save_report_figures(result, work, extras.track)
        # PNGs made elsewhere (reviewer figures, SBC) are copied in: Typst reads only its root
        # the prior-vs-posterior figure is in the body already
        figures["appendix"] = [
            [CAPTIONS.get(name, name), _copy_into(path, work)]
            for name, path in extras.review_figures.items()
            if name != "prior-vs-posterior"
        ]
        if extras.sbc and extras.sbc.get("figure_path"):
            figures["sbc"] = _copy_into(Path(extras.sbc["figure_path"]), work)
        data = report_data(result, figures, extras)
        (work / "report.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
        shutil.copy(TEMPLATE, work / TEMPLATE.name)
        pdf = typst.compile(str(work / TEMPLATE.name), root=str(work), ignore_system_fonts=True)
    atomic_write_bytes(output, pdf)
    return output


def _copy_into(path: Path, folder: Path) -> str:
    target = folder / f"copied-{path.parent.name}-{path.name}"
    shutil.copy(path, target)
    return target.name


def latest_sbc(folder: Path) -> dict | None:
    """The summary `forecast sbc` left in `folder`, with its figure's path; None if absent."""
    summary = folder / "sbc.json"
    if not summary.exists():
        return None
    data = json.loads(summary.read_text(encoding="utf-8"))
    figure = folder / data.get("figure", "")
    data["figure_path"] = str(figure) if figure.is_file() else None
    return data


def report_data(
    result: CaseForecast, figures: dict[str, object], extras: ReportExtras | None = None
) -> dict:
    extras = extras or ReportExtras()
    case, fc = result.case, result.forecast
    used = result.split.used.cases
    return {
        "bottom_line": bottom_line(result),
        "breakdown": breakdown(result),
        "trust": trust_box(result, extras),
        "pooling": _pooling(result, extras.pools),
        "movement": _movement(extras.moved, case),
        "track_record": _track_record(extras.track),
        "sensitivity": _sensitivity(extras.sensitivity, case),
        "sbc": _sbc(extras.sbc),
        "extrapolation_sentences": in_words(
            result.extrapolation, {n: s.label for n, s in case.scenarios.items()}
        ),
        "extrapolation": [
            [
                scenario_label(case, name),
                "inside" if row.in_hull else f"outside by {row.hull_distance:.2f} steps",
                str(row.n_nearby),
                percent(row.share_nearby),
                row.nearest,
                f"{row.nearest_distance * (RATING_MAX - RATING_MIN):.2f}",
            ]
            for name, row in result.extrapolation.table.iterrows()
        ],
        "n_complete": result.extrapolation.n_complete,
        "title": case.title,
        "case_id": case.id,
        "as_of": case.as_of.isoformat(),
        "outcome": case.outcome,
        "horizon_months": case.horizon_months,
        "reliable": result.reliable,
        "problems": list(result.convergence.problems),
        "n_used": len(used),
        "n_reference": len(result.reference),
        "headline": [
            [
                " = ".join(scenario_label(case, n) for n in names),
                case.scenarios[names[0]].description,
                percent(fc.scenarios.loc[names[0], "p"]),
                percent_interval(
                    fc.scenarios.loc[names[0], "p_lo80"], fc.scenarios.loc[names[0], "p_hi80"]
                ),
                percent_interval(
                    fc.scenarios.loc[names[0], "rating_lo80"],
                    fc.scenarios.loc[names[0], "rating_hi80"],
                ),
            ]
            for names in same_states(case)
        ],
        "contrasts": [
            [
                f"{scenario_label(case, row.scenario)} − {scenario_label(case, row.baseline)}",
                points(row.difference),
                points_interval(row.difference_lo80, row.difference_hi80),
                points_interval(row.difference_lo95, row.difference_hi95),
                percent(row.p_scenario_better),
            ]
            for row in fc.contrasts.itertuples()
        ],
        "base_rate": percent(fc.base_rate),
        "average_ratings": ", ".join(
            f"{FACTOR_BY_ID[f].label.lower()} {c:.1f}"
            for f, c in zip(FACTOR_IDS, result.inputs.factor_centre, strict=True)
        ),
        "drivers": _drivers(result),
        "caveats": _caveats(result),
        "contributions": [
            [
                scenario_label(case, row.scenario),
                FACTOR_BY_ID[row.factor].label,
                state_text(case.scenarios[row.scenario].factors[row.factor]),
                signed(row.log_odds_median),
                f"{signed(row.log_odds_lo80)} to {signed(row.log_odds_hi80)}",
            ]
            for row in fc.contributions.itertuples()
            if row.scenario in analyst_scenarios(fc)
        ],
        "parameters": _parameter_table(result),
        "coverage": [
            [
                FACTOR_BY_ID[f].label,
                f"{int(used[f].notna().sum())} of {len(used)}",
                "prior only: no reference case is coded" if used[f].notna().sum() == 0 else "",
            ]
            for f in FACTOR_IDS
        ],
        "convergence": [
            [
                parameter_label(name),
                f"{row.r_hat:.3f}",
                f"{row.ess_bulk:.0f}",
                f"{row.ess_tail:.0f}",
            ]
            for name, row in result.convergence.table.iterrows()
        ],
        "divergences": result.convergence.divergences,
        "thresholds": result.convergence.as_dict()["thresholds"],
        "factor_states": [
            [
                scenario.label,
                FACTOR_BY_ID[f].label,
                f"{state.rating:g}",
                f"{state.sd:g}",
                state.rationale,
            ]
            for name, scenario in case.scenarios.items()
            for f, state in scenario.factors.items()
            if name == CURRENT or f in scenario.overridden
        ],
        "scenario_descriptions": [[s.label, s.description] for s in case.scenarios.values()],
        "reference_used": [
            [
                row.case_id,
                row.mission,
                row.intervener,
                str(row.start),
                str(row.outcome),
                *(_rating(getattr(row, f)) for f in FACTOR_IDS),
            ]
            for row in used.itertuples()
        ],
        "reference_excluded": result.split.excluded.astype(str).values.tolist(),
        "provenance": [[k.replace("_", " "), str(v)] for k, v in result.provenance.items()],
        "figures": figures,
    }


def _rating(value: float) -> str:
    return "–" if np.isnan(value) else f"{value:g}"


def _drivers(result: CaseForecast) -> list[str]:
    """One sentence per scenario an analyst reads first: the factors that move it most."""
    fc = result.forecast
    sentences = []
    for name in analyst_scenarios(fc):
        rows = fc.contributions[fc.contributions["scenario"] == name]
        rows = rows.reindex(rows["log_odds_median"].abs().sort_values(ascending=False).index)
        parts = [
            f"{FACTOR_BY_ID[r.factor].label.lower()} ({signed(r.log_odds_median)})"
            for r in rows.itertuples()
            if abs(r.log_odds_median) >= 0.05
        ]
        moved = ", ".join(parts[:3]) if parts else "no factor by more than 0.05"
        sentences.append(
            f"{scenario_label(result.case, name)}: the factors that move its log-odds most "
            f"away from an average-rated intervention: {moved}."
        )
    return sentences


def _caveats(result: CaseForecast) -> list[str]:
    used = result.split.used.cases
    caveats = [
        f"The model learns from {len(used)} past interventions (those resolved before "
        f"{result.case.as_of.isoformat()}); ratings of past cases and of this case are judgement "
        "calls, coded with stated confidence (see data/CODEBOOK.md).",
        "Factor effects are modelled as additive on the log-odds scale, without interactions; "
        "the reference class is not a random sample of interventions.",
        "Scenario probabilities carry the forecaster's uncertainty about factor states (sd), "
        "not only the model's.",
    ]

    uncoded = [FACTOR_BY_ID[f].label for f in FACTOR_IDS if used[f].notna().sum() == 0]
    if uncoded:
        caveats.append(
            f"No reference case is coded for {', '.join(uncoded)}: its effect comes "
            "from the prior alone."
        )
    caveats += [f"Warning: {warning}" for warning in result.warnings]
    if not result.reliable:
        caveats.insert(
            0,
            "The sampler did not converge by the project's thresholds: "
            + "; ".join(result.convergence.problems)
            + ".",
        )
    return caveats


def quantity_label(quantity: str, case: Case) -> str:
    """A power-scaling quantity in words: a parameter, or a scenario's P(success)."""
    if quantity.startswith("P(success)[") and quantity.endswith("]"):
        name = quantity[len("P(success)[") : -1]
        return f"P(success): {case.scenarios[name].label if name in case.scenarios else name}"
    return parameter_label(quantity)


def _sensitivity(sensitivity: SensitivityReview | None, case: Case) -> dict | None:
    if sensitivity is None:
        return None
    table = sensitivity.power_scaling.table
    groups = [c for c in table.columns if c not in ("likelihood", "diagnosis")]
    leaned = sensitivity.power_scaling.leaned_on()
    return {
        "threshold": sensitivity.power_scaling.threshold,
        "header": [
            "Quantity",
            *(FACTOR_BY_ID[g].label if g in FACTOR_BY_ID else "Intercept" for g in groups),
            "Likelihood",
            "Diagnosis",
        ],
        "rows": [
            [
                quantity_label(quantity, case),
                *(f"{row[g]:.3f}" for g in groups),
                f"{row['likelihood']:.3f}",
                row["diagnosis"],
            ]
            for quantity, row in table.iterrows()
        ],
        "sentences": [
            f"{quantity_label(quantity, case)} leans on the prior(s) of "
            + ", ".join(FACTOR_BY_ID[g].label.lower() if g in FACTOR_BY_ID else g for g in groups_)
            + "."
            for quantity, groups_ in leaned.items()
            if groups_ and quantity.startswith("P(success)")
        ],
        "refit_header": ["Scenario", *sensitivity.refits.columns],
        "refits": [
            [
                case.scenarios[name].label,
                *(points(v) if "−" in k else percent(v) for k, v in row.items()),
            ]
            for name, row in sensitivity.refits.iterrows()
        ],
    }


def _sbc(summary: dict | None) -> dict | None:
    if summary is None:
        return None
    return {
        "verdict": summary["verdict"].upper(),
        "simulations": summary["simulations"],
        "date": summary["date"],
        "seconds": summary["seconds"],
        "method": summary["method"],
        "rows": [
            [
                name.replace("p_success[offset=", "P(success), every factor ").rstrip("]")
                + " steps from average"
                if name.startswith("p_success")
                else parameter_label(name),
                f"{q['ecdf_statistic']:.3g}",
                f"{q['p_value']:.3g}",
                "pass" if q["passed"] else "FAIL",
            ]
            for name, q in summary["quantities"].items()
        ],
    }


def _pooling(result: CaseForecast, pools: pd.DataFrame | None) -> dict | None:
    if pools is None:
        return None
    priors = result.priors
    return {
        "method": priors.method.replace("_", " "),
        "forecasters": [[name, f"{w:.2f}"] for name, w in priors.weights.items()],
        "comparison": [
            [
                name,
                percent(row.linear_pool),
                percent(row.fitted_pool),
                points(row["fitted − linear"]),
            ]
            for name, row in pools.iterrows()
        ],
    }


def _movement(moved: Movement | None, case: Case) -> dict | None:
    if moved is None:
        return None
    return {
        "sentence": moved.describe(),
        "scenarios": [
            [
                case.scenarios[name].label if name in case.scenarios else name,
                percent(row.previous),
                percent(row.latest),
                points(row.change),
            ]
            for name, row in moved.scenarios.dropna().iterrows()
        ],
        "inputs": [
            [name, "changed" if row.changed else "same"] for name, row in moved.inputs.iterrows()
        ],
    }


def _track_record(track: TrackRecord | None) -> dict | None:
    if track is None:
        return None
    titles = {"loo": "Leave one out", "lfo": "Leave the future out", "grouped": "By conflict"}
    return {
        "n": len(track.predictions),
        "n_refits": track.n_refits,
        "elpd": f"{track.elpd_loo:.1f}",
        "scores": [
            [
                f"{titles[scheme]} ({len(v.predictions)} cases)" if method == "model" else "",
                method,
                f"{row.brier:.3f}",
                f"{row.log_score:.3f}",
                *(
                    [
                        signed(v.comparisons.loc[method, "brier"], 3)
                        + f" ± {v.comparisons.loc[method, 'brier_se']:.3f}",
                        signed(v.comparisons.loc[method, "log_score"], 3)
                        + f" ± {v.comparisons.loc[method, 'log_score_se']:.3f}",
                    ]
                    if method in v.comparisons.index
                    else ["", ""]
                ),
            ]
            for scheme, v in track.validations.items()
            for method, row in v.scores.iterrows()
        ],
        "sentences": [
            f"{titles[scheme]}: {sentence}"
            for scheme, v in track.validations.items()
            for sentence in v.sentences()
        ],
        "worst": [
            [row.case_id, str(row.outcome), percent(row.p_model), percent(row.p_ml_logit)]
            for row in track.worst().itertuples()
        ],
        "max_k": f"{track.predictions['pareto_k'].max():.2f}",
    }


def _parameter_table(result: CaseForecast) -> list[list[str]]:
    table = prior_posterior_table(result.priors, result.fit.posterior)
    return [
        [
            parameter_label(name),
            f"{row.prior_mean:.2f} ± {row.prior_sd:.2f}",
            f"{row.posterior_mean:.2f} ± {row.posterior_sd:.2f}",
            f"{row.sd_ratio:.2f}",
            signed(row.shift_in_prior_sds),
        ]
        for name, row in table.iterrows()
    ]
