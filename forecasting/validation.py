"""Turn pydantic validation errors into InputErrors that name the file and key."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ValidationError

from forecasting.errors import InputError, InputErrors


def key_of(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


def message_of(error: dict) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return "unknown key"
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
