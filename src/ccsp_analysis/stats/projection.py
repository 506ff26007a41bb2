"""Projection of a monthly count series: an over-dispersed count model, its back-test and a verdict.

Numbers only; the sentences that report a projection (or why there is none) are in
:func:`ccsp_analysis.narrative.projection_sentence`.

The model (a negative binomial GLM with a linear trend and month-of-year effects) is fitted on
the latest ``window`` months (at least 36). The back-test fits *the same model on a window of the
same length* ending 12 months earlier and scores its projection against the 12 months that
followed. :func:`assess_projection` returns everything a page needs: the projection, the
back-test and whether the back-test met the thresholds for showing the projection.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as sps
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from ccsp_analysis.errors import StatsError
from ccsp_analysis.stats.checks import as_series

MIN_WINDOW = 36  #: the fewest months a projection is fitted on (three of every calendar month)
WINDOW = 36  #: months fitted, by default, for the projection and again for its back-test
HORIZON = 12  #: months projected, and months held out by the back-test
MAX_MAPE = 15.0  #: a projection is shown only if the back-test's MAPE is at most this (%) ...
MIN_COVERAGE80 = 0.60  #: ... and its 80% interval held at least this share of the held-out months
SIMULATIONS = 10_000  #: draws from the fitted model behind each prediction interval
SEED = 20240401  #: fixed seed: the same series always gives the same intervals
LEVELS = (80, 95)  #: prediction interval levels (%)
COLUMNS = ("forecast", "low80", "high80", "low95", "high95")  #: columns of a projection frame
#: Reasons a projection is not shown, in the order they are reported (``ProjectionAssessment.failures``):
#: too little history to back-test; back-test MAPE above the limit (or not measurable, when every
#: held-out month is 0); back-test 80% interval coverage below the limit.
FAILURES = ("history", "mape", "coverage80")


# ---------------------------------------------------------------- input


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


def _checked(series: pd.Series, window: int, horizon: int) -> tuple[np.ndarray, pd.PeriodIndex]:
    """Counts and monthly periods of ``series``, with ``window`` and ``horizon`` checked."""
    values = as_series(series, "series")
    periods = _monthly_periods(values)
    if (values < 0).any():
        raise StatsError("series holds negative counts; a projection needs counts >= 0")
    if isinstance(window, bool) or not isinstance(window, int | np.integer) or window < MIN_WINDOW:
        raise StatsError(
            f"window must be a whole number of at least {MIN_WINDOW} months, got {window!r}"
        )
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or not 1 <= horizon <= window:
        raise StatsError(
            f"the horizon must be a whole number of months from 1 to the window ({window}), got {horizon!r}"
        )
    if len(values) < window:
        raise StatsError(
            f"a projection needs at least {window} months of counts (the fitting window; never "
            f"fewer than {MIN_WINDOW}), got {len(values)}"
        )
    return values.to_numpy(dtype=float), periods


def _design(months: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Columns: linear time, then one indicator per calendar month (no separate intercept)."""
    return np.column_stack([t, months[:, None] == np.arange(1, 13)[None, :]]).astype(float)


# ---------------------------------------------------------------- model


@dataclass(frozen=True)
class _Fit:
    """A negative binomial GLM fitted to one window (log link; trend, then 12 month effects)."""

    y: np.ndarray
    x: np.ndarray
    beta: np.ndarray
    mu: np.ndarray
    alpha: float  # NB2 dispersion: Var(y) = mu + alpha mu^2 (0: Poisson)
    periods: pd.PeriodIndex

    @property
    def df(self) -> int:
        return len(self.y) - self.x.shape[1]

    def cov(self, alpha: np.ndarray | float) -> np.ndarray:
        """Covariance of the coefficients, (X'WX)^-1 with W = mu / (1 + alpha mu), for each alpha."""
        a = np.atleast_1d(np.asarray(alpha, dtype=float))
        w = self.mu[None, :] / (1 + a[:, None] * self.mu[None, :])
        return np.linalg.inv(np.matmul(self.x.T[None, :, :] * w[:, None, :], self.x))


def _pearson_alpha(r2: np.ndarray, mu: np.ndarray, target: np.ndarray) -> np.ndarray:
    """For each target c, the alpha >= 0 with sum r2 / (mu + alpha mu^2) = c (0 if none is > 0).

    The left side f(alpha) = sum a / (1 + alpha mu), a = r2 / mu, falls steadily and is convex,
    so Newton's method started at alpha = 0 (where f > c) climbs to the unique root without
    overshooting it.
    """
    c = np.asarray(target, dtype=float)
    a = r2 / mu
    alpha = np.zeros_like(c)
    todo = a.sum() > c
    for _ in range(200):
        if not todo.any():
            break
        u = 1 + alpha[todo, None] * mu[None, :]
        f = (a / u).sum(axis=1)
        slope = (a * mu / u**2).sum(axis=1)
        step = (f - c[todo]) / slope
        alpha[todo] += step
        done = np.abs(step) <= 1e-12 * alpha[todo]
        todo[np.flatnonzero(todo)[done]] = False
    return alpha


def _glm(y: np.ndarray, x: np.ndarray, alpha: float, start: np.ndarray | None) -> np.ndarray:
    family = sm.families.Poisson() if alpha == 0 else sm.families.NegativeBinomial(alpha=alpha)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        try:
            result = sm.GLM(y, x, family=family).fit(start_params=start, maxiter=200)
        except (ConvergenceWarning, np.linalg.LinAlgError, ValueError) as exc:
            raise StatsError(f"the projection model could not be fitted to these counts ({exc})") from exc
    return np.asarray(result.params, dtype=float)


def _fit(y: np.ndarray, periods: pd.PeriodIndex) -> _Fit:
    """Fit the trend + month-of-year negative binomial GLM to one window of counts.

    The coefficients are the GLM's maximum-likelihood estimates for a given dispersion alpha;
    alpha is the moment estimate that makes the Pearson statistic equal its degrees of freedom,
    sum (y - mu)^2 / (mu + alpha mu^2) = n - p (Breslow, 1984), 0 when the counts vary no more
    than Poisson counts would. The two are updated in turn until alpha settles.
    """
    totals = pd.Series(y).groupby(periods.month.to_numpy()).sum()
    empty = [pd.Period(f"2000-{m:02d}", "M").strftime("%B") for m in totals.index[totals.to_numpy() == 0]]
    if empty:
        raise StatsError(
            f"the model needs at least one count in each calendar month of the {len(y)} months fitted "
            f"({periods[0].strftime('%B %Y')} to {periods[-1].strftime('%B %Y')}); there are none in "
            f"{', '.join(empty)}"
        )
    x = _design(periods.month.to_numpy(), np.arange(len(y), dtype=float))
    df = len(y) - x.shape[1]
    alpha, beta = 0.0, None
    for _ in range(100):
        beta = _glm(y, x, alpha, beta)
        mu = np.exp(x @ beta)
        new = float(_pearson_alpha((y - mu) ** 2, mu, np.array([float(df)]))[0])
        settled = abs(new - alpha) <= 1e-12 + 1e-8 * alpha
        alpha = new
        if settled:
            break
    else:
        raise StatsError("the projection model's dispersion did not settle for these counts")
    beta = _glm(y, x, alpha, beta)
    return _Fit(y=y, x=x, beta=beta, mu=np.exp(x @ beta), alpha=alpha, periods=periods)


def _simulate(fit: _Fit, months: int, simulations: int, seed: int) -> np.ndarray:
    """Draws of the next ``months`` counts (simulations x months) from the fitted model.

    Each draw takes (1) a dispersion alpha* that makes the Pearson statistic of the fitted
    window equal a chi-square(n - p) draw, carrying the uncertainty of alpha (for large counts
    alpha* = alpha * (n - p) / chi-square(n - p), which with normal errors gives the t-based
    prediction interval); (2) coefficients beta* ~ Normal(beta, (X'WX)^-1) at alpha*, the
    uncertainty of trend and month effects; (3) counts ~ negative binomial(mu*, alpha*), drawn
    as Poisson(mu* G) with G ~ Gamma(1/alpha*, alpha*) (G = 1 when alpha* = 0), the month's own
    over-dispersed noise.
    """
    if isinstance(simulations, bool) or not isinstance(simulations, int | np.integer) or simulations < 100:
        raise StatsError(f"simulations must be a whole number >= 100, got {simulations!r}")
    rng = np.random.default_rng(seed)
    n = len(fit.y)
    alpha = _pearson_alpha((fit.y - fit.mu) ** 2, fit.mu, rng.chisquare(fit.df, simulations))
    chol = np.linalg.cholesky(fit.cov(alpha))
    beta = fit.beta[None, :] + np.einsum("kij,kj->ki", chol, rng.standard_normal((simulations, len(fit.beta))))
    future = fit.periods[-1] + 1 + np.arange(months)
    x0 = _design(pd.PeriodIndex(future).month.to_numpy(), np.arange(n, n + months, dtype=float))
    mu = np.exp(np.minimum(beta @ x0.T, 40.0))  # a guard only: exp(40) is ~2e17 a month
    shape = np.divide(1.0, alpha, out=np.ones_like(alpha), where=alpha > 0)[:, None]
    gamma = np.where(alpha[:, None] > 0, rng.gamma(shape, 1.0 / shape, (simulations, months)), 1.0)
    return rng.poisson(mu * gamma).astype(float)


@dataclass(frozen=True)
class _Projection:
    frame: pd.DataFrame
    totals: dict[str, float]
    fit: _Fit


def _project(values: np.ndarray, periods: pd.PeriodIndex, months: int, window: int,
             index_type: type, name: object, simulations: int, seed: int) -> _Projection:
    fit = _fit(values[-window:], periods[-window:])
    draws = _simulate(fit, months, simulations, seed)
    future = pd.period_range(periods[-1] + 1, periods=months, freq="M")
    x0 = _design(future.month.to_numpy(), np.arange(window, window + months, dtype=float))
    forecast = np.exp(x0 @ fit.beta)
    frame = {"forecast": forecast}
    totals = {"total": float(forecast.sum())}
    for level in LEVELS:
        tail = (100 - level) / 200
        low, high = np.quantile(draws, [tail, 1 - tail], axis=0, method="inverted_cdf")
        frame[f"low{level}"], frame[f"high{level}"] = low, high
        sums = np.quantile(draws.sum(axis=1), [tail, 1 - tail], method="inverted_cdf")
        totals[f"total_low{level}"], totals[f"total_high{level}"] = float(sums[0]), float(sums[1])
    index = future.to_timestamp() if issubclass(index_type, pd.DatetimeIndex) else future
    return _Projection(pd.DataFrame(frame, index=index.rename(name)), totals, fit)


def project(series: pd.Series, months: int = HORIZON, window: int = WINDOW, *,
            simulations: int = SIMULATIONS, seed: int = SEED) -> pd.DataFrame:
    """Project a monthly count series ``months`` ahead with 80% and 95% prediction intervals.

    Model: a negative binomial (NB2) GLM with log link fitted to the latest ``window`` months,

        count_t ~ NegBin(mean mu_t, variance mu_t + alpha mu_t^2),
        log mu_t = b t + s[month(t)],

    a linear trend b and one effect s for each calendar month. The coefficients are maximum
    likelihood for the given alpha; alpha, which carries the variation beyond Poisson noise, is
    the degrees-of-freedom-corrected moment estimate (Pearson statistic = n - p; Breslow, 1984),
    0 when the counts are no more variable than Poisson. (The maximum-likelihood alpha ignores
    the 13 fitted coefficients and on 36 months is biased low, which narrows the intervals.)

    Forecast: the fitted mean exp(b t + s[month]) for each future month.

    Prediction intervals: quantiles (10%/90% and 2.5%/97.5%, inverted-CDF) of ``simulations``
    counts simulated from the fitted model with a fixed ``seed``, so the result is
    deterministic. Each draw carries all three sources of error: the uncertainty of alpha
    (a draw that makes the window's Pearson statistic equal a chi-square(n - p) draw), the
    uncertainty of trend and month effects (coefficients drawn from their asymptotic normal
    distribution at that alpha) and the month's own over-dispersed count noise (a negative
    binomial count at the drawn mean and alpha). With normal errors the same scheme gives the
    textbook t-based prediction interval. Interval ends are whole counts.

    Parameters
    ----------
    series
        Monthly counts >= 0 (DatetimeIndex or monthly PeriodIndex, consecutive, no gaps).
    months
        How many months ahead to project.
    window
        How many of the latest months to fit on (at least 36; fewer is refused).
    simulations, seed
        Draws behind the intervals, and the seed that makes them repeatable.

    Returns
    -------
    pandas.DataFrame
        Indexed by future month (same index type as ``series``; month-start timestamps for
        a DatetimeIndex) with ``forecast, low80, high80, low95, high95``.
    """
    values, periods = _checked(series, window, months)
    return _project(values, periods, months, window, type(series.index), series.index.name,
                    simulations, seed).frame


# ---------------------------------------------------------------- back-test


@dataclass(frozen=True)
class Backtest:
    """How a projection made ``horizon`` months ago by the same model and window did.

    ``fit_start``/``fit_end`` the months fitted (``window`` of them, ending ``horizon`` months
    before the series does); ``mape`` mean absolute percentage error over held-out months with a
    non-zero count (None if none); ``mae`` mean absolute error; ``total_error_pct`` error of the
    projected total as % of the recorded total (None if that is 0); ``inside80``/``inside95``
    how many held-out months fell inside the 80%/95% interval (ends included) and
    ``coverage80``/``coverage95`` the same as shares of ``horizon``; ``table`` month by month,
    the projection's columns and ``actual``.
    """

    horizon: int
    window: int
    fit_start: pd.Period
    fit_end: pd.Period
    mape: float | None
    mae: float
    total_error_pct: float | None
    inside80: int
    inside95: int
    coverage80: float
    coverage95: float
    table: pd.DataFrame


def _backtest(values: np.ndarray, periods: pd.PeriodIndex, horizon: int, window: int,
              index_type: type, name: object, simulations: int, seed: int) -> Backtest:
    if len(values) < window + horizon:
        raise StatsError(
            f"a back-test needs {window + horizon} months ({window} to fit, as the projection is, "
            f"and {horizon} to check it against), got {len(values)}"
        )
    train = slice(len(values) - window - horizon, len(values) - horizon)
    projection = _project(values[train], periods[train], horizon, window, index_type, name,
                          simulations, seed)
    actual = values[-horizon:]
    table = projection.frame.assign(actual=actual)
    error = table["forecast"].to_numpy() - actual
    nonzero = actual > 0
    total = actual.sum()
    inside = {
        level: int(((table[f"low{level}"] <= actual) & (actual <= table[f"high{level}"])).sum())
        for level in LEVELS
    }
    return Backtest(
        horizon=horizon,
        window=window,
        fit_start=periods[train][0],
        fit_end=periods[train][-1],
        mape=float(np.mean(np.abs(error[nonzero]) / actual[nonzero]) * 100) if nonzero.any() else None,
        mae=float(np.abs(error).mean()),
        total_error_pct=float(error.sum() / total * 100) if total > 0 else None,
        inside80=inside[80],
        inside95=inside[95],
        coverage80=inside[80] / horizon,
        coverage95=inside[95] / horizon,
        table=table,
    )


def backtest_projection(series: pd.Series, horizon: int = HORIZON, window: int = WINDOW, *,
                        simulations: int = SIMULATIONS, seed: int = SEED) -> Backtest:
    """Hold out the last ``horizon`` months, fit :func:`project`'s model on the ``window``
    months before them (the same length as the reported fit) and score its projection.

    Reported, not tuned to: the model is fixed in advance; this only says how well it did.
    Needs ``window + horizon`` months; fewer is refused.
    """
    values, periods = _checked(series, window, horizon)
    return _backtest(values, periods, horizon, window, type(series.index), series.index.name,
                     simulations, seed)


# ---------------------------------------------------------------- verdict


@dataclass(frozen=True)
class ProjectionAssessment:
    """Everything a page needs about a projection: the projection, its back-test and the verdict.

    ``projection`` the frame of :func:`project` (fitted on ``fit_start``..``fit_end``, the latest
    ``window`` months); ``total`` its projected total over the ``horizon`` months with
    ``total_low80``..``total_high95`` the prediction intervals of that total (same simulation);
    ``last_total`` the recorded total of the latest ``horizon`` months, for comparison;
    ``trend_pct`` the fitted trend as % change a year with its 95% confidence interval
    ``trend_low95``/``trend_high95``; ``dispersion`` the fitted alpha (0: Poisson);
    ``backtest`` the same model and window fitted ``horizon`` months earlier (None when the
    series is shorter than ``window + horizon`` months); ``passed`` whether the back-test met
    the thresholds ``max_mape`` (%) and ``min_coverage80`` (share); ``failures`` the unmet
    conditions, codes from :data:`FAILURES` (empty when passed). Show the projection only when
    ``passed``: :attr:`shown_projection` is the frame then, and an empty frame otherwise.
    """

    projection: pd.DataFrame
    backtest: Backtest | None
    passed: bool
    failures: tuple[str, ...]
    horizon: int
    window: int
    months_available: int
    fit_start: pd.Period
    fit_end: pd.Period
    total: float
    total_low80: float
    total_high80: float
    total_low95: float
    total_high95: float
    last_total: float
    trend_pct: float
    trend_low95: float
    trend_high95: float
    dispersion: float
    max_mape: float = MAX_MAPE
    min_coverage80: float = MIN_COVERAGE80

    @property
    def shown_projection(self) -> pd.DataFrame:
        """The projection if the back-test passed; otherwise an empty frame with its columns."""
        return self.projection if self.passed else self.projection.iloc[:0]


def verdict(backtest: Backtest | None, max_mape: float = MAX_MAPE,
            min_coverage80: float = MIN_COVERAGE80) -> tuple[str, ...]:
    """The unmet conditions for showing a projection, as codes from :data:`FAILURES` (empty: show it)."""
    if backtest is None:
        return ("history",)
    failures = []
    if backtest.mape is None or backtest.mape > max_mape:
        failures.append("mape")
    if backtest.coverage80 < min_coverage80:
        failures.append("coverage80")
    return tuple(failures)


def assess_projection(series: pd.Series, horizon: int = HORIZON, window: int = WINDOW, *,
                      max_mape: float = MAX_MAPE, min_coverage80: float = MIN_COVERAGE80,
                      simulations: int = SIMULATIONS, seed: int = SEED) -> ProjectionAssessment:
    """Project ``series`` ``horizon`` months ahead, back-test the same model and window, and decide.

    The projection (:func:`project`) is fitted on the latest ``window`` months. The back-test
    (:func:`backtest_projection`) fits the same model on the ``window`` months that end
    ``horizon`` months earlier and scores it on the ``horizon`` months that followed. The
    projection should be shown only if the back-test's MAPE is at most ``max_mape`` (%) and its
    80% interval held at least ``min_coverage80`` of the held-out months; a series too short
    for the back-test (fewer than ``window + horizon`` months) is not shown either.

    Raises StatsError for fewer than ``window`` months (never fewer than 36).
    """
    values, periods = _checked(series, window, horizon)
    index_type, name = type(series.index), series.index.name
    result = _project(values, periods, horizon, window, index_type, name, simulations, seed)
    backtest = (
        _backtest(values, periods, horizon, window, index_type, name, simulations, seed)
        if len(values) >= window + horizon
        else None
    )
    failures = verdict(backtest, max_mape, min_coverage80)
    fit = result.fit
    slope, se = fit.beta[0], float(np.sqrt(fit.cov(fit.alpha)[0][0, 0]))
    z95 = float(sps.norm.ppf(0.975))

    def per_year(b: float) -> float:
        return float(np.expm1(12 * b) * 100)

    return ProjectionAssessment(
        projection=result.frame,
        backtest=backtest,
        passed=not failures,
        failures=failures,
        horizon=horizon,
        window=window,
        months_available=len(values),
        fit_start=fit.periods[0],
        fit_end=fit.periods[-1],
        last_total=float(values[-horizon:].sum()),
        trend_pct=per_year(slope),
        trend_low95=per_year(slope - z95 * se),
        trend_high95=per_year(slope + z95 * se),
        dispersion=fit.alpha,
        max_mape=max_mape,
        min_coverage80=min_coverage80,
        **result.totals,
    )
