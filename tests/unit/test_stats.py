"""Tests for ccsp_analysis.stats: expected values by hand or by a formula independent of the code."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from ccsp_analysis import narrative, stats
from ccsp_analysis.errors import CcspError
from ccsp_analysis.stats import StatsError

# ---------------------------------------------------------------- independent reference helpers


def binom_pmf(k: int, n: int, p: float) -> float:
    """Binomial pmf from math.comb (the library uses scipy.stats.binomtest)."""
    return math.comb(n, k) * p**k * (1 - p) ** (n - k)


def log_binom_half(k: int, n: int) -> float:
    """log P(X = k) for X ~ Binomial(n, 1/2), via lgamma (for counts too big for math.comb sums)."""
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) - n * math.log(2)


def etest_bruteforce(k1: int, k2: int, n1: float = 1.0, n2: float = 1.0) -> float:
    """E-test p-value as a plain double loop, in Krishnamoorthy & Thomson's rate notation.

    Written independently of the library (which uses (k1 - d k2) / sqrt(k1 + d^2 k2) on a
    vectorised grid): here T = (k1/n1 - k2/n2) / sqrt(k1/n1^2 + k2/n2^2), set to 0 when the
    two rates are equal, as in K&T's Fortran; Poisson pmf from lgamma.
    """
    pooled = (k1 + k2) / (n1 + n2)
    m1, m2 = n1 * pooled, n2 * pooled

    def t(i: int, j: int) -> float:
        r1, r2 = i / n1, j / n2
        return 0.0 if r1 == r2 else (r1 - r2) / math.sqrt(r1 / n1 + r2 / n2)

    def pois(k: int, m: float) -> float:
        return math.exp(k * math.log(m) - m - math.lgamma(k + 1))

    observed = abs(t(k1, k2))
    top = int(max(m1, m2) + 12 * math.sqrt(max(m1, m2)) + 25)
    return sum(
        pois(i, m1) * pois(j, m2)
        for i in range(top)
        for j in range(top)
        if abs(t(i, j)) >= observed - 1e-12
    )


# ---------------------------------------------------------------- compare_counts


def test_compare_counts_key_example():
    r = stats.compare_counts(38508, 42834)
    # (38508 - 42834) / 42834 * 100 = -4326 / 42834 * 100 = -10.09945...
    assert r.pct_change == pytest.approx(-10.0995, abs=5e-5)
    assert r.abs_change == -4326
    assert r.direction == "DOWN"
    assert r.ratio == pytest.approx(38508 / 42834)
    # p-value: 2 * P(X <= 38508), X ~ Bin(81342, 1/2), summed term by term in log space
    n = 38508 + 42834
    logs = [log_binom_half(k, n) for k in range(38508 + 1)]
    top = max(logs)
    expected = 2 * math.exp(top) * sum(math.exp(v - top) for v in logs)
    assert r.p_value == pytest.approx(expected, rel=1e-6)
    assert r.ratio_low < r.ratio < r.ratio_high < 1


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        # 10 of 12: P(X >= 10) = (C(12,10) + C(12,11) + C(12,12)) / 2^12 = 79/4096; doubled
        (10, 2, 158 / 4096),
        # 3 of 3: P(X >= 3) = 1/8; doubled = 0.25
        (3, 0, 0.25),
        # 7 of 14 is the centre of a symmetric distribution: p = 1
        (7, 7, 1.0),
        (25, 14, None),  # computed below by direct summation with math.comb
        (0, 1, 1.0),  # 0 of 1: P(X <= 0) = 1/2, doubled = 1
    ],
)
def test_exact_p_value_against_direct_binomial_sums(current, previous, expected):
    n = current + previous
    if expected is None:
        lower = sum(binom_pmf(k, n, 0.5) for k in range(0, min(current, previous) + 1))
        expected = min(1.0, 2 * lower)
    assert stats.compare_counts(current, previous).p_value == pytest.approx(expected, rel=1e-12)


def test_ratio_interval_solves_the_clopper_pearson_tail_equations():
    # Clopper-Pearson limits for p = 10/12 satisfy P(X >= 10 | p_low) = 0.025 and
    # P(X <= 10 | p_high) = 0.025; the rate ratio is R = p / (1 - p), so p = R / (1 + R).
    r = stats.compare_counts(10, 2)
    p_low = r.ratio_low / (1 + r.ratio_low)
    p_high = r.ratio_high / (1 + r.ratio_high)
    assert sum(binom_pmf(k, 12, p_low) for k in range(10, 13)) == pytest.approx(0.025, abs=1e-9)
    assert sum(binom_pmf(k, 12, p_high) for k in range(0, 11)) == pytest.approx(0.025, abs=1e-9)
    assert r.direction == "UP"  # p = 0.0386 < 0.05


def test_alpha_sets_both_test_and_interval():
    r = stats.compare_counts(10, 2, alpha=0.01)
    assert r.direction == "STABLE"  # p = 0.0386 >= 0.01
    assert r.ratio_low < 1  # the 99% interval includes 1, consistently


def test_previous_zero_gives_no_percentage_and_an_open_interval():
    r = stats.compare_counts(3, 0)
    assert r.pct_change is None and r.ratio is None
    assert r.ratio_high == math.inf
    # p_low solves p^3 = 0.025, so p_low = 0.025 ** (1/3) = 0.29240; R = 0.29240 / 0.70760
    assert r.ratio_low == pytest.approx(0.025 ** (1 / 3) / (1 - 0.025 ** (1 / 3)))
    assert r.direction == "STABLE"  # p = 0.25
    # 10 against 0: p = 2 / 2^10 = 0.00195 -> a significant rise even with pct undefined
    assert stats.compare_counts(10, 0).direction == "UP"


def test_zero_against_zero():
    r = stats.compare_counts(0, 0)
    assert (r.p_value, r.direction, r.ratio, r.ratio_low, r.ratio_high) == (
        1.0,
        "STABLE",
        None,
        None,
        None,
    )
    assert r.pct_change is None and r.abs_change == 0
    assert stats.compare_counts(0, 0, method="etest").p_value == 1.0


def test_result_is_frozen():
    r = stats.compare_counts(5, 4)
    with pytest.raises(AttributeError):
        r.current = 6  # type: ignore[misc]


@pytest.mark.parametrize(
    ("current", "previous"), [(-1, 3), (2.5, 3), (3, float("nan")), ("3", 2), (True, 2), (None, 1)]
)
def test_bad_counts_raise_a_project_value_error(current, previous):
    with pytest.raises(StatsError, match="whole number|negative") as info:
        stats.compare_counts(current, previous)
    assert isinstance(info.value, CcspError) and isinstance(info.value, ValueError)


def test_integral_floats_are_accepted_as_counts():
    assert stats.compare_counts(12.0, np.int64(7)).current == 12


@pytest.mark.parametrize(
    "kwargs", [{"alpha": 0}, {"alpha": 1.5}, {"method": "wald"}, {"d": 0}, {"d": -2.0}]
)
def test_bad_options_raise(kwargs):
    with pytest.raises(StatsError):
        stats.compare_counts(5, 4, **kwargs)


# ---------------------------------------------------------------- E-test


@pytest.mark.parametrize(("k1", "k2"), [(10, 2), (5, 12), (0, 6), (20, 10), (3, 1), (9, 8)])
def test_etest_matches_brute_force_double_sum(k1, k2):
    got = stats.compare_counts(k1, k2, method="etest").p_value
    assert got == pytest.approx(etest_bruteforce(k1, k2), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    ("k1", "k2", "d"),
    [(10, 2, 1.0), (0, 6, 1.0), (9, 8, 1.0), (30, 12, 2.0), (400, 350, 1.0), (2000, 2100, 1.0)],
)
def test_etest_matches_scipy_poisson_means_test(k1, k2, d):
    # A second, separately written implementation: scipy.stats.poisson_means_test (rates
    # k / n with n1 = d, n2 = 1). Its own grid truncation limits agreement to ~1e-9.
    expected = sps.poisson_means_test(k1, d, k2, 1.0).pvalue
    assert stats.compare_counts(k1, k2, method="etest", d=d).p_value == pytest.approx(
        expected, rel=1e-8
    )


def test_etest_published_example():
    # scipy's documented example (0 seeds against 3 in equal samples): p = 0.0884
    assert stats.compare_counts(0, 3, method="etest").p_value == pytest.approx(0.08838, abs=1e-5)


def test_etest_with_unequal_exposure_matches_brute_force():
    # current exposure twice the previous (d = 2): n1 = 2, n2 = 1 in K&T's notation
    got = stats.compare_counts(30, 12, method="etest", d=2.0)
    assert got.p_value == pytest.approx(etest_bruteforce(30, 12, 2.0, 1.0), rel=1e-9)
    assert got.ratio == pytest.approx((30 / 2) / 12)


def test_etest_is_more_powerful_than_exact_on_a_small_example():
    # K&T's point: the E-test rejects more often at the same size; 10 v 2 shows it
    exact = stats.compare_counts(10, 2).p_value
    etest = stats.compare_counts(10, 2, method="etest").p_value
    assert etest < exact


def test_etest_on_large_counts_is_fast_and_significant():
    r = stats.compare_counts(38508, 42834, method="etest")
    assert r.p_value < 1e-10 and r.direction == "DOWN"


def test_exposure_ratio_changes_direction_for_rates():
    # 110 this year over twice the exposure against 100: rate ratio 0.55, a significant fall
    r = stats.compare_counts(110, 100, d=2.0)
    assert r.ratio == pytest.approx(0.55)
    assert r.direction == "DOWN" and r.abs_change == 10


# ---------------------------------------------------------------- rate_per_1000


@pytest.mark.parametrize(
    ("count", "low", "high"),
    # exact Poisson 95% limits as tabulated (Garwood 1936; e.g. Ulm 1990 tables)
    [(0, 0.0, 3.689), (1, 0.0253, 5.572), (2, 0.2422, 7.225), (10, 4.795, 18.390)],
)
def test_garwood_limits_match_published_table(count, low, high):
    rate, lo, hi = stats.rate_per_1000(count, 1000)
    assert rate == count
    assert lo == pytest.approx(low, abs=6e-4) and hi == pytest.approx(high, abs=6e-4)


@pytest.mark.parametrize("count", [0, 1, 7, 250, 38508])
def test_garwood_limits_match_gamma_quantiles(count):
    # Independent route: Poisson limits are Gamma quantiles, lower Gamma(k).ppf(a/2),
    # upper Gamma(k + 1).ppf(1 - a/2) (the library uses chi-square quantiles / 2).
    population = 345_312
    rate, low, high = stats.rate_per_1000(count, population, level=0.9)
    scale = 1000 / population
    expected_low = 0.0 if count == 0 else sps.gamma.ppf(0.05, count) * scale
    assert rate == pytest.approx(count * scale)
    assert low == pytest.approx(expected_low, rel=1e-9)
    assert high == pytest.approx(sps.gamma.ppf(0.95, count + 1) * scale, rel=1e-9)


@pytest.mark.parametrize("population", [0, -5, float("nan"), "345312"])
def test_rate_rejects_bad_population(population):
    with pytest.raises(StatsError, match="population"):
        stats.rate_per_1000(5, population)


# ---------------------------------------------------------------- wilson_interval

Z = 1.959963984540054  # standard normal 97.5% quantile
# Closed forms for n = 10 (z^2 = 3.841459):
#   0/10:  upper = z^2 / (n + z^2) = 3.841459 / 13.841459 = 0.277533
#   10/10: lower = n / (n + z^2) = 10 / 13.841459 = 0.722467
#   5/10:  half-width = z / (2 sqrt(n + z^2)) = 1.959964 / (2 x 3.720411) = 0.263407


def test_wilson_by_hand():
    assert stats.wilson_interval(0, 10) == pytest.approx((0.0, 0.0, Z**2 / (10 + Z**2)))
    assert stats.wilson_interval(10, 10) == pytest.approx((1.0, 10 / (10 + Z**2), 1.0))
    half = Z / (2 * math.sqrt(10 + Z**2))
    assert stats.wilson_interval(5, 10) == pytest.approx((0.5, 0.5 - half, 0.5 + half))
    assert stats.wilson_interval(0, 10)[2] == pytest.approx(0.277533, abs=1e-6)
    assert stats.wilson_interval(5, 10)[1] == pytest.approx(0.236593, abs=1e-6)
    assert stats.wilson_interval(10, 10)[2] == 1.0  # exactly, not 0.9999999999999999


def test_wilson_no_trials():
    assert stats.wilson_interval(0, 0) == (None, None, None)
    assert stats.wilson_interval([True, False], weights=[0.0, 0.0]) == (None, None, None)


def test_weighted_wilson_with_equal_weights_equals_unweighted():
    answers = [True, True, False, False, False]
    assert stats.wilson_interval(answers, weights=[1] * 5) == pytest.approx(
        stats.wilson_interval(2, 5)
    )


def test_weighted_wilson_uses_kish_effective_n():
    # p = (1 + 3) / (1 + 2 + 3) = 2/3; Kish n_eff = 6^2 / (1 + 4 + 9) = 36/14 = 2.571429
    # Wilson at p = 2/3, n = 2.571429, z^2 = 3.841459: z^2/n = 1.493900, denominator 2.493900
    # centre = (0.666667 + 0.746950) / 2.493900 = 0.566830
    # half = (1.959964 / 2.493900) x sqrt(0.222222/2.571429 + 3.841459/26.448980)
    #      = 0.785904 x sqrt(0.086420 + 0.145240) = 0.785904 x 0.481311 = 0.378264
    p, low, high = stats.wilson_interval([True, False, True], weights=[1, 2, 3])
    assert p == pytest.approx(2 / 3)
    assert low == pytest.approx(0.566830 - 0.378264, abs=2e-6)
    assert high == pytest.approx(0.566830 + 0.378264, abs=2e-6)
    # scaling every weight leaves p and the effective n unchanged
    assert stats.wilson_interval([True, False, True], weights=[10, 20, 30]) == pytest.approx(
        (p, low, high)
    )


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((6, 5), {}),
        ((-1, 5), {}),
        ((2,), {}),
        (([True, False],), {"weights": [1.0]}),
        (([True, False],), {"weights": [1.0, -1.0]}),
        (([0.5, 1],), {"weights": [1.0, 1.0]}),
        (([True, False],), {"weights": [1.0, 1.0], "n": 3}),
        ((2, 5), {"level": 95}),
    ],
)
def test_wilson_rejects_bad_input(args, kwargs):
    with pytest.raises(StatsError):
        stats.wilson_interval(*args, **kwargs)


# ---------------------------------------------------------------- compare_proportions, weighted


def test_effective_sample_size_by_hand():
    # (1 + 2 + 3)^2 / (1 + 4 + 9) = 36 / 14; equal weights give n whatever their size
    assert stats.effective_sample_size([1, 2, 3]) == pytest.approx(36 / 14)
    assert stats.effective_sample_size([2.5] * 8) == pytest.approx(8.0)
    assert stats.effective_sample_size([0.0, 0.0]) is None


def test_weighted_comparison_with_equal_weights_is_the_unweighted_one():
    # 60 of 100 against 45 of 100 (p = 0.0337 by hand, test_section_survey); weights all 1, or all 2.5
    # (scaling the weights changes neither the proportions nor Kish's effective n), give the same result
    yes1, yes2 = [True] * 60 + [False] * 40, [True] * 45 + [False] * 55
    plain = stats.compare_proportions(60, 100, 45, 100)
    for w in (1.0, 2.5):
        weighted = stats.compare_proportions(yes1, 100, yes2, None, weights1=[w] * 100, weights2=[w] * 100)
        numbers = ["difference", "diff_low", "diff_high", "p_value"]
        assert [weighted[k] for k in numbers] == pytest.approx([plain[k] for k in numbers])
        assert weighted["direction"] == plain["direction"] == "UP"


def test_weighted_comparison_by_hand():
    # Wave 1: answers 1, 1, 0, 0 with weights 2, 1, 1, 1 -> p1 = 3/5 = 0.6, n1 = 5^2 / 7 = 3.571429.
    # Wave 2: answers 1, 0, 0 with weights 1, 1, 2 -> p2 = 1/4 = 0.25, n2 = 4^2 / 6 = 2.666667.
    # Pooled p = (3.571429 x 0.6 + 2.666667 x 0.25) / 6.238095 = 2.809524 / 6.238095 = 0.450382;
    # se = sqrt(0.450382 x 0.549618 x (0.28 + 0.375)) = sqrt(0.162137) = 0.402663;
    # z = 0.35 / 0.402663 = 0.869214 -> two-sided p = 0.3847.
    result = stats.compare_proportions([1, 1, 0, 0], None, [1, 0, 0], 3, weights1=[2, 1, 1, 1], weights2=[1, 1, 2])
    assert result["difference"] == pytest.approx(35.0)
    assert result["p_value"] == pytest.approx(2 * sps.norm.sf(0.35 / math.sqrt(0.450382 * 0.549618 * 0.655)), rel=1e-5)
    assert result["p_value"] == pytest.approx(0.3847, abs=1e-4)
    assert result["direction"] == "STABLE"
    # Newcombe's interval from the two Wilson intervals at the effective sizes (the weighted wilson_interval)
    _, l1, u1 = stats.wilson_interval([1, 1, 0, 0], weights=[2, 1, 1, 1])
    _, l2, u2 = stats.wilson_interval([1, 0, 0], weights=[1, 1, 2])
    assert result["diff_low"] == pytest.approx(100 * (0.35 - math.hypot(0.6 - l1, u2 - 0.25)))
    assert result["diff_high"] == pytest.approx(100 * (0.35 + math.hypot(u1 - 0.6, 0.25 - l2)))


def test_weighted_p_value_is_the_chi_squared_test_of_the_effective_table():
    # Independent reference: the pooled z-test at effective sizes is the chi-squared test (no continuity
    # correction) of the 2 x 2 table of effective counts [[n1 p1, n1 (1 - p1)], [n2 p2, n2 (1 - p2)]].
    rng = np.random.default_rng(7)
    s1, s2 = rng.random(300) < 0.55, rng.random(250) < 0.45
    w1, w2 = rng.uniform(0.5, 2.0, 300), rng.uniform(0.3, 3.0, 250)
    result = stats.compare_proportions(s1, 300, s2, 250, weights1=w1, weights2=w2)
    n1, n2 = w1.sum() ** 2 / (w1 @ w1), w2.sum() ** 2 / (w2 @ w2)
    p1, p2 = (w1 @ s1) / w1.sum(), (w2 @ s2) / w2.sum()
    table = [[n1 * p1, n1 * (1 - p1)], [n2 * p2, n2 * (1 - p2)]]
    assert result["p_value"] == pytest.approx(sps.chi2_contingency(table, correction=False).pvalue)
    assert result["difference"] == pytest.approx(100 * (p1 - p2))


def test_weighted_comparison_edge_cases():
    # a wave whose weights are all zero has no estimate; weights for one wave only are refused
    assert set(stats.compare_proportions([1, 0], 2, [1], 1, weights1=[0, 0], weights2=[1]).values()) == {None}
    with pytest.raises(StatsError, match="both waves"):
        stats.compare_proportions([1, 0], 2, 1, 1, weights1=[1, 1])
    with pytest.raises(StatsError):
        stats.compare_proportions([1, 0], 3, [1], 1, weights1=[1, 1], weights2=[1])  # n is not len(weights)


# ---------------------------------------------------------------- control charts


def months(n: int, start: str = "2023-04") -> pd.DatetimeIndex:
    return pd.date_range(f"{start}-01", periods=n, freq="MS")


def test_c_chart_limits_by_hand_and_outside_rule():
    # mean = (5 x 10 + 5 x 20 + 10 + 32) / 12 = 192 / 12 = 16; sqrt(16) = 4
    # ucl = 16 + 12 = 28; lcl = 16 - 12 = 4
    values = [10, 20] * 5 + [10, 32]
    chart = stats.control_chart(pd.Series(values, index=months(12)))
    assert list(chart.columns) == [
        "value",
        "centre",
        "lcl",
        "ucl",
        "baseline",
        "outside_limits",
        "run",
        "trend",
        "near_limit",
    ]
    assert (
        chart["centre"].iloc[0] == 16 and chart["ucl"].iloc[0] == 28 and chart["lcl"].iloc[0] == 4
    )
    assert chart["outside_limits"].tolist() == [False] * 11 + [True]
    assert not chart[["run", "trend", "near_limit"]].to_numpy().any()
    assert chart.index.equals(months(12))


def test_c_chart_lower_limit_floored_at_zero():
    chart = stats.control_chart(pd.Series([1, 2, 0, 3]))  # mean 1.5, 1.5 - 3 x 1.22 < 0
    assert chart["lcl"].iloc[0] == 0
    assert not chart["outside_limits"].any()  # 0 is not below a floored limit of 0


def test_xmr_limits_by_hand():
    # NHS Making Data Count: mean = 58 / 5 = 11.6; moving ranges 2, 1, 2, 1 -> mean 1.5 (none above
    # 3.267 x 1.5 = 4.9, so none screened out); limits 11.6 +/- 2.66 x 1.5 = 7.61 and 15.59
    chart = stats.control_chart(pd.Series([10.0, 12, 11, 13, 12]), kind="xmr")
    assert chart["centre"].iloc[0] == pytest.approx(11.6)
    assert chart["ucl"].iloc[0] == pytest.approx(15.59)
    assert chart["lcl"].iloc[0] == pytest.approx(7.61)
    assert chart["baseline"].all()


def test_xmr_screens_out_large_moving_ranges_by_hand():
    # values 10, 11, 10, 11, 10, 30: moving ranges 1, 1, 1, 1, 20 -> mean 24 / 5 = 4.8; 20 > 3.267 x 4.8
    # = 15.68 is left out, so MR-bar = 1 and the limits are the mean 82 / 6 = 13.6667 +/- 2.66
    # = 11.0067 and 16.3267, so every point is outside (10 and 11 below, 30 above); unscreened they would
    # be +/- 2.66 x 4.8 = 12.77 (0.90 to 26.43) and only the 30 would be outside
    chart = stats.control_chart(pd.Series([10.0, 11, 10, 11, 10, 30]), kind="xmr")
    assert chart["centre"].iloc[0] == pytest.approx(82 / 6)
    assert (chart["lcl"].iloc[0], chart["ucl"].iloc[0]) == (pytest.approx(82 / 6 - 2.66), pytest.approx(82 / 6 + 2.66))
    assert chart["outside_limits"].all()


def test_xmr_baseline_sets_limits_that_later_points_are_judged_against():
    # baseline: the first 4 points 10, 12, 10, 12: mean 11, MR-bar 2 -> limits 11 +/- 5.32 = 5.68, 16.32;
    # the later 17 and 5 fall outside those limits
    chart = stats.control_chart(pd.Series([10.0, 12, 10, 12, 17, 5]), kind="xmr", baseline=4)
    assert chart["centre"].iloc[0] == pytest.approx(11.0)
    assert (chart["lcl"].iloc[0], chart["ucl"].iloc[0]) == (pytest.approx(5.68), pytest.approx(16.32))
    assert chart["baseline"].tolist() == [True] * 4 + [False] * 2
    assert chart["outside_limits"].tolist() == [False] * 4 + [True, True]
    with pytest.raises(StatsError, match="baseline"):
        stats.control_chart(pd.Series([1.0, 2, 3]), kind="xmr", baseline=1)


def test_run_of_seven_flags_every_point_in_it():
    # 5 x 7 then 15 x 7: mean 10; both halves are runs of exactly 7
    chart = stats.control_chart(pd.Series([5] * 7 + [15] * 7))
    assert chart["run"].all()
    # 6 below then 8 above: mean (30 + 120) / 14 = 10.71; only the 8 form a run
    chart = stats.control_chart(pd.Series([5] * 6 + [15] * 8))
    assert chart["run"].tolist() == [False] * 6 + [True] * 8


def test_point_on_the_centre_line_breaks_a_run():
    # sum 8 x 6 + 10 + 12 x 6 = 130 over 13 points: mean exactly 10, so the 10 is on the line
    chart = stats.control_chart(pd.Series([8, 8, 8, 10, 8, 8, 8] + [12] * 6))
    assert not chart["run"].any()
    # the same with the 10 replaced by an 8 is a run of 7 below (mean 128 / 13 = 9.85)
    chart = stats.control_chart(pd.Series([8] * 7 + [12] * 6))
    assert chart["run"].tolist() == [True] * 7 + [False] * 6


def test_trend_is_six_points_each_higher_and_ties_break_it():
    assert not stats.control_chart(pd.Series([1, 2, 3, 4, 5])).trend.any()  # too short
    assert stats.control_chart(pd.Series([1, 2, 3, 4, 5, 6])).trend.all()
    assert not stats.control_chart(pd.Series([1, 2, 3, 4, 5, 5, 6, 7])).trend.any()  # tie
    falling = stats.control_chart(pd.Series([9, 8, 7, 6, 5, 4, 4, 9]))
    assert falling["trend"].tolist() == [True] * 6 + [False] * 2


def test_near_limit_two_of_three_beyond_two_sigma():
    # sum = 25+10+25+12+12+14+14+16+16+16 = 160 -> mean 16, sigma 4, 2 sigma band above 24,
    # ucl 28: the two 25s are near (not outside) the limit, inside one window of three
    chart = stats.control_chart(pd.Series([25, 10, 25, 12, 12, 14, 14, 16, 16, 16]))
    assert chart["near_limit"].tolist() == [True, False, True] + [False] * 7
    assert not chart["outside_limits"].any() and not chart["run"].any() and not chart["trend"].any()
    # three apart (positions 0 and 3) is not 2 of 3: sum 25+10+12+25+12+12+14+18+16+16 = 160
    chart = stats.control_chart(pd.Series([25, 10, 12, 25, 12, 12, 14, 18, 16, 16]))
    assert not chart["near_limit"].any()


def test_short_series_cannot_trigger_long_rules():
    chart = stats.control_chart(pd.Series([3, 4]))
    assert not chart[["run", "trend", "near_limit"]].to_numpy().any()
    assert len(stats.control_chart(pd.Series([7]))) == 1


@pytest.mark.parametrize(
    ("series", "kind", "match"),
    [
        (pd.Series([1.0, np.nan, 3.0]), "c", "missing"),
        (pd.Series([1, -2, 3]), "c", "negative"),
        (pd.Series([1.5]), "xmr", "at least 2"),
        (pd.Series([1, 2, 3]), "p", "kind"),
        ([1, 2, 3], "c", "Series"),
    ],
)
def test_control_chart_rejects_bad_input(series, kind, match):
    with pytest.raises(StatsError, match=match):
        stats.control_chart(series, kind=kind)


def test_exceptions_in_plain_english_with_dates():
    chart = stats.control_chart(pd.Series([10, 20] * 5 + [10, 32], index=months(12)))
    assert narrative.spc_exceptions(chart) == [
        "March 2024 was above the upper control limit (32 against 28)"
    ]
    labelled = narrative.spc_exceptions(chart, label="Total recorded crime")
    assert labelled == [
        "Total recorded crime: March 2024 was above the upper control limit (32 against 28)"
    ]
    periods = pd.Series(
        chart["value"].to_numpy(), index=pd.period_range("2023-04", periods=12, freq="M")
    )
    assert narrative.spc_exceptions(stats.control_chart(periods)) == narrative.spc_exceptions(chart)


def test_exceptions_describe_runs_trends_and_near_limit_points():
    runs = stats.control_chart(pd.Series([5] * 7 + [15] * 7, index=months(14)))
    assert narrative.spc_exceptions(runs) == [
        "7 points in a row from April 2023 to October 2023 were below the average (10.0)",
        "7 points in a row from November 2023 to May 2024 were above the average (10.0)",
    ]
    trend = stats.control_chart(pd.Series([1, 2, 3, 4, 5, 6], index=list("abcdef")))
    assert narrative.spc_exceptions(trend) == [
        "6 points in a row from a to f were each higher than the one before (a rising trend)"
    ]
    near = stats.control_chart(
        pd.Series([25, 10, 25, 12, 12, 14, 14, 16, 16, 16], index=months(10))
    )
    assert narrative.spc_exceptions(near) == [
        "April 2023 and June 2023 were close to the upper control limit "
        "(2 or more of 3 consecutive points beyond two sigma)"
    ]


def test_exceptions_show_a_decimal_when_value_and_limit_would_round_alike():
    # mean 16, ucl 28; a value of 28.3 and the limit 28.0 are told apart
    chart = stats.control_chart(pd.Series([16.0] * 10 + [28.3, 3.7]), kind="c")
    assert narrative.spc_exceptions(chart)[0] == "10 was above the upper control limit (28.3 against 28.0)"


def test_exceptions_empty_when_in_control_and_checks_columns():
    assert narrative.spc_exceptions(stats.control_chart(pd.Series([10, 11, 9, 10]))) == []
    with pytest.raises(StatsError, match="control_chart"):
        narrative.spc_exceptions(pd.DataFrame({"value": [1]}))


# ---------------------------------------------------------------- concentration


def gini_mean_difference(x: np.ndarray) -> float:
    """Independent Gini: mean absolute difference over all ordered pairs / (2 x mean)."""
    return float(np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size**2 * x.mean()))


def test_gini_by_hand():
    # [0, 0, 0, 10]: 6 ordered pairs differ by 10 -> 60 / (2 x 16 x 2.5) = 0.75 = (n - 1) / n
    assert stats.gini([0, 0, 0, 10]) == pytest.approx(0.75)
    # [1, 2, 3, 4]: pair differences sum 2 x (1+2+3+1+2+1) = 20 -> 20 / (2 x 16 x 2.5) = 0.25
    assert stats.gini([4, 1, 3, 2]) == pytest.approx(0.25)
    assert stats.gini([5, 5, 5]) == 0
    assert stats.gini([0, 0, 0]) == 0
    assert stats.gini([7]) == 0


def test_gini_matches_mean_difference_formula_and_lorenz_area():
    x = np.random.default_rng(3).poisson(40, 203).astype(float) * np.random.default_rng(4).gamma(
        1, 1, 203
    )
    assert stats.gini(x) == pytest.approx(gini_mean_difference(x), rel=1e-12)
    curve = stats.lorenz(x)
    area = float(
        np.sum(
            np.diff(curve.area_share)
            * (curve.crime_share[1:].to_numpy() + curve.crime_share[:-1].to_numpy())
            / 2
        )
    )
    assert stats.gini(x) == pytest.approx(1 - 2 * area, rel=1e-9)


def test_lorenz_by_hand():
    curve = stats.lorenz(pd.Series([3, 1, 4, 2], index=["c", "a", "d", "b"]))
    assert pd.isna(curve["area"].iloc[0]) and curve["area"].iloc[1:].tolist() == [
        "a",
        "b",
        "c",
        "d",
    ]
    assert curve["area_share"].tolist() == [0, 0.25, 0.5, 0.75, 1.0]
    # cumulative 0, 1, 3, 6, 10 of 10
    assert curve["crime_share"].tolist() == pytest.approx([0, 0.1, 0.3, 0.6, 1.0])


def test_lorenz_all_zero_has_no_shares():
    curve = stats.lorenz([0, 0])
    assert curve["crime_share"].iloc[0] == 0 and curve["crime_share"].iloc[1:].isna().all()


def test_concentration_statement_by_hand():
    # 10 areas, 20% -> 2 areas: 30 + 10 = 40 of 48 = 83.33%
    result = stats.concentration(pd.Series([1] * 8 + [10, 30], index=list("abcdefghij")))
    assert result.top_areas == 2 and result.top_labels == ("j", "i")
    assert result.crime_share == pytest.approx(40 / 48)
    assert narrative.concentration_statement(result) == "The top 20.0% of areas (2 of 10) hold 83.3% of recorded crime."
    # 18 wards: 0.2 x 18 = 3.6 -> 4 wards = 22.2% of wards
    wards = stats.concentration(np.arange(1, 19))
    # top 4 = 18 + 17 + 16 + 15 = 66 of 171 = 38.6%
    assert narrative.concentration_statement(wards, areas="wards") == "The top 22.2% of wards (4 of 18) hold 38.6% of recorded crime."


def test_concentration_all_zero():
    result = stats.concentration([0, 0, 0])
    assert result.gini == 0 and result.crime_share is None
    assert narrative.concentration_statement(result) == "There is no recorded crime in any of the 3 areas."


@pytest.mark.parametrize("values", [[], [1, -1], [1, float("nan")]])
def test_concentration_rejects_bad_values(values):
    with pytest.raises(StatsError):
        stats.concentration(values)


# (projection: tests/unit/test_projection.py)


# ---------------------------------------------------------------- Most Similar Group

# Table 1 of the 2015/16 report (crimes per 1,000): the 11 rows that have values.
COVENTRY = 62.176
OTHERS_LISTED = [68.604, 70.729, 79.599, 83.120, 83.239, 85.079, 93.376, 100.711, 103.039, 109.416]
PUBLISHED_AVERAGE = 83.482


def test_group_comparison_on_the_published_msg_table():
    result = stats.compare_with_group(COVENTRY, OTHERS_LISTED)
    # 62.176 + 68.604 + 70.729 + 79.599 + 83.120 + 83.239 + 85.079 + 93.376 + 100.711
    #   + 103.039 + 109.416 = 939.088; / 11 = 85.3716
    assert result.n == 11 and result.rank == 1
    assert result.mean_all == pytest.approx(939.088 / 11)
    # without Coventry: 939.088 - 62.176 = 876.912; / 10 = 87.6912
    assert result.mean_others == pytest.approx(87.6912)
    # the rest of the group, independently: mean and sample sd of the logs with numpy, t(0.975, 9) from
    # scipy; a 95% prediction interval for one more member is exp(mean +/- t x sd x sqrt(1 + 1/10)),
    # about 59.9 to 125.6, so Coventry's 62.176 -- the lowest rate -- is still within the range
    logs = np.log(OTHERS_LISTED)
    half = sps.t.ppf(0.975, 9) * float(np.std(logs, ddof=1)) * math.sqrt(1.1)
    low, high = math.exp(logs.mean() - half), math.exp(logs.mean() + half)
    assert (result.low, result.high) == (pytest.approx(low), pytest.approx(high))
    assert 59 < result.low < 62.176 < 125 < result.high < 126
    assert result.position == "WITHIN" and result.scale == "log"


def test_published_msg_average_is_not_the_mean_of_the_listed_rows():
    # Finding: 83.482 is not the mean of the 11 listed values (85.372), nor of the 10
    # others (87.691), nor their median (83.239). With 15 rows it implies the 4 blank
    # rows sum to 15 x 83.482 - 939.088 = 313.142 (mean 78.29). The table is sorted, so
    # Stevenage, Luton and Bolton lie in [70.729, 79.599] and Stoke in [85.079, 93.376]:
    # their sum lies in [3 x 70.729 + 85.079, 3 x 79.599 + 93.376] = [297.266, 332.173],
    # which contains 313.142 - consistent with the mean of all 15 including Coventry.
    # As the mean of the 14 others it would need the blanks to sum to 14 x 83.482 -
    # 876.912 = 291.836 < 297.266: impossible in sorted order. The blank values
    # themselves cannot be recovered, so the match cannot be checked exactly.
    listed = stats.compare_with_group(COVENTRY, OTHERS_LISTED)
    assert round(listed.mean_all, 3) != PUBLISHED_AVERAGE
    assert round(listed.mean_others, 3) != PUBLISHED_AVERAGE
    assert float(np.median([COVENTRY, *OTHERS_LISTED])) != PUBLISHED_AVERAGE
    blanks_if_all_15 = 15 * PUBLISHED_AVERAGE - 939.088
    assert blanks_if_all_15 == pytest.approx(313.142)
    assert 3 * 70.729 + 85.079 <= blanks_if_all_15 <= 3 * 79.599 + 93.376
    assert 14 * PUBLISHED_AVERAGE - 876.912 < 3 * 70.729 + 85.079


def test_group_prediction_interval_by_hand():
    # others = [1, 2, 3, 5]; logs 0, 0.693147, 1.098612, 1.609438: mean 3.401197 / 4 = 0.850299;
    # squared deviations 0.723009 + 0.024697 + 0.061659 + 0.576292 = 1.385657, sd = sqrt(1.385657 / 3)
    # = 0.679622; t(0.975, 3) = 3.182446 (tables); half = 3.182446 x 0.679622 x sqrt(1 + 1/4) = 2.418176
    # -> [exp(-1.567877), exp(3.268475)] = [0.208493, 26.2706]
    result = stats.compare_with_group(4, [1, 2, 3, 5])
    assert result.low == pytest.approx(0.208493, abs=1e-5)
    assert result.high == pytest.approx(26.2706, abs=1e-3)
    assert (result.rank, result.n, result.position, result.scale) == (4, 5, "WITHIN", "log")
    # the rates' own mean and sd are reported as before: mean 2.75, sd sqrt(8.75 / 3) = 1.707825
    assert result.mean_others == 2.75 and result.sd == pytest.approx(1.707825, abs=1e-6)
    assert result.mean_all == pytest.approx(3.0)
    # 20 is within (the log scale allows for the long upper tail of rates); 30 is above 26.27
    assert stats.compare_with_group(20, [1, 2, 3, 5]).position == "WITHIN"
    assert stats.compare_with_group(30, [1, 2, 3, 5]).position == "ABOVE"
    assert stats.compare_with_group(0.2, [1, 2, 3, 5]).position == "BELOW"


def test_group_interval_never_goes_below_zero():
    # a member with a zero rate has no log: the interval is made on the rates, others = [0, 2, 4]:
    # mean 2, sd 2, t(0.975, 2) = 4.302653 (tables), half = 4.302653 x 2 x sqrt(1 + 1/3) = 9.936549
    # -> [2 - 9.936549, 11.936549], whose lower end is set to 0 (no rate is negative)
    result = stats.compare_with_group(1, [0, 2, 4])
    assert (result.low, result.scale) == (0.0, "rate")
    assert result.high == pytest.approx(11.936549, abs=1e-5)
    # the rate scale's old lower end for [1, 2, 3, 5] was 2.75 - 6.08 < 0: on the log scale it is 0.21
    assert stats.compare_with_group(4, [1, 2, 3, 5]).low > 0
    with pytest.raises(StatsError, match="negative"):
        stats.compare_with_group(1, [2, -1, 3])


def test_group_ties_share_the_better_rank_and_blanks_are_refused():
    assert stats.compare_with_group(3, [3, 1]).rank == 2
    with pytest.raises(StatsError, match="at least two"):
        stats.compare_with_group(3, [1])
    with pytest.raises(StatsError, match="missing"):
        stats.compare_with_group(3, [1, float("nan")])
    with pytest.raises(StatsError):
        stats.compare_with_group(3, [])
