"""Tests for sections.city_profile on small hand-built datasets, on the demo data and with real IMD 2019."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from ccsp_analysis import measures
from ccsp_analysis.dataset import Dataset
from ccsp_analysis.params import load_params
from ccsp_analysis.sections import city_profile as cp

ROOT = Path(__file__).resolve().parents[2]
BANDS = ["Aged 15 years and under", "Aged 16 to 64 years", "Aged 65 years and over"]


@pytest.fixture(scope="module")
def params():
    return load_params(ROOT / "params" / "2023-24.yaml", check_files=False)


def population() -> pd.DataFrame:
    # ward W1: L1 600 + L2 400 = 1,000; ward W2 (no crime at all): L3 500
    return pd.DataFrame(
        {
            "lsoa_code": ["L1", "L2", "L3"],
            "lsoa_name": ["Coventry 001A", "Coventry 001B", "Coventry 002A"],
            "ward_code": ["W1", "W1", "W2"],
            "ward_name": ["Ward One", "Ward One", "Ward Two"],
            "population": [600, 400, 500],
        }
    )


def mid_year() -> pd.DataFrame:
    # 2021: ages 0-4, 10 residents each (5 male, 5 female); 2020: a different profile that must be ignored
    rows = [("E08000026", 2021, sex, age, 5) for age in range(5) for sex in ("M", "F")]
    rows += [("E08000026", 2020, "M", age, 100 * (age == 4)) for age in range(5)]
    return pd.DataFrame(rows, columns=["lad_code", "year", "sex", "age", "population"])


def make_data(**tables: pd.DataFrame) -> Dataset:
    pop = population()
    by_age = pd.DataFrame(
        [
            (r.lsoa_code, r.lsoa_name, band, n, r.ward_code, r.ward_name)
            for r in pop.itertuples()
            for band, n in zip(BANDS, (100, r.population - 200, 100), strict=True)
        ],
        columns=["lsoa_code", "lsoa_name", "age_group", "population", "ward_code", "ward_name"],
    )
    crimes = pd.DataFrame(
        {"fy": ["2023-24"] * 3 + ["2022-23"], "ward_code": ["W1"] * 4, "lsoa_code": ["L1"] * 4}
    )
    base = {
        "geography": pop.drop(columns="population"),
        "population": pop,
        "population_by_age": by_age,
        "mid_year": mid_year(),
        "census_2011": pd.DataFrame({"population": [1400]}),
        "imd": pd.DataFrame(),
        "crimes": crimes,
    }
    return Dataset(tables={**base, **tables}, key="test")


@pytest.mark.parametrize(
    ("value", "expected"), [(345_312, 345_300), (345_350, 345_400), (345_349, 345_300), (49, 0)]
)
def test_published_total_rounds_half_up_to_100(value, expected):
    assert cp.published_total(value) == expected


def test_growth_from_published_totals():
    # 345,300 / 316,915 - 1 = 0.089566 -> 8.96% (the 2023/24 document's 8.9 truncates it)
    assert cp.growth_pct(316_915, 345_300) == pytest.approx(8.9566, abs=1e-4)
    assert cp.growth_pct(0, 5) is None


def test_median_age_of_single_years():
    # 50 residents, 10 at each age 0-4: cumulative 10, 20, 30 -> half (25) is reached at age 2;
    # interpolated 2 + (25 - 20) / 10 = 2.5. The 2020 rows (all aged 4) are ignored.
    assert cp.median_age(mid_year(), 2021) == (2, pytest.approx(2.5))
    assert cp.median_age(mid_year(), 2019) is None
    assert cp.median_age(pd.DataFrame(), 2021) is None


def test_age_sex_bands_with_open_last_band():
    frame = pd.DataFrame(
        {
            "year": 2021,
            "sex": ["M", "F"] * 7,
            "age": [a for a in range(7) for _ in (0, 1)],
            "population": 1,
        }
    )
    bands = cp.age_sex_bands(frame, 2021)
    # ages 0-4 -> "0-4" (5 per sex); ages 5-6 fall in the last band, shown open as "5+" (2 per sex);
    # female first in every band, as in the victims' pyramids (so the colours mean the same everywhere)
    assert bands.to_dict("list") == {
        "age_band": ["0-4", "0-4", "5+", "5+"],
        "sex": ["Female", "Male"] * 2,
        "population": [5, 5, 2, 2],
    }


def test_age_bands_by_ward_with_area_total():
    table = cp.age_bands_by_ward(make_data(), "Coventry")
    # Ward One: L1 (100, 400, 100) + L2 (100, 200, 100); Ward Two: L3 (100, 300, 100)
    assert list(table.columns) == ["ward_name", *BANDS, "total"]
    assert table.set_index("ward_name").loc["Ward One"].tolist() == [200, 600, 200, 1000]
    assert table.set_index("ward_name").loc["Coventry"].tolist() == [300, 900, 300, 1500]
    assert cp.age_bands_by_ward(make_data(population_by_age=pd.DataFrame()), "Coventry").empty


def test_deprivation_profile_keeps_the_area(params):
    imd = pd.DataFrame(
        {
            "lsoa_code": ["A", "B", "C", "D"],
            "lsoa_name": ["Coventry 1", "Coventry 2", "Coventry 3", "Other 1"],
            "lad_code": ["E08000026", "E08000026", "E08000026", "E08000999"],
            "imd_decile": [1, 1, 10, 1],
        }
    )
    table = cp.deprivation_profile(imd, params)
    # Coventry: two LSOAs in decile 1 and one in decile 10 (2/3 = 66.7%, cumulative 66.7% ... 100%)
    assert table["lsoas"].tolist() == [2] + [0] * 8 + [1]
    assert table["share"].iloc[0] == pytest.approx(200 / 3)
    assert table["cumulative_share"].iloc[8] == pytest.approx(200 / 3)
    assert table["cumulative_share"].iloc[9] == pytest.approx(100)
    # without an authority column the name prefix "Coventry " is used
    by_name = imd.drop(columns="lad_code").assign(
        lsoa_name=["Coventry 1", "Coventry 2", "Other 2", "Other 1"]
    )
    assert cp.deprivation_profile(by_name, params)["lsoas"].sum() == 2
    assert cp.deprivation_profile(pd.DataFrame(), params).empty


def test_deprivation_profile_of_several_districts_and_by_the_lookups_small_areas(params):
    imd = pd.DataFrame({"lsoa_code": ["A", "B", "C", "D"], "lsoa_name": ["North 1", "South 1", "East 1", "North 2"],
                        "lad_code": ["E07000234", "E07000235", "E07000236", "E07000234"], "imd_decile": [1, 2, 3, 4]})
    pair = params.model_copy(update={"area": params.area.model_copy(
        update={"la_codes": ("E07000234", "E07000235"), "lsoa_name_prefix": None})})
    # by hand: North's A (decile 1) and D (4), South's B (2); East's C is not the area's
    assert cp.deprivation_profile(imd, pair)["lsoas"].tolist() == [1, 1, 0, 1, 0, 0, 0, 0, 0, 0]
    # no district column and no name prefix: the lookup's small areas (A and C here) decide
    no_lad = imd.drop(columns="lad_code")
    assert cp.deprivation_profile(no_lad, pair, ["A", "C", "Z"])["lsoas"].tolist() == [1, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    assert cp.deprivation_profile(no_lad, pair)["lsoas"].sum() == 0


def test_ward_rates_keep_a_ward_with_no_crime(params):
    rates = measures.ward_rates(make_data(), params).set_index("ward_code")
    # Ward One: 3 crimes in 2023-24 / 1,000 residents = 3.0 per 1,000; Garwood 95% limits for 3 are
    # chi2(0.025; 6) / 2 = 0.6187 and chi2(0.975; 8) / 2 = 8.7673 (published tables), per 1,000 residents
    assert rates.loc["W1", ["crimes", "rate"]].tolist() == [3, pytest.approx(3.0)]
    assert rates.loc["W1", "rate_low"] == pytest.approx(0.6187, abs=1e-4)
    assert rates.loc["W1", "rate_high"] == pytest.approx(8.7673, abs=1e-4)
    # Ward Two: none; upper limit -ln(0.025) = 3.6889 per 500 residents = 7.3778 per 1,000
    assert rates.loc["W2", ["crimes", "rate", "rate_low"]].tolist() == [0, 0.0, 0.0]
    assert rates.loc["W2", "rate_high"] == pytest.approx(-math.log(0.025) * 2, abs=1e-4)


def test_rates_table_ends_with_the_area(params):
    area = cp.rates_table(make_data(), params).iloc[-1]
    # 3 crimes / 1,500 residents x 1,000 = 2.0
    assert (area["ward_code"], area["ward_name"], area["population"], area["crimes"]) == (
        "E08000026",
        "Coventry",
        1500,
        3,
    )
    assert area["rate"] == pytest.approx(2.0)


def test_rates_use_the_mid_year_estimate_of_the_year(params):
    # a mid-2023 estimate of 2,000 (the 2021 rows are the census-year profile): Census 2021 1,500 scaled by 4/3
    extra = pd.DataFrame({"lad_code": "E08000026", "year": [2023, 2023], "sex": ["M", "F"], "age": [30, 30],
                          "population": [1000, 1000]})
    data = make_data(mid_year=pd.concat([mid_year(), extra], ignore_index=True))
    rates = cp.rates_table(data, params).set_index("ward_code")
    # area: 3 crimes / 2,000 x 1,000 = 1.5; Ward One 3 / (1,000 x 4/3) x 1,000 = 2.25; Ward Two 500 x 4/3 = 666.67
    assert rates.loc["E08000026", ["population", "rate"]].tolist() == [2000, pytest.approx(1.5)]
    assert rates.loc["W1", "rate"] == pytest.approx(2.25)
    assert rates.loc["W2", "population"] == pytest.approx(2000 / 3)
    result = cp.city_profile(data, params)
    assert "Total recorded crime in 2023/24 was 1.5 per 1,000 residents" in " ".join(result.sentences)
    assert result.sentences[-1].startswith(
        "Rates per 1,000 residents use the ONS mid-2023 population estimate for Coventry (2,000); ward and "
        "small-area rates use Census 2021 usual residents scaled to it (× 1.3333)")
    # the census-year profile is unchanged: median age from the 2021 rows
    assert {f["id"]: f["value"] for f in result.figures}["median_age"] == 2


def test_city_profile_figures_and_sentences(params):
    result = cp.city_profile(make_data(), params)
    figures = {f["id"]: f["value"] for f in result.figures}
    # small areas sum to 1,500 (published: 1,500); growth 1,500 / 1,400 - 1 = 7.142857% -> 7.1
    assert figures == {
        "population_census_2011": 1400,
        "population_census_2021": 1500,
        "population_growth_2011_2021": 7.1,
        "median_age": 2,
    }
    assert result.sentences[0].startswith("On Census Day 2021 Coventry had 1,500 usual residents")
    assert "up 7.1% on 1,400" in result.sentences[0]
    assert not any("deprived" in s for s in result.sentences)  # no IMD, no deprivation sentence
    # estimates for 2020 and 2021 only: 2023-24 has none, so rates use Census 2021 and the page says so
    assert result.sentences[-1] == (
        "Rates per 1,000 residents use Census 2021 usual residents (Coventry: 1,500), as no mid-2023 estimate "
        "was supplied.")
    # no IMD file: no empty deprivation table, one sentence naming the input instead
    assert set(result.tables) == {"population_totals", "age_by_ward", "age_sex", "rates"}
    assert "Deprivation needs the English Indices of Deprivation 2019 file (sources.imd, docs/data.md); none was supplied." \
        in result.sentences


def test_city_profile_without_optional_sources(params):
    result = cp.city_profile(make_data(census_2011=pd.DataFrame(), mid_year=pd.DataFrame()), params)
    assert [f["id"] for f in result.figures] == ["population_census_2021"]
    assert "age_sex" not in result.tables and "deprivation" not in result.tables
    said = " ".join(result.sentences)
    assert "(sources.mid_year_estimates, docs/data.md)" in said and "(sources.census_2011, docs/data.md)" in said
    assert result.tables["population_totals"]["growth_pct"].isna().all()


@pytest.fixture(scope="module")
def demo_result(demo_dir):
    from ccsp_analysis import dataset

    demo_params = load_params(ROOT / "params" / "2023-24.yaml")
    data = dataset.load(demo_params)
    return data, cp.city_profile(data, demo_params)


def test_demo_reproduces_published_city_profile(demo_result, published):
    data, result = demo_result
    figures = {f["id"]: f["value"] for f in result.figures}
    expected = {f["id"]: f for f in published["strategic_assessment_2023_24"]["city_profile"]}
    assert set(figures) == set(expected)
    assert figures["population_census_2011"] == expected["population_census_2011"]["value"]
    assert figures["median_age"] == expected["median_age"]["value"]
    # the demo's small areas sum to Census 2021's 345,312 (TS001, PROVENANCE.md), published as 345,300
    assert int(data.population["population"].sum()) == 345_312
    assert figures["population_census_2021"] == expected["population_census_2021"]["value"]
    # the document's 8.9 is marked inconsistent: 345,300 / 316,915 - 1 = 8.96% rounds to 9.0
    assert expected["population_growth_2011_2021"]["status"] == "inconsistent"
    assert (
        figures["population_growth_2011_2021"] != expected["population_growth_2011_2021"]["value"]
    )
    assert figures["population_growth_2011_2021"] == 9.0
    # rates: the demo's mid-2023 estimate (360,700, data/demo/ons/mye_single_year_of_age.csv) for 38,508 crimes
    area = result.tables["rates"].iloc[-1]
    assert (area["population"], area["crimes"]) == (360_700, 38_508)
    assert area["rate"] == pytest.approx(38_508 / 360_700 * 1000)  # 106.76
    assert result.tables["rates"]["population"].iloc[:-1].sum() == pytest.approx(360_700)
    assert "Total recorded crime in 2023/24 was 106.8 per 1,000 residents" in " ".join(result.sentences)
    assert "ONS mid-2023 population estimate for Coventry (360,700)" in result.sentences[-1]


def test_real_imd_deciles(shared_data, params):
    from ccsp_analysis.sources import ons

    imd = ons.read_imd(shared_data / "imd" / "coventry_iod2019_ranks_deciles_lsoa2011.csv")
    table = cp.deprivation_profile(imd, params)
    # PROVENANCE.md: Coventry's 195 LSOA 2011 by IMD decile 1:28, 2:22, 3:28, 4:19, 5:23, 6:21, 7:19, 8:15, 9:11, 10:9
    assert table["lsoas"].tolist() == [28, 22, 28, 19, 23, 21, 19, 15, 11, 9]
    assert table["share"].iloc[0] == pytest.approx(28 / 195 * 100)


def test_real_imd_through_the_dataset(shared_data, demo_dir):
    from ccsp_analysis import dataset

    base = load_params(ROOT / "params" / "2023-24.yaml")
    imd_params = base.model_copy(
        update={
            "sources": base.sources.model_copy(
                update={"imd": shared_data / "imd" / "coventry_iod2019_ranks_deciles_lsoa2011.csv"}
            )
        }
    )
    result = cp.city_profile(dataset.load(imd_params), imd_params)
    assert result.tables["deprivation"]["lsoas"].sum() == 195
    # 28 of 195 = 14.36% in the most deprived decile
    assert any(s.startswith("28 of Coventry's 195 small areas (14.4%)") for s in result.sentences)
