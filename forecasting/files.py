"""File helpers shared by every loader: TOML parsing, hashing, atomic writes."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import tomlkit
from tomlkit.exceptions import ParseError

from forecasting.errors import InputError

if TYPE_CHECKING:
    import pandas as pd


def read_toml(path: Path) -> tomlkit.TOMLDocument:
    """Parse a TOML file keeping comments and order; malformed TOML is an InputError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, "", "file not found") from None
    except UnicodeDecodeError:
        raise InputError(path, "", "not a UTF-8 text file") from None
    try:
        return tomlkit.parse(text)
    except ParseError as err:
        raise InputError(path, f"line {err.line}", f"malformed TOML ({err.args[0]})") from None


def read_csv(path: Path, **options) -> pd.DataFrame:
    """Read a CSV a user gave; a missing or unreadable file is an InputError."""
    import pandas as pd

    try:
        return pd.read_csv(path, **options)
    except FileNotFoundError:
        raise InputError(path, "", "file not found") from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as err:
        raise InputError(path, "", f"not a readable CSV ({err})") from None


def require_columns(frame: pd.DataFrame, columns: Iterable[str], path: Path, message: str) -> None:
    """An InputError naming the first missing column (and the others) with `message`."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        also = f" (also: {', '.join(missing[1:])})" if len(missing) > 1 else ""
        raise InputError(path, missing[0], message + also)


def sha256_of_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def sha256_of_path(path: Path) -> str:
    """A file's sha256, or for a folder (pooled forecasters) one over its TOML files."""
    path = Path(path)
    if not path.is_dir():
        return sha256_of_file(path)
    listing = "\n".join(f"{p.name} {sha256_of_file(p)}" for p in sorted(path.glob("*.toml")))
    return sha256_of_text(listing)


def sha256_of_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` so a reader sees either the old file or the whole new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, _mode_for(path))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual ones (umask applied)."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
