"""Priority 3 (exploitation and protecting victims): hand-counted small datasets and the demo run.

Expected values are counted by hand from the rows written out in each test (arithmetic in the
comments); the demo test compares with ../shared/reference/published_figures.yaml.
"""

from __future__ import annotations

import pandas as pd
import pytest
from priority_data import (
    CUR,
    PREV,
    crime,
    crimes,
    dataset,
    demo_data,
    figures,
    params,
    published_values,
)

from ccsp_analysis.sections.priority_3 import (
    nrm_by_responder,
    nrm_profile,
    priority_3,
    topic_sentences,
)


def small_crimes() -> pd.DataFrame:
    return crimes([
        # Hate crime 5 against 5: race 4, religion 1 this year; race 5 last year.
        *[crime("9B", CUR, "M", 30, hate="race")] * 4, crime("9A", CUR, "F", 30, hate="religion"),
        *[crime("9B", PREV, "M", 30, hate="race")] * 5,
        # Honour-based abuse 2 against 4.
        *[crime("8L", CUR, "F", 20, "domestic_abuse", "honour_based_abuse")] * 2,
        *[crime("8L", PREV, "F", 20, "honour_based_abuse")] * 4,
        # County lines (child victims) 4 against 2: males 15 and 16, female 16, male 14; an adult victim is not counted.
        crime("92A", CUR, "M", 15, "county_lines"), crime("92A", CUR, "M", 16, "county_lines"),
        crime("92A", CUR, "F", 16, "county_lines"), crime("92A", CUR, "M", 14, "county_lines"),
        crime("92A", CUR, "M", 19, "county_lines"), *[crime("92A", PREV, "M", 16, "county_lines")] * 2,
        # Child sexual exploitation 3 against none.
        *[crime("71", CUR, "F", 14, "cse")] * 3,
        # Modern slavery (police-recorded) 2 against 4.
        *[crime("106", CUR, "M", 30, "modern_slavery")] * 2, *[crime("106", PREV, "F", 30, "modern_slavery")] * 4,
    ])


def nrm() -> pd.DataFrame:
    # 2023-24: council 3 (F 20 sexual, F 30 labour, M 40 criminal), police 1 (M 19 criminal); 2022-23: council 2.
    rows = [("council", CUR, "F", 20, "sexual"), ("council", CUR, "F", 30, "labour"), ("council", CUR, "M", 40, "criminal"),
            ("police", CUR, "M", 19, "criminal"), ("council", PREV, "F", 22, "sexual"), ("council", PREV, "M", 50, "labour")]
    frame = pd.DataFrame(rows, columns=["first_responder", "fy", "victim_sex", "victim_age", "exploitation_type"])
    return frame.astype({"victim_age": "Int64"})


@pytest.fixture(scope="module")
def result():
    return priority_3(dataset(crimes=small_crimes(), nrm=nrm()), params(threshold=5))


def test_changes_as_published_figures(result):
    f = figures(result)
    # Hate 5 vs 5: 0.0; HBA 2 vs 4: -50.0; county lines 4 vs 2: +100.0; modern slavery 2 vs 4: -50.0.
    assert (f["hate_crime_change"], f["honour_based_abuse_change"]) == (0.0, -50.0)
    assert (f["county_lines_change"], f["modern_slavery_police_change"]) == (100.0, -50.0)
    # CSE 3 against none: no % change, so no figure.
    assert "cse_change" not in f


def test_small_changes_hidden_in_the_table(result):
    table = result.tables["changes"].set_index("measure")
    # Hate crime 5 and 5 are not below 5: shown. HBA 2/4, county lines 4/2, CSE 3/0, modern slavery 2/4: hidden.
    assert table.loc["hate_crime", ["current", "previous"]].tolist() == [5, 5]
    for measure in ("honour_based_abuse", "county_lines", "cse", "modern_slavery"):
        assert table.loc[measure, "current"] is pd.NA and table.loc[measure, "pct_change"] is pd.NA
        assert "too small to publish" in table.loc[measure, "sentence"]
    log = result.tables["suppression_log"]
    # Each hidden row logs both of its cells (CSE's zero hides with its 3).
    assert (log["table"] == "changes").sum() == 8 and set(log["section"]) == {"05_priority_3"}


def test_racial_hate_share(result):
    # Race 4 of 5 hate crimes: 80.0.
    assert figures(result)["racial_hate_share"] == 80.0
    strands = result.tables["hate_strands"].set_index("hate_strand")
    assert strands.loc["race", ["current", "previous"]].tolist() == [4, 5] and strands.loc["religion", "strand"] == "Religion"


def test_county_lines_males_15_17(result):
    # County lines children: M 15, M 16, F 16, M 14 (the 19-year-old is not a child): males 15-17 = 2/4 = 50.0.
    assert figures(result)["county_lines_males_15_17_share"] == 50.0
    table = result.tables["county_lines_victims"].set_index("age_band")
    assert table.loc["15-17", "M"] is pd.NA  # 2 is below 5
    assert "too small to publish" in topic_sentences(result, "county_lines")[-1]
    # the share (2 of 4) would give the hidden cell away: computed for the reconciliation, never published
    assert next(f for f in result.figures if f["id"] == "county_lines_males_15_17_share")["withheld"] is True


def test_modern_slavery_council_cases(result):
    # Council NRM referrals in 2023-24: 3.
    assert figures(result)["modern_slavery_council_cases"] == 3
    assert "fewer than 5 potential victims" in topic_sentences(result, "modern_slavery")[-1]


def test_nrm_tables():
    by_year = nrm_by_responder(nrm())
    # 2023-24: police 1, council 3, other 0, total 4; 2022-23: council 2.
    assert by_year.loc[CUR].tolist() == [1, 3, 0, 4] and by_year.loc[PREV].tolist() == [0, 2, 0, 2]
    profile = nrm_profile(nrm(), CUR)
    # Criminal: M 40 (25+), M 19 (under 25); labour: F 30; sexual: F 20.
    assert profile.loc["Criminal", ["M under 25", "M 25+"]].tolist() == [1, 1]
    assert profile.loc["Total", "Total"] == 4 and list(profile.columns) == ["F under 25", "F 25+", "M under 25", "M 25+", "Total"]


def test_nothing_hidden_with_threshold_one():
    result = priority_3(dataset(crimes=small_crimes(), nrm=nrm()), params(threshold=1))
    assert result.tables["suppression_log"].empty
    table = result.tables["county_lines_victims"].set_index("age_band")
    # Bands 0-14, 15-17, 18+: M 14 -> 0-14; M 15, M 16 -> 15-17; F 16 -> 15-17.
    assert table.loc["0-14", "M"] == 1 and table.loc["15-17", "M"] == 2 and table.loc["15-17", "F"] == 1
    assert result.tables["changes"].set_index("measure").loc["cse", "current"] == 3


# --- the demo run reproduces the published figures ---------------------------------------------

PUBLISHED_IDS = ["honour_based_abuse_change", "hate_crime_change", "racial_hate_share", "county_lines_change",
                 "county_lines_males_15_17_share", "cse_change", "modern_slavery_police_change",
                 "modern_slavery_council_cases"]


@pytest.fixture(scope="module")
def demo_result(demo_dir):
    data, p = demo_data(demo_dir)
    return priority_3(data, p)


@pytest.fixture(scope="module")
def block(published):
    return published_values(published, "priority_3_exploitation")


@pytest.mark.parametrize("fid", PUBLISHED_IDS)
def test_demo_reproduces_published(demo_result, block, fid):
    assert figures(demo_result)[fid] == block[fid]["value"]


def test_hate_strands_corrected_across_strands():
    from ccsp_analysis.sections.priority_3 import hate_strands

    rows = [*[crime("9B", CUR, "M", 30, hate="race")] * 30, *[crime("9B", PREV, "M", 30, hate="race")] * 10,
            *[crime("9A", CUR, "F", 30, hate="religion")] * 15, *[crime("9A", PREV, "F", 30, hate="religion")] * 5,
            *[crime("9B", CUR, "F", 40, hate="disability")] * 10, *[crime("9B", PREV, "F", 40, hate="disability")] * 10]
    table = hate_strands(crimes(rows), CUR, PREV).set_index("hate_strand")
    # Each strand's own exact test: race 30/40 p = 0.002221 UP; religion 15/20 p = 0.041389 UP; disability 10/20 p = 1.
    # BH over the 3 strands: 0.002221 <= 0.05/3 = 0.016667 yes; 0.041389 <= 0.1/3 = 0.033333 no; 1 no -> race only.
    # Religion's adjusted p: 3 x 0.041389 / 2 = 0.062084.
    assert table["direction"].to_dict() == {"race": "UP", "religion": "UP", "disability": "STABLE"}
    assert table["significant_bh"].to_dict() == {"race": True, "religion": False, "disability": False}
    assert table.loc["religion", "q_value"] == pytest.approx(0.062084, abs=1e-6)
