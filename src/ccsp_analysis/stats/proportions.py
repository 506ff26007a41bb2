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
    if weights is None:
        if n is None:
            raise StatsError(
                "wilson_interval needs n (the number of trials) when no weights are given"
            )
        hits, trials = as_count(successes, "successes"), as_count(n, "n")
        if hits > trials:
            raise StatsError(f"successes ({hits}) cannot exceed n ({trials})")
        if trials == 0:
            return None, None, None
        p, n_eff = hits / trials, float(trials)
    else:
        w = as_values(weights, "weights")
        s = as_values(successes, "successes")
        if s.shape != w.shape or (n is not None and n != w.size):
            raise StatsError(
                f"successes ({s.size}), weights ({w.size}) and n ({n}) must describe the same respondents"
            )
        if not np.isin(s, (0.0, 1.0)).all():
            raise StatsError("weighted successes must be booleans (or 0/1), one per respondent")
        if w.sum() == 0:
            return None, None, None
        p, n_eff = float(w @ s / w.sum()), float(w.sum() ** 2 / (w @ w))
    low, high = _wilson(p, n_eff, z)
    return p, low, high


def compare_proportions(x1: int, n1: int, x2: int, n2: int, alpha: float = 0.05) -> dict:
    """Compare two independent proportions (this wave ``x1 / n1`` against the last ``x2 / n2``).

    The difference p1 - p2 (percentage points) gets Newcombe's (1998, method 10) hybrid score
    interval, built from each wave's Wilson interval: ``d - sqrt((p1 - l1)^2 + (u2 - p2)^2)`` to
    ``d + sqrt((u1 - p1)^2 + (p2 - l2)^2)``. The p-value is the two-sided pooled two-proportion
    z-test, z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)) with p = (x1 + x2) / (n1 + n2), from
    ``scipy.stats.norm``. Direction is UP/DOWN when p < ``alpha``, else STABLE. With n = 0 in
    either wave every result is None; with p = 0 or 1 in both the p-value is 1.
    """
    if n1 == 0 or n2 == 0:
        return dict.fromkeys(COMPARISON_RESULTS)
    level = 1 - alpha
    p1, l1, u1 = wilson_interval(x1, n1, level)
    p2, l2, u2 = wilson_interval(x2, n2, level)
    d = p1 - p2
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    p_value = 1.0 if se == 0 else float(2 * sps.norm.sf(abs(d) / se))
    direction = "STABLE" if p_value >= alpha else ("UP" if d > 0 else "DOWN")
    return {
        "difference": 100 * d,
        "diff_low": 100 * (d - math.hypot(p1 - l1, u2 - p2)),
        "diff_high": 100 * (d + math.hypot(u1 - p1, p2 - l2)),
        "p_value": p_value,
        "direction": direction,
    }
