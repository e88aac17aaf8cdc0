"""Defaults defined once: dimension names, interval widths, seeds, sampler
settings, convergence thresholds, and where the shipped inputs live."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

# Named dimensions of the model and its outputs.
CASE_DIM = "case"
FACTOR_DIM = "factor"
SCENARIO_DIM = "scenario"

# Central posterior intervals reported everywhere.
INTERVALS = (0.80, 0.95)

DEFAULT_SEED = 20130111  # the day Operation Serval began
SEED_MAX = 2**32 - 1  # seeds are unsigned 32-bit numbers, for every random generator used


def _check_seed(seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        raise ValueError(f"seed must be an integer in 0..{SEED_MAX}, not {seed!r}")


# Outcomes in the reference class are judged this long after launch (data/CODEBOOK.md);
# a case must be forecast at the same horizon.
OUTCOME_HORIZON_MONTHS = 24

# Coding confidence -> sd of the true rating around the coded one, in rating steps
# (data/CODEBOOK.md, "Per-rating confidence").
CONFIDENCE_SD = {"high": 0.25, "medium": 0.5, "low": 1.0}
# A factor with fewer than two coded reference ratings is centred on the scale's middle
# and a blank rating of it imputed with this sd (otherwise: the class's own spread).
UNKNOWN_RATING_SD = 1.0

# Bumped whenever the model's structure changes, so cached fits are not reused.
MODEL_VERSION = "logit-centred-ratings-3"


@dataclass(frozen=True)
class SamplerSettings:
    draws: int = 1000
    tune: int = 1000
    chains: int = 4
    cores: int = 2
    seed: int = DEFAULT_SEED

    def __post_init__(self) -> None:
        _check_seed(self.seed)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SBCSettings:
    simulations: int = 200
    draws: int = 500  # per chain, before thinning
    tune: int = 500
    chains: int = 2
    thinned_draws: int = 99  # L: ranks run 0..L
    seed: int = DEFAULT_SEED
    family_alpha: float = 0.05  # chance of failing a correct model, over all quantities
    # the P(success) quantity: every factor this many steps from the reference average
    scenario_offset: float = -1.0
    reference_samples: int = 10_000  # uniform samples for the test's null distribution

    def __post_init__(self) -> None:
        _check_seed(self.seed)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ConvergenceThresholds:
    max_r_hat: float = 1.01
    min_ess_bulk: float = 400
    min_ess_tail: float = 400
    max_divergences: int = 0


THRESHOLDS = ConvergenceThresholds()

# Small settings for the notebooks' fast mode and the test suite's session fit: equal
# settings give equal fit keys, so both share one cached fit.
FAST_SAMPLER = SamplerSettings(draws=300, tune=300, chains=4, cores=2, seed=7)

# Every environment variable the package reads, in one place.
PROJECT_ENV = "FORECAST_PROJECT_DIR"  # the folder holding priors/ and data/
CACHE_ENV = "FORECAST_CACHE_DIR"  # where fits are cached
LOG_ENV = "FORECAST_LOG"  # the forecast log's SQLite file
FAST_ENV = "FORECAST_FAST"  # notebooks: small sampler settings (the tests set it)
NOTEBOOK_OUT_ENV = "FORECAST_NOTEBOOK_OUT"  # notebooks: where edited files are saved
EXTERNAL_ENV = "FORECAST_EXTERNAL_DATA"  # scholars' data sets for `forecast data check`


def project_root() -> Path:
    """The project directory holding `priors/` and `data/` (the repository checkout)."""
    env = os.environ.get(PROJECT_ENV)
    return Path(env) if env else Path(__file__).resolve().parent.parent


def default_effect_priors_path() -> Path:
    return project_root() / "priors" / "effects.toml"


def data_dir() -> Path:
    """The project's data folder: reference CSV, facts, briefs, codings, codebook."""
    return project_root() / "data"


def default_reference_path() -> Path:
    return data_dir() / "reference_cases.csv"


def external_data_dir() -> Path:
    """`$FORECAST_EXTERNAL_DATA`, else `../shared/data/external` beside the project: the
    scholars' data sets `forecast data check` reads at run time (never copied in)."""
    env = os.environ.get(EXTERNAL_ENV)
    return Path(env) if env else project_root().parent / "shared" / "data" / "external"


def cases_dir() -> Path:
    return project_root() / "priors" / "cases"


def reports_dir() -> Path:
    return project_root() / "reports"


def fit_cache_dir() -> Path:
    """`$FORECAST_CACHE_DIR`, else the per-user cache folder."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("mission-forecasting")) / "fits"


def forecast_log_path(path: str | Path | None = None) -> Path:
    """`path`, else `$FORECAST_LOG`, else reports/forecast-log.sqlite."""
    if path is not None:
        return Path(path)
    env = os.environ.get(LOG_ENV)
    return Path(env) if env else reports_dir() / "forecast-log.sqlite"


def fast_mode() -> bool:
    """True when `FORECAST_FAST` is set to anything but empty or 0."""
    return os.environ.get(FAST_ENV, "").strip() not in ("", "0")


def notebook_out_dir() -> Path | None:
    """`$FORECAST_NOTEBOOK_OUT`, if set."""
    folder = os.environ.get(NOTEBOOK_OUT_ENV)
    return Path(folder) if folder else None
