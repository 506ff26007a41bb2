"""Statistical process control charts (c-chart, XmR) with NHS Making Data Count rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ccsp_analysis.errors import StatsError
from ccsp_analysis.stats.checks import as_series

RUN_POINTS = 7  # a shift: 7 or more consecutive points on one side of the centre line
TREND_POINTS = 6  # a trend: 6 or more consecutive points each higher (or lower) than the last
NEAR_WINDOW, NEAR_COUNT = 3, 2  # 2 of 3 consecutive points beyond 2 sigma on the same side
XMR_D2 = 1.128  # bias constant d2 for moving ranges of 2 points
XMR_E2 = 2.66  # 3 / d2: limits are the mean +/- 2.66 mean moving ranges
MR_SCREEN = 3.267  # D4 for ranges of 2: moving ranges above 3.267 x their mean are left out of the limits
RULES = ("outside_limits", "run", "trend", "near_limit")


def _segments(labels: np.ndarray, min_length: int) -> list[tuple[int, int, int]]:
    """Maximal stretches of equal, non-zero labels at least ``min_length`` long: (start, end, label)."""
    found, start = [], 0
    for i in range(1, labels.size + 1):
        if i == labels.size or labels[i] != labels[start]:
            if labels[start] != 0 and i - start >= min_length:
                found.append((start, i - 1, int(labels[start])))
            start = i
    return found


def _run_segments(values: np.ndarray, centre: float) -> list[tuple[int, int, int]]:
    """Shifts: points strictly above (+1) or below (-1) the centre; a point on the line breaks a run."""
    return _segments(np.sign(values - centre).astype(int), RUN_POINTS)


def _trend_segments(values: np.ndarray) -> list[tuple[int, int, int]]:
    """Trends as point ranges: each step up (+1) or down (-1); an equal value breaks the trend."""
    steps = np.sign(np.diff(values)).astype(int)
    return [(s, e + 1, sign) for s, e, sign in _segments(steps, TREND_POINTS - 1)]


def _near_limit(values: np.ndarray, centre: float, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Points beyond 2 sigma that fall in a window of 3 holding 2 or more such points (upper, lower)."""
    flags = []
    for beyond in (values > centre + 2 * sigma, values < centre - 2 * sigma):
        flagged = np.zeros(values.size, dtype=bool)
        for start in range(values.size - NEAR_WINDOW + 1):
            window = slice(start, start + NEAR_WINDOW)
            if beyond[window].sum() >= NEAR_COUNT:
                flagged[window] |= beyond[window]
        flags.append(flagged)
    return flags[0], flags[1]


def xmr_limits(values: np.ndarray) -> tuple[float, float, float, float]:
    """Centre and limits of an XmR chart from baseline ``values`` (NHS Making Data Count).

    Centre = mean; mean moving range (MR-bar) over consecutive points; moving ranges above
    3.267 x MR-bar (the upper range limit) are left out and MR-bar recomputed once; limits =
    centre +/- 2.66 x MR-bar (2.66 = 3 / 1.128). Returns (centre, lcl, ucl, sigma).
    """
    centre = float(values.mean())
    ranges = np.abs(np.diff(values))
    mr_bar = float(ranges.mean())
    kept = ranges[ranges <= MR_SCREEN * mr_bar]
    if kept.size:
        mr_bar = float(kept.mean())
    sigma = mr_bar / XMR_D2
    return centre, centre - XMR_E2 * mr_bar, centre + XMR_E2 * mr_bar, sigma


def control_chart(series: pd.Series, kind: Literal["c", "xmr"] = "c", baseline: int | None = None) -> pd.DataFrame:
    """Control chart limits and NHS Making Data Count rule flags for one series.

    Parameters
    ----------
    series
        Values in time order (a count per month, or a rate), no gaps.
    kind
        ``"c"``: centre = mean, limits mean +/- 3 sqrt(mean), lower limit floored at 0.
        ``"xmr"``: centre = mean; limits mean +/- 2.66 x the mean moving range, moving ranges
        above 3.267 x their mean left out of it (:func:`xmr_limits`) -- the chart for every
        monthly series of the report, as over-dispersed, seasonal counts break the c-chart's
        Poisson assumption.
    baseline
        How many leading points set the centre and limits (all points when None); later points
        are judged against them. At least 2 points for XmR.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``series``: ``value, centre, lcl, ucl, baseline`` (whether the point is in
        the baseline) and one boolean column per rule: ``outside_limits`` (above ucl or below
        lcl); ``run`` (every point of 7 or more in a row strictly on one side of the centre; a
        point on the centre breaks a run); ``trend`` (every point of 6 or more in a row, i.e. 5
        or more successive steps, each higher than the one before, or each lower; an equal
        value breaks a trend); ``near_limit`` (points beyond 2 sigma on one side in any 3
        consecutive points of which 2 or more are beyond 2 sigma on that side; points beyond
        the limits count). Series shorter than a rule's length simply cannot trigger it.
    """
    values_s = as_series(series, "series")
    values = values_s.to_numpy()
    if kind not in ("c", "xmr"):
        raise StatsError(f"kind must be 'c' (counts) or 'xmr' (rates), got {kind!r}")
    n_base = values.size if baseline is None else int(baseline)
    need = 1 if kind == "c" else 2
    if values.size < need:
        raise StatsError(f"a {kind} chart needs at least {need} points")
    if not need <= n_base <= values.size:
        raise StatsError(f"a {kind} chart needs a baseline of {need} to {values.size} points, got {n_base}")
    base = values[:n_base]
    if kind == "c":
        if (values < 0).any():
            raise StatsError("a c-chart is for counts; series has negative values (use kind='xmr')")
        centre = float(base.mean())
        sigma = float(np.sqrt(centre))
        lcl, ucl = max(0.0, centre - 3 * sigma), centre + 3 * sigma
    else:
        centre, lcl, ucl, sigma = xmr_limits(base)
    run = np.zeros(values.size, dtype=bool)
    for start, end, _ in _run_segments(values, centre):
        run[start : end + 1] = True
    trend = np.zeros(values.size, dtype=bool)
    for start, end, _ in _trend_segments(values):
        trend[start : end + 1] = True
    upper, lower = _near_limit(values, centre, sigma)
    return pd.DataFrame(
        {
            "value": values,
            "centre": centre,
            "lcl": lcl,
            "ucl": ucl,
            "baseline": np.arange(values.size) < n_base,
            "outside_limits": (values > ucl) | (values < lcl),
            "run": run,
            "trend": trend,
            "near_limit": upper | lower,
        },
        index=series.index,
    )


@dataclass(frozen=True)
class Signal:
    """One rule breach on a control chart, by position in the chart (numbers only; ``narrative`` words it).

    ``rule`` is one of :data:`RULES`; ``points`` the positions involved (one point outside the
    limits, the first to last point of a run or trend, or the points close to a limit);
    ``side`` +1 above / rising, -1 below / falling; ``value`` and ``reference`` the point's
    value and the limit it crossed (outside_limits) or the centre line (run).
    """

    rule: str
    points: tuple[int, ...]
    side: int
    value: float | None = None
    reference: float | None = None


def signals(chart: pd.DataFrame) -> list[Signal]:
    """Every rule breach in a :func:`control_chart` frame, in time order of its first point.

    Parameters
    ----------
    chart
        The frame returned by :func:`control_chart`.

    Returns
    -------
    list of Signal
        Points outside the limits; runs of :data:`RUN_POINTS` or more on one side of the centre;
        trends of :data:`TREND_POINTS` or more; clusters of points beyond two sigma near a limit.
    """
    missing = [c for c in ("value", "centre", "lcl", "ucl", *RULES) if c not in chart.columns]
    if missing:
        raise StatsError(f"chart lacks column(s) {missing}; pass the frame from control_chart()")
    if chart.empty:
        return []
    values = chart["value"].to_numpy(dtype=float)
    centre, lcl, ucl = (float(chart[c].iloc[0]) for c in ("centre", "lcl", "ucl"))
    flags = {rule: chart[rule].to_numpy(dtype=bool) for rule in RULES}
    found: list[Signal] = []
    for i in np.flatnonzero(flags["outside_limits"]):
        above = values[i] > ucl
        found.append(Signal("outside_limits", (int(i),), 1 if above else -1, float(values[i]), ucl if above else lcl))
    for start, end, side in _run_segments(values, centre):
        if flags["run"][start : end + 1].all():
            found.append(Signal("run", tuple(range(start, end + 1)), 1 if side > 0 else -1, None, centre))
    for start, end, sign in _trend_segments(values):
        if flags["trend"][start : end + 1].all():
            found.append(Signal("trend", tuple(range(start, end + 1)), 1 if sign > 0 else -1))
    sigma = (ucl - centre) / 3
    for sign in (1, -1):
        beyond = np.flatnonzero(flags["near_limit"] & (sign * (values - centre) > 2 * sigma))
        clusters = np.split(beyond, np.flatnonzero(np.diff(beyond) > NEAR_WINDOW - 1) + 1)
        for cluster in (c for c in clusters if c.size):
            found.append(Signal("near_limit", tuple(int(i) for i in cluster), sign, None, ucl if sign > 0 else lcl))
    return sorted(found, key=lambda s: s.points[0])
