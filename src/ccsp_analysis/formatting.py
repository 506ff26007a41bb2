"""Number formats and half-up rounding: how every number the reports show is written (no sentences)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from ccsp_analysis.errors import NarrativeError

__all__ = [
    "auto_decimals",
    "decimals_written",
    "fmt_count",
    "fmt_list",
    "fmt_number",
    "fmt_pct",
    "fmt_rate",
    "half_up",
    "month_ranges",
    "point_name",
    "round_half_up",
]


def fmt_number(value: float, decimals: int = 0) -> str:
    """Format a number with thousands separators, rounding half away from zero.

    Rounding works on the shortest decimal form of the number (``repr``), so 10.05 is
    treated as written and gives "10.1" (Python's ``round`` and binary floats give "10.0").

    Parameters
    ----------
    value
        The number (int, float or numpy scalar); None, NaN and infinities are refused.
    decimals
        Decimal places to show.

    Returns
    -------
    str
        e.g. ``fmt_number(1234.25, 1) == "1,234.3"``; a value that rounds to zero has no sign.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise NarrativeError(f"cannot format {value!r} as a number")
    rounded = half_up(value, decimals)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:,.{decimals}f}"


def half_up(value: float, decimals: int = 0) -> Decimal:
    """``value`` rounded half away from zero on its shortest written form (10.05 -> 10.1, not 10.0)."""
    exact = Decimal(int(value)) if isinstance(value, numbers.Integral) else Decimal(repr(float(value)))
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def decimals_written(value: float) -> int:
    """Decimal places of a number as written (31.0 -> 1, 51.52 -> 2, 38508 -> 0)."""
    if isinstance(value, numbers.Integral):
        return 0
    return max(0, -int(Decimal(repr(float(value))).as_tuple().exponent))


def fmt_count(value: float) -> str:
    """A count with thousands separators: ``fmt_count(38508) == "38,508"``."""
    return fmt_number(value, 0)


def fmt_pct(value: float, decimals: int = 1) -> str:
    """A percentage (already x100) to one decimal: ``fmt_pct(10.0996) == "10.1%"``."""
    return fmt_number(value, decimals) + "%"


def fmt_rate(value: float, decimals: int = 1) -> str:
    """A rate (e.g. per 1,000 residents) to one decimal: ``fmt_rate(62.176) == "62.2"``."""
    return fmt_number(value, decimals)


def auto_decimals(values: Iterable[float]) -> int:
    """Decimal places for showing values: 0 when every value is whole, otherwise 1."""
    return 0 if all(float(v).is_integer() for v in values) else 1


def fmt_list(items: Sequence[str]) -> str:
    """Join words as prose: ``["a", "b", "c"]`` gives ``"a, b and c"``."""
    items = [str(item) for item in items]
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def round_half_up(value: float, decimals: int = 1) -> float:
    """Round as published documents do (half away from zero, on the number as written): 10.05 -> 10.1."""
    return float(half_up(float(value), decimals))


def point_name(index: pd.Index, position: int) -> str:
    """Name a point: 'March 2024' for monthly dates, otherwise the index label as text."""
    label = index[position]
    if isinstance(index, pd.PeriodIndex) and index.freqstr.startswith("M"):
        return label.strftime("%B %Y")
    if isinstance(index, pd.DatetimeIndex):
        return label.strftime("%B %Y" if (index.day == 1).all() else "%d %B %Y")
    return str(label)


def month_ranges(months: tuple[pd.Timestamp, ...] | list[pd.Timestamp]) -> str:
    """Months as runs of consecutive months: 'April 2024 to March 2025; May 2023'."""
    if not months:
        return ""
    runs, start, prev = [], months[0], months[0]
    for m in months[1:]:
        if m == prev + pd.DateOffset(months=1):
            prev = m
            continue
        runs.append((start, prev))
        start = prev = m
    runs.append((start, prev))
    return "; ".join(f"{a:%B %Y}" if a == b else f"{a:%B %Y} to {b:%B %Y}" for a, b in runs)
