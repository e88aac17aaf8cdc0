"""The one error type for bad user input.

Every problem with a file the user gave (priors, case, reference data) is an
`InputError` that names the file and the key, so the CLI can print it on one
line and exit with status 2 without a traceback.
"""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A problem with a user-supplied file: `file: key: what is wrong`."""

    def __init__(self, file: str | Path, key: str, message: str):
        self.file = str(file)
        self.key = key
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}: {self.key}" if self.key else self.file
        return f"{where}: {self.message}"


class InputErrors(InputError):
    """Several problems in one file, reported at once (first one leads the line)."""

    def __init__(self, problems: list[InputError]):
        self.problems = problems
        first = problems[0]
        rest = (
            f" (and {len(problems) - 1} more: "
            + "; ".join(f"{p.key}: {p.message}" for p in problems[1:])
            + ")"
            if len(problems) > 1
            else ""
        )
        super().__init__(first.file, first.key, first.message + rest)
