"""How numbers are shown to people, defined once for the CLI and the report."""

from __future__ import annotations


def percent(p: float) -> str:
    """A probability as a whole percentage: 0.4082 -> '41%'."""
    return f"{100 * p:.0f}%"


def percent_interval(lo: float, hi: float) -> str:
    return f"{100 * lo:.0f}–{100 * hi:.0f}%"


def points(d: float) -> str:
    """A difference of probabilities in percentage points: -0.104 -> '-10 pts'."""
    return f"{100 * d:+.0f} pts".replace("-", "−")


def points_interval(lo: float, hi: float) -> str:
    return f"{100 * lo:+.0f} to {100 * hi:+.0f} pts".replace("-", "−")


def signed(x: float, digits: int = 2) -> str:
    return f"{x:+.{digits}f}".replace("-", "−")
