"""Independent fits, in this process or on a Dask cluster.

`scheduler=None` fits one after another here; `"local"` starts a local Dask
cluster (two single-threaded workers); any other value is the address of a
running scheduler (`tcp://host:8786`), so a user who outgrows one machine
points the same command at a cluster. Dask is the optional extra `dist`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from forecasting.model.fitting import Fit, fit

LOCAL = "local"
LOCAL_WORKERS = 2


@contextmanager
def dask_client(scheduler: str, workers: int = LOCAL_WORKERS) -> Iterator:
    try:
        from distributed import Client, LocalCluster
    except ImportError as err:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "Dask is not installed: pip install -e '.[dist]' to run fits on a cluster"
        ) from err
    if scheduler == LOCAL:
        with (
            LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
    else:
        with Client(scheduler) as client:
            yield client


def _fit_quietly(inputs, priors, settings) -> Fit:
    # a worker has one core: sample its chains one after another
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
