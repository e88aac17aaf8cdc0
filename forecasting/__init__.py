"""Probabilistic forecasts of whether an international military intervention succeeds.

Library first: `forecasting.pipeline.load_inputs` and `run_forecast` give a
`CaseForecast`; the CLI (`forecast`), the notebooks and the PDF report lay it out.
"""
