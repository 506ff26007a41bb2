"""Priority 2 (public place safety and reassurance): hand-counted small datasets and the demo run.

Expected values are counted by hand from the rows written out in each test (arithmetic in the
comments); the demo test compares with ../shared/reference/published_figures.yaml.
"""

from __future__ import annotations

import pandas as pd
import pytest
from priority_data import (
    CENTRE,
    CUR,
    FOLESHILL,
    PREV,
    WARD_NAMES,
    crime,
    crimes,
    dataset,
    demo_data,
    figures,
    params,
    published_values,
)

from ccsp_analysis.sections.priority_2 import peak_ages, priority_2, pyramid_frame, topic_sentences


def small_crimes(shops_last_year: int = 2) -> pd.DataFrame:
    return crimes([
        # Shoplifting 3 against ``shops_last_year``.
        *[crime("46", CUR)] * 3, *[crime("46", PREV)] * shops_last_year,
        # Alcohol-related 4: hours 22 and 1 are night-time economy, 14 is not, one hour unknown.
        crime("105A", CUR, "M", 30, "alcohol", hour=22), crime("105A", CUR, "M", 30, "alcohol", hour=1),
        crime("105A", CUR, "M", 30, "alcohol", hour=14), crime("105A", CUR, "M", 30, "alcohol", hour=None),
        # Drug offences 5 against 10: in the city centre possession 2, supply 1, other 1; elsewhere 1.
        crime("92D", CUR, ward=CENTRE), crime("92E", CUR, ward=CENTRE), crime("92A", CUR, ward=CENTRE),
        crime("92C", CUR, ward=CENTRE), crime("92E", CUR), *[crime("92D", PREV)] * 10,
    ])


def asb() -> pd.DataFrame:
    # Police 2023-24: nuisance 3 (2 in the city centre), environmental 1, personal 1 = 5; 2022-23: 4.
    # Council: 2 in each year.
    rows = [("police", "nuisance", CENTRE, CUR)] * 2 + [("police", "nuisance", FOLESHILL, CUR),
            ("police", "environmental", FOLESHILL, CUR), ("police", "personal", FOLESHILL, CUR)]
    rows += [("police", "nuisance", FOLESHILL, PREV)] * 4 + [("council", "environmental", FOLESHILL, fy) for fy in (CUR, CUR, PREV, PREV)]
    frame = pd.DataFrame(rows, columns=["recorded_by", "asb_type", "ward_code", "fy"])
    frame["ward_name"] = frame["ward_code"].map(WARD_NAMES)
    return frame


def fly_tipping() -> pd.DataFrame:
    # 2023-24: Foleshill 3, St Michael's 1 (4); 2022-23: 8 in Foleshill.
    codes = [FOLESHILL] * 3 + [CENTRE] + [FOLESHILL] * 8
    return pd.DataFrame({"ward_code": codes, "ward_name": [WARD_NAMES[c] for c in codes], "fy": [CUR] * 4 + [PREV] * 8})


def victims() -> pd.DataFrame:
    # 2023-24: 6 offences with a victim, female 3 (ages 36, 37, 31), male 3 (32, 33, 90); one in 2022-23.
    rows = [("a", CUR, "F", 36), ("b", CUR, "F", 37), ("c", CUR, "F", 31), ("d", CUR, "M", 32),
            ("e", CUR, "M", 33), ("f", CUR, "M", 90), ("g", PREV, "F", 50)]
    return pd.DataFrame(rows, columns=["crime_ref", "fy", "victim_sex", "victim_age"]).astype({"victim_age": "Int64"})


def geography() -> pd.DataFrame:
    return pd.DataFrame({"ward_code": list(WARD_NAMES), "ward_name": list(WARD_NAMES.values())})


def small_dataset(shops_last_year: int = 2):
    return dataset(crimes=small_crimes(shops_last_year), asb=asb(), fly_tipping=fly_tipping(), victims=victims(), geography=geography())


@pytest.fixture(scope="module")
def result():
    return priority_2(small_dataset(), params(threshold=1))


def test_changes(result):
    f = figures(result)
    # Shoplifting 3 against 2: +50.0; fly-tipping 4 against 8: -50.0; drug offences 5 against 10: -50.0.
    assert (f["theft_from_shops_change"], f["fly_tipping_change"], f["drug_offences_change"]) == (50.0, -50.0, -50.0)
    changes = result.tables["changes"].set_index("measure")
    # Police ASB 5 against 4 (+25%), council ASB 2 against 2.
    assert changes.loc["asb", ["current", "previous", "pct_change"]].tolist() == [5, 4, 25.0]
    assert changes.loc["council_asb", "pct_change"] == 0.0 and changes.loc["council_asb", "direction"] == "STABLE"


def test_asb_types_and_city_centre(result):
    f = figures(result)
    # Of 5 typed police ASB: nuisance 3 = 60%, environmental 1 = 20%, personal 1 = 20% (whole numbers).
    assert (f["asb_nuisance_share"], f["asb_environmental_share"], f["asb_personal_share"]) == (60.0, 20.0, 20.0)
    # City centre (St Michael's) 2 of 5 police ASB = 40.0.
    assert f["asb_st_michaels_share"] == 40.0
    # the page writes them as every percentage, to one decimal
    assert "Of police-recorded ASB with a type, 60.0% was nuisance, 20.0% was environmental and 20.0% was personal." \
        in topic_sentences(result, "asb")


def test_fly_tipping_share_of_every_ward(result):
    f = figures(result)
    # Foleshill 3/4 = 75.0, St Michael's 1/4 = 25.0.
    assert (f["fly_tipping_foleshill_share"], f["fly_tipping_st_michaels_share"]) == (75.0, 25.0)


def test_victims_and_peak_ages(result):
    f = figures(result)
    # 6 offences with a victim, 3 female: 50.0.
    assert (f["offences_with_victim"], f["victims_female_share"]) == (6, 50.0)
    peaks = result.tables["victim_peak_ages"].set_index("sex")
    # Female 36, 37 -> 35-39 (2 of 3); male 32, 33 -> 30-34 (2 of 3).
    assert peaks.loc["F", "age_band"] == "35-39" and peaks.loc["M", "age_band"] == "30-34"
    assert peaks.loc["F", "victims"] == 2 and round(peaks.loc["F", "share"], 1) == 66.7
    table = result.tables["victims_by_age_sex"].set_index("age_band")
    assert table.loc["90+", "M"] == 1 and table.loc["Total", "Total"] == 6
    assert "35-39 for female victims" in topic_sentences(result, "victims")[-1]


def test_alcohol_in_night_time_economy_hours(result):
    # 2 of the 4 alcohol-related crimes at 22:00 and 01:00: 50.0 (the unknown hour stays in the base).
    assert figures(result)["alcohol_related_in_nte_hours_share"] == 50.0
    assert result.tables["alcohol_hours"]["crimes"].tolist() == [2, 1, 1]


def test_drugs_in_the_city_centre(result):
    f = figures(result)
    # City centre 4 of 5 drug offences = 80.0; possession (92D, 92E) 2/4 = 50.0, supply (92A) 1/4 = 25.0.
    assert f["drug_offences_st_michaels_share"] == 80.0
    assert (f["city_centre_drugs_possession_share"], f["city_centre_drugs_intent_to_supply_share"]) == (50.0, 25.0)


def test_small_victim_cells_are_suppressed_and_logged():
    result = priority_2(small_dataset(), params(threshold=5))
    table = result.tables["victims_by_age_sex"].set_index("age_band")
    # Every non-zero cell (at most 3, total 6 is not below 5) hides; the grand total of 6 stays.
    assert table.loc["35-39", "F"] is pd.NA and table.loc["Total", "Total"] == 6
    log = result.tables["suppression_log"]
    assert set(log["table"]) == {"victims_by_age_sex"} and set(log["section"]) == {"04_priority_2"}
    # one reason for every hidden cell: the log never says which were below the threshold
    assert set(log["reason"]) == {"hidden to protect small numbers"}
    # Peak ages come from the shown table only: nothing visible, no peak reported.
    assert result.tables["victim_peak_ages"].empty


def test_zero_last_year_gives_no_change_figure():
    result = priority_2(small_dataset(shops_last_year=0), params(threshold=1))
    assert "theft_from_shops_change" not in figures(result)
    assert pd.isna(result.tables["changes"].set_index("measure").loc["shoplifting", "pct_change"])


def test_no_city_centre_ward_gives_no_city_centre_figures():
    f = figures(priority_2(small_dataset(), params(threshold=1, centre=None)))
    assert not [k for k in f if "st_michaels" in k and not k.startswith("fly_tipping")]
    assert "city_centre_drugs_possession_share" not in f


def test_peak_ages_and_pyramid_frame_skip_hidden_cells():
    shown = pd.DataFrame({"age_band": ["0-4", "5-9", "Total"], "F": pd.array([pd.NA, 7, 9], "Int64"),
                          "M": pd.array([6, 8, 14], "Int64"), "Total": pd.array([pd.NA, 15, 23], "Int64")})
    assert peak_ages(shown)[["sex", "age_band", "victims"]].values.tolist() == [["F", "5-9", 7], ["M", "5-9", 8]]
    long = pyramid_frame(shown)
    assert long.values.tolist() == [["5-9", "Female", 7], ["0-4", "Male", 6], ["5-9", "Male", 8]]


# --- the demo run reproduces the published figures ---------------------------------------------

PUBLISHED_IDS = [
    "theft_from_shops_change", "asb_nuisance_share", "asb_environmental_share", "asb_personal_share",
    "asb_st_michaels_share", "fly_tipping_change", "fly_tipping_foleshill_share", "offences_with_victim",
    "alcohol_related_in_nte_hours_share", "victims_female_share", "drug_offences_change",
    "drug_offences_st_michaels_share", "city_centre_drugs_possession_share",
    "city_centre_drugs_intent_to_supply_share",
]


@pytest.fixture(scope="module")
def demo_result(demo_dir):
    data, p = demo_data(demo_dir)
    return priority_2(data, p)


@pytest.fixture(scope="module")
def block(published):
    return published_values(published, "priority_2_public_place")


@pytest.mark.parametrize("fid", PUBLISHED_IDS)
def test_demo_reproduces_published(demo_result, block, fid):
    assert figures(demo_result)[fid] == block[fid]["value"]


def test_demo_peak_victim_ages(demo_result):
    # Published: "female 35-39 years old and males 30-34 years old".
    peaks = demo_result.tables["victim_peak_ages"].set_index("sex")["age_band"].to_dict()
    assert peaks == {"F": "35-39", "M": "30-34"}
