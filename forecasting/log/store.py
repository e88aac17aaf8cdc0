"""The forecast log: every recorded forecast and its resolution (the SQLite store).

Forecast log
------------
**Where.** One SQLite file (standard library `sqlite3`), by default
`reports/forecast-log.sqlite` under the project root; the environment variable
`FORECAST_LOG` names another file. Every function also takes `path=`.

**Format.** `PRAGMA user_version` holds the schema version (1); the `meta`
table says what the file is. Two tables, both append-only (SQLite triggers
refuse UPDATE and DELETE, so no row is ever rewritten in place):

- `entries` — one row per recorded forecast: `id` (increasing), `recorded_at`
  (UTC, ISO 8601), `case_id`, `as_of`, `scenarios` (JSON: scenario ->
  `p` (the predictive probability E[P]), `p_median`, `p_lo80`, `p_hi80`, `p_lo95`,
  `p_hi95`, `rating_lo80`, `rating_hi80`, in the case's order),
  `data_sha256`, `priors_sha256`, `case_sha256`, `package_version`,
  `model_version`, `git_commit`, `fit_key`, `seed`, `sampler`, `reliable`
  (0/1), `note`.
- `resolutions` — one row per recorded outcome: `id`, `recorded_at`,
  `case_id`, `outcome` (0 failed / 1 succeeded), `resolved_on`. Resolving a
  case again appends a correction; the latest row is the one that counts.

The file uses WAL journaling, a busy timeout and one transaction per write, so
two processes can record at the same time.

**Commands** (`forecast log ...`, every one with `--help`):
`record CASE [--note TEXT] [--seed/--draws/--tune/--priors/--data]` runs the
forecast and appends it; `show CASE [--format table|json]` lists the case's
history; `resolve CASE --outcome 0|1 --date YYYY-MM-DD` records what happened;
`score [--format table|json]` prints Brier and log scores.

**Headline scenario.** A case resolves once, so each entry is scored on one
number: the `current` scenario's `p`, the predictive probability E[P] (entries
logged before version 0.2 hold only `p_median`, which is used for them). `current` is the case's own
factor states at `as_of` — what actually goes ahead; the named scenarios are
counterfactuals ("as planned", "accelerated") whose outcome is never observed.
(The report's `forecasts.analyst_scenarios()` picks the scenarios an analyst reads first;
that is a display choice, not this one.)

**Scores** of resolved forecasts are in `forecasting.log.scores`; how a case's
forecast moved between two entries in `forecasting.log.movement`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from forecasting.errors import InputError
from forecasting.inputs.cases import CURRENT
from forecasting.settings import forecast_log_path

SCORED_SCENARIO = CURRENT
SCHEMA_VERSION = 1
LOG_FORMAT = "mission-forecasting forecast log"
BUSY_TIMEOUT_S = 30.0

# The inputs whose change movement() reports: label -> Entry attribute.
TRACKED_INPUTS = {
    "data": "data_sha256",
    "priors": "priors_sha256",
    "case": "case_sha256",
    "package version": "package_version",
    "model version": "model_version",
    "sampler settings": "sampler_settings",
}

_TABLES = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recorded_at TEXT NOT NULL,
        case_id TEXT NOT NULL,
        as_of TEXT NOT NULL,
        scenarios TEXT NOT NULL,
        data_sha256 TEXT NOT NULL,
        priors_sha256 TEXT NOT NULL,
        case_sha256 TEXT NOT NULL,
        package_version TEXT NOT NULL,
        model_version TEXT NOT NULL,
        git_commit TEXT,
        fit_key TEXT NOT NULL,
        seed INTEGER,
        sampler TEXT NOT NULL,
        reliable INTEGER NOT NULL CHECK (reliable IN (0, 1)),
        note TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS entries_by_case ON entries (case_id, id)",
    """CREATE TABLE IF NOT EXISTS resolutions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recorded_at TEXT NOT NULL,
        case_id TEXT NOT NULL,
        outcome INTEGER NOT NULL CHECK (outcome IN (0, 1)),
        resolved_on TEXT NOT NULL
    )""",
    f"INSERT OR IGNORE INTO meta (key, value) VALUES ('format', '{LOG_FORMAT}')",
)
# Append-only is enforced by the database itself, not just by this module's habits.
_TRIGGERS = tuple(
    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb} BEFORE {verb.upper()} ON {table} "
    "BEGIN SELECT RAISE(ABORT, 'the forecast log is append-only'); END"
    for table in ("entries", "resolutions")
    for verb in ("update", "delete")
)


def scenario_p(numbers: dict[str, float]) -> float:
    """A logged scenario's P(success): E[P], or the median an entry from before 0.2 holds."""
    return numbers["p"] if "p" in numbers else numbers.get("p_median", math.nan)


@dataclass(frozen=True)
class Entry:
    """One logged forecast. `id` and `recorded_at` are set when it is recorded."""

    case_id: str
    as_of: dt.date
    scenarios: dict[str, dict[str, float]]  # scenario -> p, p_median, p_lo80, ..., p_hi95
    data_sha256: str
    priors_sha256: str
    case_sha256: str
    package_version: str
    fit_key: str
    reliable: bool
    note: str = ""
    model_version: str = ""
    git_commit: str | None = None
    seed: int | None = None
    sampler: str = ""
    id: int | None = None
    recorded_at: dt.datetime | None = None

    @property
    def scored_p(self) -> float:
        """The scored probability: the `current` scenario's predictive probability E[P]."""
        return scenario_p(self.scenarios[SCORED_SCENARIO])

    @property
    def sampler_settings(self) -> str:
        return f"seed {self.seed}; {self.sampler}"

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "recorded_at": self.recorded_at.isoformat() if self.recorded_at else None,
            "case_id": self.case_id,
            "as_of": self.as_of.isoformat(),
            "scenarios": self.scenarios,
            "data_sha256": self.data_sha256,
            "priors_sha256": self.priors_sha256,
            "case_sha256": self.case_sha256,
            "package_version": self.package_version,
            "model_version": self.model_version,
            "git_commit": self.git_commit,
            "fit_key": self.fit_key,
            "seed": self.seed,
            "sampler": self.sampler,
            "reliable": self.reliable,
            "note": self.note,
        }


@dataclass(frozen=True)
class Resolution:
    id: int
    recorded_at: dt.datetime
    case_id: str
    outcome: int
    resolved_on: dt.date

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "recorded_at": self.recorded_at.isoformat(),
            "case_id": self.case_id,
            "outcome": self.outcome,
            "resolved_on": self.resolved_on.isoformat(),
        }


# -- where the log lives, and opening it -------------------------------------------------


def log_path(path: str | Path | None = None) -> Path:
    """`path`, else $FORECAST_LOG, else reports/forecast-log.sqlite."""
    return forecast_log_path(path)


def check_log(path: str | Path | None = None, *, writing: bool = False) -> Path:
    """The log's path, once it is known to be usable; else an InputError naming the file.

    An existing file must be a forecast log (or an empty SQLite file) that passes SQLite's
    quick integrity check; a file that is not is refused without a byte written to it
    (no WAL switch, no schema). With `writing`, the file and its folder must also be
    writable (checked on the mode bits too: root passes every access check). The CLI
    runs this before a forecast, so a bad log fails in seconds, not after the fit.
    """
    file = log_path(path)
    if file.is_dir():
        raise InputError(file, "", "is a folder, not a forecast log file")
    if writing:
        from forecasting.files import check_writable

        check_writable(file)
        check_writable(file.parent, folder=True)  # WAL keeps -wal and -shm files beside it
    if file.exists():
        with closing(sqlite3.connect(file, timeout=BUSY_TIMEOUT_S, isolation_level=None)) as conn:
            _check_identity(conn, file)
    return file


def _check_identity(conn: sqlite3.Connection, path: Path) -> None:
    """Read-only checks: an SQLite file, ours (or empty), not newer, not damaged."""
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        ours = tables <= {"meta", "entries", "resolutions", "sqlite_sequence"}
        if version == SCHEMA_VERSION:  # a log says what it is in `meta`
            row = (
                conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
                if "meta" in tables
                else None
            )
            ours = ours and row is not None and row[0] == LOG_FORMAT
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:  # not SQLite, damaged, or locked for too long
        raise InputError(path, "", f"cannot use this file as the forecast log ({error})") from None
    _refuse_newer_schema(version, path)
    if not ours:
        raise InputError(path, "", "an SQLite file that is not a forecast log")
    if check != "ok":
        raise InputError(path, "", f"the forecast log is damaged (SQLite integrity check: {check})")


@contextmanager
def _connection(path: Path) -> Iterator[sqlite3.Connection]:
    """An open, schema-checked connection; transactions are explicit (BEGIN IMMEDIATE).

    Any SQLite failure while it is in use (a damaged page, a full disk) becomes one
    InputError naming the file.
    """
    if path.is_dir():
        raise InputError(path, "", "is a folder, not a forecast log file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(path, "", f"cannot create the forecast log's folder ({error})") from None
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as error:
        raise InputError(path, "", f"cannot open the forecast log ({error})") from None
    with closing(conn):
        _check_identity(conn, path)  # before anything is written to the file
        try:
            # WAL lets readers and a writer work at once; FULL makes each commit durable.
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            _ensure_schema(conn, path)
        except sqlite3.DatabaseError as error:  # unreadable, or locked for too long
            raise InputError(
                path, "", f"cannot use this file as the forecast log ({error})"
            ) from None
        try:
            yield conn
        except sqlite3.DatabaseError as error:  # damaged page, full disk, ...
            raise InputError(path, "", f"the forecast log failed ({error})") from None


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction; IMMEDIATE takes the write lock up front, so writers queue."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _refuse_newer_schema(version: int, path: Path) -> None:
    if version > SCHEMA_VERSION:
        raise InputError(
            path,
            "user_version",
            f"schema version {version} is newer than this package reads ({SCHEMA_VERSION}); "
            "upgrade mission-forecasting",
        )


def _ensure_schema(conn: sqlite3.Connection, path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return
    _refuse_newer_schema(version, path)
    with _transaction(conn):
        # Another process may have created it while we waited for the lock.
        if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables - {"meta", "entries", "resolutions", "sqlite_sequence"}:
            raise InputError(path, "", "an SQLite file that is not a forecast log")
        for statement in (*_TABLES, *_TRIGGERS):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _read(path: str | Path | None, query: str, args: tuple = ()) -> list[sqlite3.Row]:
    """Rows of a query, or none if the log does not exist yet (reading never creates it)."""
    file = log_path(path)
    if not file.exists():
        return []
    with _connection(file) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(query, args).fetchall()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


# -- entries ----------------------------------------------------------------------------


def entry_from_forecast(result, note: str = "") -> Entry:
    """The log entry of a `forecasting.pipeline.CaseForecast`."""
    prov = result.provenance
    return Entry(
        case_id=result.case.id,
        as_of=result.case.as_of,
        scenarios={
            name: {k: float(v) for k, v in row.items()}
            for name, row in result.forecast.scenarios.iterrows()
        },
        data_sha256=prov["data_sha256"],
        priors_sha256=prov["priors_sha256"],
        case_sha256=prov["case_sha256"],
        package_version=prov["package_version"],
        fit_key=prov["fit_key"],
        reliable=bool(result.reliable),
        note=note,
        model_version=prov["model_version"],
        git_commit=prov["git_commit"],
        seed=prov["seed"],
        sampler=prov["sampler"],
    )


def record(entry: Entry, path: str | Path | None = None) -> int:
    """Append `entry` (stamped with the current UTC time) and return its id."""
    if SCORED_SCENARIO not in entry.scenarios:
        raise ValueError(f"an entry needs the '{SCORED_SCENARIO}' scenario, the one that is scored")
    file = log_path(path)
    row = entry.as_dict() | {
        "recorded_at": (entry.recorded_at or _now()).isoformat(),
        "scenarios": json.dumps(entry.scenarios),
        "reliable": int(entry.reliable),
    }
    del row["id"]
    columns = ", ".join(row)
    marks = ", ".join(f":{k}" for k in row)
    with _connection(file) as conn, _transaction(conn):
        cursor = conn.execute(f"INSERT INTO entries ({columns}) VALUES ({marks})", row)
        return int(cursor.lastrowid)


def record_forecast(result, note: str = "", path: str | Path | None = None) -> Entry:
    """Append a `CaseForecast` to the log and return the stored entry (with id and time)."""
    entry = entry_from_forecast(result, note)
    return get(record(entry, path), path)


def _entry(row: sqlite3.Row) -> Entry:
    data = dict(row)
    return Entry(
        **data
        | {
            "as_of": dt.date.fromisoformat(data["as_of"]),
            "recorded_at": dt.datetime.fromisoformat(data["recorded_at"]),
            "scenarios": json.loads(data["scenarios"]),
            "reliable": bool(data["reliable"]),
        }
    )


def get(entry_id: int, path: str | Path | None = None) -> Entry:
    rows = _read(path, "SELECT * FROM entries WHERE id = ?", (entry_id,))
    if not rows:
        raise InputError(log_path(path), "id", f"no entry {entry_id} in the forecast log")
    return _entry(rows[0])


def history(case_id: str, path: str | Path | None = None) -> list[Entry]:
    """Every logged forecast of `case_id`, oldest first."""
    rows = _read(path, "SELECT * FROM entries WHERE case_id = ? ORDER BY id", (case_id,))
    return [_entry(r) for r in rows]


def latest(case_id: str, path: str | Path | None = None) -> Entry | None:
    rows = _read(
        path, "SELECT * FROM entries WHERE case_id = ? ORDER BY id DESC LIMIT 1", (case_id,)
    )
    return _entry(rows[0]) if rows else None


def previous(case_id: str, before_id: int, path: str | Path | None = None) -> Entry | None:
    """The last entry of `case_id` logged before entry `before_id`, if any."""
    rows = _read(
        path,
        "SELECT * FROM entries WHERE case_id = ? AND id < ? ORDER BY id DESC LIMIT 1",
        (case_id, before_id),
    )
    return _entry(rows[0]) if rows else None


def logged_cases(path: str | Path | None = None) -> list[str]:
    return [r[0] for r in _read(path, "SELECT DISTINCT case_id FROM entries ORDER BY case_id")]


def require_logged(case_id: str, path: str | Path | None = None) -> None:
    """An InputError unless `case_id` has at least one logged forecast."""
    cases = logged_cases(path)
    if case_id not in cases:
        known = ", ".join(cases) or "none yet"
        raise InputError(
            log_path(path),
            "case_id",
            f"no forecast of '{case_id}' in the log (cases logged: {known}); "
            "record one first with `forecast log record CASE`",
        )


# -- resolutions and scores -------------------------------------------------------------


def resolve(
    case_id: str, outcome: int, resolved_on: dt.date, path: str | Path | None = None
) -> Resolution:
    """Record what happened to `case_id` (1 succeeded, 0 failed); a later call corrects it."""
    file = log_path(path)
    if isinstance(outcome, bool) or outcome not in (0, 1):
        raise InputError(file, "outcome", f"must be 0 (failed) or 1 (succeeded), got {outcome!r}")
    if not isinstance(resolved_on, dt.date) or isinstance(resolved_on, dt.datetime):
        raise InputError(file, "resolved_on", f"must be a date, got {resolved_on!r}")
    require_logged(case_id, path)
    earliest = min(e.as_of for e in history(case_id, path))
    if resolved_on <= earliest:
        raise InputError(
            file,
            "resolved_on",
            f"{resolved_on} is not after the as_of date of any forecast of '{case_id}' "
            f"(earliest {earliest}), so none could be scored",
        )
    stamp = _now()
    with _connection(file) as conn, _transaction(conn):
        cursor = conn.execute(
            "INSERT INTO resolutions (recorded_at, case_id, outcome, resolved_on) "
            "VALUES (?, ?, ?, ?)",
            (stamp.isoformat(), case_id, int(outcome), resolved_on.isoformat()),
        )
        return Resolution(int(cursor.lastrowid), stamp, case_id, int(outcome), resolved_on)


def resolutions(path: str | Path | None = None) -> dict[str, Resolution]:
    """Each resolved case's latest resolution (a later row corrects an earlier one)."""
    rows = _read(path, "SELECT * FROM resolutions ORDER BY id")
    out: dict[str, Resolution] = {}
    for r in rows:
        out[r["case_id"]] = Resolution(
            r["id"],
            dt.datetime.fromisoformat(r["recorded_at"]),
            r["case_id"],
            r["outcome"],
            dt.date.fromisoformat(r["resolved_on"]),
        )
    return out
