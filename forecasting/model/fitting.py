"""Fit the model with NUTS, cached by a content hash of everything the fit depends on.

The cache key covers the model version, the reference cases used (after the
as-of filter), the prior parameters and the sampler settings. A fit is stored
as one NumPy `.npz` file named by that key, in a per-user cache folder
(`FORECAST_CACHE_DIR` overrides it); a changed input gives a new key, so a
stale fit is never reused.
"""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from forecasting.errors import OutputError, warning_line
from forecasting.factors import FACTOR_IDS
from forecasting.files import atomic_write_bytes, sha256_of_text
from forecasting.model.diagnostics import with_diagnostics
from forecasting.model.logit import ModelInputs, build_model, model_data
from forecasting.priors.effects import EffectPriors
from forecasting.settings import FACTOR_DIM, MODEL_VERSION, SamplerSettings, fit_cache_dir

# What a fit keeps: enough for forecasts, diagnostics and checks on the reference cases.
KEPT_POSTERIOR = ("alpha", "beta")


@dataclass(frozen=True)
class Fit:
    posterior: xr.DataTree
    key: str
    from_cache: bool
    settings: SamplerSettings
    warnings: tuple[str, ...] = ()  # e.g. the fit could not be cached


def fit_key(inputs: ModelInputs, priors: EffectPriors, settings: SamplerSettings) -> str:
    content = {
        "model_version": MODEL_VERSION,
        "inputs": inputs.canonical(),
        "priors": {k: np.round(v, 8).tolist() for k, v in vars(priors.components()).items()},
        "sampler": settings.as_dict(),
    }
    return sha256_of_text(json.dumps(content, sort_keys=True))


def fit(
    inputs: ModelInputs,
    priors: EffectPriors,
    settings: SamplerSettings,
    *,
    progressbar: bool = True,
    use_cache: bool = True,
) -> Fit:
    """The posterior for `inputs` under `priors`: from the cache when it holds this exact fit.

    A cache entry that cannot be read (truncated, empty, not a fit) is discarded and the
    fit sampled again; a new fit replaces the entry, also with `use_cache=False`. A fit
    that cannot be cached (full disk, read-only folder) is returned with a warning.
    """
    key = fit_key(inputs, priors, settings)
    path = fit_cache_dir() / f"{key}.npz"
    if use_cache and path.exists():
        try:
            return Fit(_load(path), key, True, settings)
        except Exception:  # any damage (BadZipFile, EOFError, ...): discard it, fit again
            with contextlib.suppress(OSError):
                path.unlink()
    posterior = with_design(sample(inputs, priors, settings, progressbar=progressbar), inputs)
    try:
        _save(posterior, path)
    except (OSError, OutputError) as error:
        reason = error.message if isinstance(error, OutputError) else error.strerror
        warning = warning_line(path, "", f"the fit could not be cached ({reason}); used anyway")
        return Fit(posterior, key, False, settings, (warning,))
    return Fit(posterior, key, False, settings)


def with_design(posterior: xr.DataTree, inputs: ModelInputs) -> xr.DataTree:
    """The posterior with the factor centre it was fitted on (group `design`): forecasts
    from it measure every rating from the same zero."""
    tree = posterior.copy()
    tree["design"] = xr.DataTree(
        xr.Dataset(
            {"factor_centre": (FACTOR_DIM, inputs.factor_centre)},
            coords={FACTOR_DIM: list(FACTOR_IDS)},
        )
    )
    return tree


# Compiled models of this process, by the shapes of their data: a new prior or data set
# of the same shape reuses one (nutpie's `with_data`) instead of compiling again.
_COMPILED: dict[tuple, object] = {}


def compiled_model(inputs: ModelInputs, priors: EffectPriors):
    """A nutpie-compiled model holding `inputs` and `priors`, compiled once per shape."""
    import nutpie

    data = model_data(inputs, priors)
    shape = tuple((name, value.shape) for name, value in data.items())
    if shape in _COMPILED:
        compiled = _COMPILED[shape]
        # only what the graph uses (a plain Normal prior never reads `prior_weight`)
        used = {var.name for var in compiled.shared_var_keys}
        return compiled.with_data(**{k: v for k, v in data.items() if k in used})
    # compile before anything else touches the model (nutpie's trap with posterior predictive)
    compiled = nutpie.compile_pymc_model(build_model(inputs, priors))
    _COMPILED[shape] = compiled
    return compiled


def sample(
    inputs: ModelInputs, priors: EffectPriors, settings: SamplerSettings, *, progressbar: bool
) -> xr.DataTree:
    from forecasting.model.budget import sample_within_budget

    trace = sample_within_budget(
        compiled_model(inputs, priors),
        getattr(priors, "path", ""),
        draws=settings.draws,
        tune=settings.tune,
        chains=settings.chains,
        cores=settings.cores,
        seed=settings.seed,
        progress_bar=progressbar,
        save_warmup=False,
    )
    return with_diagnostics(_trimmed(trace))


def _trimmed(trace: xr.DataTree) -> xr.DataTree:
    stats = trace["sample_stats"].to_dataset()
    numeric = [name for name, var in stats.data_vars.items() if var.dtype != object]
    return xr.DataTree.from_dict(
        {
            "posterior": trace["posterior"].to_dataset()[list(KEPT_POSTERIOR)],
            "sample_stats": stats[numeric],
        }
    )


def _save(posterior: xr.DataTree, path: Path) -> None:
    """Store every variable of every group as a NumPy array, with its dims and coords.

    NumPy's own format loads in milliseconds, where NetCDF needs HDF5 (a second to import).
    """
    arrays: dict[str, np.ndarray] = {}
    layout: dict[str, dict] = {}
    for group, node in posterior.children.items():
        dataset = node.to_dataset()
        layout[group] = {
            "vars": {name: list(var.dims) for name, var in dataset.data_vars.items()},
            "coords": {name: list(dataset[name].dims) for name in dataset.coords},
        }
        for name, var in dataset.variables.items():
            values = var.values
            # labels (factor names) as fixed-width text: object arrays would need pickle
            arrays[f"{group}/{name}"] = values.astype(str) if values.dtype == object else values
    buffer = io.BytesIO()
    np.savez(buffer, __layout__=np.array(json.dumps(layout)), **arrays)
    atomic_write_bytes(path, buffer.getvalue())


def _load(path: Path) -> xr.DataTree:
    with np.load(path, allow_pickle=False) as stored:
        layout = json.loads(str(stored["__layout__"]))
        groups = {
            group: xr.Dataset(
                {name: (dims, stored[f"{group}/{name}"]) for name, dims in spec["vars"].items()},
                coords={
                    name: (dims, stored[f"{group}/{name}"]) for name, dims in spec["coords"].items()
                },
            )
            for group, spec in layout.items()
        }
    return xr.DataTree.from_dict(groups)
