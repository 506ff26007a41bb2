"""Priority 1 (offending, reoffending and serious violence): hand-counted small datasets and the demo run.

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

from ccsp_analysis.sections.priority_1 import (
    priority_1,
    reoffending_rates,
    reoffending_table,
    topic_sentences,
)

SYV = "serious_youth_violence"


def small_crimes() -> pd.DataFrame:
    return crimes([
        # 2023-24. Homicide 2 (one SYV).
        crime("1", CUR, "M", 18, SYV), crime("1", CUR, "F", 40),
        # Violence with injury 5: four with a victim (male 3; male aged 10-15: 2), one without.
        crime("8N", CUR, "M", 12, SYV), crime("8N", CUR, "M", 14, SYV, "knife"), crime("8N", CUR, "M", 30),
        crime("8N", CUR, "F", 22, "domestic_abuse"), crime("5D", CUR),
        # Robbery 3: SYV robbery 2 (male 17, female 12).
        crime("34B", CUR, "M", 17, SYV), crime("34B", CUR, "F", 12, SYV), crime("34B", CUR, "M", 40),
        # Possession of weapons 2, both SYV without a victim: one knife, one firearm.
        crime("10A", CUR, None, None, SYV, "knife"), crime("81", CUR, None, None, SYV, "firearm"),
        # Sexual offences 3: rape 1 (female, DA), other 2 (female; male).
        crime("19C", CUR, "F", 25, "domestic_abuse"), crime("20A", CUR, "F", 30), crime("20A", CUR, "M", 30),
        # Stalking and harassment 3: female DA, female, male.
        crime("8L", CUR, "F", 35, "domestic_abuse"), crime("8Q", CUR, "F", 28), crime("8L", CUR, "M", 50),
        # Shoplifting 3 (no victim).
        crime("46", CUR), crime("46", CUR), crime("46", CUR),
        # 2022-23: rape 2 (female), harassment 2 (female): sexual offences 2, VAWG 4, no homicide.
        crime("19C", PREV, "F", 30), crime("19C", PREV, "F", 31), crime("8L", PREV, "F", 40), crime("8L", PREV, "F", 41),
    ])


def services() -> pd.DataFrame:
    # Referrals: CDVASS 6 (last year 5), IDVA 2 (last year 1); all services 8 against 6.
    rows = [("CDVASS", CUR)] * 6 + [("IDVA", CUR)] * 2 + [("CDVASS", PREV)] * 5 + [("IDVA", PREV)]
    return pd.DataFrame(rows, columns=["service", "fy"])


def reoffending() -> pd.DataFrame:
    rows = [(PREV, "offenders", 100), (PREV, "reoffenders", 30), (PREV, "reoffences", 50), (PREV, "first_time_entrants", 20),
            (CUR, "offenders", 80), (CUR, "reoffenders", 20), (CUR, "reoffences", 40), (CUR, "first_time_entrants", 10)]
    return pd.DataFrame(rows, columns=["period", "measure", "value"]).astype({"value": "Int64"})


@pytest.fixture(scope="module")
def result():
    return priority_1(dataset(crimes=small_crimes(), services=services(), reoffending=reoffending()), params())


@pytest.fixture(scope="module")
def shown_in_full():
    """Threshold 1: nothing is small, so the tables show the arithmetic checked by hand."""
    return priority_1(dataset(crimes=small_crimes(), services=services(), reoffending=reoffending()), params(threshold=1))


def test_serious_violence_shares(result):
    f = figures(result)
    # TRC 21 (2 + 5 + 3 + 2 + 3 + 3 + 3); serious violence 12 (homicide 2 + VWI 5 + robbery 3 + weapons 2).
    # SYV 7 (1 homicide, 2 VWI, 2 robbery, 2 weapons): 7/21 = 33.33 -> 33.3; 7/12 = 58.33 -> 58.3.
    assert f["syv_share_trc"] == 33.3
    assert f["syv_share_serious_violence"] == 58.3
    # VWI 5/21 = 23.81 -> 23.8 of TRC; of serious violence 5/12 = 41.67 (in the table, not a figure).
    assert f["violence_with_injury_share"] == 23.8
    sv = result.tables["serious_violence"].set_index("grouping")
    assert sv.loc["violence_with_injury", "share_serious_violence"] == pytest.approx(100 * 5 / 12)
    assert sv.loc["serious_violence", "crimes"] == 12
    # SYV robbery 2/7 = 28.57 -> 28.6; SYV knife (8N + 10A) 2/7 -> 28.6; SYV firearm 1/7 = 14.29 -> 14.3.
    assert (f["syv_robbery_share"], f["syv_knife_share"], f["syv_gun_share"]) == (28.6, 28.6, 14.3)
    assert (f["homicides"], f["homicides_youth_violence"]) == (2, 1)


def test_victim_shares(result):
    f = figures(result)
    # VWI with a victim: M 12, M 14, M 30, F 22 -> male 3/4 = 75.0; aged 10-15 among the 3 males: 2/3 = 66.7.
    assert f["vwi_victims_male_share"] == 75.0
    assert f["vwi_male_victims_aged_10_15_share"] == 66.7
    # SYV robbery victims M 17, F 12: male 1/2, aged 16-20 1/2, aged 10-15 1/2.
    assert f["syv_robbery_victims_male_share"] == f["syv_robbery_victims_16_20_share"] == f["syv_robbery_victims_10_15_share"] == 50.0
    # SYV knife victims: only the 8N (M 14); the 10A has no victim. Male 1/1 = 100.0; aged 15-19: 0/1 = 0.0.
    assert (f["syv_knife_victims_male_share"], f["syv_knife_victims_15_19_share"]) == (100.0, 0.0)


def test_domestic_abuse_sexual_offences_and_vawg(result, shown_in_full):
    f = figures(result)
    # Domestic abuse 3 (8N F, 19C F, 8L F) / 21 = 14.29 -> 14.3.
    assert f["domestic_abuse_share"] == 14.3
    # Sexual offences 3 against 2: +50.0; rape 1/3 = 33.3, other 2/3 = 66.7.
    assert (f["sexual_offences_change"], f["rape_share_sexual_offences"], f["other_sexual_share_sexual_offences"]) == (50.0, 33.3, 66.7)
    # both shares are said on the page (threshold 1: nothing small); at 5 the counts of 1, 2 and 3 are withheld
    said = topic_sentences(shown_in_full, "sexual_offences")
    assert "Other sexual offences accounted for 66.7% of sexual offences (2 of 3)." in said
    assert "Rape accounted for 33.3% of sexual offences (1 of 3)." in said
    assert "Other sexual offences as a share of sexual offences: withheld to protect small numbers." in \
        topic_sentences(result, "sexual_offences")
    # VAWG (female victim and DA/HBA/sexual/stalking): 8N F DA, 19C, 20A F, 8L F, 8Q F = 5 against 4: +25.0.
    # Stalking and harassment within VAWG: 8L F, 8Q F = 2/5 = 40.0.
    assert (f["vawg_change"], f["stalking_harassment_share_vawg"]) == (25.0, 40.0)
    changes = shown_in_full.tables["changes"].set_index("measure")
    assert changes.loc["vawg", ["current", "previous"]].tolist() == [5, 4]
    # at threshold 5 the 4 is small: the VAWG row is hidden, and so is its change figure (kept for the reconciliation)
    assert result.tables["changes"].set_index("measure").loc["vawg", "previous"] is pd.NA
    assert next(x for x in result.figures if x["id"] == "vawg_change")["withheld"] is True


def test_zero_last_year_gives_no_percentage(shown_in_full):
    # Homicide: 2 against 0 -> no % change, and the comparison is still made.
    row = shown_in_full.tables["changes"].set_index("measure").loc["homicide"]
    assert pd.isna(row["pct_change"]) and row["previous"] == 0 and row["direction"] in ("UP", "STABLE")


def test_homicide_victims_suppressed_and_logged(result):
    # Homicide victims M 18 (band 18-25) and F 40 (26+): every non-zero cell is below 5, so hidden.
    table = result.tables["homicide_victims"].set_index("age_band")
    assert table.loc["18-25", "M"] is pd.NA and table.loc["26+", "F"] is pd.NA and table.loc["Total", "Total"] is pd.NA
    assert table.loc["0-17", "F"] == 0 and table.loc["18-25", "F"] == 0
    log = result.tables["suppression_log"]
    assert list(log.columns) == ["section", "table", "row", "column", "reason"]
    mine = log[log["table"] == "homicide_victims"]
    # 7 non-zero cells: (18-25, M), (18-25, Total), (26+, F), (26+, Total), (Total, F), (Total, M), (Total, Total).
    assert len(mine) == 7 and set(mine["section"]) == {"03_priority_1"}
    # one reason for every hidden cell: the log never says which were below the threshold
    assert set(log["reason"]) == {"hidden to protect small numbers"}
    # the 2 homicides are a count of people below 5: hidden in the serious violence table and the change table
    # too, and its figure withheld; the sentence says so without saying how small
    sv = result.tables["serious_violence"].set_index("grouping")
    assert sv.loc["homicide", "crimes"] is pd.NA and sv.loc["homicide", "share_trc"] is pd.NA
    assert result.tables["changes"].set_index("measure").loc["homicide", "current"] is pd.NA
    assert {f["id"]: f["withheld"] for f in result.figures}["homicides"] is True
    said = topic_sentences(result, "serious_violence")
    assert "The number of homicides is withheld to protect small numbers; how many carried the serious youth violence marker is withheld to protect small numbers." in said
    assert not any("fewer than" in s for s in result.sentences)


def test_serious_violence_parts_protect_the_homicide_count(result):
    # Serious violence 12 = homicide 2 + VWI 5 + robbery 3 + weapons 2 (the page says so): homicide 2, robbery 3
    # and weapons 2 are below 5. The total 12 and VWI 5 shown would give 2 + 3 + 2 = 7 to three cells of at least
    # 0: each between 0 and 7, enough. Nothing more is hidden in the column.
    sv = result.tables["serious_violence"].set_index("grouping")
    assert [sv.loc[g, "crimes"] is pd.NA for g in ("homicide", "violence_with_injury", "robbery", "weapons", "serious_violence")] == [
        True, False, True, True, False]
    assert sv.loc["violence_with_injury", "crimes"] == 5


def test_victim_table_shown_in_full_when_nothing_is_small():
    result = priority_1(dataset(crimes=small_crimes(), services=services(), reoffending=reoffending()), params(threshold=1))
    table = result.tables["vwi_victims"].set_index("age_band")
    # Bands 0-9, 10-15, 16-25, 26+: M 12 and M 14 -> 10-15; F 22 -> 16-25; M 30 -> 26+.
    assert table.loc["10-15", "M"] == 2 and table.loc["16-25", "F"] == 1 and table.loc["26+", "M"] == 1
    assert table.loc["Total", "Total"] == 4
    assert result.tables["suppression_log"].empty


def test_da_referrals_hidden_with_their_complement(result):
    f = figures(result)
    # All services 8 against 6: +33.33 -> 33.3 (figures carry the reconciliation values).
    assert (f["da_referrals"], f["da_referrals_change"]) == (8, 33.3)
    table = result.tables["da_referrals"].set_index("measure")
    # IDVA 2 and 1 are below 5; CDVASS is hidden too, or the total would give IDVA away.
    assert table.loc["IDVA", "current"] is pd.NA and table.loc["CDVASS", "previous"] is pd.NA
    assert table.loc["IDVA", "pct_change"] is pd.NA
    assert table.loc["IDVA", "sentence"] == "Referrals to IDVA: withheld to protect small numbers."
    assert table.loc["all", ["current", "previous"]].tolist() == [8, 6]
    assert set(result.tables["suppression_log"]["table"]) >= {"da_referrals"}


def test_reoffending_rate_and_first_time_entrants(result):
    f = figures(result)
    # 2023-24: 20 reoffenders of 80 offenders = 25.0%; first-time entrants 10 against 20: -50.0.
    assert (f["reoffending_rate"], f["first_time_entrants"], f["first_time_entrants_change"]) == (25.0, 10, -50.0)
    row = result.tables["reoffending"].set_index("period").loc[CUR]
    assert row["rate_low"] < 25.0 < row["rate_high"]


def test_reoffending_rate_hidden_with_its_counts():
    shown = pd.DataFrame({"period": [CUR], "offenders": pd.array([pd.NA], "Int64"), "reoffenders": pd.array([3], "Int64")})
    assert reoffending_rates(shown)["reoffending_rate"].tolist() == [None]
    table = reoffending_table(reoffending())
    assert table.loc[PREV].tolist() == [100, 30, 50, 20]


def test_everything_hidden_under_a_high_threshold():
    # Threshold 101: every reoffending count (at most 100) hides, so no rate is shown or emitted;
    # first-time entrants 10 and 20 hide with their change.
    result = priority_1(dataset(crimes=small_crimes(), services=services(), reoffending=reoffending()), params(threshold=101))
    assert "reoffending_rate" not in figures(result)
    assert result.tables["reoffending"]["reoffending_rate"].isna().all()
    assert topic_sentences(result, "reoffending") == [
        "First-time entrants to the youth justice system: withheld to protect small numbers."]


def test_no_victims_gives_no_victim_shares():
    # Only victimless crimes: no victim shares can be computed, so none are emitted.
    result = priority_1(dataset(crimes=crimes([crime("5D", CUR), crime("46", PREV)]), services=services(),
                                reoffending=reoffending()), params())
    f = figures(result)
    assert "vwi_victims_male_share" not in f and "syv_robbery_victims_male_share" not in f
    assert result.tables["vwi_victims"].set_index("age_band").loc["Total", "Total"] == 0
    assert f["violence_with_injury_share"] == 100.0  # 1 of the year's 1 crime


# --- the demo run reproduces the published figures ---------------------------------------------

PUBLISHED_IDS = [
    "syv_share_trc", "syv_share_serious_violence", "vwi_victims_male_share", "vwi_male_victims_aged_10_15_share",
    "syv_robbery_share", "syv_robbery_victims_male_share", "syv_robbery_victims_16_20_share",
    "syv_robbery_victims_10_15_share", "syv_knife_share", "syv_knife_victims_male_share",
    "syv_knife_victims_15_19_share", "syv_gun_share", "homicides", "homicides_youth_violence",
    "domestic_abuse_share", "sexual_offences_change", "rape_share_sexual_offences",
    "other_sexual_share_sexual_offences", "vawg_change", "stalking_harassment_share_vawg",
]


@pytest.fixture(scope="module")
def demo_result(demo_dir):
    data, p = demo_data(demo_dir)
    return priority_1(data, p)


@pytest.fixture(scope="module")
def block(published):
    return published_values(published, "priority_1_serious_violence")


@pytest.mark.parametrize("fid", PUBLISHED_IDS)
def test_demo_reproduces_published(demo_result, block, fid):
    assert figures(demo_result)[fid] == block[fid]["value"]


def test_demo_violence_with_injury_share_is_flagged_inconsistent(demo_result, block):
    # Published as 52.2% "of TRC"; the data give 52.2% of serious violence and a much smaller share of TRC.
    assert block["violence_with_injury_share"]["status"] == "inconsistent"
    assert figures(demo_result)["violence_with_injury_share"] != 52.2
    sv = demo_result.tables["serious_violence"].set_index("grouping")
    assert round(sv.loc["violence_with_injury", "share_serious_violence"], 1) == 52.2
