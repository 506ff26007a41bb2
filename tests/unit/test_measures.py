import pandas as pd
import pytest

from ccsp_analysis.dataset import Dataset
from ccsp_analysis.formatting import round_half_up
from ccsp_analysis.measures import (
    by_key,
    count,
    population_for,
    population_note,
    rates_table,
    share,
    significant_counts,
    slug,
    small_area_populations,
    ward_populations,
)
from ccsp_analysis.params import load_params


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


# -- Benjamini–Hochberg across the rows of a table ---------------------------------------------------

def _four_keys() -> pd.DataFrame:
    # this year against last: A 30 v 10, B 20 v 10, C 15 v 5, D 10 v 10
    cells = {"A": (30, 10), "B": (20, 10), "C": (15, 5), "D": (10, 10)}
    rows = [(k, fy) for k, (c, p) in cells.items() for fy, n in (("2023-24", c), ("2022-23", p)) for _ in range(n)]
    return pd.DataFrame(rows, columns=["ward_name", "fy"])


def test_by_key_counts_significance_after_benjamini_hochberg():
    t = by_key(_four_keys(), ["ward_name"], "2023-24", "2022-23").set_index("ward_name")
    # exact conditional test (scipy's binomtest of c in c + p at 1/2): A 30/40 p = 0.002221, B 20/30 p = 0.098737,
    # C 15/20 p = 0.041389, D 10/20 p = 1. Each row's own test at 5%: A and C UP, B and D STABLE.
    assert t.loc[["A", "B", "C", "D"], "direction"].tolist() == ["UP", "STABLE", "UP", "STABLE"]
    # BH over the 4 rows: sorted A 0.002221 <= 0.0125 yes; C 0.041389 <= 0.025 no; B 0.098737 <= 0.0375 no;
    # D 1 <= 0.05 no -> only A. Adjusted: A 4 x 0.002221 = 0.008886; C 4 x 0.041389 / 2 = 0.082779;
    # B 4 x 0.098737 / 3 = 0.131650; D 1.
    assert t.loc[["A", "B", "C", "D"], "significant_bh"].tolist() == [True, False, False, False]
    assert t.loc[["A", "B", "C", "D"], "q_value"].tolist() == pytest.approx([0.008886, 0.131650, 0.082779, 1.0],
                                                                            abs=1e-6)
    # "rose significantly in 1, fell in 0": C's rise is not counted
    assert significant_counts(t.reset_index()) == (1, 0)


def test_by_key_every_row_listed_joins_the_correction():
    # a fifth ward with nothing in either year is kept (0 against 0: p = 1) and makes m = 5:
    # A 5 x 0.002221 = 0.011107 is still <= 0.05
    every = pd.DataFrame({"ward_name": ["A", "B", "C", "D", "E"]})
    t = by_key(_four_keys(), ["ward_name"], "2023-24", "2022-23", every=every).set_index("ward_name")
    assert t.loc["E", ["current", "previous", "p_value", "direction", "share"]].tolist() == [0, 0, 1.0, "STABLE", 0.0]
    assert t.loc["A", "q_value"] == pytest.approx(0.011107, abs=1e-6) and t["significant_bh"].sum() == 1
    assert t["rank"].tolist() == [1, 2, 3, 4, 5] and t.index[-1] == "E"


def test_by_key_over_incomplete_periods_tests_nothing():
    from ccsp_analysis import coverage

    with coverage.incomplete_periods("April 2024 to March 2025"):
        t = by_key(_four_keys(), ["ward_name"], "2023-24", "2022-23")
    assert (t["direction"] == "NOT COMPARED").all() and t["significant_bh"].isna().all()
    assert significant_counts(t) is None


# -- denominators: the mid-year estimate for the year, else Census 2021 -------------------------------

def _population_data(mid_year: pd.DataFrame | None = None) -> Dataset:
    # wards W1 (L1 600 + L2 400 = 1,000) and W2 (L3 500): Census 2021 1,500
    pop = pd.DataFrame({"lsoa_code": ["L1", "L2", "L3"], "lsoa_name": ["a", "b", "c"], "ward_code": ["W1", "W1", "W2"],
                        "ward_name": ["One", "One", "Two"], "population": [600, 400, 500]})
    crimes = pd.DataFrame({"fy": ["2023-24"] * 6, "ward_code": ["W1"] * 4 + ["W2"] * 2, "lsoa_code": ["L1"] * 4 + ["L3"] * 2})
    tables = {"population": pop, "geography": pop.drop(columns="population"), "crimes": crimes}
    if mid_year is not None:
        tables["mid_year"] = mid_year
    return Dataset(tables=tables, key="t")


def _mid_year(year: int, total: int) -> pd.DataFrame:
    # two rows (male and female) that add up to ``total``, plus a 2022 row that must be ignored
    return pd.DataFrame({"lad_code": "E08000026", "year": [year, year, 2022], "sex": ["M", "F", "M"], "age": [30, 30, 30],
                         "population": [total // 2, total - total // 2, 99_999]})


@pytest.fixture()
def params_2023(chdir_root):
    return load_params("2023-24", check_files=False)


def test_population_for_uses_the_mid_year_estimate_of_the_year(params_2023):
    # 2023-24 uses mid-2023 (30 June 2023, the reference date nearest the middle of the financial year)
    den = population_for(_population_data(_mid_year(2023, 1_800)), params_2023)
    assert den == (1_800, "ONS mid-2023 population estimate")
    population, source = den  # unpacks as (population, source_label)
    assert population == den.population == 1_800


def test_population_for_falls_back_to_census_2021(params_2023):
    assert population_for(_population_data(), params_2023) == (1_500, "Census 2021 usual residents")
    # estimates supplied, but not for 2023: Census 2021, and the page says why
    data = _population_data(_mid_year(2021, 1_800))
    assert population_for(data, params_2023) == (1_500, "Census 2021 usual residents")
    assert population_note(data, params_2023) == (
        "Rates per 1,000 residents use Census 2021 usual residents (Coventry: 1,500), as no mid-2023 estimate "
        "was supplied.")
    assert population_note(_population_data(), params_2023).endswith("as no mid-year population estimates were supplied.")


def test_ward_populations_are_census_2021_scaled_to_the_estimate(params_2023):
    data = _population_data(_mid_year(2023, 1_800))
    # factor 1,800 / 1,500 = 1.2: One 1,000 -> 1,200, Two 500 -> 600 (they add up to the area's 1,800)
    wards, source = ward_populations(data, params_2023)
    assert wards.set_index("ward_code")["population"].to_dict() == pytest.approx({"W1": 1_200.0, "W2": 600.0})
    assert source == "Census 2021 usual residents scaled to the ONS mid-2023 population estimate (× 1.2000)"
    small, _ = small_area_populations(data, params_2023)
    assert small["population"].tolist() == pytest.approx([720.0, 480.0, 600.0])
    # no estimate: unscaled Census 2021 whole numbers
    wards, source = ward_populations(_population_data(), params_2023)
    assert wards["population"].tolist() == [1_000, 500] and source == "Census 2021 usual residents"


def test_rates_use_the_same_denominator_everywhere(params_2023):
    data = _population_data(_mid_year(2023, 1_800))
    table = rates_table(data, params_2023).set_index("ward_code")
    # One: 4 crimes / 1,200 x 1,000 = 3.3333; Two: 2 / 600 x 1,000 = 3.3333; area 6 / 1,800 x 1,000 = 3.3333
    assert table["rate"].tolist() == pytest.approx([10 / 3] * 3)
    assert table.loc["E08000026", ["population", "crimes"]].tolist() == [1_800, 6]
    assert table.loc["E08000026", "population_source"] == "ONS mid-2023 population estimate"
    assert table.loc["W1", "population_source"].startswith("Census 2021 usual residents scaled")
    assert population_note(data, params_2023) == (
        "Rates per 1,000 residents use the ONS mid-2023 population estimate for Coventry (1,800); ward and "
        "small-area rates use Census 2021 usual residents scaled to it (× 1.2000), as mid-year estimates are "
        "supplied only for the whole area.")
