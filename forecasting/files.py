"""File helpers shared by every loader and writer: reading TOML and CSV (every problem
an InputError naming the file), hashing, and the output layer: atomic writes and the
writability check the CLI runs before any work."""

from __future__ import annotations

import csv
import errno
import hashlib
import os
import re
import stat
import tempfile
import time
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import tomlkit
from tomlkit.exceptions import KeyAlreadyPresent, ParseError, TOMLKitError

from forecasting.errors import InputError, OutputError

if TYPE_CHECKING:
    import pandas as pd


BOM = "\ufeff"


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """A user's text file; missing, a folder, unreadable or not text is an InputError."""
    path = Path(path)
    try:
        return path.read_text(encoding=encoding)
    except FileNotFoundError:
        raise InputError(path, "", "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "", "is a folder, not a file") from None
    except UnicodeDecodeError:
        raise InputError(path, "", "not a UTF-8 text file") from None
    except OSError as error:
        raise InputError(path, "", f"cannot read the file ({error.strerror})") from None


def read_toml(path: Path) -> tomlkit.TOMLDocument:
    """Parse a TOML file keeping comments and order; malformed TOML is an InputError.

    A UTF-8 byte-order mark is dropped. A duplicate key or table is malformed TOML:
    tomlkit misses some duplicates, so the text is also checked by the standard
    library's strict parser.
    """
    path = Path(path)
    text = read_text(path).removeprefix(BOM)
    try:
        document = tomlkit.parse(text)
    except ParseError as err:
        raise InputError(path, f"line {err.line}", f"malformed TOML ({err.args[0]})") from None
    except TOMLKitError as err:  # KeyAlreadyPresent and kin carry no line: ask tomllib
        line, _ = _strict_error(text) or ("", "")
        kind = "duplicate key: " if isinstance(err, KeyAlreadyPresent) else ""
        raise InputError(path, line, f"malformed TOML ({kind}{err})") from None
    strict = _strict_error(text)
    if strict:
        raise InputError(path, strict[0], f"malformed TOML ({strict[1]})")
    return document


def _strict_error(text: str) -> tuple[str, str] | None:
    """(`line N`, message) of the first error the standard library's parser finds."""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        found = re.search(r"\s*\(at line (\d+), column \d+\)$", str(err))
        if not found:
            return "", str(err)
        return f"line {found.group(1)}", str(err)[: found.start()]
    return None


def read_csv(path: Path, **options) -> pd.DataFrame:
    """Read a CSV a user gave; a missing, unreadable or ragged file is an InputError.

    Every row must have as many fields as the header: pandas would otherwise shift a
    longer row into the index or drop the extra fields.
    """
    import pandas as pd

    path = Path(path)
    encoding = options.setdefault("encoding", "utf-8-sig")  # a BOM is not part of a name
    _check_fields(path, encoding)
    try:
        return pd.read_csv(path, **options)
    except FileNotFoundError:
        raise InputError(path, "", "file not found") from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as err:
        raise InputError(path, "", f"not a readable CSV ({err})") from None
    except OSError as error:
        raise InputError(path, "", f"cannot read the file ({error.strerror})") from None


def _check_fields(path: Path, encoding: str) -> None:
    """Every row has the header's number of fields (or the CSV is refused, naming the line)."""
    try:
        with open(path, newline="", encoding=encoding) as handle:
            rows = csv.reader(handle)
            header = next(rows, None)
            if header is None:
                return  # pandas reports an empty file
            if len(header) == 1 and ";" in header[0]:
                raise InputError(
                    path,
                    "line 1",
                    "the columns are separated by ';': the format is comma-separated",
                )
            for row in rows:
                if row and len(row) != len(header):
                    raise InputError(
                        path,
                        f"line {rows.line_num}",
                        f"{len(row)} fields where the header has {len(header)}",
                    )
    except FileNotFoundError:
        raise InputError(path, "", "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "", "is a folder, not a file") from None
    except UnicodeDecodeError:
        raise InputError(path, "", "not a UTF-8 text file") from None
    except csv.Error as err:
        raise InputError(path, "", f"not a readable CSV ({err})") from None
    except OSError as error:
        raise InputError(path, "", f"cannot read the file ({error.strerror})") from None


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


# -- the output layer: check before the work, write atomically after it -------------------

TEMP_PREFIX = "."
TEMP_SUFFIX = ".tmp"
STALE_TEMP_S = 3600  # a temp file this old was left by a killed writer
MIN_FREE_BYTES = 1 << 20


def check_writable(path: Path, *, folder: bool = False) -> None:
    """Raise OutputError unless `path` can be written: a file (replaced atomically), or with
    `folder=True` a folder to write files into. Missing folders must be creatable.

    Run before any long work. Permission is read from the mode bits as well as asked of the
    system, since root's access check passes even on a 0444 file; read-only mounts,
    immutable files and a full disk are caught too.
    """
    path = Path(path)
    if folder:
        directory = path
        if path.exists() and not path.is_dir():
            raise OutputError(path, "", "is a file, not a folder")
    else:
        directory = path.parent
        if path.is_dir():
            raise OutputError(path, "", "is a folder, not a file")
        if path.exists():
            _require_write_permission(path)
    existing = directory
    while not existing.exists():
        if existing.is_symlink():
            raise OutputError(existing, "", "is a broken symbolic link")
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(existing, "", "is a file, not a folder")
    _require_write_permission(existing)
    try:
        free = os.statvfs(existing)
    except OSError:
        return
    if free.f_bavail * free.f_frsize < MIN_FREE_BYTES:
        raise OutputError(existing, "", "no space left on the disk")


def _require_write_permission(path: Path) -> None:
    kind = "folder" if path.is_dir() else "file"
    mode = path.stat().st_mode
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise OutputError(
            path,
            "",
            f"the {kind} is write-protected (mode {stat.filemode(mode)}); not replacing it",
        )
    need = os.W_OK | (os.X_OK if kind == "folder" else 0)
    if not os.access(path, need):
        reason = "read-only file system" if _read_only_mount(path) else "permission denied"
        raise OutputError(path, "", f"cannot write to this {kind} ({reason})")


def _read_only_mount(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` so a reader sees either the old file or the whole new one.

    A write-protected target is refused (OutputError), as `check_writable` does.
    The data goes to a temp file in the same folder, then `os.replace`. On failure the
    temp file is removed and the old file is left as it was; an OSError (full disk,
    read-only, no permission) becomes an OutputError naming `path`. Temp files a killed
    writer left behind (older than an hour) are removed.
    """
    path = Path(path)
    if path.is_file():
        _require_write_permission(path)  # os.replace alone would ignore a 0444 target
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(path)
        fd, tmp = tempfile.mkstemp(
            dir=path.parent, prefix=f"{TEMP_PREFIX}{path.name}.", suffix=TEMP_SUFFIX
        )
    except OSError as error:
        raise _output_error(path, error) from None
    try:
        os.chmod(tmp, _mode_for(path))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as error:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _output_error(path, error) from None
        raise


def _output_error(path: Path, error: OSError) -> OutputError:
    if error.errno == errno.ENOSPC:
        reason = "no space left on the disk"
    elif error.errno == errno.EROFS:
        reason = "read-only file system"
    elif error.errno == errno.EISDIR or path.is_dir():
        reason = "is a folder, not a file"
    else:
        reason = error.strerror or str(error)
    return OutputError(path, "", f"cannot write the file ({reason}); nothing was changed")


def _remove_stale_temps(path: Path) -> None:
    cutoff = time.time() - STALE_TEMP_S
    for temp in path.parent.glob(f"{TEMP_PREFIX}{_glob_escape(path.name)}.*{TEMP_SUFFIX}"):
        try:
            if temp.is_file() and temp.stat().st_mtime < cutoff:
                temp.unlink()
        except OSError:
            pass


def _glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual ones (umask applied)."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
