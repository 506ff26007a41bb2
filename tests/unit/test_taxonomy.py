import pandas as pd
import pytest

from ccsp_analysis.schemas import POLICE_CRIME_TYPES
from ccsp_analysis.taxonomy import GROUPINGS, HO_OFFENCES, grouping_mask, grouping_table


def _crimes(rows):
    cols = [
        "ho_code",
        "ho_group",
        "domestic_abuse",
        "honour_based_abuse",
        "hate_strand",
        "victim_sex",
        "victim_age",
        "county_lines",
    ]
    df = pd.DataFrame(rows, columns=cols)
    df["victim_age"] = df["victim_age"].astype("Int64")
    return df


def test_every_offence_maps_to_a_police_category():
    assert {o.police_category for o in HO_OFFENCES.values()} <= set(POLICE_CRIME_TYPES) - {
        "Anti-social behaviour"
    }


def test_vawg_needs_female_victim_and_a_vawg_offence():
    # Hand-built rows: only rows 0 (DA, F), 2 (stalking, F) and 4 (rape, F) are VAWG.
    df = _crimes(
        [
            ("105A", "Violence without injury", True, False, None, "F", 30, False),
            ("105A", "Violence without injury", True, False, None, "M", 30, False),
            ("8Q", "Stalking and harassment", False, False, None, "F", 30, False),
            ("46", "Shoplifting", False, False, None, "F", 30, False),
            ("19C", "Rape", False, False, None, "F", 30, False),
            ("19C", "Rape", False, False, None, None, None, False),
        ]
    )
    assert list(grouping_mask(df, "vawg")) == [True, False, True, False, True, False]
    assert list(grouping_mask(df, "trc")) == [True] * 6
    assert grouping_mask(df, "sexual_offences").sum() == 2


def test_county_lines_needs_child_victim():
    df = _crimes(
        [
            ("92A", "Drug offences", False, False, None, "M", 16, True),
            ("92A", "Drug offences", False, False, None, "M", 19, True),
            ("92A", "Drug offences", False, False, None, None, None, True),
        ]
    )
    assert list(grouping_mask(df, "county_lines")) == [True, False, False]


def test_hate_and_unknown_grouping():
    df = _crimes(
        [
            ("9B", "Public order offences", False, False, "race", None, None, False),
            ("9A", "Public order offences", False, False, None, None, None, False),
        ]
    )
    assert list(grouping_mask(df, "hate_crime")) == [True, False]
    with pytest.raises(KeyError, match="unknown grouping 'nope'"):
        grouping_mask(df, "nope")


def test_grouping_table_documents_every_grouping():
    t = grouping_table()
    assert set(t["grouping"]) == set(GROUPINGS) and t["rule"].str.len().gt(0).all()
