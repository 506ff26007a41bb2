"""Tests for the projection (stats.projection) and its sentence (narrative.projection_sentence).

Expected values come from the model's own defining equations solved here independently (a
hand-written IRLS in numpy, not statsmodels), from a normal approximation worked out by hand,
from simulation against a known negative binomial truth, or are counted by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ccsp_analysis import narrative, stats
from ccsp_analysis.stats import StatsError
from ccsp_analysis.stats.projection import (
    COLUMNS,
    MAX_MAPE,
    MIN_COVERAGE80,
    MIN_WINDOW,
    Backtest,
    ProjectionAssessment,
    verdict,
)

# ---------------------------------------------------------------- helpers


def nb_series(n: int, level: float = 300.0, alpha: float = 0.01, seed: int = 3,
              start: str = "2019-04", trend: float = 0.003) -> pd.Series:
    """Negative binomial counts, Var = mu + alpha mu^2 (gamma-Poisson), trend and a seasonal swing."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    mu = level * np.exp(trend * t) * (1 + 0.15 * np.sin(2 * np.pi * t / 12))
    gamma = rng.gamma(1 / alpha, alpha, n) if alpha > 0 else np.ones(n)
    return pd.Series(rng.poisson(mu * gamma), index=pd.period_range(start, periods=n, freq="M"), name="crimes")


def design(month: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Intercept, trend and 11 month indicators (January the reference): another parameterisation
    of the library's trend + 12 month effects, with the same fitted values."""
    return np.column_stack([np.ones_like(t), t] + [(month == k).astype(float) for k in range(2, 13)])


def irls(y: np.ndarray, x: np.ndarray, alpha: float) -> np.ndarray:
    """Negative binomial (NB2, known alpha) log-link GLM by iteratively reweighted least squares."""
    beta = np.linalg.lstsq(x, np.log(y + 0.5), rcond=None)[0]
    for _ in range(100):
        eta = x @ beta
        mu = np.exp(eta)
        w = mu / (1 + alpha * mu)
        new = np.linalg.solve(x.T @ (w[:, None] * x), x.T @ (w * (eta + (y - mu) / mu)))
        if np.max(np.abs(new - beta)) < 1e-12:
            return new
        beta = new
    return beta


# ---------------------------------------------------------------- the model


def test_a_noiseless_log_linear_seasonal_series_is_recovered():
    # Counts exactly exp(0.01 t + s[month]): the fit must continue them exactly; with no scatter
    # the dispersion is 0 (Poisson) and the intervals are Poisson noise plus the uncertainty of
    # the coefficients, checked against the normal approximation mu +/- z sqrt(mu + mu^2 v),
    # v = x0' (X'WX)^-1 x0 with W = mu (worked here in another parameterisation).
    effects = np.log(np.linspace(1000, 1600, 12))
    index = pd.date_range("2020-04-01", periods=36, freq="MS")
    future = pd.date_range("2023-04-01", periods=12, freq="MS")
    month = np.r_[index.month.to_numpy(), future.month.to_numpy()]
    t = np.arange(48.0)
    truth = np.exp(0.01 * t + effects[month - 1])
    series = pd.Series(truth[:36], index=index)
    result = stats.project(series)
    assert result.index.equals(future) and list(result.columns) == list(COLUMNS)
    assert result["forecast"].to_numpy() == pytest.approx(truth[36:], rel=1e-7)
    assert stats.assess_projection(series, window=36).dispersion == 0.0

    x = design(month[:36].astype(float), t[:36])
    cov = np.linalg.inv(x.T @ (truth[:36, None] * x))
    x0 = design(month[36:].astype(float), t[36:])
    mu = truth[36:]
    sd = np.sqrt(mu + mu**2 * np.einsum("ij,jk,ik->i", x0, cov, x0))
    for level, z in ((80, 1.2815516), (95, 1.9599640)):
        half = (result[f"high{level}"] - result[f"low{level}"]).to_numpy() / 2
        assert half == pytest.approx(z * sd, rel=0.06)
        assert (result[f"low{level}"] <= mu).all() and (mu <= result[f"high{level}"]).all()


def test_fit_solves_the_negative_binomial_equations():
    # The library's forecast equals an independent IRLS fit at the library's alpha, and that
    # alpha is the moment estimate: Pearson statistic = n - p = 36 - 13 = 23.
    series = nb_series(36, level=500, alpha=0.02, seed=5)
    result = stats.assess_projection(series, window=36)
    alpha = result.dispersion
    assert 0.005 < alpha < 0.05
    y = series.to_numpy(dtype=float)
    month = series.index.month.to_numpy().astype(float)
    beta = irls(y, design(month, np.arange(36.0)), alpha)
    mu = np.exp(design(month, np.arange(36.0)) @ beta)
    assert ((y - mu) ** 2 / (mu + alpha * mu**2)).sum() == pytest.approx(23, rel=1e-6)
    future = pd.period_range("2022-04", periods=12, freq="M").month.to_numpy().astype(float)
    expected = np.exp(design(future, np.arange(36.0, 48.0)) @ beta)
    assert result.projection["forecast"].to_numpy() == pytest.approx(expected, rel=1e-6)
    assert result.total == pytest.approx(expected.sum(), rel=1e-6)
    # the trend as % a year: 12 months of the slope
    assert result.trend_pct == pytest.approx(np.expm1(12 * beta[1]) * 100, rel=1e-5)
    assert result.trend_low95 < result.trend_pct < result.trend_high95


def test_poisson_counts_give_no_dispersion():
    # Counts less variable than Poisson (here constant within each calendar month apart from +/-1)
    # leave nothing for alpha to explain: alpha = 0.
    base = np.tile(np.arange(100, 112), 3)
    series = pd.Series(base + np.tile([1, -1], 18), index=pd.period_range("2021-04", periods=36, freq="M"))
    assert stats.assess_projection(series).dispersion == 0.0


def test_intervals_reach_nominal_coverage_on_negative_binomial_counts():
    # 150 series with a known dispersion (alpha = 0.01: 10% extra-Poisson variation at ~300 a
    # month); each is fitted on 36 months and its 12 following months checked against the
    # intervals. Coverage pooled over 1,800 held-out months is near nominal (standard error
    # about 0.012 for 80% and 0.006 for 95%, from the spread over the 150 series).
    rng = np.random.default_rng(7)
    t = np.arange(48)
    mu = 300 * np.exp(0.003 * t) * (1 + 0.15 * np.sin(2 * np.pi * t / 12))
    index = pd.period_range("2019-04", periods=36, freq="M")
    inside = {80: 0, 95: 0}
    for r in range(150):
        y = rng.poisson(mu * rng.gamma(100.0, 0.01, 48))
        p = stats.project(pd.Series(y[:36], index=index), simulations=1000, seed=r)
        for level in inside:
            inside[level] += int(((p[f"low{level}"] <= y[36:]) & (y[36:] <= p[f"high{level}"])).sum())
    assert inside[80] / 1800 == pytest.approx(0.80, abs=0.04)
    assert inside[95] / 1800 == pytest.approx(0.95, abs=0.025)


def test_projection_is_repeatable_and_keeps_the_index_type():
    series = nb_series(40)
    first, second = stats.project(series), stats.project(series)
    pd.testing.assert_frame_equal(first, second)
    assert isinstance(first.index, pd.PeriodIndex)
    dated = stats.project(series.set_axis(series.index.to_timestamp()).rename_axis("month"))
    assert dated.index.equals(pd.date_range("2022-08-01", periods=12, freq="MS", name="month"))
    assert dated.to_numpy() == pytest.approx(first.to_numpy())
    ordered = first[["low95", "low80", "forecast", "high80", "high95"]].to_numpy()
    assert (np.diff(ordered, axis=1) >= 0).all()
    # interval ends are whole counts (quantiles of simulated counts)
    assert (first.drop(columns="forecast").to_numpy() % 1 == 0).all()


def test_projection_fits_only_the_window():
    # The months before the window do not change the projection.
    series = nb_series(60)
    pd.testing.assert_frame_equal(stats.project(series), stats.project(series.iloc[-36:]))
    longer = stats.project(series, window=48)
    pd.testing.assert_frame_equal(longer, stats.project(series.iloc[-48:], window=48))


def test_small_counts_stay_non_negative():
    series = pd.Series(np.random.default_rng(0).poisson(1.0, 36),
                       index=pd.period_range("2021-04", periods=36, freq="M"))
    result = stats.project(series)
    assert (result.to_numpy() >= 0).all() and np.isfinite(result.to_numpy()).all()


@pytest.mark.parametrize(
    ("series", "kwargs", "match"),
    [
        (pd.Series(np.ones(35), index=pd.period_range("2022-01", periods=35, freq="M")), {}, "at least 36"),
        (nb_series(48), {"window": 24}, "at least 36"),
        (nb_series(40), {"window": 48}, "at least 48"),
        (pd.Series(np.ones(40)), {}, "indexed by month"),
        (pd.Series(np.ones(40), index=pd.period_range("2020-01", periods=41, freq="M").delete(5)), {},
         "consecutive"),
        (pd.Series(-np.ones(40), index=pd.period_range("2020-01", periods=40, freq="M")), {}, "negative"),
        (pd.Series(np.where(np.arange(36) % 12 == 2, 0, 5),
                   index=pd.period_range("2021-04", periods=36, freq="M")), {}, "none in June"),
        (nb_series(40), {"months": 0}, "horizon"),
    ],
)
def test_unusable_series_are_refused(series, kwargs, match):
    with pytest.raises(StatsError, match=match):
        stats.project(series, **kwargs)


# ---------------------------------------------------------------- back-test


def test_backtest_fits_the_same_window_as_the_projection():
    # 60 months, April 2019 to March 2024: the projection fits the last 36 (April 2021 to March
    # 2024); the back-test fits the 36 before the last 12 (April 2020 to March 2023) and is
    # scored on April 2023 to March 2024.
    series = nb_series(60)
    result = stats.assess_projection(series)
    bt = result.backtest
    assert (result.fit_start, result.fit_end) == (pd.Period("2021-04", "M"), pd.Period("2024-03", "M"))
    assert (bt.fit_start, bt.fit_end) == (pd.Period("2020-04", "M"), pd.Period("2023-03", "M"))
    assert bt.window == result.window == 36 and bt.horizon == 12
    expected = stats.project(series.iloc[-48:-12])  # the same model on the same 36 months
    pd.testing.assert_frame_equal(bt.table[list(COLUMNS)], expected)
    assert bt.table["actual"].tolist() == series.iloc[-12:].tolist()
    pd.testing.assert_frame_equal(
        stats.backtest_projection(series).table, bt.table)
    # a longer window is used for both
    wide = stats.assess_projection(series, window=48)
    assert wide.backtest.window == 48 and wide.backtest.fit_start == pd.Period("2019-04", "M")
    assert wide.fit_start == pd.Period("2020-04", "M")


def test_backtest_metrics_are_recomputed_from_its_table():
    bt = stats.backtest_projection(nb_series(48, alpha=0.005, seed=9))
    table = bt.table
    error = table["forecast"] - table["actual"]
    assert bt.mape == pytest.approx((error.abs() / table["actual"]).mean() * 100)
    assert bt.mae == pytest.approx(error.abs().mean())
    assert bt.total_error_pct == pytest.approx(error.sum() / table["actual"].sum() * 100)
    for level in (80, 95):
        inside = int(((table[f"low{level}"] <= table["actual"]) & (table["actual"] <= table[f"high{level}"])).sum())
        assert getattr(bt, f"inside{level}") == inside
        assert getattr(bt, f"coverage{level}") == pytest.approx(inside / 12)


def test_backtest_needs_window_plus_horizon_months():
    with pytest.raises(StatsError, match="needs 48 months"):
        stats.backtest_projection(nb_series(47))


# ---------------------------------------------------------------- verdict


def _backtest(mape: float | None, inside80: int) -> Backtest:
    return Backtest(horizon=12, window=36, fit_start=pd.Period("2020-04", "M"), fit_end=pd.Period("2023-03", "M"),
                    mape=mape, mae=0.0, total_error_pct=0.0, inside80=inside80, inside95=inside80,
                    coverage80=inside80 / 12, coverage95=inside80 / 12, table=pd.DataFrame())


def test_verdict_thresholds_are_inclusive():
    assert (MAX_MAPE, MIN_COVERAGE80, MIN_WINDOW) == (15.0, 0.60, 36)
    assert verdict(_backtest(15.0, 8)) == ()  # 8 of 12 = 66.7% >= 60%
    assert verdict(_backtest(15.01, 8)) == ("mape",)
    assert verdict(_backtest(3.0, 7)) == ("coverage80",)  # 7 of 12 = 58.3% < 60%
    assert verdict(_backtest(None, 12)) == ("mape",)  # every held-out month 0: MAPE undefined
    assert verdict(_backtest(20.0, 0)) == ("mape", "coverage80")
    assert verdict(None) == ("history",)


def test_a_structural_break_fails_the_backtest_and_says_why():
    # Four steady years, then a 30% fall from April 2023: the model fitted to April 2020 to
    # March 2023 overshoots every month of the held-out year.
    series = nb_series(60, level=1000, alpha=0.002, seed=1, trend=0.0)
    series.iloc[-12:] = (series.iloc[-12:] * 0.7).round()
    result = stats.assess_projection(series)
    bt = result.backtest
    assert not result.passed and result.failures == ("mape", "coverage80")
    assert bt.mape > 30 and bt.inside80 == 0
    assert result.shown_projection.empty and list(result.shown_projection.columns) == list(COLUMNS)
    assert narrative.projection_sentence(result, "Burglary") == (
        "Burglary: no projection, because a model fitted to April 2020 to March 2023 missed the next 12 "
        f"months by {narrative.fmt_pct(bt.mape)} on average (the limit is 15%) and its 80% interval held "
        "0 of 12 months (at least 60% needed)."
    )


def test_a_steady_series_passes_and_is_shown():
    series = nb_series(60, level=3000, alpha=0.002, seed=5)
    result = stats.assess_projection(series)
    assert result.passed and result.failures == ()
    assert result.backtest.mape < MAX_MAPE and result.backtest.coverage80 >= MIN_COVERAGE80
    assert result.shown_projection is result.projection
    assert result.last_total == series.iloc[-12:].sum()
    assert result.total_low95 <= result.total_low80 <= result.total <= result.total_high80 <= result.total_high95
    assert narrative.projection_sentence(result, "Burglary").startswith("Burglary: projected ")


def test_too_short_to_backtest_is_not_shown():
    result = stats.assess_projection(nb_series(40))
    assert result.backtest is None and not result.passed and result.failures == ("history",)
    assert len(result.projection) == 12 and result.shown_projection.empty
    assert narrative.projection_sentence(result, "Shoplifting") == (
        "Shoplifting: no projection, because testing one needs 48 months of counts (36 to fit the "
        "model and the 12 that follow to check it against) and only 40 are available."
    )


def test_demo_total_recorded_crime_is_not_projected_to_rise(demo_dir):
    # The demo's recorded crime fell 10.1% in 2023-24 (42,834 -> 38,508) after two years of
    # rises. The old model drew a rise from 3,080 to about 3,770 a month; the new one is fitted
    # on April 2021 to March 2024, but its back-test (the same model on April 2020 to March 2023)
    # misses 2023-24 badly, so no projection is shown and the page says why.
    dates = pd.read_csv(demo_dir / "partner" / "crimes.csv", usecols=["date"])["date"]
    monthly = pd.to_datetime(dates).dt.to_period("M").value_counts().sort_index()
    trc = monthly.loc["2013-04":"2024-03"]
    assert trc.loc["2023-04":].sum() == 38_508 and trc.loc["2022-04":"2023-03"].sum() == 42_834
    result = stats.assess_projection(trc)
    assert not result.passed and result.failures == ("mape", "coverage80")
    assert result.backtest.mape > MAX_MAPE
    assert result.shown_projection.empty
    # the fitted trend is not distinguishable from none, and the projected total is in line with
    # the last year once its uncertainty is counted
    assert result.trend_low95 < 0 < result.trend_high95
    assert result.total_low95 <= result.last_total <= result.total_high95
    assert narrative.projection_sentence(result, "Total recorded crime").startswith(
        "Total recorded crime: no projection, because a model fitted to April 2020 to March 2023 missed "
        "the next 12 months by ")


# ---------------------------------------------------------------- sentences, by hand


def _assessment(**overrides) -> ProjectionAssessment:
    index = pd.period_range("2024-04", periods=12, freq="M")
    values = dict(
        projection=pd.DataFrame({c: np.ones(12) for c in COLUMNS}, index=index),
        backtest=_backtest(8.24, 10), passed=True, failures=(), horizon=12, window=36, months_available=60,
        fit_start=pd.Period("2021-04", "M"), fit_end=pd.Period("2024-03", "M"), total=40_456.4,
        total_low80=39_469, total_high80=41_590, total_low95=39_000, total_high95=42_000, last_total=38_508,
        trend_pct=0.9, trend_low95=-2.0, trend_high95=3.9, dispersion=0.005)
    values.update(overrides)
    return ProjectionAssessment(**values)


def test_projection_sentence_when_shown():
    # (40,456.4 - 38,508) / 38,508 = 5.06% -> "5.1% more"; 38,508 is below the 95% interval of
    # the total (39,000 to 42,000), so a rise is claimed.
    assert narrative.projection_sentence(_assessment(), "Total recorded crime") == (
        "Total recorded crime: projected 40,456 from April 2024 to March 2025 (80% prediction interval "
        "39,469 to 41,590), 5.1% more than the last 12 months (38,508); the same model fitted to April "
        "2020 to March 2023 was out by 8.2% a month on average over the next 12 months and its 80% "
        "interval held 10 of them."
    )
    inside = _assessment(total_low95=38_000)
    assert "in line with the last 12 months (38,508)" in narrative.projection_sentence(inside, "Crime")
    fewer = _assessment(total=36_000.0, total_low95=35_000, total_high95=37_000)  # -6.51%
    assert "6.5% fewer than the last 12 months (38,508)" in narrative.projection_sentence(fewer, "Crime")


def test_projection_sentence_for_each_failure():
    mape_only = _assessment(backtest=_backtest(26.04, 9), passed=False, failures=("mape",))
    assert narrative.projection_sentence(mape_only, "Crime") == (
        "Crime: no projection, because a model fitted to April 2020 to March 2023 missed the next 12 "
        "months by 26.0% on average (the limit is 15%)."
    )
    coverage_only = _assessment(backtest=_backtest(7.46, 1), passed=False, failures=("coverage80",))
    assert narrative.projection_sentence(coverage_only, "Crime") == (
        "Crime: no projection, because a model fitted to April 2020 to March 2023 was out by only 7.5% a "
        "month on average over the next 12 months, but its 80% interval held 1 of 12 months (at least 60% "
        "needed)."
    )
    zeros = _assessment(backtest=_backtest(None, 12), passed=False, failures=("mape",))
    assert narrative.projection_sentence(zeros, "Crime").endswith(
        "could not be scored in percentage terms, because each of the next 12 months was 0.")
