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


# Coding confidence -> sd of the true rating around the coded one, in rating steps
# (data/CODEBOOK.md, "Per-rating confidence").
CONFIDENCE_SD = {"high": 0.25, "medium": 0.5, "low": 1.0}
# A rating left blank is latent: centred on "typical" (3) with this sd.
UNKNOWN_RATING_SD = 1.0

# Bumped whenever the model's structure changes, so cached fits are not reused.
MODEL_VERSION = "logit-integrated-ratings-2"


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
    scenario_rating: float = 2.0  # every factor's rating in the P(success) scenario
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


def project_root() -> Path:
    """The project directory holding `priors/` and `data/` (the repository checkout)."""
    env = os.environ.get("FORECAST_PROJECT_DIR")
    return Path(env) if env else Path(__file__).resolve().parent.parent


def default_effect_priors_path() -> Path:
    return project_root() / "priors" / "effects.toml"


def default_reference_path() -> Path:
    return project_root() / "data" / "reference_cases.csv"


def cases_dir() -> Path:
    return project_root() / "priors" / "cases"


def reports_dir() -> Path:
    return project_root() / "reports"
