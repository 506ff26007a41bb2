"""Proportions: Wilson intervals (weighted or not) and the comparison of two independent proportions."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats as sps

from ccsp_analysis.errors import StatsError
from ccsp_analysis.stats.checks import as_count, as_level, as_values

#: What :func:`compare_proportions` returns, in order.
COMPARISON_RESULTS = ["difference", "diff_low", "diff_high", "p_value", "direction"]


def _wilson(p: float, n: float, z: float) -> tuple[float, float]:
    """Wilson (1927) score interval for proportion ``p`` from (effective) sample size ``n``."""
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = 0.0 if p == 0 else max(0.0, centre - half)
    return low, 1.0 if p == 1 else min(1.0, centre + half)


def _estimate(
    successes: int | Sequence[bool] | np.ndarray,
    n: int | None,
    weights: Sequence[float] | np.ndarray | None,
) -> tuple[float, float] | None:
    """``(p, n_eff)``: the proportion and the sample size its interval uses (None when there are no trials).

    Unweighted: p = successes / n and n_eff = n. Weighted: p = sum(w s) / sum(w) and n_eff is
    Kish's effective sample size (sum w)^2 / sum(w^2).
    """
    if weights is None:
        if n is None:
            raise StatsError("n (the number of trials) is needed when no weights are given")
        hits, trials = as_count(successes, "successes"), as_count(n, "n")
        if hits > trials:
            raise StatsError(f"successes ({hits}) cannot exceed n ({trials})")
        return None if trials == 0 else (hits / trials, float(trials))
    w = as_values(weights, "weights")
    s = as_values(successes, "successes")
    if s.shape != w.shape or (n is not None and n != w.size):
        raise StatsError(
            f"successes ({s.size}), weights ({w.size}) and n ({n}) must describe the same respondents"
        )
    if not np.isin(s, (0.0, 1.0)).all():
        raise StatsError("weighted successes must be booleans (or 0/1), one per respondent")
    if w.sum() == 0:
        return None
    return float(w @ s / w.sum()), float(w.sum() ** 2 / (w @ w))


def effective_sample_size(weights: Sequence[float] | np.ndarray) -> float | None:
    """Kish's (1965) effective sample size of weighted respondents, (sum w)^2 / sum(w^2) (None when all weights are 0)."""
    w = as_values(weights, "weights")
    return None if w.sum() == 0 else float(w.sum() ** 2 / (w @ w))


def wilson_interval(
    successes: int | Sequence[bool] | np.ndarray,
    n: int | None = None,
    level: float = 0.95,
    weights: Sequence[float] | np.ndarray | None = None,
) -> tuple[float | None, float | None, float | None]:
    """Proportion with a Wilson score interval, optionally survey-weighted.

    Parameters
    ----------
    successes
        Unweighted: the number of successes. Weighted: one boolean (or 0/1) per respondent.
    n
        Unweighted: the number of trials. Weighted: optional, must equal ``len(weights)``.
    level
        Confidence level.
    weights
        Per-respondent weights (non-negative). The weighted proportion sum(w s) / sum(w) is
        given the Wilson interval at Kish's effective sample size (sum w)^2 / sum(w^2).

    Returns
    -------
    tuple
        ``(p, low, high)`` as proportions in [0, 1]; ``(None, None, None)`` when there are
        no trials (n = 0, or all weights zero).
    """
    z = float(sps.norm.ppf(0.5 + as_level(level) / 2))
    if weights is None and n is None:
        raise StatsError("wilson_interval needs n (the number of trials) when no weights are given")
    found = _estimate(successes, n, weights)
    if found is None:
        return None, None, None
    p, n_eff = found
    low, high = _wilson(p, n_eff, z)
    return p, low, high


def compare_proportions(
    x1: int | Sequence[bool] | np.ndarray,
    n1: int | None,
    x2: int | Sequence[bool] | np.ndarray,
    n2: int | None,
    alpha: float = 0.05,
    *,
    weights1: Sequence[float] | np.ndarray | None = None,
    weights2: Sequence[float] | np.ndarray | None = None,
) -> dict:
    """Compare two independent proportions (this wave ``x1 / n1`` against the last ``x2 / n2``), optionally weighted.

    The difference p1 - p2 (percentage points) gets Newcombe's (1998, method 10) hybrid score
    interval, built from each wave's Wilson interval: ``d - sqrt((p1 - l1)^2 + (u2 - p2)^2)`` to
    ``d + sqrt((u1 - p1)^2 + (p2 - l2)^2)``. The p-value is the two-sided pooled two-proportion
    z-test, z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)) with p = (n1 p1 + n2 p2) / (n1 + n2)
    (= (x1 + x2) / (n1 + n2) unweighted), from ``scipy.stats.norm``. Direction is UP/DOWN when
    p < ``alpha``, else STABLE. With n = 0 in either wave every result is None; with p = 0 or 1
    in both the p-value is 1.

    Weighted (``weights1`` and ``weights2`` given together): ``x1`` and ``x2`` are one boolean
    (or 0/1) per respondent, ``n1``/``n2`` are None or the numbers of respondents, each wave's
    proportion is its weighted proportion, and every n above -- in the Wilson intervals, the
    pooled proportion and the standard error -- is that wave's Kish effective sample size
    (sum w)^2 / sum(w^2). With all weights 1 this is exactly the unweighted comparison. A wave
    whose weights are all 0 counts as empty.
    """
    if (weights1 is None) != (weights2 is None):
        raise StatsError("give weights for both waves or for neither")
    level = 1 - as_level(alpha, "alpha")
    first, second = _estimate(x1, n1, weights1), _estimate(x2, n2, weights2)
    if first is None or second is None:
        return dict.fromkeys(COMPARISON_RESULTS)
    (p1, m1), (p2, m2) = first, second
    z = float(sps.norm.ppf(0.5 + level / 2))
    (l1, u1), (l2, u2) = _wilson(p1, m1, z), _wilson(p2, m2, z)
    d = p1 - p2
    pooled = (m1 * p1 + m2 * p2) / (m1 + m2)
    se = math.sqrt(max(0.0, pooled * (1 - pooled)) * (1 / m1 + 1 / m2))
    p_value = 1.0 if se == 0 else float(2 * sps.norm.sf(abs(d) / se))
    direction = "STABLE" if p_value >= alpha else ("UP" if d > 0 else "DOWN")
    return {
        "difference": 100 * d,
        "diff_low": 100 * (d - math.hypot(p1 - l1, u2 - p2)),
        "diff_high": 100 * (d + math.hypot(u1 - p1, p2 - l2)),
        "p_value": p_value,
        "direction": direction,
    }
