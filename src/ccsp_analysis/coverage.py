"""Period coverage: does every monthly source the sections need hold every month they compare?

A change between two years is only a change when both years are complete. Before any section
runs, the runner (and ``ccsp data check``) checks month by month that each monthly source the
run uses has rows in every month of the assessment period and of the comparison period. A month
with no rows at all in a source is missing (each source is an area-wide event log, so a real
month is never empty); thin months are flagged by the data audit but do not stop a run.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd

from ccsp_analysis.dataset import Dataset
from ccsp_analysis.formatting import month_ranges
from ccsp_analysis.params import Params


@dataclass(frozen=True)
class Gap:
    """One source's missing months (first-of-month dates, in order)."""

    source: str
    months: tuple[pd.Timestamp, ...]


def required_months(params: Params) -> pd.DatetimeIndex:
    """The months a run compares: the comparison period then the assessment period (year to date in
    performance mode, the same months of both years)."""
    quarter = params.quarter if params.mode == "performance" else None
    return params.comparison_fy.months(quarter).append(params.fy.months(quarter))


def monthly_sources(data: Dataset, params: Params) -> dict[str, pd.Series]:
    """Each monthly source the run uses -> the month of each of its rows."""
    return {label: months for label, (_key, months) in _monthly(data, params).items()}


def monthly_source_keys(data: Dataset, params: Params) -> dict[str, str]:
    """Each monthly source of :func:`monthly_sources` -> the ``sources`` key of the file it comes from."""
    return {label: key for label, (key, _months) in _monthly(data, params).items()}


def _monthly(data: Dataset, params: Params) -> dict[str, tuple[str, pd.Series]]:
    src = params.sources
    crimes = data.crimes
    out = {"recorded crime (the force's extract)": ("partner_crimes", crimes["month"])} if src.partner_crimes else \
        {"recorded crime (data.police.uk)": ("police_uk", crimes["month"])}
    asb = data.asb
    if "recorded_by" in asb.columns:
        key = "police_asb" if src.police_asb else "police_uk"
        out["police-recorded ASB" + (" (the force's extract)" if src.police_asb else " (data.police.uk)")] = \
            (key, asb.loc[asb["recorded_by"] == "police", "month"])
        if src.council_asb is not None:
            out["council-recorded ASB"] = ("council_asb", asb.loc[asb["recorded_by"] == "council", "month"])
    for name, table, key in (("fly-tipping", "fly_tipping", "fly_tipping"),
                             ("domestic abuse service referrals", "services", "da_referrals"),
                             ("non-crime incidents", "incidents", "non_crime_incidents")):
        frame = data.tables.get(table)
        if getattr(src, key) is not None and frame is not None and "month" in frame.columns:
            out[name] = (key, frame["month"])
    return out


def coverage_gaps(data: Dataset, params: Params) -> list[Gap]:
    """Every source with months of :func:`required_months` that hold no rows (empty list: all covered)."""
    needed = required_months(params)
    gaps = []
    for source, months in monthly_sources(data, params).items():
        present = set(pd.DatetimeIndex(months.dropna().unique()).to_period("M").to_timestamp())
        missing = tuple(m for m in needed if m not in present)
        if missing:
            gaps.append(Gap(source, missing))
    return gaps


def gaps_text(gaps: list[Gap]) -> str:
    """One line per source: 'recorded crime (the force's extract): April 2024 to March 2025 (12 months)'."""
    return "\n".join(f"  {g.source}: {month_ranges(g.months)} ({len(g.months)} month{'s' * (len(g.months) != 1)})"
                     for g in gaps)


# -- a run over incomplete periods --------------------------------------------------------------

_INCOMPLETE: contextvars.ContextVar[str | None] = contextvars.ContextVar("ccsp_incomplete_periods", default=None)


@contextmanager
def incomplete_periods(description: str | None) -> Iterator[None]:
    """While active (``description`` of the missing months, or None), changes are not called rises or falls."""
    token = _INCOMPLETE.set(description)
    try:
        yield
    finally:
        _INCOMPLETE.reset(token)


def incomplete() -> str | None:
    """The missing months of the run being computed, or None when its periods are complete."""
    return _INCOMPLETE.get()
