"""Concentration of crime across areas: Lorenz curve, Gini coefficient, "x% of areas hold y%"."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ccsp_analysis._stats_base import StatsError, as_values
from ccsp_analysis.narrative import fmt_count, fmt_pct


def gini(values: pd.Series | np.ndarray | list[float]) -> float:
    """Gini coefficient of counts across areas (0 = spread evenly; (n - 1) / n = all in one).

    Computed from the counts sorted ascending, G = 2 sum(i x_i) / (n sum x) - (n + 1) / n,
    which equals 1 - 2 x (area under the straight-line Lorenz curve). All-zero input gives 0.
    """
    x = np.sort(as_values(values, "values"))
    if x.size == 0:
        raise StatsError("gini needs at least one area")
    total = x.sum()
    if total == 0:
        return 0.0
    ranks = np.arange(1, x.size + 1)
    return float(2 * (ranks @ x) / (x.size * total) - (x.size + 1) / x.size)


def lorenz(values: pd.Series | np.ndarray | list[float]) -> pd.DataFrame:
    """Lorenz curve points: cumulative share of areas against cumulative share of crime.

    Parameters
    ----------
    values
        Count per area; a Series keeps its index as the area label.

    Returns
    -------
    pandas.DataFrame
        Columns ``area`` (the area added at that point; missing on the first row),
        ``area_share`` and ``crime_share`` (proportions 0-1), starting at (0, 0) with areas
        in ascending order of count. With no crime at all ``crime_share`` is NaN after (0, 0).
    """
    x = as_values(values, "values")
    labels = list(values.index) if isinstance(values, pd.Series) else list(range(x.size))
    order = np.argsort(x, kind="stable")
    total = x.sum()
    cumulative = np.concatenate([[0.0], np.cumsum(x[order])])
    return pd.DataFrame(
        {
            "area": [None] + [labels[i] for i in order],
            "area_share": np.arange(x.size + 1) / max(x.size, 1),
            "crime_share": cumulative / total if total > 0 else np.r_[0.0, np.full(x.size, np.nan)],
        }
    )


@dataclass(frozen=True)
class Concentration:
    """Result of :func:`concentration_statement`."""

    gini: float
    n_areas: int
    top_areas: int
    area_share: float
    crime_share: float | None
    top_labels: tuple
    statement: str


def concentration_statement(
    values: pd.Series | np.ndarray | list[float],
    area_share: float = 0.2,
    areas: str = "areas",
    measure: str = "recorded crime",
) -> Concentration:
    """Summarise concentration as "x% of areas hold y% of crime" for the top-ranked areas.

    Parameters
    ----------
    values
        Count per area (a Series keeps its labels for ``top_labels``).
    area_share
        Target share of areas to describe; the number of areas is share x n rounded half
        up, at least 1, and the statement quotes the share that number really is.
    areas, measure
        Words used in the statement.

    Returns
    -------
    Concentration
        ``gini``, ``n_areas``, ``top_areas`` (k), ``area_share`` (k / n), ``crime_share``
        (proportion of the total in the k highest areas; None when there is none),
        ``top_labels`` and ``statement``, e.g. "The top 22.2% of areas (4 of 18) hold
        41.3% of recorded crime."
    """
    x = as_values(values, "values")
    if x.size == 0:
        raise StatsError("concentration_statement needs at least one area")
    if not 0 < area_share <= 1:
        raise StatsError(f"area_share must be in (0, 1], got {area_share!r}")
    k = max(1, math.floor(area_share * x.size + 0.5))
    labels = list(values.index) if isinstance(values, pd.Series) else list(range(x.size))
    top = np.argsort(-x, kind="stable")[:k]
    total = x.sum()
    share_areas = k / x.size
    if total == 0:
        crime_share = None
        statement = f"There is no {measure} in any of the {fmt_count(x.size)} {areas}."
    else:
        crime_share = float(x[top].sum() / total)
        statement = (
            f"The top {fmt_pct(share_areas * 100)} of {areas} ({fmt_count(k)} of "
            f"{fmt_count(x.size)}) hold {fmt_pct(crime_share * 100)} of {measure}."
        )
    return Concentration(
        gini=gini(x),
        n_areas=int(x.size),
        top_areas=k,
        area_share=share_areas,
        crime_share=crime_share,
        top_labels=tuple(labels[i] for i in top),
        statement=statement,
    )
