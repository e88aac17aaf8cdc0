"""Text the PDF's fonts cannot show.

The report is typeset with the fonts the `typst` package embeds (Libertinus Serif, New
Computer Modern, DejaVu Sans Mono): Latin, Greek and Cyrillic scripts and common
symbols, but no Chinese, Japanese or Korean characters and no emoji, which come out as
empty boxes. No font on PyPI that covers them is light enough to ship for a rare case,
so such text is accepted with a warning naming the file and key.
"""

from __future__ import annotations

import unicodedata

from forecasting.errors import warning_line
from forecasting.inputs.cases import CURRENT

EXAMPLES = 3  # characters quoted per warning


def uncovered(text: str) -> list[str]:
    """The distinct characters of `text` the embedded fonts lack, in order of appearance:
    wide East Asian characters (CJK ideographs, kana, Hangul, full-width forms) and
    everything outside the Basic Multilingual Plane (emoji, rare scripts)."""
    seen: list[str] = []
    for char in text:
        wide = unicodedata.east_asian_width(char) in ("W", "F")
        if (wide or ord(char) > 0xFFFF) and char not in seen:
            seen.append(char)
    return seen


def unrenderable_text(result) -> list[str]:
    """Warnings (file: key: message) for the case's text that the PDF will not show."""
    case = result.case
    fields = {
        "case.title": case.title,
        "case.host": case.host,
        "case.outcome": case.outcome,
    }
    for name, scenario in case.scenarios.items():
        if name == CURRENT:
            prefix, factors = "factors", tuple(scenario.factors)
        else:
            prefix, factors = f"scenarios.{name}.factors", scenario.overridden
            fields[f"scenarios.{name}"] = name
            fields[f"scenarios.{name}.description"] = scenario.description
        for factor in factors:
            fields[f"{prefix}.{factor}.rationale"] = scenario.factors[factor].rationale
    warnings = []
    for key, text in fields.items():
        chars = uncovered(text)
        if chars:
            quoted = " ".join(chars[:EXAMPLES]) + (" …" if len(chars) > EXAMPLES else "")
            warnings.append(
                warning_line(
                    case.path,
                    key,
                    f"characters the PDF's fonts do not cover ({quoted}) will show as empty "
                    "boxes in the report; write them in Latin script or describe them",
                )
            )
    return warnings
