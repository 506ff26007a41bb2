"""Exact and E-test comparisons of two Poisson counts, and Garwood limits for one count."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as sps

_TAIL = 1e-14  # Poisson mass left outside the E-test summation grid, per tail
_ROWS_PER_BLOCK = 256  # rows of the E-test grid evaluated at once (bounds memory)


def exact_conditional_p(current: int, previous: int, d: float = 1.0) -> float:
    """Two-sided exact conditional test of equal rates (binomial on current given the total).

    Under equal rates and exposure ratio ``d`` (current / previous), ``current`` given
    ``current + previous`` is Binomial(total, d / (1 + d)); with ``d = 1`` that is p = 0.5.
    """
    total = current + previous
    if total == 0:
        return 1.0
    return float(sps.binomtest(current, total, d / (1.0 + d), alternative="two-sided").pvalue)


def ratio_interval(
    current: int, previous: int, alpha: float, d: float = 1.0
) -> tuple[float | None, float | None]:
    """Rate-ratio interval from the Clopper–Pearson interval for p = current / total.

    The rate ratio is R = p / ((1 - p) d). The upper limit is ``math.inf`` when
    ``previous`` is 0; both limits are None when there are no events at all.
    """
    total = current + previous
    if total == 0:
        return None, None
    ci = sps.binomtest(current, total).proportion_ci(confidence_level=1 - alpha, method="exact")
    low = ci.low / ((1.0 - ci.low) * d)
    high = math.inf if ci.high >= 1.0 else ci.high / ((1.0 - ci.high) * d)
    return float(low), float(high)


def _wald_statistic(k1: np.ndarray, k2: np.ndarray, d: float) -> np.ndarray:
    """Krishnamoorthy–Thomson statistic (k1 - d k2) / sqrt(k1 + d^2 k2); 0 where both are 0."""
    numerator = k1 - d * k2
    variance = k1 + d * d * k2
    with np.errstate(invalid="ignore", divide="ignore"):
        statistic = numerator / np.sqrt(variance)
    return np.where(variance > 0, statistic, 0.0)


def etest_p(current: int, previous: int, d: float = 1.0) -> float:
    """Two-sided Poisson E-test of equal rates (Krishnamoorthy & Thomson 2004).

    The p-value is the probability, with both counts Poisson at the pooled rate
    (means d N / (1 + d) and N / (1 + d), N = current + previous), that the statistic
    is at least as extreme as the one observed. The double sum runs over a grid holding
    all but about 1e-14 of each Poisson distribution's mass.
    """
    total = current + previous
    if total == 0:
        return 1.0
    mean1, mean2 = d * total / (1.0 + d), total / (1.0 + d)
    observed = abs(float(_wald_statistic(np.array(current), np.array(previous), d)))
    if observed == 0:  # rates exactly equal: every outcome is at least as extreme
        return 1.0
    threshold = observed * (1.0 - 1e-12)  # keep exact ties (e.g. the mirror-image pair)
    grids = []
    for mean in (mean1, mean2):
        low, high = sps.poisson.ppf(_TAIL, mean), sps.poisson.isf(_TAIL, mean)
        grids.append(np.arange(int(low), int(high) + 2, dtype=float))
    k1, k2 = grids
    pmf1, pmf2 = sps.poisson.pmf(k1, mean1), sps.poisson.pmf(k2, mean2)
    p_value = 0.0
    for start in range(0, k1.size, _ROWS_PER_BLOCK):
        rows = slice(start, start + _ROWS_PER_BLOCK)
        extreme = np.abs(_wald_statistic(k1[rows, None], k2[None, :], d)) >= threshold
        p_value += float(pmf1[rows] @ (extreme @ pmf2))
    return min(1.0, p_value)


def garwood_limits(count: int, level: float) -> tuple[float, float]:
    """Exact (Garwood 1936) confidence limits for a Poisson mean, by the chi-square relation.

    Lower = chi2.ppf(a/2, 2k) / 2 (0 when k = 0); upper = chi2.ppf(1 - a/2, 2k + 2) / 2,
    with a = 1 - level.
    """
    alpha = 1.0 - level
    low = 0.0 if count == 0 else float(sps.chi2.ppf(alpha / 2, 2 * count)) / 2
    high = float(sps.chi2.ppf(1 - alpha / 2, 2 * count + 2)) / 2
    return low, high
