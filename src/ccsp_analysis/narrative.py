"""One number format and the standard sentences the reports use to describe results."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from ccsp_analysis.errors import CcspError

if TYPE_CHECKING:
    from ccsp_analysis.stats import CountComparison

__all__ = [
    "NarrativeError",
    "auto_decimals",
    "change_sentence",
    "difference_phrase",
    "direction_word",
    "fmt_count",
    "fmt_list",
    "fmt_number",
    "fmt_pct",
    "fmt_rate",
    "decimals_written",
    "half_up",
    "rank_sentence",
    "share_sentence",
    "significance_phrase",
]

_DIRECTION_WORDS = {"UP": "upward", "DOWN": "downward", "STABLE": "stable"}


class NarrativeError(CcspError, ValueError):
    """A sentence or number format was asked for something it cannot describe."""


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


def direction_word(direction: str) -> str:
    """The report's word for a direction of travel: UP/DOWN/STABLE -> upward/downward/stable."""
    if direction not in _DIRECTION_WORDS:
        raise NarrativeError(f"direction must be one of UP, DOWN, STABLE, got {direction!r}")
    return _DIRECTION_WORDS[direction]


def difference_phrase(change: CountComparison | int, noun: str = "") -> str:
    """Counts-based wording: "4,326 fewer", "795 more" or "no change" (optionally + noun).

    Parameters
    ----------
    change
        A :class:`~ccsp_analysis.stats.CountComparison` or a signed difference.
    noun
        Appended after the number, e.g. ``"offences"`` gives "4,326 fewer offences".
    """
    diff = change if isinstance(change, numbers.Integral) else change.abs_change
    if diff == 0:
        return "no change"
    words = f"{fmt_count(abs(diff))} {'more' if diff > 0 else 'fewer'}"
    return f"{words} {noun}" if noun else words


def significance_phrase(result: CountComparison) -> str:
    """ "a statistically significant increase/decrease" or "no statistically significant change"."""
    if result.direction == "STABLE":
        return "no statistically significant change"
    change = "increase" if result.direction == "UP" else "decrease"
    if (result.abs_change > 0) != (result.direction == "UP"):  # only with unequal exposure
        return f"a statistically significant {change} in the rate once exposure is allowed for"
    return f"a statistically significant {change}"


def change_sentence(label: str, result: CountComparison) -> str:
    """One sentence for a year-on-year comparison from :func:`ccsp_analysis.stats.compare_counts`.

    Examples
    --------
    "Total recorded crime fell by 10.1% (38,508 against 42,834), a statistically significant
    decrease." A previous count of 0 gives "... rose to 5, up from none, ..."; equal counts
    "... was unchanged (...)"; a change that rounds to 0.0% "... by less than 0.1% ...".
    """
    significance = significance_phrase(result)
    current, previous = fmt_count(result.current), fmt_count(result.previous)
    if result.previous == 0 and result.current == 0:
        return f"{label}: none recorded in either period, {significance}."
    if result.previous == 0:
        return f"{label} rose to {current}, up from none, {significance}."
    if result.abs_change == 0:
        return f"{label} was unchanged ({current} against {previous}), {significance}."
    verb = "rose" if result.abs_change > 0 else "fell"
    size = fmt_pct(abs(result.pct_change))
    if size == fmt_pct(0):
        size = "less than " + fmt_pct(10**-1)
    return f"{label} {verb} by {size} ({current} against {previous}), {significance}."


def share_sentence(label: str, part: int, whole: int, base_label: str) -> str:
    """ "Shoplifting accounted for 10.1% of total recorded crime (3,890 of 38,508)."."""
    if part < 0 or whole < 0 or part > whole:
        raise NarrativeError(f"share needs 0 <= part <= whole, got part={part!r}, whole={whole!r}")
    if whole == 0:
        return f"{label}: no {base_label} was recorded, so there is no share to report."
    share = fmt_pct(part / whole * 100)
    return (
        f"{label} accounted for {share} of {base_label} ({fmt_count(part)} of {fmt_count(whole)})."
    )


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st ..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_sentence(
    label: str, rank: int, n: int, measure: str = "rate", group: str = "the group"
) -> str:
    """Place an area in a ranking where rank 1 is the lowest value.

    e.g. ``rank_sentence("Coventry", 1, 15, "crime rate", "its Most Similar Group")`` gives
    "Coventry had the lowest crime rate of the 15 areas in its Most Similar Group."
    """
    if not 1 <= rank <= n:
        raise NarrativeError(f"rank must be between 1 and n ({n}), got {rank!r}")
    if rank == 1:
        place = "the lowest"
    elif rank == n:
        place = "the highest"
    elif rank <= (n + 1) // 2:
        place = f"the {_ordinal(rank)} lowest"
    else:
        place = f"the {_ordinal(n - rank + 1)} highest"
    return f"{label} had {place} {measure} of the {n} areas in {group}."
