"""Scoring many items on several criteria: each criterion scaled to 0-1, then a weighted mean (numbers only)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ccsp_analysis.errors import StatsError

#: What a criterion scores when every item ties (or only one item has a value): the middle of the scale.
TIED = 0.5


def rank_scale(values: pd.Series) -> pd.Series:
    """Each value's place among the others on 0-1: (r - 1) / (n - 1), r its average rank (1 = smallest).

    Missing values stay missing and are not counted in n. Ties share their average rank, so equal
    values score the same; with one value, or all values equal, every value scores 0.5.
    Rank-based: one very large item (total crime beside homicide) does not squash the rest.
    """
    values = pd.to_numeric(pd.Series(values), errors="coerce").astype(float)
    present = values.dropna()
    out = pd.Series(np.nan, index=values.index, dtype=float)
    n = len(present)
    if n == 0:
        return out
    if n == 1 or present.nunique() == 1:
        out[present.index] = TIED
        return out
    out[present.index] = (present.rank(method="average") - 1) / (n - 1)
    return out


def minmax_scale(values: pd.Series) -> pd.Series:
    """Each value on 0-1 between the smallest (0) and the largest (1): (x - min) / (max - min).

    Missing values stay missing; when every value is equal (or there is one) each scores 0.5.
    """
    values = pd.to_numeric(pd.Series(values), errors="coerce").astype(float)
    low, high = values.min(), values.max()
    if pd.isna(low):
        return values
    if high == low:
        return values.where(values.isna(), TIED)
    return (values - low) / (high - low)


def check_weights(weights: Mapping[str, float], criteria: list[str] | None = None) -> dict[str, float]:
    """``weights`` as floats, refused when one is negative or not a number, all are zero, or one names no criterion."""
    out = {}
    for name, w in weights.items():
        try:
            value = float(w)
        except (TypeError, ValueError):
            raise StatsError(f"weight '{name}' must be a number, got {w!r}") from None
        if not np.isfinite(value) or value < 0:
            raise StatsError(f"weight '{name}' must be a number of at least 0, got {w!r}")
        out[name] = value
    if criteria is not None:
        unknown = sorted(set(out) - set(criteria))
        if unknown:
            raise StatsError(f"weights for unknown criteria {unknown}; the criteria are {criteria}")
    if not any(out.values()):
        raise StatsError("every weight is 0: give at least one criterion a weight above 0")
    return out


def weighted_score(scaled: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    """Weighted mean of each row's scaled criteria (columns of ``scaled``, 0-1) over those it has.

    score = sum(w_c x_c) / sum(w_c) over the criteria c with a value in the row and a weight above 0,
    so a criterion missing for a row (no control chart, no survey answer) neither counts for nor
    against it. A row with no weighted criterion scores NaN. Criteria without a weight are ignored.
    """
    w = check_weights(weights)
    used = [c for c in scaled.columns if w.get(c, 0) > 0]
    if not used:
        return pd.Series(np.nan, index=scaled.index, dtype=float)
    x = scaled[used].astype(float)
    weight = pd.Series({c: w[c] for c in used})
    have = x.notna()
    total = have.mul(weight, axis=1).sum(axis=1)
    score = x.fillna(0).mul(weight, axis=1).sum(axis=1) / total.where(total > 0)
    return score.astype(float)
