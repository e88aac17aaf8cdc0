"""Page 1 of the report: the bottom line, why (the main contrast by factor), and how far
to trust it; and how scenarios and parameters are named in words everywhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

from forecasting.checks.scoring import NOISE_SE
from forecasting.factors import FACTOR_BY_ID, FACTOR_IDS
from forecasting.forecast.scenarios import analyst_scenarios
from forecasting.formatting import percent, percent_interval, points, points_interval
from forecasting.inputs.cases import Case
from forecasting.pipeline import CaseForecast

if TYPE_CHECKING:
    from forecasting.report.content import ReportExtras


def state_text(state) -> str:
    return f"{state.rating:g} ± {state.sd:g}"


def scenario_label(case: Case, name: str) -> str:
    return case.scenarios[name].label


def parameter_label(name: str) -> str:
    """A model parameter in words: `alpha`/`intercept` and `beta[factor]`/factor ids."""
    if name in ("alpha", "intercept"):
        return "Intercept (an average-rated intervention)"
    inner = name.removeprefix("beta[").removesuffix("]")
    return f"Effect of {FACTOR_BY_ID[inner].label.lower()}" if inner in FACTOR_BY_ID else name


def _main_contrast(result: CaseForecast):
    return result.forecast.contrasts.iloc[0] if len(result.forecast.contrasts) else None


def bottom_line(result: CaseForecast) -> str:
    """One sentence: the probability now, under the alternative, the difference, how sure."""
    case, fc = result.case, result.forecast
    row = _main_contrast(result)
    if row is None:
        name = analyst_scenarios(fc)[0]
        p = fc.scenarios.loc[name]
        return (
            f"{scenario_label(case, name)}: a {percent(p.p)} chance of success "
            f"(80% interval {percent_interval(p.p_lo80, p.p_hi80)})."
        )
    a, b = fc.scenarios.loc[row.scenario], fc.scenarios.loc[row.baseline]
    better = row.p_scenario_better
    leader, chance = (row.scenario, better) if better >= 0.5 else (row.baseline, 1 - better)
    return (
        f"{scenario_label(case, row.scenario)}: {percent(a.p)} chance of success; "
        f"{scenario_label(case, row.baseline)}: {percent(b.p)}. The difference is "
        f"{points(row.difference)} (80% interval "
        f"{points_interval(row.difference_lo80, row.difference_hi80)}); the probability "
        f"that '{scenario_label(case, leader)}' does better is {percent(chance)}"
        + (", so the direction itself is uncertain." if chance < 0.8 else ".")
    )


def breakdown(result: CaseForecast) -> dict | None:
    """The main contrast by factor, in points that add up to the difference shown."""
    row = _main_contrast(result)
    if row is None:
        return None
    case, fc = result.case, result.forecast
    shares = fc.breakdown[
        (fc.breakdown.scenario == row.scenario) & (fc.breakdown.baseline == row.baseline)
    ].set_index("factor")["difference"]
    a, b = case.scenarios[row.scenario], case.scenarios[row.baseline]
    rows = []
    for factor in FACTOR_IDS:
        sa, sb = a.factors[factor], b.factors[factor]
        same = sa.rating == sb.rating and sa.sd == sb.sd
        rows.append(
            [
                FACTOR_BY_ID[factor].label,
                "same" if same else f"{state_text(sb)} → {state_text(sa)}",
                "0 pts" if same else points(shares[factor]),
            ]
        )
    # rounded parts may not add to the rounded total; say so rather than fudge a part
    total = points(row.difference)
    parts = sum(round(100 * shares[f]) for f in FACTOR_IDS)
    return {
        "title": f"{scenario_label(case, row.scenario)} vs {scenario_label(case, row.baseline)}",
        "rows": rows,
        "total": total,
        "rounding": "" if parts == round(100 * row.difference) else " (parts rounded)",
    }


def trust_box(result: CaseForecast, extras: ReportExtras) -> list[str]:
    """How far to trust the number, one line each."""
    case = result.case
    lines = []
    outside = [
        (name, row.hull_distance)
        for name, row in result.extrapolation.table.iterrows()
        if row.in_hull is False
    ]
    if outside:
        worst = max(distance for _, distance in outside)
        lines.append(
            f"Range of history: {len(outside)} of {len(case.scenarios)} scenarios lie outside "
            f"the ratings of past interventions (by up to {worst:.1f} rating steps): the "
            "model extrapolates there."
        )
    else:
        lines.append("Range of history: every scenario lies inside the ratings of past cases.")
    row = _main_contrast(result)
    if extras.sensitivity is not None and row is not None:
        under = extras.sensitivity.contrast(row.scenario, row.baseline)
        lines.append(
            f"Prior sensitivity: the main difference is {points(under.min())} to "
            f"{points(under.max())} when every prior is made twice as wide or half as wide "
            f"({points(under.iloc[0])} as elicited)."
        )
    lines.append("Structural sensitivity: one model structure so far (no variants to compare).")
    if extras.track is not None:
        for scheme, label in (("loo", "leave one out"), ("lfo", "leave the future out")):
            if scheme not in extras.track.validations:
                continue
            v = extras.track.validations[scheme]
            c = v.comparisons.loc["base rate"]
            scores = v.scores["brier"]
            noise = "within noise" if abs(c.brier) <= NOISE_SE * c.brier_se else "beyond noise"
            lines.append(
                f"Track record ({label}, {len(v.predictions)} past cases): Brier "
                f"{scores['model']:.3f} against {scores['base rate']:.3f} for the base rate "
                f"(difference {c.brier:+.3f}, paired SE {c.brier_se:.3f}: {noise})."
            )
    check = result.prior_check
    lines.append(
        f"Priors vs record: the priors alone expect {check['share_lo80']:.0%}-"
        f"{check['share_hi80']:.0%} of past interventions to succeed (80%); "
        f"{check['observed_share']:.0%} did"
        + ("." if check["observed_inside_95"] else " — outside their 95% range: they disagree.")
    )
    lines.append(
        "Hindsight: the past cases' ratings were coded blind, from pre-launch briefs, by AI "
        "coders who were not shown the outcomes but may remember them; no human has "
        "double-coded them yet (data/CODEBOOK.md)."
    )
    return lines


def same_states(case: Case) -> list[list[str]]:
    """Scenarios grouped by identical factor states (rating and sd of every factor), in
    the case's order: one headline row per group, so an identical scenario is not
    repeated."""
    groups: list[list[str]] = []
    for name, scenario in case.scenarios.items():
        for group in groups:
            if case.scenarios[group[0]].factors == scenario.factors:
                group.append(name)
                break
        else:
            groups.append([name])
    return groups
