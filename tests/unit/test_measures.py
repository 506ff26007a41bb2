import pandas as pd
import pytest

from ccsp_analysis.formatting import round_half_up
from ccsp_analysis.measures import by_key, count, share, slug


def _crimes():
    # 2023-24: 3 shoplifting + 1 drugs in ward A, 1 drugs in ward B; 2022-23: 2 shoplifting in A
    rows = [("2023-24", "46", "Shoplifting", "A")] * 3 + [("2023-24", "92D", "Drug offences", "A"),
            ("2023-24", "92D", "Drug offences", "B")] + [("2022-23", "46", "Shoplifting", "A")] * 2
    df = pd.DataFrame(rows, columns=["fy", "ho_code", "ho_group", "ward_name"])
    df["police_category"] = None
    return df


def test_round_half_up_as_published():
    assert (round_half_up(10.05), round_half_up(-10.05), round_half_up(0.25), round_half_up(51.515, 2)) == (10.1, -10.1, 0.3, 51.52)


def test_slug():
    assert slug("St Michael's") == "st_michaels" and slug("Binley and Willenhall") == "binley_and_willenhall"


def test_count_and_share():
    c = _crimes()
    assert count(c, "shoplifting", "2023-24") == 3 and count(c, "trc", "2023-24") == 5
    assert share(3, 5) == 60.0 and share(1, 0) is None


def test_by_key_ranks_and_changes():
    t = by_key(_crimes(), ["ward_name"], "2023-24", "2022-23")
    assert list(t["ward_name"]) == ["A", "B"] and list(t["rank"]) == [1, 2]
    assert list(t["current"]) == [4, 1] and list(t["previous"]) == [2, 0]
    assert t.loc[0, "share"] == pytest.approx(80.0)  # 4 of 5
    assert t.loc[0, "pct_change"] == pytest.approx(100.0)  # 4 against 2
    assert t.loc[1, "pct_change"] is None or pd.isna(t.loc[1, "pct_change"])  # previous 0: no percentage
