"""Benjamini–Hochberg false discovery rate control (stats.multiple).

Expected values are worked by hand in the comments, taken from Benjamini & Hochberg's (1995) own
worked example, or computed by a literal re-implementation of the paper's step-up definition
written here in the test (no statsmodels: the project does not depend on it).
"""

from __future__ import annotations

import numpy as np
import pytest

from ccsp_analysis import stats
from ccsp_analysis.errors import StatsError


def test_hand_worked_example():
    # p in the order given: 0.01, 0.045, 0.025, 0.005, 0.20 (m = 5, alpha = 0.05).
    # Sorted: 0.005, 0.01, 0.025, 0.045, 0.20 against i x 0.05 / 5 = 0.01, 0.02, 0.03, 0.04, 0.05:
    #   0.005 <= 0.01 yes, 0.01 <= 0.02 yes, 0.025 <= 0.03 yes, 0.045 <= 0.04 no, 0.20 <= 0.05 no -> k = 3.
    # The three smallest are rejected; 0.045 is below 0.05 on its own but not after the correction.
    p = [0.01, 0.045, 0.025, 0.005, 0.20]
    assert stats.benjamini_hochberg(p).tolist() == [True, False, True, True, False]
    # Adjusted: m p(i) / i = 0.025, 0.025, 0.041667, 0.05625, 0.2; running minimum from the largest
    # leaves them as they are, so in the order given: 0.025, 0.05625, 0.041667, 0.025, 0.2.
    assert stats.bh_adjusted(p) == pytest.approx([0.025, 0.05625, 0.125 / 3, 0.025, 0.2])


def test_step_up_rejects_a_p_value_above_its_own_threshold():
    # m = 4, thresholds 0.0125, 0.025, 0.0375, 0.05. Sorted 0.011 yes, 0.03 no (> 0.025), 0.034 yes
    # (<= 0.0375), 0.5 no -> k = 3: the step-up rule rejects 0.03 too (a step-down rule would stop at 1).
    p = [0.5, 0.034, 0.011, 0.03]
    assert stats.benjamini_hochberg(p).tolist() == [False, True, True, True]
    # Adjusted: 4 x 0.011 = 0.044; 4 x 0.03 / 2 = 0.06 -> min(0.06, 0.045333) = 0.045333;
    # 4 x 0.034 / 3 = 0.045333; 4 x 0.5 / 4 = 0.5.
    assert stats.bh_adjusted(p) == pytest.approx([0.5, 0.136 / 3, 0.044, 0.136 / 3])


def test_ties_are_rejected_together():
    # Three p-values of 0.02 (m = 3): 0.02 > 0.05/3 at i = 1, but 0.02 <= 0.1/3 at i = 2 and <= 0.05 at i = 3,
    # so k = 3 and all three are rejected; each adjusted value is min(0.06, 0.03, 0.02) = 0.02.
    assert stats.benjamini_hochberg([0.02, 0.02, 0.02]).tolist() == [True, True, True]
    assert stats.bh_adjusted([0.02, 0.02, 0.02]) == pytest.approx([0.02, 0.02, 0.02])


def test_benjamini_hochberg_1995_worked_example():
    # Benjamini & Hochberg (1995), JRSS B 57(1):289-300, section 4.1: the 15 p-values of Neuhaus et al.;
    # at q* = 0.05 the procedure rejects the four smallest (p <= 0.0095), where Bonferroni rejects three.
    p = [0.0201, 0.7590, 0.0001, 0.0344, 0.0019, 0.3240, 0.0459, 0.0004, 0.4262,
         0.0095, 0.5719, 1.0, 0.0278, 0.6528, 0.0298]
    rejected = stats.benjamini_hochberg(p)
    assert sorted(np.asarray(p)[rejected].tolist()) == [0.0001, 0.0004, 0.0019, 0.0095]
    assert int((np.asarray(p) <= 0.05 / 15).sum()) == 3  # Bonferroni, for comparison


def _reference(p: list[float], alpha: float) -> tuple[list[bool], list[float]]:
    """The paper's definition, literally: k = max{i : p(i) <= i alpha / m}; reject H(1..k).
    Adjusted value of the hypothesis at rank r: min over j >= r of min(1, m p(j) / j)."""
    m = len(p)
    ranked = sorted(range(m), key=lambda i: (p[i], i))
    k = 0
    for i in range(1, m + 1):
        if p[ranked[i - 1]] <= i * alpha / m:
            k = i
    reject = [False] * m
    for i in range(k):
        reject[ranked[i]] = True
    # ties with the k-th are rejected as well (they have the same p-value)
    if k:
        reject = [r or p[j] <= p[ranked[k - 1]] for j, r in enumerate(reject)]
    adjusted = [0.0] * m
    for r in range(m):
        adjusted[ranked[r]] = min(min(1.0, m * p[ranked[j]] / (j + 1)) for j in range(r, m))
    return reject, adjusted


@pytest.mark.parametrize("seed", range(20))
def test_agrees_with_the_definition_on_random_p_values(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 40))
    # a mix of true effects (small p) and nulls (uniform p), rounded so that ties occur
    p = np.round(np.concatenate([rng.uniform(0, 0.01, m // 3), rng.uniform(0, 1, m - m // 3)]), 3)
    p = rng.permutation(p).tolist()
    for alpha in (0.05, 0.1):
        reject, adjusted = _reference(p, alpha)
        assert stats.benjamini_hochberg(p, alpha).tolist() == reject
        assert stats.bh_adjusted(p) == pytest.approx(adjusted)
    # never more than the uncorrected tests, never fewer than Bonferroni
    bh = stats.benjamini_hochberg(p)
    assert not (bh & ~(np.asarray(p) <= 0.05)).any()
    assert not ((np.asarray(p) <= 0.05 / len(p)) & ~bh).any()


def test_one_test_is_its_own_test():
    assert stats.benjamini_hochberg([0.049]).tolist() == [True]
    assert stats.benjamini_hochberg([0.051]).tolist() == [False]


def test_empty_and_invalid_input():
    assert stats.benjamini_hochberg([]).tolist() == [] and stats.bh_adjusted([]).tolist() == []
    for bad in ([0.1, float("nan")], [0.1, 1.5], [-0.1]):
        with pytest.raises(StatsError):
            stats.benjamini_hochberg(bad)
    with pytest.raises(StatsError):
        stats.benjamini_hochberg([0.01], alpha=0)
