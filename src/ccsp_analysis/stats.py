"""Statistics for the assessment: count comparisons, rates, proportions, SPC, concentration, projection."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats as sps

from ccsp_analysis._concentration import Concentration, concentration_statement, gini, lorenz
from ccsp_analysis._poisson import etest_p, exact_conditional_p, garwood_limits, ratio_interval
from ccsp_analysis._projection import Backtest, backtest_projection, project
from ccsp_analysis._spc import control_chart, exceptions
from ccsp_analysis._stats_base import StatsError, as_count, as_level, as_values

__all__ = [
    "Backtest",
    "Concentration",
    "CountComparison",
    "GroupComparison",
    "StatsError",
    "backtest_projection",
    "compare_counts",
    "compare_with_group",
    "concentration_statement",
    "control_chart",
    "exceptions",
    "gini",
    "lorenz",
    "project",
    "rate_per_1000",
    "wilson_interval",
]

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


@dataclass(frozen=True)
class GroupComparison:
    """Result of :func:`compare_with_group` (the group includes the area itself)."""

    value: float
    n: int
    rank: int
    mean_all: float
    mean_others: float
    sd: float
    low: float
    high: float
    position: Literal["BELOW", "WITHIN", "ABOVE"]
    level: float


def compare_with_group(
    value: float, group_values: Sequence[float] | np.ndarray, level: float = 0.95
) -> GroupComparison:
    """Place an area's rate within its comparison (e.g. Most Similar) group.

    Parameters
    ----------
    value
        The area's own rate.
    group_values
        The rates of the *other* members of the group (the area itself excluded; no blanks).
    level
        Confidence level of the interval for the group mean.

    Returns
    -------
    GroupComparison
        ``n`` counts all members including the area; ``rank`` is 1 for the lowest rate
        (ties share the better rank); ``mean_all`` (the group average reported, as in
        iQuanta's "MSG average", which includes the area) and ``mean_others`` (excluding
        it); ``sd`` the sample standard deviation of all n values; ``low``/``high`` the
        interval mean_all +/- t(level, n - 1) sd / sqrt(n) for the group mean; ``position``
        says whether ``value`` is below, within or above that interval.
    """
    level = as_level(level)
    own = as_values([value], "value")[0]
    others = as_values(group_values, "group_values")
    if others.size < 1:
        raise StatsError("group_values must hold at least one other member's rate")
    everyone = np.append(others, own)
    n = everyone.size
    mean_all, sd = float(everyone.mean()), float(everyone.std(ddof=1))
    half = float(sps.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    low, high = mean_all - half, mean_all + half
    position: Literal["BELOW", "WITHIN", "ABOVE"] = (
        "BELOW" if own < low else "ABOVE" if own > high else "WITHIN"
    )
    return GroupComparison(
        value=float(own),
        n=n,
        rank=1 + int((others < own).sum()),
        mean_all=mean_all,
        mean_others=float(others.mean()),
        sd=sd,
        low=low,
        high=high,
        position=position,
        level=level,
    )
