import pandas as pd
import pytest

from ccsp_analysis.periods import FinancialYear, fy_label_of


def test_parse_and_months():
    fy = FinancialYear.parse("2023-24")
    assert fy.start_year == 2023 and fy.label == "2023-24" and fy.text == "2023/24"
    months = fy.months()
    assert (
        len(months) == 12
        and months[0] == pd.Timestamp("2023-04-01")
        and months[-1] == pd.Timestamp("2024-03-01")
    )
    # Quarter 4 year-to-date is the whole year; quarter 1 is April-June.
    assert list(fy.months(1)) == list(pd.date_range("2023-04-01", periods=3, freq="MS"))
    assert fy.previous().label == "2022-23"
    assert FinancialYear.parse("1999-00").start_year == 1999


@pytest.mark.parametrize("bad", ["2023-25", "2023", "23-24", "2023/24", "", "abcd-ef"])
def test_bad_labels(bad):
    with pytest.raises(ValueError):
        FinancialYear.parse(bad)


def test_fy_label_of_boundaries():
    months = pd.Series(pd.to_datetime(["2023-03-01", "2023-04-01", "2024-03-01", "2024-04-01"]))
    assert list(fy_label_of(months)) == ["2022-23", "2023-24", "2023-24", "2024-25"]
