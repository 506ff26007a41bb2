"""Input checks shared by the statistics modules, and the error they raise."""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

from ccsp_analysis.errors import StatsError


def as_count(value: object, name: str) -> int:
    """Return ``value`` as a non-negative ``int`` or raise :class:`StatsError` naming it.

    Integral floats (``12.0``) are accepted because pandas sums often arrive as floats;
    fractions, NaN, infinities, booleans and non-numbers are refused.
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise StatsError(f"{name} must be a whole number of events, got {value!r}")
    as_float = float(value)
    if not math.isfinite(as_float) or as_float != math.floor(as_float):
        raise StatsError(f"{name} must be a whole number of events, got {value!r}")
    if as_float < 0:
        raise StatsError(f"{name} must not be negative, got {value!r}")
    return int(value)


def as_level(level: float, name: str = "level") -> float:
    """Return a confidence level strictly between 0 and 1 or raise :class:`StatsError`."""
    if isinstance(level, bool) or not isinstance(level, numbers.Real) or not 0 < level < 1:
        raise StatsError(f"{name} must be a number between 0 and 1 (e.g. 0.95), got {level!r}")
    return float(level)


def as_values(values: object, name: str, *, non_negative: bool = True) -> np.ndarray:
    """Return ``values`` as a 1-D float array with no missing values (optionally all >= 0)."""
    array = np.asarray(values.to_numpy() if isinstance(values, pd.Series) else values)
    if array.ndim != 1:
        raise StatsError(f"{name} must be one-dimensional, got shape {array.shape}")
    try:
        array = array.astype(float)
    except (TypeError, ValueError) as exc:
        raise StatsError(f"{name} must contain numbers only ({exc})") from exc
    if not np.isfinite(array).all():
        bad = int((~np.isfinite(array)).sum())
        raise StatsError(f"{name} has {bad} missing or infinite value(s); fill or drop them first")
    if non_negative and (array < 0).any():
        raise StatsError(f"{name} must not contain negative values")
    return array


def as_series(series: object, name: str) -> pd.Series:
    """Return ``series`` as a float Series with no missing values, keeping its index."""
    if not isinstance(series, pd.Series):
        raise StatsError(f"{name} must be a pandas Series, got {type(series).__name__}")
    missing = series.index[series.isna().to_numpy()]
    if len(missing):
        shown = ", ".join(str(label) for label in missing[:3])
        raise StatsError(f"{name} has missing values at {shown}; fill or drop them first")
    return pd.Series(
        as_values(series, name, non_negative=False), index=series.index, name=series.name
    )
