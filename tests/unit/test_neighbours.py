"""Statistical neighbours (stats.neighbours) on tiny hand-made feature tables; every distance worked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ccsp_analysis.errors import StatsError
from ccsp_analysis.stats import equal_characteristic_weights, nearest_neighbours, standardise


def _square() -> pd.DataFrame:
    # x: 0, 2, 0, 2 -> mean 1, sd (divisor n) 1 -> z = -1, 1, -1, 1
    # y: 0, 0, 4, 4 -> mean 2, sd 2              -> z = -1, -1, 1, 1
    return pd.DataFrame({"x": [0.0, 2.0, 0.0, 2.0], "y": [0.0, 0.0, 4.0, 4.0]}, index=["A", "B", "C", "D"])


def test_standardise_by_hand():
    z, constant = standardise(_square())
    assert z["x"].tolist() == [-1.0, 1.0, -1.0, 1.0]
    assert z["y"].tolist() == [-1.0, -1.0, 1.0, 1.0]
    assert constant == ()


def test_equal_weights_distances_and_ties_broken_by_code():
    # from A (-1, -1): B (1, -1) is 2 away, C (-1, 1) is 2 away, D (1, 1) is sqrt(8) = 2.828 away;
    # B and C tie and are ordered by code
    n = nearest_neighbours(_square(), "A", k=2)
    assert n.table["code"].tolist() == ["B", "C"]
    assert n.table["distance"].tolist() == pytest.approx([2.0, 2.0])
    assert n.table["rank"].tolist() == [1, 2]
    assert (n.k, n.k_asked, n.candidates) == (2, 2, 3)
    # the same with the rows in another order
    shuffled = _square().loc[["D", "C", "B", "A"]]
    assert nearest_neighbours(shuffled, "A", k=2).table["code"].tolist() == ["B", "C"]


def test_weights_change_the_order():
    # weights x 1, y 0.25: B sqrt(1 x 2^2) = 2; C sqrt(0.25 x 2^2) = 1; D sqrt(4 + 1) = sqrt(5) = 2.236
    n = nearest_neighbours(_square(), "A", weights={"x": 1.0, "y": 0.25})
    assert n.table["code"].tolist() == ["C", "B", "D"]
    assert n.table["distance"].tolist() == pytest.approx([1.0, 2.0, math.sqrt(5)])


def test_fewer_districts_than_k_returns_all_others():
    n = nearest_neighbours(_square(), "D")  # k = 15 by default, 3 others available
    assert (n.k, n.k_asked, n.candidates) == (3, 15, 3)
    # from D (1, 1): B (1, -1) 2, C (-1, 1) 2, A sqrt(8)
    assert n.table["code"].tolist() == ["B", "C", "A"]
    assert n.table["distance"].iloc[-1] == pytest.approx(math.sqrt(8))


def test_standardisation_puts_features_on_one_scale():
    # p: 100, 200, 300 -> mean 200, sd sqrt(20000 / 3) = 81.65 -> z = -1.2247, 0, 1.2247
    # s: 0.1, 0.1, 0.4 -> mean 0.2, sd sqrt(0.06 / 3) = 0.1414 -> z = -0.7071, -0.7071, 1.4142
    # from P1: P2 differs by 1.2247 in p only -> 1.2247; P3 by 2.4495 and 2.1213 -> sqrt(6 + 4.5) = 3.2404
    f = pd.DataFrame({"p": [100.0, 200.0, 300.0], "s": [0.1, 0.1, 0.4]}, index=["P1", "P2", "P3"])
    n = nearest_neighbours(f, "P1")
    assert n.table["code"].tolist() == ["P2", "P3"]
    assert n.table["distance"].tolist() == pytest.approx([math.sqrt(1.5), math.sqrt(10.5)])


def test_a_constant_feature_adds_nothing():
    f = _square().assign(c=7.0)
    n = nearest_neighbours(f, "A")
    assert n.constant == ("c",)
    assert n.table["distance"].tolist() == pytest.approx([2.0, 2.0, math.sqrt(8)])


def test_equal_characteristic_weights_share_one_weight():
    w = equal_characteristic_weights({"age": ["a1", "a2", "a3", "a4"], "deprivation": ["d"]})
    assert w == {"a1": 0.25, "a2": 0.25, "a3": 0.25, "a4": 0.25, "d": 1.0}
    with pytest.raises(StatsError, match="more than one"):
        equal_characteristic_weights({"a": ["x"], "b": ["x"]})


@pytest.mark.parametrize(("change", "message"), [
    (lambda f: f.assign(x=[0.0, float("nan"), 0.0, 2.0]), "'x' of district 'B' is missing"),
    (lambda f: f.drop(index="A"), "'A' is not among the 3 districts"),
    (lambda f: f.loc[["A"]], "at least two districts"),
    (lambda f: pd.concat([f, f.loc[["B"]]]), "'B' appears more than once"),
])
def test_bad_features_are_refused(change, message):
    with pytest.raises(StatsError, match=message):
        nearest_neighbours(change(_square()), "A")


def test_bad_k_and_weights_are_refused():
    with pytest.raises(StatsError, match="k must be"):
        nearest_neighbours(_square(), "A", k=0)
    with pytest.raises(StatsError, match="missing \\['y'\\]"):
        nearest_neighbours(_square(), "A", weights={"x": 1.0})
    with pytest.raises(StatsError, match="non-negative"):
        nearest_neighbours(_square(), "A", weights={"x": 1.0, "y": -1.0})
