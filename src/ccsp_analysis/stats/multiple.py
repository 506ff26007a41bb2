"""Multiple testing: the Benjamini–Hochberg (1995) false discovery rate procedure over the rows of a table."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ccsp_analysis.errors import StatsError
from ccsp_analysis.stats.checks import as_level, as_values


def _p_values(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    p = as_values(p_values, "p_values")
    if (p > 1).any():
        raise StatsError("p_values must lie between 0 and 1")
    return p


def bh_adjusted(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values ("q-values"), in the order given.

    With the m p-values sorted ascending, p(1) <= ... <= p(m), the adjusted value of p(i) is
    ``min over j >= i of min(1, m p(j) / j)`` (the step-up running minimum from the largest).
    A row is a discovery at false discovery rate ``alpha`` exactly when its adjusted value is at
    most ``alpha`` (:func:`benjamini_hochberg`). Empty input gives an empty array.
    """
    p = _p_values(p_values)
    m = p.size
    if m == 0:
        return np.array([], dtype=float)
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    stepped = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m, dtype=float)
    out[order] = np.minimum(stepped, 1.0)
    return out


def benjamini_hochberg(p_values: Sequence[float] | np.ndarray, alpha: float = 0.05) -> np.ndarray:
    """Which tests are significant after controlling the false discovery rate at ``alpha`` (Benjamini & Hochberg 1995).

    Parameters
    ----------
    p_values
        One p-value per row of the table (numbers in [0, 1], none missing), in any order.
    alpha
        The false discovery rate to control (5% by default).

    Returns
    -------
    numpy.ndarray of bool
        In the order given: True for the rows rejected by the step-up rule. With the p-values
        sorted ascending, k is the largest i with p(i) <= i * alpha / m, and the k smallest
        p-values are rejected (ties at p(k) included); none when there is no such i. This is
        the same as ``bh_adjusted(p_values) <= alpha``. Empty input gives an empty array.

    Raises
    ------
    StatsError
        A missing, negative or above-one p-value, or ``alpha`` outside (0, 1).
    """
    alpha = as_level(alpha, "alpha")
    # the same arithmetic as the adjusted values, so "significant" and "adjusted p <= alpha" never disagree
    return bh_adjusted(p_values) <= alpha
