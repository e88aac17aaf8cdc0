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
        return one_line(self.file, self.key, self.message)


class OutputError(InputError, OSError):
    """A destination that cannot be written (read-only, write-protected, a folder, a full
    disk): reported like bad input, one line naming the file, exit status 2. It is also an
    OSError, so code that caught a failed write before still does."""


def one_line(file: str | Path, key: str, message: str) -> str:
    """`file: key: message` on one line, for errors and warnings alike.

    Control characters in a file name or key (a newline in a case id, say) are shown
    escaped (`\\n`); runs of whitespace in the message (a parser's trailing newline)
    become one space.
    """
    where = f"{file}: {key}" if key else str(file)
    return f"{_visible(where)}: {' '.join(str(message).split())}"


def warning_line(file: str | Path, key: str, message: str) -> str:
    """A warning in the errors' format: `file: key: message`, on one line."""
    return one_line(file, key, message)


def _visible(text: str) -> str:
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


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
