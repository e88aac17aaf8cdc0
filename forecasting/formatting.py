"""How numbers are shown to people, defined once for the CLI and the report."""

from __future__ import annotations


def percent(p: float) -> str:
    """A probability as a whole percentage: 0.4082 -> '41%'."""
    return f"{100 * p:.0f}%"


def percent_interval(lo: float, hi: float) -> str:
    return f"{100 * lo:.0f}–{100 * hi:.0f}%"


def points(d: float) -> str:
    """A difference of probabilities in percentage points: -0.104 -> '−10 pts'; a
    difference that rounds to zero is '0 pts', never '−0 pts'."""
    return f"{_whole(100 * d)} pts"


def points_interval(lo: float, hi: float) -> str:
    return f"{_whole(100 * lo)} to {_whole(100 * hi)} pts"


def _whole(x: float) -> str:
    rounded = round(x)
    return "0" if rounded == 0 else f"{rounded:+d}".replace("-", "−")


def signed(x: float, digits: int = 2) -> str:
    return f"{x:+.{digits}f}".replace("-", "−")
