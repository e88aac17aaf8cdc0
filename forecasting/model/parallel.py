"""Independent work, in this process or on a Dask cluster: one convention for every
command's `--scheduler`.

`scheduler=None` runs here, one job after another; `"local"` starts a local Dask
cluster of single-threaded worker processes; any other value is the address of a
running scheduler (`tcp://host:8786`), whose workers must be able to import
`forecasting`. Dask is the optional extra `dist`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from forecasting.model.fitting import Fit, fit

LOCAL = "local"
LOCAL_WORKERS = 2


@contextmanager
def dask_client(scheduler: str, workers: int = LOCAL_WORKERS) -> Iterator:
    """A Dask client for `scheduler` (`"local"` or an address); never None: the caller
    runs in-process itself when there is no scheduler."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as err:  # an optional extra
        raise RuntimeError(
            "Dask is not installed: pip install -e '.[dist]', or run without --scheduler"
        ) from err
    if scheduler == LOCAL:
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # any free port: never clash with a running cluster
                silence_logs=logging.ERROR,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
    else:
        with Client(scheduler) as client:
            yield client


def _fit_quietly(inputs, priors, settings) -> Fit:
    return fit(inputs, priors, settings, progressbar=False)


def fit_many(jobs: Sequence[tuple], *, scheduler: str | None = None) -> list[Fit]:
    """Fit each `(inputs, priors, settings)`; results in the order of `jobs`.

    Fits go through the cache like any other, so a repeated review is instant.
    """
    if scheduler is None:
        return [_fit_quietly(*job) for job in jobs]
    with dask_client(scheduler) as client:
        futures = [client.submit(_fit_quietly, *job, pure=False) for job in jobs]
        return client.gather(futures)
