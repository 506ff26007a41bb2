"""Tests for sections.survey on small hand-built survey waves and on the demo data."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from ccsp_analysis.dataset import Dataset
from ccsp_analysis.params import load_params
from ccsp_analysis.sections import survey as sv

ROOT = Path(__file__).resolve().parents[2]
NA = None


@pytest.fixture(scope="module")
def params():
    return load_params(ROOT / "params" / "2023-24.yaml", check_files=False)


def respondents(year: int, n: int, **answers) -> pd.DataFrame:
    """``n`` respondents of one wave, every column blank unless given (a list of n answers or one value)."""
    frame = pd.DataFrame({c: [NA] * n for c in sv.SURVEY_COLUMNS}, dtype=object)
    frame["respondent_id"] = [f"{year}-{i}" for i in range(n)]
    frame["survey_year"] = year
    frame["weight"] = 1.0
    for column, values in answers.items():
        frame[column] = values
    return frame


def geography() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lsoa_code": ["L1", "L2"],
            "lsoa_name": ["L 1", "L 2"],
            "ward_code": ["W1", "W2"],
            "ward_name": ["Ward One", "Ward Two"],
        }
    )


def make_data(*waves: pd.DataFrame) -> Dataset:
    frame = pd.concat(waves, ignore_index=True) if waves else pd.DataFrame()
    return Dataset(tables={"survey": frame, "geography": geography()}, key="test")


def wave_2024() -> pd.DataFrame:
    """Ten 2024 respondents.

    feel_safe_day: agree x4, neither x2, disagree x2, dont_know x1, blank x1 -> 4 of 8 substantive = 50%.
    victim_or_know_victim: yes x6, no x4; reported (of the six): no x3, yes x2, blank x1 -> 3 of 5 = 60%.
    reason_not_reported (of the three who did not): nothing_would_happen x2, too_trivial x1 -> 2 of 3.
    priority_1: ASB x4, Drugs x4, Burglary x2 (a tie, broken by the top-three count then the name).
    """
    return respondents(
        2024,
        10,
        ward_code=["W1"] * 6 + ["W2"] * 4,
        weight=[2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        feel_safe_day=["agree"] * 4 + ["neither"] * 2 + ["disagree"] * 2 + ["dont_know", NA],
        feel_safe_night=["disagree"] * 6 + ["agree"] * 3 + ["neither"],
        victim_or_know_victim=["yes"] * 6 + ["no"] * 4,
        reported=["no", "no", "no", "yes", "yes", NA, NA, NA, NA, NA],
        reason_not_reported=["nothing_would_happen", "nothing_would_happen", "too_trivial"]
        + [NA] * 7,
        priority_1=["ASB"] * 4 + ["Drugs"] * 4 + ["Burglary"] * 2,
        priority_2=["Drugs"] * 4 + ["Burglary"] * 4 + ["ASB"] * 2,
    )


def test_waves_pick_the_year_the_financial_year_ends(params):
    frame = pd.concat([respondents(y, 1) for y in (2020, 2022, 2024, 2025)])
    assert sv.waves(frame, params) == (2024, 2022)
    assert sv.waves(respondents(2024, 1), params) == (2024, None)


def test_estimate_excludes_blank_and_dont_know():
    row = sv.estimate(wave_2024(), sv.MEASURES[0])
    # 4 agree of 8 substantive (dont_know and blank left out) = 50%; Wilson 95% for 4/8 is 21.5% to 78.5%
    assert (row["n"], row["successes"], row["pct"]) == (8, 4, 50.0)
    assert row["low"] == pytest.approx(21.52, abs=0.01) and row["high"] == pytest.approx(
        78.48, abs=0.01
    )


def test_weighted_estimate():
    row = sv.estimate(wave_2024(), sv.MEASURES[0])
    # weights of the 8 substantive answers: 2, 1 x 7 (sum 9); agree weights 2 + 1 + 1 + 1 = 5 -> 5 / 9 = 55.6%
    # Kish effective n = 9^2 / (4 + 7) = 81 / 11 = 7.364
    assert row["weighted_pct"] == pytest.approx(500 / 9)
    z = sps.norm.ppf(0.975)
    p, n = 5 / 9, 81 / 11
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert row["weighted_low"] == pytest.approx(100 * (centre - half))
    assert row["weighted_high"] == pytest.approx(100 * (centre + half))


def test_sub_group_measures():
    table = sv.measure_table(wave_2024()).set_index("id")
    # did not report: 3 "no" of 5 answering (the blank is left out) = 60%
    assert table.loc["did_not_report", ["n", "successes", "pct"]].tolist() == [5, 3, 60.0]
    # nothing would happen: 2 of the 3 who did not report = 66.7%
    assert table.loc["did_not_report_nothing_would_happen", ["n", "successes"]].tolist() == [3, 2]
    assert table.loc["did_not_report_nothing_would_happen", "pct"] == pytest.approx(200 / 3)


def test_question_nobody_answered():
    table = sv.measure_table(wave_2024()).set_index("id")
    # nobody answered the ASB question: n = 0 and no percentage, no interval
    assert table.loc["asb_increased", "n"] == 0
    assert table.loc["asb_increased", ["pct", "low", "high", "weighted_pct"]].isna().all()


def test_compare_proportions_newcombe_example():
    # Newcombe (1998), Statistics in Medicine 17:873, Table II: 56/70 against 48/80, method 10
    # (score interval, no continuity correction): difference 0.2000, 95% CI 0.0524 to 0.3339
    result = sv.compare_proportions(56, 70, 48, 80)
    assert result["difference"] == pytest.approx(20.0)
    assert result["diff_low"] == pytest.approx(5.24, abs=0.01)
    assert result["diff_high"] == pytest.approx(33.39, abs=0.01)


def test_compare_proportions_p_value_is_the_pooled_z_test():
    # the pooled z-test is the chi-squared test of the 2 x 2 table without continuity correction
    result = sv.compare_proportions(60, 100, 45, 100)
    chi2 = sps.chi2_contingency([[60, 40], [45, 55]], correction=False)
    assert result["p_value"] == pytest.approx(chi2.pvalue)
    # by hand: pooled 0.525, se = sqrt(0.525 x 0.475 x 0.02) = 0.070622, z = 0.15 / 0.070622 = 2.124 -> p = 0.0337
    assert result["p_value"] == pytest.approx(0.0337, abs=1e-4)
    assert result["direction"] == "UP"
    assert sv.compare_proportions(45, 100, 60, 100)["direction"] == "DOWN"
    assert sv.compare_proportions(50, 100, 52, 100)["direction"] == "STABLE"


def test_compare_proportions_edge_cases():
    assert set(sv.compare_proportions(0, 0, 5, 10).values()) == {None}
    # everyone said yes in both waves: no variation, p = 1
    assert sv.compare_proportions(10, 10, 20, 20)["p_value"] == 1.0


def test_reasons_and_priorities():
    reasons = sv.reasons_table(wave_2024())
    assert reasons.to_dict("list") == {
        "reason": ["Nothing would happen", "Too trivial"],
        "respondents": [2, 1],
        "pct": [pytest.approx(200 / 3), pytest.approx(100 / 3)],
    }
    priorities = sv.priorities_table(wave_2024())
    # first: ASB 4, Drugs 4, Burglary 2; top three: ASB 4 + 2 = 6, Drugs 4 + 4 = 8, Burglary 2 + 4 = 6
    # ASB and Drugs tie on first, Drugs has more top-three mentions
    assert priorities["priority"].tolist() == ["Drugs", "ASB", "Burglary"]
    assert priorities["top_three"].tolist() == [8, 6, 6]
    assert priorities["first_pct"].tolist() == [40.0, 40.0, 20.0]


def test_survey_section_with_previous_wave(params):
    before = respondents(2022, 4, feel_safe_day=["agree", "disagree", "disagree", "disagree"])
    unsuppressed = params.model_copy(
        update={"disclosure_threshold": 1}
    )  # hides only 0 < count < 1: nothing
    result = sv.survey(make_data(wave_2024(), before), unsuppressed)
    figures = {f["id"]: f["value"] for f in result.figures}
    # 50.0% as above; feel unsafe at night 6 disagree of 10 = 60%; victim 6 of 10; ASB not asked -> no figure
    assert figures["feel_safe_day"] == 50.0 and figures["feel_unsafe_night"] == 60.0
    assert "asb_increased" not in figures
    assert figures["top_priorities"] == "Drugs; ASB; Burglary"
    comparison = result.tables["comparison"].set_index("id")
    # weighted, as both waves carry weights: 5/9 (Kish n 81/11 = 7.3636, see test_weighted_estimate) against
    # 1 of 4 with weights 1 (n 4): 55.56% - 25% = 30.56 points
    row = comparison.loc["feel_safe_day"]
    assert bool(row["weighted"]) and (row["n"], row["previous_n"]) == (8, 4)  # respondents, unweighted
    assert row["effective_n"] == pytest.approx(81 / 11) and row["previous_effective_n"] == pytest.approx(4.0)
    assert row["pct"] == pytest.approx(500 / 9) and row["previous_pct"] == pytest.approx(25.0)
    assert row["difference"] == pytest.approx(100 * (5 / 9 - 1 / 4))
    # pooled p = (81/11 x 5/9 + 4 x 1/4) / (81/11 + 4) = (45/11 + 1) / (125/11) = 56/125 = 0.448;
    # se = sqrt(0.448 x 0.552 x (11/81 + 1/4)) = 0.308880; z = 0.305556 / 0.308880 = 0.98924 -> p = 0.3225
    se = math.sqrt(0.448 * 0.552 * (11 / 81 + 1 / 4))
    assert row["p_value"] == pytest.approx(2 * sps.norm.sf((5 / 9 - 1 / 4) / se))
    assert row["p_value"] == pytest.approx(0.3225, abs=1e-4) and row["direction"] == "STABLE"
    # the unweighted figure (4 of 8 = 50%) is still the published one; the weighted one is beside it
    assert figures["feel_safe_day_weighted"] == 55.6


def test_survey_section_without_previous_wave(params):
    result = sv.survey(make_data(wave_2024()), params)
    # no empty comparison table: the page says there is no earlier wave in one sentence
    assert "comparison" not in result.tables and "measures" in result.tables
    assert "There is no earlier survey wave in the data to compare with." in result.sentences


def test_disclosure_control(params):
    result = sv.survey(make_data(wave_2024()), params)
    measures = result.tables["measures"].set_index("id")
    # every measure here rests on fewer than 5 people on one side: counts and percentages hidden, base shown
    assert measures.loc["feel_safe_day", ["successes", "pct", "weighted_pct"]].isna().all()
    assert measures.loc["feel_safe_day", "n"] == 8
    # the figures are kept for the reconciliation's check but withheld (blank in figures.csv)
    withheld = {f["id"]: f["withheld"] for f in result.figures}
    assert withheld["feel_safe_day"] and withheld["feel_safe_day_weighted"]
    # the summary says so instead of printing the hidden percentage (50.0% of 8 would give the 4 away),
    # in the same words whether the count was below the threshold or hidden to protect one that was
    assert "Feel safe during the day (agree): withheld to protect small numbers." in result.sentences
    assert not any("50.0%" in s or "55.6%" in s for s in result.sentences)
    assert "weighted with the survey's weights" in result.sentences[0]  # the weights are there, even if hidden
    # "nothing would happen": 2 of the 3 who did not report and gave a reason. The base of 3 is itself a count of
    # people below 5: hidden, and so the reasons (2 and 1) it is the total of
    assert measures.loc["did_not_report_nothing_would_happen", ["n", "successes"]].isna().all()
    assert result.tables["reasons"][["respondents", "pct"]].isna().all().all()
    wards = result.tables["safety_by_ward"].set_index("ward_name")
    # feel safe after dark: Ward One agree 0, neither 0, disagree 6 (total 6); Ward Two 3, 1, 0 (total 4).
    # Primary: Ward Two's 3, 1 and its total 4. Secondary (rows first, then columns; the smallest non-zero
    # cell that is not a total, zeros and totals last): the agree column has one hidden cell -> Ward One's
    # agree (0, the only one left); Ward One's row then has one -> its disagree (6, before the total); the
    # neither column -> Ward One's 0; the disagree column -> Ward Two's 0; the total column -> Ward One's 6.
    assert wards[["agree", "neither", "disagree", "total", "disagree_pct"]].isna().all().all()
    log = result.tables["suppression_log"]
    ward_log = log[log["table"] == "safety_by_ward"]
    assert len(ward_log) == 8
    assert set(log["reason"]) == {"hidden to protect small numbers"}  # never which cells were below the threshold
    assert list(log.columns) == ["section", "table", "row", "column", "reason"]
    assert set(log["table"]) >= {"measures", "safety_by_ward", "reasons"}
    assert (log["section"] == "07_survey").all()
    assert not log["reason"].str.contains(r"\d+ (?:of|people)").any()  # never the hidden value


def test_no_survey_at_all(params):
    result = sv.survey(make_data(), params)
    assert result.figures == []
    # no survey supplied: one sentence naming the input, and no empty tables (only disclosure control's log)
    assert result.sentences == ["The resident survey needs the resident survey extract (sources.survey, docs/data.md); "
                                "it is not in police.uk data."]
    assert set(result.tables) == {"suppression_log"} and result.tables["suppression_log"].empty


def test_a_survey_with_no_wave_for_the_year(params):
    # a survey is supplied (its columns are there) but holds no respondent of 2024
    result = sv.survey(make_data(pd.DataFrame(columns=sv.SURVEY_COLUMNS)), params)
    assert result.sentences == ["There was no resident survey wave for 2023/24: an assessment uses the wave carried out "
                                "in the year its financial year ends (2024), and the survey data hold no wave at all, so "
                                "no survey figure is shown for this year."]
    assert set(result.tables) == {"suppression_log"} and result.figures == []


def test_a_survey_whose_waves_miss_the_year_names_the_waves_it_has(params):
    # the 2022 and 2025 waves but none for 2024 (2023/24): one sentence naming both, no table, no figure;
    # the 2022 wave is never shown as this year's
    result = sv.survey(make_data(respondents(2022, 6, feel_safe_day="agree"),
                                 respondents(2025, 6, feel_safe_day="agree")), params)
    assert result.sentences == ["There was no resident survey wave for 2023/24: an assessment uses the wave carried out "
                                "in the year its financial year ends (2024), and the survey data hold the 2022 and 2025 "
                                "waves, so no survey figure is shown for this year."]
    assert set(result.tables) == {"suppression_log"} and result.figures == []


@pytest.fixture(scope="module")
def demo_result(demo_dir):
    from ccsp_analysis import dataset

    demo_params = load_params(ROOT / "params" / "2023-24.yaml")
    return sv.survey(dataset.load(demo_params), demo_params)


def test_demo_reproduces_published_survey(demo_result, published):
    figures = {f["id"]: f for f in demo_result.figures}
    expected = published["strategic_assessment_2023_24"]["resident_survey_2024"]
    # the published figures are shares of respondents (unweighted); the weighted estimates sit beside them
    assert {i for i in figures if not i.endswith("_weighted")} == {f["id"] for f in expected}
    assert {i for i in figures if i.endswith("_weighted")} == {f"{m.id}_weighted" for m in sv.MEASURES}
    for fig in expected:
        value = fig["value"]
        assert figures[fig["id"]]["value"] == (
            "; ".join(value) if isinstance(value, list) else value
        ), fig["id"]
        assert figures[fig["id"]]["kind"] == fig["kind"], fig["id"]


def test_demo_weighted_beside_unweighted(demo_result):
    measures = demo_result.tables["measures"]
    assert measures[["weighted_pct", "weighted_low", "weighted_high"]].notna().all().all()
    assert (np.abs(measures["weighted_pct"] - measures["pct"]) < 5).all()
    assert (measures["effective_n"] < measures["n"]).all()  # unequal weights cost precision
    comparison = demo_result.tables["comparison"]
    assert len(comparison) == len(sv.MEASURES) and comparison["weighted"].all()
    assert comparison["pct"].tolist() == pytest.approx(measures["weighted_pct"].tolist())
    # the headline sentences lead with the weighted estimate and keep the unweighted n and percentage
    first = next(s for s in demo_result.sentences if s.startswith("Feel safe during the day"))
    row = measures.set_index("id").loc["feel_safe_day"]
    assert first.startswith(f"Feel safe during the day (agree): {sv.narrative.fmt_pct(row['weighted_pct'])} weighted")
    assert "1,100 answering; unweighted 60.0%" in first


def test_survey_without_weights_is_unweighted(params):
    now = wave_2024().assign(weight=None)
    before = respondents(2022, 4, feel_safe_day=["agree", "disagree", "disagree", "disagree"]).assign(weight=None)
    result = sv.survey(make_data(now, before), params.model_copy(update={"disclosure_threshold": 1}))
    measures = result.tables["measures"].set_index("id")
    assert measures["weighted_pct"].isna().all() and measures["effective_n"].isna().all()
    comparison = result.tables["comparison"].set_index("id")
    # unweighted: 4 of 8 against 1 of 4 = 25 points; the pooled z-test of the counts
    assert not comparison["weighted"].any()
    assert comparison.loc["feel_safe_day", "difference"] == pytest.approx(25.0)
    assert comparison.loc["feel_safe_day", "p_value"] == pytest.approx(
        sv.compare_proportions(4, 8, 1, 4)["p_value"])
    assert "the survey supplies no weights, so they are unweighted" in result.sentences[0]
    assert "Feel safe during the day (agree): 50.0% (95% interval 21.5% to 78.5%; 8 answering)." in result.sentences
    assert not any(f["id"].endswith("_weighted") for f in result.figures)
