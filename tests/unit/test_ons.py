"""Tests for sources.ons: ONS lookups, Census population, IMD and boundaries.

Real-file figures come from ../shared/data/PROVENANCE.md (checked there by hand and against
independent copies); the error-path fixtures are tiny files written in each test.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from ccsp_analysis.errors import DataError
from ccsp_analysis.sources.ons import (
    read_boundaries,
    read_census_ts001,
    read_imd,
    read_lsoa_ward_lookup,
    read_population_by_age,
)

SHARED = Path(__file__).parents[2] / ".." / "shared" / "data"
shared_data = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"real ONS files not available ({SHARED} is absent)"
)
COVENTRY = "E08000026"


@pytest.mark.shared_data
@shared_data
def test_coventry_ward_lookup_2011():
    frame = read_lsoa_ward_lookup(SHARED / "lookups" / "coventry_lsoa11_to_ward2019.csv")
    assert list(frame.columns) == [
        "lsoa_code",
        "lsoa_name",
        "ward_code",
        "ward_name",
        "lad_code",
        "lad_name",
    ]
    assert len(frame) == 195 and frame["ward_code"].nunique() == 18
    assert sorted(frame["ward_code"].unique()) == [f"E0500{n}" for n in range(1218, 1236)]
    sizes = frame["ward_name"].value_counts()
    assert (sizes["Henley"], sizes["Foleshill"], sizes["Wainbody"]) == (13, 12, 8)


@pytest.mark.shared_data
@shared_data
def test_england_and_wales_lookup_filtered_to_coventry_equals_the_extract():
    full = read_lsoa_ward_lookup(
        SHARED / "lookups" / "lsoa11_to_ward2019_lad2019_bestfit_EW.csv.gz", lad_code=COVENTRY
    )
    extract = read_lsoa_ward_lookup(SHARED / "lookups" / "coventry_lsoa11_to_ward2019.csv")
    assert sorted(full["lsoa_code"]) == sorted(extract["lsoa_code"])
    assert (full["lad_name"] == "Coventry").all()


@pytest.mark.shared_data
@shared_data
def test_derived_lsoa21_lookup_has_no_lad_columns():
    frame = read_lsoa_ward_lookup(SHARED / "lookups" / "coventry_lsoa21_to_ward_DERIVED.csv")
    assert len(frame) == 203 and frame["ward_code"].nunique() == 18
    assert frame["lad_code"].isna().all()
    with pytest.raises(DataError, match="cannot be filtered to a local authority"):
        read_lsoa_ward_lookup(
            SHARED / "lookups" / "coventry_lsoa21_to_ward_DERIVED.csv", lad_code=COVENTRY
        )


@pytest.mark.shared_data
@shared_data
def test_census_ts001_skips_footnotes_and_filters():
    path = SHARED / "population" / "census2021_TS001_usual_residents_lsoa2021_EW.csv.gz"
    everyone = read_census_ts001(path)
    assert len(everyone) == 35672  # 35,679 lines after the header less 7 footnote lines
    codes = read_lsoa_ward_lookup(SHARED / "lookups" / "coventry_lsoa21_to_ward_DERIVED.csv")[
        "lsoa_code"
    ]
    coventry = read_census_ts001(path, lsoa_codes=codes)
    assert len(coventry) == 203 and coventry["population"].sum() == 345312
    assert list(coventry.columns) == ["lsoa_code", "lsoa_name", "population"]


@pytest.mark.shared_data
@shared_data
def test_population_by_age_prefix_filter_matches_the_extract():
    full = read_population_by_age(
        SHARED / "population" / "census2021_usual_residents_by_age6_lsoa2021_EW.csv.gz",
        lsoa_name_prefix="Coventry ",
    )
    assert len(full) == 1218 and full["lsoa_code"].nunique() == 203
    assert full["population"].sum() == 345316
    assert full["age_group"].nunique() == 6
    extract = read_population_by_age(
        SHARED / "population" / "coventry_census2021_usual_residents_by_age6_lsoa2021.csv"
    )
    assert extract["population"].sum() == 345316


@pytest.mark.shared_data
@shared_data
def test_imd_deciles_for_coventry():
    codes = read_lsoa_ward_lookup(SHARED / "lookups" / "coventry_lsoa11_to_ward2019.csv")[
        "lsoa_code"
    ]
    frame = read_imd(
        SHARED / "imd" / "iod2019_ranks_deciles_lsoa2011_england.csv.gz", lsoa_codes=codes
    )
    assert len(frame) == 195
    counts = frame["imd_decile"].value_counts().sort_index().to_dict()
    assert counts == {1: 28, 2: 22, 3: 28, 4: 19, 5: 23, 6: 21, 7: 19, 8: 15, 9: 11, 10: 9}
    assert {"crime_rank", "crime_decile", "living_environment_decile"} <= set(frame.columns)
    extract = read_imd(SHARED / "imd" / "coventry_iod2019_ranks_deciles_lsoa2011.csv")
    assert sorted(extract["imd_rank"]) == sorted(frame["imd_rank"])


@pytest.mark.shared_data
@shared_data
@pytest.mark.parametrize(
    ("name", "features", "first_code"),
    [
        ("coventry_wards.geojson", 18, "E05001218"),
        ("coventry_lsoa2021.geojson", 203, "E01009522"),
        ("coventry_lsoa2011.geojson", 195, "E01009522"),
        ("coventry_msoa2021.geojson", 42, "E02001958"),
    ],
)
def test_boundaries(name, features, first_code):
    frame = read_boundaries(SHARED / "boundaries" / name)
    assert len(frame) == features and frame["code"][0] == first_code
    assert frame["geometry"][0]["type"] in ("Polygon", "MultiPolygon")


def test_boundary_name_detection_on_wards_fixture(tmp_path):
    wards = read_boundaries(write_geojson(tmp_path, [feature("E05001218", "Bablake")]))
    assert wards[["code", "name"]].values.tolist() == [["E05001218", "Bablake"]]


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


LOOKUP_HEADER = "FID,LSOA11CD,LSOA11NM,WD19CD,WD19NM,LAD19CD,LAD19NM"


def test_lookup_errors(tmp_path):
    rows = ["1,E01009526,Coventry 010B,E05001218,Bablake,E08000026,Coventry"]
    bad_ward = write(
        tmp_path,
        "lk.csv",
        [LOOKUP_HEADER, *rows, "2,E01009527,Coventry 006C,Bablake,E05,E08000026,Coventry"],
    )
    with pytest.raises(DataError) as info:
        read_lsoa_ward_lookup(bad_ward)
    assert (info.value.line, info.value.column) == (3, "WD19CD") and "lk.csv" in str(info.value)
    twice = write(tmp_path, "twice.csv", [LOOKUP_HEADER, *rows, *rows])
    with pytest.raises(DataError, match="'E01009526' appears more than once"):
        read_lsoa_ward_lookup(twice)
    no_ward = write(tmp_path, "noward.csv", ["LSOA11CD,LSOA11NM", "E01009526,Coventry 010B"])
    with pytest.raises(DataError, match="has no ward_code column"):
        read_lsoa_ward_lookup(no_ward)
    ambiguous = write(
        tmp_path,
        "amb.csv",
        ["LSOA11CD,LSOA21CD,LSOA11NM,WD_CD,WD_NM", "E01009526,E01009526,a,E05001218,b"],
    )
    with pytest.raises(DataError, match=r"several lsoa_code columns \(LSOA11CD, LSOA21CD\)"):
        read_lsoa_ward_lookup(ambiguous)
    with pytest.raises(DataError, match="no rows for LAD code E08000025"):
        read_lsoa_ward_lookup(
            write(tmp_path, "ok.csv", [LOOKUP_HEADER, *rows]), lad_code="E08000025"
        )


TS001_HEADER = "total,2021 super output area - lower layer,mnemonic"
FOOTNOTES = [",,", ",,", ',"In order to protect against disclosure, records",', ",affected.,"]


def test_ts001_footer_is_skipped_and_blank_codes_inside_are_errors(tmp_path):
    # 3 LSOAs, 1,500 + 1,600 + 1,700 = 4,800 residents, then 4 footnote lines.
    rows = [
        "1500,Coventry 001A,E01009589",
        "1600,Coventry 001B,E01009590",
        "1700,Rugby 001A,E01031000",
    ]
    path = write(tmp_path, "ts001.csv.gz", [TS001_HEADER, *rows, *FOOTNOTES])
    frame = read_census_ts001(path)
    assert frame["population"].tolist() == [1500, 1600, 1700]
    assert (
        read_census_ts001(path, lsoa_codes=["E01009589", "E01009590"])["population"].sum() == 3100
    )
    broken = write(tmp_path, "ts001b.csv", [TS001_HEADER, rows[0], ",,", rows[1], *FOOTNOTES])
    with pytest.raises(DataError) as info:
        read_census_ts001(broken)
    assert (info.value.line, info.value.column) == (3, "mnemonic")
    negative = write(tmp_path, "ts001c.csv", [TS001_HEADER, rows[0], "-5,Coventry 001B,E01009590"])
    with pytest.raises(DataError, match="at least 0") as info:
        read_census_ts001(negative)
    assert info.value.line == 3
    with pytest.raises(DataError, match="no rows for the requested LSOAs"):
        read_census_ts001(path, lsoa_codes=["E01000001"])


AGE_HEADER = "lsoa21_code,lsoa21_name,age_group,usual_residents"


def test_population_by_age_rejects_repeated_band(tmp_path):
    rows = [
        "E01009522,Coventry 014A,Aged 15 years and under,505",
        "E01009522,Coventry 014A,Aged 16 to 24 years,133",
    ]
    path = write(tmp_path, "age.csv", [AGE_HEADER, *rows, rows[0]])
    with pytest.raises(DataError) as info:
        read_population_by_age(path)
    assert info.value.line == 4 and "age.csv" in str(info.value)
    ok = read_population_by_age(
        write(tmp_path, "age2.csv", [AGE_HEADER, *rows]), lsoa_codes=["E01009522"]
    )
    assert ok["population"].sum() == 638  # 505 + 133


IMD_HEADER = "lsoa11_code,lsoa11_name,lad19_code,lad19_name,index_of_multiple_deprivation_imd_rank,index_of_multiple_deprivation_imd_decile"


def test_imd_decile_out_of_range(tmp_path):
    path = write(
        tmp_path,
        "imd.csv",
        [
            IMD_HEADER,
            "E01009522,Coventry 014A,E08000026,Coventry,11101,4",
            "E01009523,Coventry 010A,E08000026,Coventry,17853,11",
        ],
    )
    with pytest.raises(DataError) as info:
        read_imd(path)
    assert (info.value.line, info.value.column) == (3, "index_of_multiple_deprivation_imd_decile")
    assert "at most 10" in str(info.value)


def feature(code: str, name: str, geometry_type: str = "Polygon") -> dict:
    ring = [[-1.5, 52.4], [-1.4, 52.4], [-1.4, 52.5], [-1.5, 52.4]]
    coords = [ring] if geometry_type == "Polygon" else [-1.5, 52.4]
    return {
        "type": "Feature",
        "properties": {
            "FID": 1,
            "WD25CD": code,
            "WD25NM": name,
            "WD25NMW": " ",
            "LAD25CD": "E08000026",
            "LAD25NM": "Coventry",
        },
        "geometry": {"type": geometry_type, "coordinates": coords},
    }


def write_geojson(tmp_path: Path, features: list[dict], kind: str = "FeatureCollection") -> Path:
    path = tmp_path / "wards.geojson"
    path.write_text(json.dumps({"type": kind, "features": features}))
    return path


def test_boundary_errors(tmp_path):
    with pytest.raises(DataError, match="not a GeoJSON FeatureCollection"):
        read_boundaries(write_geojson(tmp_path, [feature("E05001218", "Bablake")], kind="Feature"))
    with pytest.raises(DataError, match="feature 1: geometry is 'Point'"):
        read_boundaries(
            write_geojson(tmp_path, [feature("E05001218", "A"), feature("E05001219", "B", "Point")])
        )
    with pytest.raises(DataError, match="feature 1: code 'E05001218' appears more than once"):
        read_boundaries(
            write_geojson(tmp_path, [feature("E05001218", "A"), feature("E05001218", "B")])
        )
    with pytest.raises(DataError, match="property 'WARD' is missing"):
        read_boundaries(
            write_geojson(tmp_path, [feature("E05001218", "A")]),
            code_field="WARD",
            name_field="WD25NM",
        )
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection",\n "features": [}')
    with pytest.raises(DataError) as info:
        read_boundaries(broken)
    assert info.value.line == 2 and "broken.geojson" in str(info.value)
