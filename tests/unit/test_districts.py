"""District tables for the computed peer group (sources.districts): hand-made files, and the real ONS files."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ccsp_analysis import stats
from ccsp_analysis.errors import DataError
from ccsp_analysis.sources import districts
from ccsp_analysis.sources.ons import read_census_ts001, read_imd, read_population_by_age

COVENTRY = "E08000026"


def _lookup(tmp_path):
    # two vintages: E01000001 (2011) became E01000011 (2021); E01000002 is the same code in both; the
    # 2021 split child "Beta 001C" is not listed (as in the real one-row-per-2011-LSOA lookup)
    path = tmp_path / "lookup.csv"
    path.write_text("\ufeffObjectId,LSOA11CD,LSOA11NM,LSOA21CD,LSOA21NM,LAD22CD,LAD22NM\n"
                    "1,E01000001,Alpha 001A,E01000011,Alpha 001A,E06000001,Alpha\n"
                    "2,E01000002,Alpha 001B,E01000002,Alpha 001B,E06000001,Alpha\n"
                    "3,E01000003,Beta 001A,E01000003,Beta 001A,E06000002,Beta\n"
                    "4,E01000004,Beta 001B,E01000004,Beta 001B,E06000002,Beta\n", encoding="utf-8")
    return districts.read_district_lookup(path)


def test_lookup_reads_both_vintages_and_places_by_name(tmp_path):
    lookup = _lookup(tmp_path)
    # 4 2011 codes + 1 2021 code that differs (E01000011): 5 codes
    assert sorted(lookup["lsoa_code"]) == ["E01000001", "E01000002", "E01000003", "E01000004", "E01000011"]
    codes = pd.Series(["E01000011", "E01000099", "E01000098", None])
    names = pd.Series(["Alpha 001A", "Beta 001C", "Gamma 001A", None])
    # by code; by the name's district ("Beta"); "Gamma" is no district of the lookup; no code, no name
    assert place(codes, names, lookup) == ["E06000001", "E06000002", None, None]


def place(codes, names, lookup):
    return [None if pd.isna(v) else v for v in districts.place(codes, names, lookup)]


def test_lookup_without_district_columns_is_refused(tmp_path):
    path = tmp_path / "lookup.csv"
    path.write_text("LSOA21CD,WD22CD\nE01000001,E05000001\n", encoding="utf-8")
    with pytest.raises(DataError, match="LAD22CD") as err:
        districts.read_district_lookup(path)
    assert "lookup.csv" in str(err.value)


def test_features_by_hand(tmp_path):
    lookup = _lookup(tmp_path)
    pop = pd.DataFrame({"lsoa_code": ["E01000011", "E01000002", "E01000003", "E01000004", "E01000099"],
                        "lsoa_name": ["Alpha 001A", "Alpha 001B", "Beta 001A", "Beta 001B", "Beta 001C"],
                        "population": [1000, 1000, 500, 300, 200]})
    age = pd.DataFrame({"lsoa_code": ["E01000011", "E01000011", "E01000002", "E01000002", "E01000003", "E01000003"],
                        "lsoa_name": ["Alpha 001A"] * 2 + ["Alpha 001B"] * 2 + ["Beta 001A"] * 2,
                        "age_group": ["Aged 15 years and under", "Aged 65 years and over"] * 3,
                        "population": [300, 700, 500, 500, 100, 400]})
    imd = pd.DataFrame({"lsoa_code": ["E01000001", "E01000002", "E01000003", "E01000004"],
                        "lsoa_name": ["Alpha 001A", "Alpha 001B", "Beta 001A", "Beta 001B"], "imd_decile": [1, 4, 1, 1]})
    land = pd.DataFrame({"lad_code": ["E06000001", "E06000002"], "land_hectares": [200.0, 5000.0]})
    f = districts.district_features(lookup, pop, age, imd, land).set_index("lad_code")
    # Alpha: 1000 + 1000 residents in 2 small areas; Beta: 500 + 300 + 200 (the split child placed by name) in 3
    assert f.loc["E06000001", ["population", "small_areas"]].tolist() == [2000, 2]
    assert f.loc["E06000002", ["population", "small_areas"]].tolist() == [1000, 3]
    assert f.loc["E06000002", "f_log_population"] == pytest.approx(math.log(1000))
    # density: 2000 residents on 2 km2 = 1000 per km2; 1000 on 50 km2 = 20 per km2
    assert f["f_log_density"].tolist() == pytest.approx([math.log(1000), math.log(20)])
    # ages: Alpha (300 + 500) / 2000 under 16 = 0.4; Beta 100 / 500 = 0.2
    assert f["f_age_15_years_and_under"].tolist() == pytest.approx([0.4, 0.2])
    assert f["f_age_65_years_and_over"].tolist() == pytest.approx([0.6, 0.8])
    # most deprived decile: Alpha 1 of 2 small areas, Beta 2 of 2
    assert f["f_most_deprived"].tolist() == pytest.approx([0.5, 1.0])
    assert list(districts.characteristics(f.columns)) == ["population size", "population density", "age structure",
                                                          "deprivation"]


def test_crimes_and_coverage(tmp_path):
    lookup = _lookup(tmp_path)
    street = pd.DataFrame({"lsoa_code": ["E01000011", "E01000011", "E01000002", "E01000003", None],
                           "lsoa_name": ["Alpha 001A", "Alpha 001A", "Alpha 001B", "Beta 001A", None]})
    crimes = districts.district_crimes(street, lookup)
    # Alpha 3 rows in its 2 small areas; Beta 1 row in 1 small area; the row with no small area is not counted
    assert crimes.set_index("lad_code").to_dict("index") == {
        "E06000001": {"crimes": 3, "small_areas_with_crimes": 2},
        "E06000002": {"crimes": 1, "small_areas_with_crimes": 1}}
    features = pd.DataFrame({"lad_code": ["E06000001", "E06000002", "E06000003"], "small_areas": [2, 3, 5]})
    # Alpha 2 of 2 (covered); Beta 1 of 3 (33% < 80%: edge rows only); E06000003 no rows
    assert districts.covered(features, crimes).tolist() == [True, False, False]
    # exactly 80% counts: 4 of 5
    four = pd.DataFrame({"lad_code": ["E06000003"], "crimes": [9], "small_areas_with_crimes": [4]})
    assert districts.covered(features, four).tolist() == [False, False, True]


def test_land_area_errors_name_the_row(tmp_path):
    path = tmp_path / "SAM_LAD.csv"
    path.write_text("LAD22CD,LAD22NM,AREALHECT\nE06000001,Alpha,200\nE06000002,Beta,-3\n", encoding="utf-8")
    with pytest.raises(DataError, match="'-3' is not a land area") as err:
        districts.read_land_area(path)
    assert err.value.line == 3 and err.value.column == "AREALHECT"


@pytest.mark.shared_data
def test_coventry_neighbours_from_the_real_files(shared_data):
    lookup = districts.read_district_lookup(shared_data / "lookups" / "lsoa11_lsoa21_lad22_lookup_EW.csv.gz")
    features = districts.district_features(
        lookup, read_census_ts001(shared_data / "population" / "census2021_TS001_usual_residents_lsoa2021_EW.csv.gz"),
        read_population_by_age(shared_data / "population" / "census2021_usual_residents_by_age6_lsoa2021_EW.csv.gz"),
        read_imd(shared_data / "imd" / "iod2019_ranks_deciles_lsoa2011_england.csv.gz"))
    f = features.set_index("lad_code")
    # independent checks: 331 districts in England and Wales (LAD 2022: 309 + 22), the 22 Welsh ones
    # without IMD 2019 (England only); Coventry's Census 2021 total 345,312 and 203 LSOAs (PROVENANCE.md)
    assert len(f) == 331
    assert sorted(f.index[f["f_most_deprived"].isna()].str[0].unique()) == ["W"]
    assert f["f_most_deprived"].isna().sum() == 22
    assert (f.loc[COVENTRY, "population"], f.loc[COVENTRY, "small_areas"]) == (345312, 203)
    # 28 of Coventry's 195 LSOAs (2011) are in IMD decile 1 (PROVENANCE.md: decile counts 1:28, ...)
    assert f.loc[COVENTRY, "f_most_deprived"] == pytest.approx(28 / 195)
    chars = districts.characteristics(f.columns)
    used = [c for cols in chars.values() for c in cols]
    frame = f[used].dropna()
    assert np.isfinite(frame.to_numpy()).all() and len(frame) == 309
    n = stats.nearest_neighbours(frame, COVENTRY, weights=stats.equal_characteristic_weights(chars))
    table = n.table
    assert n.k == 15 and len(table) == 15 and COVENTRY not in set(table["code"])
    assert table["distance"].is_monotonic_increasing and (table["distance"] > 0).all()
    # every district not chosen is at least as far as the 15th
    others = stats.nearest_neighbours(frame, COVENTRY, k=len(frame), weights=stats.equal_characteristic_weights(chars)).table
    assert others["code"].head(15).tolist() == table["code"].tolist()
    assert (others["distance"].iloc[15:] >= table["distance"].iloc[-1]).all()
    # stable: the same files give the same group whatever the row order
    again = stats.nearest_neighbours(frame.sample(frac=1.0, random_state=1), COVENTRY,
                                     weights=stats.equal_characteristic_weights(chars))
    assert again.table["code"].tolist() == table["code"].tolist()
