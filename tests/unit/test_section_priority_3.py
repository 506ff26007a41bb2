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

from ccsp_analysis.result import SectionResult
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


@pytest.fixture(scope="module")
def shown_in_full():
    """Threshold 1: nothing is small, so the tables show the arithmetic checked by hand."""
    return priority_3(dataset(crimes=small_crimes(), nrm=nrm()), params(threshold=1))


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
        label = table.loc[measure, "label"]
        assert table.loc[measure, "sentence"] == f"{label}: withheld to protect small numbers."
        assert table.loc[measure, "sentence"] in result.sentences  # the page's sentence is the table's
    log = result.tables["suppression_log"]
    # Each hidden row logs both of its cells (CSE's zero hides with its 3), with the one reason.
    assert (log["table"] == "changes").sum() == 8 and set(log["section"]) == {"05_priority_3"}
    assert set(log["reason"]) == {"hidden to protect small numbers"}
    # the figures of hidden rows are withheld (HBA, county lines, modern slavery); hate crime's is not
    withheld = {f["id"]: f["withheld"] for f in result.figures}
    assert withheld["honour_based_abuse_change"] and withheld["county_lines_change"] and withheld["modern_slavery_police_change"]
    assert not withheld["hate_crime_change"]


def test_racial_hate_share(result, shown_in_full):
    # Race 4 of 5 hate crimes: 80.0.
    assert figures(result)["racial_hate_share"] == 80.0
    strands = shown_in_full.tables["hate_strands"].set_index("hate_strand")
    assert strands.loc["race", ["current", "previous"]].tolist() == [4, 5] and strands.loc["religion", "strand"] == "Religion"


def test_hate_strands_go_through_disclosure_control(result):
    # Hate crime by strand is about people. This year race 4 and religion 1 (of 5, shown in the change table):
    # both below 5, hidden; last year race 5, religion 0. The race row's two counts go together (its change
    # would give one from the other): race's 5 is hidden too; then last year's column has one hidden cell
    # under a shown total (5), so the religion 0 is hidden with it (the only cell left).
    strands = result.tables["hate_strands"].set_index("hate_strand")
    assert strands[["current", "previous"]].isna().all().all()
    assert strands[["share", "pct_change", "direction"]].isna().all().all()
    assert strands.loc["religion", "strand"] == "Religion"  # labels stay
    log = result.tables["suppression_log"]
    assert ((log["table"] == "hate_strands").sum(), set(log.loc[log["table"] == "hate_strands", "row"])) == (4, {"Race", "Religion"})
    # the racial share (4 of the 5 shown) would give the race count away: withheld, with its sentence
    assert next(f for f in result.figures if f["id"] == "racial_hate_share")["withheld"] is True
    assert "Racially motivated hate crime: withheld to protect small numbers." in topic_sentences(result, "hate_crime")


def test_county_lines_males_15_17(result):
    # County lines children: M 15, M 16, F 16, M 14 (the 19-year-old is not a child): males 15-17 = 2/4 = 50.0.
    assert figures(result)["county_lines_males_15_17_share"] == 50.0
    table = result.tables["county_lines_victims"].set_index("age_band")
    assert table.loc["15-17", "M"] is pd.NA  # 2 is below 5
    assert topic_sentences(result, "county_lines")[-1] == "Males aged 15-17: withheld to protect small numbers."
    # the share (2 of 4) would give the hidden cell away: computed for the reconciliation, never published
    assert next(f for f in result.figures if f["id"] == "county_lines_males_15_17_share")["withheld"] is True


def test_modern_slavery_council_cases(result):
    # Council NRM referrals in 2023-24: 3 (and 2 in 2022-23): below 5, hidden in the NRM table, so the figure is
    # withheld and the sentence says so, for this year and the earlier one, without saying how small.
    assert figures(result)["modern_slavery_council_cases"] == 3
    assert next(f for f in result.figures if f["id"] == "modern_slavery_council_cases")["withheld"] is True
    assert result.tables["nrm_by_responder"].set_index("fy").loc[CUR, "council"] is pd.NA
    assert topic_sentences(result, "modern_slavery")[-1] == (
        "The number of potential victims of modern slavery the council referred to the National Referral Mechanism "
        "in 2023-24 is withheld to protect small numbers (earlier years: 2022-23: withheld).")


def test_modern_slavery_council_cases_shown_when_not_small(shown_in_full):
    assert next(f for f in shown_in_full.figures if f["id"] == "modern_slavery_council_cases")["withheld"] is False
    assert topic_sentences(shown_in_full, "modern_slavery")[-1] == (
        "The council referred 3 potential victims of modern slavery to the National Referral Mechanism in 2023-24 "
        "(earlier years: 2022-23: 2).")


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


# --- disclosure control across the run ------------------------------------------------------------

def _key_findings_like() -> SectionResult:
    """A key-findings page repeating two of this page's counts (county lines 4 against 2, hate crime 5 and 5)."""
    from ccsp_analysis.measures import change_row

    out = SectionResult()
    rows = [change_row("county_lines", "Child exploitation (county lines)", 4, 2), change_row("hate_crime", "Hate crime", 5, 5)]
    out.tables["changes"] = pd.DataFrame(rows)
    out.sentences += [r["sentence"] for r in rows]
    out.add_figure("county_lines_change", 100.0, "County lines: change", "pct_change")
    return out


def test_a_count_hidden_on_this_page_is_hidden_on_every_page():
    from ccsp_analysis.people import protect_run
    from ccsp_analysis.sections.registry import FOLLOWERS

    p3 = priority_3(dataset(crimes=small_crimes(), nrm=nrm()), params(threshold=5))
    kf = _key_findings_like()
    protect_run({"01_key_findings": kf, "05_priority_3": p3}, params(threshold=5), FOLLOWERS)
    changes = kf.tables["changes"].set_index("measure")
    # county lines 4 (and 2) are hidden on this page, so on the key findings page too, with the change and test
    assert changes.loc["county_lines", ["current", "previous", "pct_change", "direction"]].isna().all()
    assert changes.loc["hate_crime", ["current", "previous"]].tolist() == [5, 5]  # shown on both pages
    assert "Child exploitation (county lines): withheld to protect small numbers." in kf.sentences
    assert not any(s.startswith("Child exploitation (county lines) rose") for s in kf.sentences)
    assert next(f for f in kf.figures if f["id"] == "county_lines_change")["withheld"] is True
    assert set(kf.tables["suppression_log"]["row"]) == {"Child exploitation (county lines)"}
    # the counts leave the results: what is stored beside the report holds only what the tables show
    assert kf.people.empty and p3.people.empty and not p3.people.hidden


def test_a_follower_row_counting_something_else_is_left_alone():
    from ccsp_analysis.people import protect_run
    from ccsp_analysis.sections.registry import FOLLOWERS

    p3 = priority_3(dataset(crimes=small_crimes(), nrm=nrm()), params(threshold=5))
    kf = _key_findings_like()
    kf.tables["changes"].loc[0, "current"] = 40  # e.g. a year to date: not the same count as this page's 4
    protect_run({"01_key_findings": kf, "05_priority_3": p3}, params(threshold=5), FOLLOWERS)
    assert kf.tables["changes"].loc[0, "current"] == 40 and "suppression_log" not in kf.tables


def test_sections_are_handed_on_only_after_the_run_wide_control():
    from ccsp_analysis.sections.registry import compute_sections

    seen = {}
    results, errors = compute_sections(dataset(crimes=small_crimes(), nrm=nrm()), params(threshold=5), ["05_priority_3"],
                                       on_result=lambda n, r: seen.setdefault(n, (r.people.empty, r.tables["changes"].copy())))
    assert errors == {} and seen["05_priority_3"][0]  # the register is emptied before the runner stores the result
    assert seen["05_priority_3"][1].set_index("measure").loc["cse", "current"] is pd.NA


def test_one_key_counting_two_numbers_in_two_sections_is_an_error():
    # two sections calling different numbers by one name would defeat hiding it everywhere: refused
    from ccsp_analysis.disclosure import key
    from ccsp_analysis.errors import DisclosureError
    from ccsp_analysis.people import protect_run, register

    a, b = SectionResult(), SectionResult()
    register(a, "a").count(key(count="victims", fy=CUR), 7)
    register(b, "b").count(key(count="victims", fy=CUR), 8)
    with pytest.raises(DisclosureError, match="counts 7 in a but 8 in b"):
        protect_run({"a": a, "b": b}, params())


def test_hate_crime_by_strand_of_the_performance_report():
    # The performance report's strands this year: race 30, religion 3, disability 2 (crimes with a strand: 35,
    # printed in its hate table). Religion 3 and disability 2 are below 5 and hidden; 35 - 30 = 5 leaves each
    # anywhere from 0 to 5 (six values), so nothing more is hidden.
    from ccsp_analysis.people import crimes_key, register_hate_strands, settle

    out = SectionResult()
    table = pd.DataFrame({"hate_strand": ["disability", "race", "religion"], "hate_crimes": [2, 30, 3]})
    register_hate_strands(out, "08_performance", "hate_by_strand", table, {"hate_crimes": CUR},
                          {"hate_crimes": (crimes_key("hate_crime", CUR, strand="any"), 35)})
    settle(out, 5)
    shown = out.tables["hate_by_strand"].set_index("hate_strand")["hate_crimes"]
    assert shown.isna().to_dict() == {"disability": True, "race": False, "religion": True}
    assert list(out.tables["suppression_log"]["row"]) == ["disability", "religion"]
