"""Several forecasters' effect priors, combined into one.

Each forecaster's priors live in `priors/forecasters/<name>.toml`: exactly the
format of `priors/effects.toml` (validated the same way, statements checked)
plus a top-level table

    [forecaster]
    name = "sahel-analyst"
    weight = 1.0            # > 0; weights are normalised over the forecasters

Two ways to combine them, both usable wherever `EffectPriors` is (the model
reads `components()`, the fit cache hashes them, reports read `parameters()`):

- `linear_pool`: the linear opinion pool. Each parameter's prior is the
  weighted mixture of the forecasters' Normals (one component each), so the
  pool keeps every forecaster's view, including disagreement (several modes).
- `fitted_pool`: one Normal per parameter with the mixture's mean and sd.
  Of all Normals, this one is closest to the pool in Kullback-Leibler
  divergence KL(pool || Normal) (moment matching is the M-projection onto the
  Normal family), so it keeps the pool's centre and its whole spread,
  disagreement included, but not its shape: a two-humped pool becomes one
  wide hump. Fitting quantiles instead (PreliZ `quartile`) would ignore the
  tails the forecasters put there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import tomlkit
from pydantic import BaseModel, ConfigDict, Field

from forecasting.errors import InputError, InputErrors
from forecasting.files import read_toml
from forecasting.priors.effects import (
    PARAMETERS,
    EffectPriors,
    PriorComponents,
    parse_effect_priors,
)
from forecasting.settings import project_root
from forecasting.validation import Number, raise_if_any, validated

FORECASTER_TABLE = "forecaster"


def default_forecasters_dir() -> Path:
    return project_root() / "priors" / "forecasters"


class _ForecasterHeader(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    weight: Annotated[Number, Field(gt=0)]


@dataclass(frozen=True)
class Forecaster:
    name: str
    weight: float
    priors: EffectPriors
    path: Path


def load_forecaster(path: Path) -> Forecaster:
    """One forecaster file; every problem in it is reported at once (file, key, message)."""
    path = Path(path)
    document = read_toml(path)
    problems: list[InputError] = []
    header = None
    if FORECASTER_TABLE not in document:
        problems.append(InputError(path, FORECASTER_TABLE, "required table is missing"))
    else:
        try:
            raw = document[FORECASTER_TABLE]
            data = raw.unwrap() if hasattr(raw, "unwrap") else raw
            if not isinstance(data, dict):
                raise InputError(path, FORECASTER_TABLE, "must be a table (name, weight)")
            header = validated(_ForecasterHeader, data, path, prefix=FORECASTER_TABLE)
        except InputErrors as err:
            problems += err.problems
        except InputError as err:
            problems.append(err)

    effects = tomlkit.parse(tomlkit.dumps(document))  # a copy: the caller's document is kept
    effects.pop(FORECASTER_TABLE, None)
    priors = None
    try:
        priors = parse_effect_priors(effects, path)
    except InputErrors as err:
        problems += err.problems
    except InputError as err:
        problems.append(err)
    raise_if_any(problems)
    return Forecaster(header.name, header.weight, priors, path)


def load_forecasters(folder: Path | None = None) -> list[Forecaster]:
    """Every `*.toml` in `folder` (default `priors/forecasters/`), in file-name order."""
    folder = Path(folder) if folder else default_forecasters_dir()
    if not folder.is_dir():
        raise InputError(folder, "", "no such folder of forecaster priors")
    paths = sorted(folder.glob("*.toml"))
    if not paths:
        raise InputError(folder, "", "no forecaster files (*.toml) in this folder")
    forecasters = [load_forecaster(p) for p in paths]
    seen: dict[str, Path] = {}
    for f in forecasters:
        if f.name in seen:
            raise InputError(
                f.path, f"{FORECASTER_TABLE}.name", f"'{f.name}' is also the name in {seen[f.name]}"
            )
        seen[f.name] = f.path
    return forecasters


@dataclass(frozen=True)
class PooledPriors:
    """Effect priors pooled from several forecasters; used where `EffectPriors` is."""

    method: Literal["linear_pool", "fitted_pool"]
    forecasters: tuple[Forecaster, ...]
    pooled: PriorComponents
    path: Path  # the folder the forecasters came from
    sources: tuple[Path, ...]  # their files

    def components(self) -> PriorComponents:
        return self.pooled

    def parameters(self) -> dict[str, tuple[float, float]]:
        """Mean and sd of each parameter's pooled prior (like `EffectPriors.parameters()`)."""
        return self.pooled.moments()

    @property
    def weights(self) -> dict[str, float]:
        """Each forecaster's normalised weight."""
        w = _normalised_weights(self.forecasters)
        return {f.name: float(x) for f, x in zip(self.forecasters, w, strict=True)}


def _normalised_weights(forecasters: tuple[Forecaster, ...] | list[Forecaster]) -> np.ndarray:
    w = np.array([f.weight for f in forecasters], dtype=float)
    return w / w.sum()


def _folder(forecasters: list[Forecaster]) -> Path:
    parents = {f.path.parent for f in forecasters}
    return parents.pop() if len(parents) == 1 else Path(".")


def linear_pool(forecasters: list[Forecaster]) -> PooledPriors:
    """The linear opinion pool: per parameter, the weighted mixture of the forecasters' Normals."""
    if not forecasters:
        raise ValueError("pooling needs at least one forecaster")
    each = [f.priors.components() for f in forecasters]  # one component per forecaster
    mu = np.concatenate([c.mu for c in each], axis=1)
    sigma = np.concatenate([c.sigma for c in each], axis=1)
    weight = np.tile(_normalised_weights(forecasters), (len(PARAMETERS), 1))
    return PooledPriors(
        method="linear_pool",
        forecasters=tuple(forecasters),
        pooled=PriorComponents(mu, sigma, weight),
        path=_folder(forecasters),
        sources=tuple(f.path for f in forecasters),
    )


def fitted_pool(forecasters: list[Forecaster]) -> PooledPriors:
    """One Normal per parameter with the linear pool's mean and sd (see the module docstring)."""
    pool = linear_pool(forecasters)
    moments = pool.parameters()
    mu, sigma = np.array([moments[name] for name in PARAMETERS]).T
    single = PriorComponents(mu[:, None], sigma[:, None], np.ones((len(PARAMETERS), 1)))
    return PooledPriors(
        method="fitted_pool",
        forecasters=pool.forecasters,
        pooled=single,
        path=pool.path,
        sources=pool.sources,
    )


def mixture_quantiles(components: PriorComponents, name: str, q: np.ndarray) -> np.ndarray:
    """Quantiles of parameter `name`'s prior (a Normal mixture), by root-finding its cdf."""
    from scipy.optimize import brentq
    from scipy.stats import norm

    i = PARAMETERS.index(name)
    mu, sigma, weight = components.mu[i], components.sigma[i], components.weight[i]

    def cdf(x: float) -> float:
        return float((weight * norm.cdf(x, mu, sigma)).sum())

    lo, hi = float((mu - 10 * sigma).min()), float((mu + 10 * sigma).max())
    probabilities = np.atleast_1d(q)
    return np.array([brentq(lambda x, p=p: cdf(x) - p, lo, hi, xtol=1e-10) for p in probabilities])
