"""What `predict` and `report` print: the forecast as JSON for programs, as tables for people."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table


def prediction_json(result) -> dict:
    fc = result.forecast

    def rounded(values: dict) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in values.items()}

    return {
        "case": result.case.id,
        "as_of": result.case.as_of.isoformat(),
        "reliable": result.reliable,
        "scenarios": {name: rounded(row.to_dict()) for name, row in fc.scenarios.iterrows()},
        "contrasts": [rounded(row) for row in fc.contrasts.to_dict(orient="records")],
        "diagnostics": result.convergence.as_dict(),
        "extrapolation": result.extrapolation.as_dict(),
        "reference_cases_used": len(result.split.used),
    }


def prediction_tables(result) -> list:
    from forecasting.formatting import percent, percent_interval, points, points_interval

    fc = result.forecast
    title = escape(f"{result.case.title} — as of {result.case.as_of}")
    scenarios = Table(title=title, title_justify="left")
    columns = ("scenario", "P(success)", "80% interval", "95% interval", "rating doubt (80%)")
    for column in columns:
        scenarios.add_column(column, justify="left" if column == "scenario" else "right")
    for name, row in fc.scenarios.iterrows():
        scenarios.add_row(
            escape(name),
            percent(row.p),
            percent_interval(row.p_lo80, row.p_hi80),
            percent_interval(row.p_lo95, row.p_hi95),
            percent_interval(row.rating_lo80, row.rating_hi80),
        )
    scenarios.caption = (
        "P(success): the predictive probability E[P]. Intervals: uncertainty about the model's "
        "parameters. Rating doubt: how far P moves across the forecaster's own uncertainty "
        "about the factor states."
    )
    scenarios.caption_justify = "left"
    contrasts = Table(title="Contrasts", title_justify="left")
    for column in ("contrast", "difference", "80% interval", "P(first better)"):
        contrasts.add_column(column, justify="left" if column == "contrast" else "right")
    for row in fc.contrasts.itertuples():
        contrasts.add_row(
            escape(f"{row.scenario} − {row.baseline}"),
            points(row.difference),
            points_interval(row.difference_lo80, row.difference_hi80),
            percent(row.p_scenario_better),
        )
    d = result.convergence.as_dict()
    status = "[green]converged[/]" if result.reliable else "[bold red]UNRELIABLE[/]"
    diagnostics = (
        f"Diagnostics: {status}; max R-hat {d['max_r_hat']}, min bulk ESS "
        f"{d['min_ess_bulk']:.0f}, min tail ESS {d['min_ess_tail']:.0f}, "
        f"{d['divergences']} divergences; {len(result.split.used)} reference cases."
    )
    outside = result.extrapolation.outside()
    history = (
        f"[bold yellow]Outside the range of past interventions:[/] {escape(', '.join(outside))} "
        "(see the report's extrapolation section)."
        if outside
        else "Every scenario lies inside the range of past interventions."
    )
    return [scenarios, contrasts, diagnostics, history]
