"""Turn pydantic validation errors into InputErrors that name the file and key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, Field, ValidationError

from forecasting.errors import InputError, InputErrors

# A number in a user's file: an int or a float, finite; never a boolean or a string
# (`rating = true` is not 1, `"2"` is not 2).
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]


def key_of(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


def message_of(error: dict) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind in ("float_type", "int_type") and isinstance(error.get("input"), bool | str):
        value = error["input"]
        shown = str(value).lower() if isinstance(value, bool) else repr(value)
        return f"must be a number, not {shown}"
    if kind == "finite_number":
        return f"must be a finite number, not {error['input']!r}"
    message = error["msg"]
    return message.removeprefix("Value error, ")


def validated[M: BaseModel](model: type[M], data: dict, path: Path, prefix: str = "") -> M:
    """Validate `data` against `model`, raising one InputErrors listing every problem."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        problems = [
            InputError(path, key_of((prefix, *e["loc"]) if prefix else e["loc"]), message_of(e))
            for e in err.errors()
        ]
        raise InputErrors(problems) from None


def raise_if_any(problems: list[InputError]) -> None:
    if problems:
        raise InputErrors(problems)
