"""Concentration of crime across areas: Lorenz curve, Gini coefficient, "x% of areas hold y%"."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ccsp_analysis.errors import StatsError
from ccsp_analysis.stats.checks import as_values


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
    """Result of :func:`concentration` (``narrative.concentration_statement`` words it)."""

    gini: float
    n_areas: int
    top_areas: int
    area_share: float
    crime_share: float | None
    top_labels: tuple


def concentration(values: pd.Series | np.ndarray | list[float], area_share: float = 0.2) -> Concentration:
    """How concentrated a count is in its top-ranked areas ("x% of areas hold y%"), with the Gini coefficient.

    Parameters
    ----------
    values
        Count per area (a Series keeps its labels for ``top_labels``).
    area_share
        Target share of areas to describe; the number of areas is share x n rounded half
        up, at least 1, and ``area_share`` in the result is the share that number really is.

    Returns
    -------
    Concentration
        ``gini``, ``n_areas``, ``top_areas`` (k), ``area_share`` (k / n), ``crime_share``
        (proportion of the total in the k highest areas; None when the total is 0) and
        ``top_labels``.
    """
    x = as_values(values, "values")
    if x.size == 0:
        raise StatsError("concentration needs at least one area")
    if not 0 < area_share <= 1:
        raise StatsError(f"area_share must be in (0, 1], got {area_share!r}")
    k = max(1, math.floor(area_share * x.size + 0.5))
    labels = list(values.index) if isinstance(values, pd.Series) else list(range(x.size))
    top = np.argsort(-x, kind="stable")[:k]
    total = x.sum()
    return Concentration(
        gini=gini(x),
        n_areas=int(x.size),
        top_areas=k,
        area_share=k / x.size,
        crime_share=None if total == 0 else float(x[top].sum() / total),
        top_labels=tuple(labels[i] for i in top),
    )
