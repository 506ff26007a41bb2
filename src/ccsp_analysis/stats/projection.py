"""Seasonal projection of a monthly count series with prediction intervals, and its back-test."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

from ccsp_analysis.errors import StatsError
from ccsp_analysis.stats.checks import as_series

MIN_MONTHS = 24  # two full years, so every calendar month is seen at least twice
_OFFSET = 0.5  # added before taking logs so that zero counts can be modelled


def _monthly_periods(series: pd.Series) -> pd.PeriodIndex:
    """The series' index as consecutive monthly periods, or a clear error."""
    index = series.index
    if isinstance(index, pd.DatetimeIndex):
        periods = index.to_period("M")
    elif isinstance(index, pd.PeriodIndex) and index.freqstr.startswith("M"):
        periods = index
    else:
        raise StatsError("series must be indexed by month (a DatetimeIndex or monthly PeriodIndex)")
    steps = np.diff(periods.asi8)
    if len(periods) and not (steps == 1).all():
        raise StatsError("series months must be consecutive and in order, with no gaps or repeats")
    return periods


def _design(months: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Columns: linear time, then one indicator per calendar month (no separate intercept)."""
    return np.column_stack([t, months[:, None] == np.arange(1, 13)[None, :]]).astype(float)


def project(series: pd.Series, months: int = 12, years: int = 3) -> pd.DataFrame:
    """Project a monthly count series forward with 80% and 95% prediction intervals.

    The model is a log-linear trend with month-of-year effects, fitted by ordinary least
    squares to the last ``years`` years (at least 24 months):

        log(count_t + 0.5) = b * t + s[month(t)] + e_t,   e_t ~ Normal(0, sigma^2)

    with one effect s for each calendar month. The forecast is exp(fit) - 0.5 (a median
    on the count scale), and the intervals are the usual OLS prediction intervals
    fit +/- t(df) * s_e * sqrt(1 + x0' (X'X)^-1 x0), back-transformed the same way and
    floored at 0. The residual spread s_e covers Poisson noise and any extra variation.

    Parameters
    ----------
    series
        Monthly counts (DatetimeIndex or monthly PeriodIndex, consecutive, no gaps).
    months
        How many months ahead to project.
    years
        How many of the latest years to fit on.

    Returns
    -------
    pandas.DataFrame
        Indexed by future month (same index type as ``series``; month-start timestamps for
        a DatetimeIndex) with ``forecast, low80, high80, low95, high95``.
    """
    values = as_series(series, "series")
    periods = _monthly_periods(values)
    if (values < 0).any():
        raise StatsError("series holds negative counts; a projection needs counts >= 0")
    if months < 1 or years < 2:
        raise StatsError(f"months must be >= 1 and years >= 2, got months={months}, years={years}")
    window = min(len(values), 12 * years)
    if window < MIN_MONTHS:
        raise StatsError(f"a projection needs at least {MIN_MONTHS} months, got {len(values)}")
    y = np.log(values.to_numpy()[-window:] + _OFFSET)
    fit_periods = periods[-window:]
    t = np.arange(window, dtype=float)
    x = _design(fit_periods.month.to_numpy(), t)
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    df = window - x.shape[1]
    s_e = float(np.sqrt(((y - x @ beta) ** 2).sum() / df))
    future = pd.period_range(periods[-1] + 1, periods=months, freq="M")
    x0 = _design(future.month.to_numpy(), np.arange(window, window + months, dtype=float))
    leverage = np.einsum("ij,jk,ik->i", x0, np.linalg.pinv(x.T @ x), x0)
    centre, spread = x0 @ beta, s_e * np.sqrt(1 + leverage)

    def back(log_value: np.ndarray) -> np.ndarray:
        return np.maximum(np.exp(log_value) - _OFFSET, 0.0)

    frame = {"forecast": back(centre)}
    for level in (80, 95):
        half = float(sps.t.ppf(0.5 + level / 200, df)) * spread
        frame[f"low{level}"], frame[f"high{level}"] = back(centre - half), back(centre + half)
    index = future.to_timestamp() if isinstance(series.index, pd.DatetimeIndex) else future
    return pd.DataFrame(frame, index=index.rename(series.index.name))


@dataclass(frozen=True)
class Backtest:
    """Result of :func:`backtest_projection` (errors of a projection made ``horizon`` months ago)."""

    horizon: int
    n_train: int
    mape: float | None
    mae: float
    total_error_pct: float | None
    coverage80: float
    coverage95: float
    table: pd.DataFrame


def backtest_projection(series: pd.Series, horizon: int = 12, years: int = 3) -> Backtest:
    """Fit :func:`project` on all but the last ``horizon`` months and score it on them.

    Reported, not tuned to: the model is fixed in advance; this only says how well it did.

    Returns
    -------
    Backtest
        ``mape`` mean absolute percentage error over months with a non-zero actual (None if
        none); ``mae`` mean absolute error; ``total_error_pct`` error of the projected
        total over the horizon as % of the actual total; ``coverage80``/``coverage95`` the
        share of months whose actual fell inside the 80%/95% interval; ``table`` the
        month-by-month ``actual`` against the projection.
    """
    values = as_series(series, "series")
    if not 1 <= horizon < len(values):
        raise StatsError(f"horizon must be between 1 and {len(values) - 1}, got {horizon}")
    projection = project(series.iloc[:-horizon], months=horizon, years=years)
    actual = values.to_numpy()[-horizon:]
    table = projection.assign(actual=actual)
    error = table["forecast"].to_numpy() - actual
    nonzero = actual > 0
    total = actual.sum()

    def covered(level: int) -> float:
        inside = (table[f"low{level}"] <= actual) & (actual <= table[f"high{level}"])
        return float(inside.mean())

    return Backtest(
        horizon=horizon,
        n_train=len(values) - horizon,
        mape=float(np.mean(np.abs(error[nonzero]) / actual[nonzero]) * 100)
        if nonzero.any()
        else None,
        mae=float(np.abs(error).mean()),
        total_error_pct=float(error.sum() / total * 100) if total > 0 else None,
        coverage80=covered(80),
        coverage95=covered(95),
        table=table,
    )
