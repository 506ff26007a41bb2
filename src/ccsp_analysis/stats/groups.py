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
    """Result of :func:`compare_with_group`.

    ``n`` counts every member including the area; ``rank`` is 1 for the lowest rate (ties share
    the better rank); ``mean_all`` is the group average as iQuanta reports it ("MSG average",
    which includes the area); ``mean_others`` and ``sd`` describe the rest of the group; ``low``
    and ``high`` bound the prediction interval for one more member of the rest of the group (made
    on the log scale, or on the rates when a member's rate is zero: ``scale``), and ``position``
    says where the area's own rate falls against it.
    """

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
    scale: Literal["log", "rate"] = "log"


def compare_with_group(
    value: float, group_values: Sequence[float] | np.ndarray, level: float = 0.95
) -> GroupComparison:
    """Place an area's rate within its comparison (e.g. Most Similar) group.

    The area is compared with the *rest* of the group, not with an interval for the group mean
    (which narrows as the group grows and would call almost any area different): the interval
    is the ``level`` prediction interval for one more member drawn like the others. Rates are
    positive and skewed to the right, so the interval is made on the log scale and transformed
    back, ``exp(mean(log r) +/- t(1/2 + level/2, m - 1) x sd(log r) x sqrt(1 + 1/m))`` with ``m``
    the number of other members (at least 2): it never goes below zero and is wider above the
    typical rate than below it. Where a member's rate is zero (no log), the interval is made on the
    rates themselves, ``mean +/- t x sd x sqrt(1 + 1/m)``, and a lower end below zero is set to
    zero (no rate is negative); ``scale`` says which.

    Parameters
    ----------
    value
        The area's own rate.
    group_values
        The rates of the *other* members of the group (the area itself excluded; no blanks).
    level
        Level of the prediction interval.
    """
    level = as_level(level)
    own = as_values([value], "value")[0]
    others = as_values(group_values, "group_values")
    if others.size < 2:
        raise StatsError("group_values must hold at least two other members' rates to place the area among them")
    if (others < 0).any() or own < 0:
        raise StatsError("rates cannot be negative")
    m = others.size
    mean_others, sd = float(others.mean()), float(others.std(ddof=1))
    t = float(sps.t.ppf(0.5 + level / 2, m - 1)) * math.sqrt(1 + 1 / m)
    if (others > 0).all():
        logs = np.log(others)
        centre, spread = float(logs.mean()), float(logs.std(ddof=1))
        low, high, scale = math.exp(centre - t * spread), math.exp(centre + t * spread), "log"
    else:
        low, high, scale = max(0.0, mean_others - t * sd), mean_others + t * sd, "rate"
    position: Literal["BELOW", "WITHIN", "ABOVE"] = (
        "BELOW" if own < low else "ABOVE" if own > high else "WITHIN"
    )
    return GroupComparison(
        value=float(own),
        n=m + 1,
        rank=1 + int((others < own).sum()),
        mean_all=float(np.append(others, own).mean()),
        mean_others=mean_others,
        sd=sd,
        low=low,
        high=high,
        position=position,
        level=level,
        scale=scale,
    )
