"""Counts: comparison of two Poisson counts with a significance test, and rates per 1,000 with exact limits."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Literal

from ccsp_analysis.errors import StatsError
from ccsp_analysis.stats.checks import as_count, as_level
from ccsp_analysis.stats.poisson import etest_p, exact_conditional_p, garwood_limits, ratio_interval

Direction = Literal["UP", "DOWN", "STABLE"]


@dataclass(frozen=True)
class CountComparison:
    """Result of :func:`compare_counts` (undefined quantities are None, never inf or NaN)."""

    current: int
    previous: int
    abs_change: int
    pct_change: float | None
    p_value: float
    ratio: float | None
    ratio_low: float | None
    ratio_high: float | None
    direction: Direction
    method: str
    alpha: float


def compare_counts(
    current: int,
    previous: int,
    alpha: float = 0.05,
    method: Literal["exact", "etest"] = "exact",
    d: float = 1.0,
) -> CountComparison:
    """Compare two Poisson counts (this period against the last) with a significance test.

    Parameters
    ----------
    current, previous
        Event counts for the two periods (non-negative whole numbers).
    alpha
        Significance level; the rate-ratio interval has confidence ``1 - alpha``.
    method
        ``"exact"``: two-sided exact conditional test (current given the total is binomial
        with p = d / (1 + d), 0.5 for equal exposure; ``scipy.stats.binomtest``).
        ``"etest"``: the Poisson E-test of Krishnamoorthy & Thomson (2004).
    d
        Exposure ratio, current over previous (e.g. population or days); 1 by default.

    Returns
    -------
    CountComparison
        ``pct_change`` is a percentage (-10.1 means a 10.1% fall), None when previous is 0.
        ``ratio`` is the rate ratio (current / d) / previous, None when previous is 0.
        ``ratio_low``/``ratio_high`` are the Clopper–Pearson interval for p = current / total
        turned into a rate ratio, R = p / ((1 - p) d), for both methods; ``ratio_high`` is
        ``math.inf`` when previous is 0. ``direction`` is UP/DOWN when p < alpha, else STABLE.
        With 0 against 0: p = 1, STABLE, all ratio fields None. ``abs_change`` and
        ``pct_change`` compare the counts themselves, whatever ``d``. E-test p-values below
        about 1e-13 are returned as 0.

    Raises
    ------
    StatsError
        Negative or fractional counts, alpha outside (0, 1), d not positive, unknown method.
    """
    current, previous = as_count(current, "current"), as_count(previous, "previous")
    alpha = as_level(alpha, "alpha")
    if isinstance(d, bool) or not (isinstance(d, numbers.Real) and math.isfinite(d) and d > 0):
        raise StatsError(
            f"d (exposure ratio current/previous) must be a positive number, got {d!r}"
        )
    tests = {"exact": exact_conditional_p, "etest": etest_p}
    if method not in tests:
        raise StatsError(f"method must be 'exact' or 'etest', got {method!r}")
    p_value = tests[method](current, previous, d)
    ratio = current / (previous * d) if previous else None
    low, high = ratio_interval(current, previous, alpha, d)
    direction: Direction = "STABLE"
    if p_value < alpha:
        direction = "UP" if current > previous * d else "DOWN"
    return CountComparison(
        current=current,
        previous=previous,
        abs_change=current - previous,
        pct_change=(current - previous) / previous * 100 if previous else None,
        p_value=p_value,
        ratio=ratio,
        ratio_low=low,
        ratio_high=high,
        direction=direction,
        method=method,
        alpha=alpha,
    )


def rate_per_1000(count: int, population: float, level: float = 0.95) -> tuple[float, float, float]:
    """Rate per 1,000 population with exact Poisson (Garwood 1936) confidence limits.

    Parameters
    ----------
    count
        Number of events (non-negative whole number).
    population
        Population at risk (positive).
    level
        Confidence level of the interval.

    Returns
    -------
    tuple of float
        ``(rate, low, high)`` per 1,000; ``low`` is 0 when ``count`` is 0.
    """
    count = as_count(count, "count")
    level = as_level(level)
    if isinstance(population, bool) or not (
        isinstance(population, numbers.Real) and math.isfinite(population) and population > 0
    ):
        raise StatsError(f"population must be a positive number, got {population!r}")
    low, high = garwood_limits(count, level)
    scale = 1000.0 / float(population)
    return count * scale, low * scale, high * scale
