"""Are SBC ranks uniform? The ECDF simultaneous test and band of Säilynoja,
Paananen & Vehtari (2022), for discrete ranks, plus Talts et al.'s binned
chi-square for information.

Ranks take values 0..L (L posterior draws). Under uniformity the number of
ranks below i, for i = 1..L, is Binomial(N, z_i) with z_i = i / (L + 1): the
discrete ranks need no jitter. The statistic is the smallest two-sided
pointwise binomial tail probability of the rank ECDF over all z_i (small =
the ECDF strays far from uniform somewhere). Its null distribution depends
only on N and L, so it is simulated once from uniform ranks: that gives the
p-value (the chance a uniform sample strays at least as far) and the
simultaneous band (the pointwise level whose band holds the whole ECDF of a
uniform sample with the wanted probability).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import bdtr
from scipy.stats import binom, chi2

# Candidate numbers of bins for the chi-square; each must divide L + 1.
_CHI2_BINS = (20, 10, 5, 4, 2)
# Smallest expected count per bin for the chi-square approximation.
_MIN_EXPECTED = 5


@dataclass(frozen=True)
class UniformityReference:
    """The null distribution of the ECDF statistic for N ranks on 0..L."""

    n: int
    max_rank: int
    statistics: np.ndarray  # the statistic of each simulated uniform sample

    @property
    def eval_points(self) -> np.ndarray:
        return np.arange(1, self.max_rank + 1) / (self.max_rank + 1)

    def p_value(self, statistic: float) -> float:
        """The chance that uniform ranks give a statistic this small or smaller."""
        at_most = np.count_nonzero(self.statistics <= statistic)
        return float((1 + at_most) / (1 + len(self.statistics)))

    def band(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """Simultaneous `level` band of the ECDF at `eval_points` (lower, upper)."""
        pointwise = float(np.quantile(self.statistics, 1 - level))
        z = self.eval_points
        lower = binom.ppf(pointwise / 2, self.n, z) / self.n
        upper = binom.ppf(1 - pointwise / 2, self.n, z) / self.n
        return lower, upper


def uniformity_reference(
    n: int, max_rank: int, *, simulations: int = 10_000, seed: int = 0
) -> UniformityReference:
    """Simulate the ECDF statistic for `simulations` samples of N uniform ranks on 0..L."""
    rng = np.random.default_rng(seed)
    ranks = rng.integers(0, max_rank + 1, size=(simulations, n))
    counts = _counts_below(ranks, max_rank)
    return UniformityReference(n, max_rank, _tail_probability(counts, n, max_rank))


def ecdf_statistic(ranks: np.ndarray, max_rank: int) -> float:
    """Smallest two-sided pointwise binomial tail probability of the ranks' ECDF."""
    ranks = np.asarray(ranks)[None, :]
    return float(_tail_probability(_counts_below(ranks, max_rank), ranks.shape[1], max_rank)[0])


def ecdf(ranks: np.ndarray, max_rank: int) -> np.ndarray:
    """Fraction of ranks below i, for i = 1..L (the ECDF at the evaluation points)."""
    ranks = np.asarray(ranks)
    return _counts_below(ranks[None, :], max_rank)[0] / len(ranks)


def chi_square(ranks: np.ndarray, max_rank: int) -> tuple[float, float, int]:
    """Pearson chi-square of the ranks in equal bins: (statistic, p-value, bins).

    Uses the most bins (of 20, 10, 5, 4, 2) that divide L + 1 with at least 5
    ranks expected per bin; (nan, nan, 0) when no such binning exists.
    """
    ranks = np.asarray(ranks)
    n = len(ranks)
    usable = [b for b in _CHI2_BINS if (max_rank + 1) % b == 0 and n / b >= _MIN_EXPECTED]
    if not usable:
        return float("nan"), float("nan"), 0
    bins = usable[0]
    observed = np.bincount(ranks * bins // (max_rank + 1), minlength=bins)
    expected = n / bins
    statistic = float(((observed - expected) ** 2 / expected).sum())
    return statistic, float(chi2.sf(statistic, bins - 1)), bins


def _counts_below(ranks: np.ndarray, max_rank: int) -> np.ndarray:
    """(samples, L): number of ranks < i in each sample, for i = 1..L."""
    samples = ranks.shape[0]
    offsets = np.arange(samples)[:, None] * (max_rank + 1)
    histogram = np.bincount((ranks + offsets).ravel(), minlength=samples * (max_rank + 1))
    return histogram.reshape(samples, max_rank + 1).cumsum(axis=1)[:, :-1]


def _tail_probability(counts: np.ndarray, n: int, max_rank: int) -> np.ndarray:
    z = np.arange(1, max_rank + 1) / (max_rank + 1)
    lower = bdtr(counts, n, z)  # P(K <= k)
    # P(K >= k); scipy's bdtr(-1, ...) is nan where it should be 0.
    upper = np.where(counts > 0, 1 - bdtr(np.maximum(counts - 1, 0), n, z), 1.0)
    return np.minimum(1.0, 2 * np.minimum(lower, upper)).min(axis=1)
