"""Groups: an area's rate placed within its comparison (most similar) group."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats as sps

from ccsp_analysis.errors import StatsError
from ccsp_analysis.stats.checks import as_level, as_values


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
