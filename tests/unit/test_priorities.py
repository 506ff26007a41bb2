"""Threats and priorities: scaling and scoring by hand, weights, harm weights files, the plan on a page."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from ccsp_analysis import narrative
from ccsp_analysis.errors import DataError, ParamsError, StatsError
from ccsp_analysis.params import PRIORITY_CRITERIA, Priorities
from ccsp_analysis.plans import load_plan
from ccsp_analysis.result import SectionResult
from ccsp_analysis.sections import priorities as pri
from ccsp_analysis.sources.harm import read_harm_weights
from ccsp_analysis.stats.scoring import minmax_scale, rank_scale, weighted_score

# -- scaling ---------------------------------------------------------------------------------------

def test_rank_scale_by_hand():
    # [10, 30, 20, 20]: average ranks 1, 4, 2.5, 2.5; (r - 1) / (n - 1) with n = 4 -> 0, 1, 0.5, 0.5
    assert rank_scale(pd.Series([10, 30, 20, 20])).tolist() == [0.0, 1.0, 0.5, 0.5]
    # a missing value is not ranked and does not count in n: [5, NaN, 1] -> ranks 2, -, 1 of n = 2 -> 1, NaN, 0
    out = rank_scale(pd.Series([5, np.nan, 1]))
    assert out[0] == 1.0 and np.isnan(out[1]) and out[2] == 0.0
    # one value, or every value equal: the middle of the scale
    assert rank_scale(pd.Series([7.0])).tolist() == [0.5]
    assert rank_scale(pd.Series([3, 3, 3])).tolist() == [0.5, 0.5, 0.5]


def test_minmax_scale_by_hand():
    # (x - 2) / (10 - 2): 2 -> 0, 4 -> 0.25, 10 -> 1
    assert minmax_scale(pd.Series([2, 4, 10])).tolist() == [0.0, 0.25, 1.0]
    assert minmax_scale(pd.Series([4, 4])).tolist() == [0.5, 0.5]


def test_weighted_score_leaves_out_missing_criteria():
    scaled = pd.DataFrame({"volume": [1.0, 0.0], "change": [0.5, np.nan], "harm": [np.nan, np.nan]})
    # row 0: (0.5 x 1 + 0.25 x 0.5) / (0.5 + 0.25) = 0.625 / 0.75 = 0.8333 (harm missing: its weight is left out)
    # row 1: only volume: 0.5 x 0 / 0.5 = 0
    score = weighted_score(scaled, {"volume": 0.5, "change": 0.25, "harm": 0.25})
    assert score.tolist() == pytest.approx([0.625 / 0.75, 0.0])
    with pytest.raises(StatsError, match="every weight is 0"):
        weighted_score(scaled, {"volume": 0, "change": 0})
    with pytest.raises(StatsError, match="at least 0"):
        weighted_score(scaled, {"volume": -1})


def _hand_table() -> pd.DataFrame:
    return pd.DataFrame({
        "measure": ["a", "b", "c"], "label": ["A", "B", "C"], "current": [100, 50, 10], "previous": [110, 50, 5],
        "pct_change": [-9.1, 0.0, 100.0], "direction": ["DOWN", "STABLE", "UP"],
        "volume": [100, 50, 10], "change": [-9.1, 0.0, 100.0],
        "signals": [0.0, 1.0, np.nan], "signals_reading": ["improving", "concerning", "no chart"],
        "concentration": [np.nan] * 3, "harm": [np.nan] * 3, "concern": [np.nan] * 3})


def test_score_table_by_hand():
    scores = pri.score_table(_hand_table(), {"volume": 0.5, "change": 0.3, "signals": 0.2})
    # volume ranks (n = 3): 100 -> 1, 50 -> 0.5, 10 -> 0; change: only C rose significantly -> 1, A (a
    # significant fall) and B (stable) -> 0
    # A: 0.5 x 1 + 0.3 x 0 + 0.2 x 0 = 0.5
    # B: 0.5 x 0.5 + 0.3 x 0 + 0.2 x 1 = 0.45
    # C: no chart, so (0.5 x 0 + 0.3 x 1) / (0.5 + 0.3) = 0.375
    assert scores["label"].tolist() == ["A", "B", "C"]
    assert scores["score"].tolist() == pytest.approx([0.5, 0.45, 0.375])
    assert scores["change_score"].tolist() == [0.0, 0.0, 1.0]
    assert scores["rank"].tolist() == [1, 2, 3]
    assert scores.loc[2, "criteria"] == "volume, change"
    # top 1 is the threat; C rose significantly with volume below the middle (0 < 0.5): an emerging threat
    assert pri.categorise(scores, top=1).tolist() == ["threat", "", "emerging threat"]


def test_change_scores_only_significant_rises():
    """Fails on the old code, which rank-scaled every change so a stable grouping scored 0.5 here (0.78 in
    the demo run), above every significant fall. Hand-worked: a significant rise 1, stable 0, a fall 0."""
    change = pd.Series([12.0, 0.0, -30.0])
    assert pri.change_score(change, pd.Series(["UP", "STABLE", "DOWN"])).tolist() == [1.0, 0.0, 0.0]
    # three rises of 5%, 40% and 20% (k = 3): ranks 1, 3, 2 -> 1/3, 1, 2/3; a fall, a stable one and one not
    # compared: 0, 0 and missing
    change = pd.Series([5.0, 40.0, 20.0, -50.0, 3.0, np.nan])
    got = pri.change_score(change, pd.Series(["UP", "UP", "UP", "DOWN", "STABLE", "NOT COMPARED"]))
    assert got.tolist()[:5] == pytest.approx([1 / 3, 1.0, 2 / 3, 0.0, 0.0]) and pd.isna(got.iloc[5])
    # two equal rises share their average rank (1.5 of 2 -> 0.75); a rise from none (no %) is the largest
    assert pri.change_score(pd.Series([10.0, 10.0]), pd.Series(["UP", "UP"])).tolist() == [0.75, 0.75]
    raw = pd.Series([pri.signed_change(None, "UP"), pri.signed_change(300.0, "UP")])
    assert pri.change_score(raw, pd.Series(["UP", "UP"])).tolist() == [1.0, 0.5]
    # the weights table says exactly this
    assert "0 when stable or a significant fall" in pri.SCALING["change"]


def test_signed_change():
    assert pri.signed_change(12.5, "UP") == 12.5
    assert pri.signed_change(-4.0, "DOWN") == -4.0
    assert pri.signed_change(30.0, "STABLE") == 0.0  # not significant: no change counted
    assert pri.signed_change(None, "NOT COMPARED") is None
    assert pri.signed_change(None, "UP") == float("inf")  # a significant rise from none


# -- weights ---------------------------------------------------------------------------------------

def test_weights_override_and_validation():
    params = SimpleNamespace(priorities=Priorities(weights={"volume": 1.0, "harm": 0.0}))
    used, table = pri.weights_for(params, harm=True, survey=False)
    # volume set by the parameters; harm given weight 0 is left out; concern has no survey; the rest default
    assert used == {"volume": 1.0, "change": 0.20, "signals": 0.15, "concentration": 0.10}
    rows = table.set_index("criterion")
    assert rows.loc["volume", "source"] == "parameters" and rows.loc["change", "source"] == "default"
    assert rows.loc["harm", "used"] == "no" and rows.loc["harm", "why_not"] == "weight 0"
    assert rows.loc["concern", "used"] == "no" and "survey" in rows.loc["concern", "why_not"]
    assert list(rows.index) == list(PRIORITY_CRITERIA)
    with pytest.raises(ValidationError, match="unknown criteria"):
        Priorities(weights={"volum": 1})
    with pytest.raises(ValidationError, match="at least 0"):
        Priorities(weights={"volume": -0.5})


def test_no_harm_file_says_harm_is_not_included():
    params = SimpleNamespace(priorities=Priorities())
    used, table = pri.weights_for(params, harm=False, survey=True)
    assert "harm" not in used
    assert table.set_index("criterion").loc["harm", "why_not"].startswith("no harm weights file was supplied")
    said = narrative.priorities_summary(3, ["A"], [], "2023/24", harm=False, harm_file=None, survey=True, withheld=0)
    assert ("Harm is not included: no offence harm weights file was supplied (priorities.harm_weights; "
            "format in docs/data.md), and no weights are assumed in its place.") in said
    points, axes = pri.matrix(pri.score_table(_hand_table(), {"volume": 1}).assign(category=""), harm=False)
    assert "harm not included" in axes.loc[0, "title"] and points["y"].notna().all()


# -- harm weights file -----------------------------------------------------------------------------

def test_harm_file_in_the_ons_layout(tmp_path):
    path = tmp_path / "css.csv"
    path.write_text("Offence code,Offence,Weight\n8N,Assault with injury,126.3\n105A,Common assault,12.1\n\n",
                    encoding="utf-8")
    table = read_harm_weights(path)
    assert table.to_dict("records") == [{"offence_code": "8N", "offence": "Assault with injury", "weight": 126.3},
                                        {"offence_code": "105A", "offence": "Common assault", "weight": 12.1}]


@pytest.mark.parametrize(("text", "where", "what"), [
    ("offence_code,weight\n8N,126.3\n105A,abc\n", "line 3, column 'weight'", "is not a number"),
    ("offence_code,weight\n8N,-2\n", "line 2, column 'weight'", "not a number of at least 0"),
    ("offence_code,weight\n8N,1\n8N,2\n", "line 3, column 'offence_code'", "given twice (also on line 2)"),
    ("offence_code,weight\n,5\n", "line 2, column 'offence_code'", "the offence code is empty"),
    ("code_of_offence,severity\n8N,1\n", "line 1, column 'offence_code'", "no 'offence_code' column"),
    ("offence_code,weight\n", "line 2", "a header but no rows"),
])
def test_harm_file_with_bad_rows_names_file_line_and_column(tmp_path, text, where, what):
    path = tmp_path / "weights.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_harm_weights(path)
    message = str(err.value)
    assert message.startswith(f"{path}, {where}") and what in message and "Fix:" in message


def test_harm_per_crime_by_hand():
    weights = pd.DataFrame({"offence_code": ["8N", "105A"], "offence": "", "weight": [10.0, 2.0]})
    frame = pd.DataFrame({"ho_code": ["8N", "8N", "105A", "999"]})
    # crimes with a weight: 10 + 10 + 2 over 3 = 7.333; 3 of 4 crimes have one = 75%
    mean, covered = pri.harm_per_crime(frame, weights)
    assert mean == pytest.approx(22 / 3) and covered == 75.0
    assert pri.harm_per_crime(pd.DataFrame({"ho_code": [None, None]}), weights) == (None, None)


# -- concentration and concern ---------------------------------------------------------------------

def test_concentration_share_by_hand():
    codes = pd.Series(["L1", "L2", "L3", "L4", "L5"])
    # 5 small areas: the top 20% is 1 area; 10 rows with 6 in L1 -> 60%
    frame = pd.DataFrame({"lsoa_code": ["L1"] * 6 + ["L2", "L3", "L4", "L5"]})
    assert pri.concentration_share(frame, codes) == pytest.approx(60.0)
    # fewer rows than small areas: every row fits in the top areas, so no share is given
    assert pri.concentration_share(frame.head(4), codes) is None


def test_concern_takes_the_largest_answer_naming_a_grouping():
    table = pd.DataFrame({"priority": ["ASB", "Environmental ASB", "Drugs"], "top_three_pct": [30.0, 40.0, np.nan]})
    mapping = {"ASB": ("asb", "council_asb"), "Environmental ASB": ("council_asb",), "Drugs": ("drugs",)}
    # council ASB is named by both answers: the larger, 40%; drugs' share is withheld (NaN): left out
    assert pri.concern(table, mapping) == {"asb": 30.0, "council_asb": 40.0}
    assert pri.concern(None, mapping) == {}


# -- the plan on a page ----------------------------------------------------------------------------

PLAN = """\
name: Test plan
source: a test document, table 1
boards:
  - name: Board One
    measures: [shoplifting, {measure: hate_crime, better: higher}]
  - name: Board Two
    measures: [asb]
  - name: Board Three
    measures: []
"""


def _signals(rows):
    return pd.DataFrame(rows, columns=["measure", "label", "rule", "side", "first_month", "last_month", "points",
                                       "in_period", "assessment"])


def test_xmr_status_words_from_hand_made_xmr_results():
    signals = _signals([
        ["up", "", "outside_limits", 1, "2024-01", "2024-01", 1, "yes", ""],
        ["down", "", "run", -1, "2023-05", "2023-11", 7, "yes", ""],
        ["both", "", "run", 1, "2023-04", "2023-10", 7, "yes", ""],
        ["both", "", "trend", -1, "2024-01", "2024-03", 6, "yes", ""],
        ["old", "", "run", 1, "2021-04", "2021-10", 7, "no", ""],
    ])
    assert pri.xmr_status(signals, "up", "higher_worse") == "concerning"  # more crime above the limit
    assert pri.xmr_status(signals, "up", "higher_better") == "improving"  # more referrals above the limit
    assert pri.xmr_status(signals, "down", "higher_worse") == "improving"
    assert pri.xmr_status(signals, "both", "higher_worse") == "mixed"
    assert pri.xmr_status(signals, "old", "higher_worse") == "no signal"  # only before the period
    assert pri.xmr_status(signals, "none", "higher_worse") == "no signal"
    # the rare-series rule, in the same function for every table (fails on the old code, whose plan status had no
    # such rule): under MIN_MONTHLY_FOR_SIGNALS (5) a month the chart is not read, at 5 it is
    assert pri.xmr_status(signals, "up", "higher_worse", per_month=4.9) == pri.TOO_FEW
    assert pri.xmr_status(signals, "up", "higher_worse", per_month=5.0) == "concerning"
    points = pd.DataFrame({"measure": ["up"] * 4, "value": [100.0, 2.0, 3.0, 4.0],
                           "in_period": [False, True, True, True]})
    assert pri.monthly_mean(points, "up") == 3.0 and pri.monthly_mean(points, "none") is None  # (2 + 3 + 4) / 3


def test_plan_grouped_by_board_from_a_params_fixture(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN, encoding="utf-8")
    plan = load_plan(path)
    changes = pd.DataFrame([
        {"measure": "shoplifting", "label": "Shoplifting", "current": 120, "previous": 100, "pct_change": 20.0,
         "direction": "UP"},
        {"measure": "asb", "label": "ASB", "current": 90, "previous": 100, "pct_change": -10.0, "direction": "STABLE"}])
    hate = pd.DataFrame([{"measure": "hate_crime", "label": "Hate crime", "current": 40, "previous": 30,
                          "pct_change": 33.3, "direction": "STABLE"}])
    results = {"01_key_findings": SectionResult(tables={"changes": changes}),
               "05_priority_3": SectionResult(tables={"changes": hate})}
    summary = pd.DataFrame({"measure": ["shoplifting", "hate_crime"]})
    signals = _signals([["shoplifting", "", "run", 1, "2023-04", "2023-10", 7, "yes", ""],
                        ["hate_crime", "", "run", 1, "2023-04", "2023-10", 7, "yes", ""]])
    table = pri.plan_on_a_page(plan, results, summary, signals)
    assert table["board"].tolist() == ["Board One", "Board One", "Board Two", "Board Three"]
    assert table["measure"].tolist()[:3] == ["shoplifting", "hate_crime", "asb"]
    # the same upward signal: concerning for shoplifting (lower is better), improving for hate crime reporting
    assert table["status"].tolist() == ["concerning", "improving", "no monthly chart", ""]
    assert table["page"].tolist()[:3] == ["01_key_findings", "05_priority_3", "01_key_findings"]
    assert table["latest"].tolist() == ["120", "40", "90", ""]
    assert table["better"].tolist()[:3] == ["lower", "higher", "lower"]


def test_plan_file_errors_name_the_key(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("name: x\nboards:\n  - name: B\n    measures: [shoplifts]\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=r"plan.yaml: invalid plan\n  boards.0.measures.0.measure: .*unknown measure 'shoplifts'"):
        load_plan(path)
    with pytest.raises(ParamsError, match="plan file not found"):
        load_plan(tmp_path / "missing.yaml")


def test_coventry_plan_pages_exist(root):
    """Every measure of the Coventry plan names a page that is a section of the run (or no page, when the
    value comes from nowhere)."""
    from ccsp_analysis.params import ALL_SECTIONS

    plan = load_plan(root / "params" / "plans" / "coventry-2025-28.yaml")
    assert [b.name for b in plan.boards][:3] == ["Coventry Serious Violence Prevention Partnership",
                                                 "Coventry Reducing Reoffenders Board",
                                                 "Domestic Abuse Local Partnership Board"]
    for board in plan.boards:
        for m in board.measures:
            spec = pri.PLAN_TABLES.get(m.measure)
            pages = [spec[0]] if spec else [s for s, _ in pri.CHANGE_TABLES]
            if m.measure == "reoffending_rate":
                pages = ["03_priority_1"]
            assert set(pages) <= set(ALL_SECTIONS), m.measure


def test_priority_matrix_names_the_threats():
    from ccsp_analysis.presentation import charts
    from ccsp_analysis.presentation.style import NoChart

    frame = pd.DataFrame({"label": ["A", "B", "C"], "category": ["threat", "emerging threat", ""],
                          "x": [1.0, 0.25, 0.5], "y": [0.5, 1.0, 0.0]})
    chart = charts.priority_matrix(frame, "x", "y", "Volume against change", "Volume", "Change")
    assert "3 groupings" in chart.alt and "A (threat) at 1.00, 0.50" in chart.alt
    assert "B (emerging threat) at 0.25, 1.00" in chart.alt and "C (" not in chart.alt
    assert isinstance(charts.priority_matrix(frame.assign(y=np.nan), "x", "y", "t"), NoChart)


def test_summary_over_incomplete_periods_claims_no_rise():
    said = " ".join(narrative.priorities_summary(3, ["A"], [], "2024/25", harm=False, harm_file=None, survey=False,
                                                 withheld=0, compared=False))
    assert "No change on last year is compared, because the data miss months" in said
    assert "rise" not in said and "rose" not in said and "change on last year (with" not in said


def test_a_rare_grouping_is_not_read_from_its_control_chart(chdir_root, demo_dir):
    """Homicide: 8 crimes in the demo's 2023-24 (published figure; under 5 a month), so its chart's reading is
    left out of its score and it is not an emerging threat on the chart alone; a common grouping keeps its reading."""
    from ccsp_analysis import dataset
    from ccsp_analysis.params import load_params
    from ccsp_analysis.sections.priorities import MIN_MONTHLY_FOR_SIGNALS, TOO_FEW
    from ccsp_analysis.sections.registry import compute_sections

    params = load_params("2023-24")
    results, errors = compute_sections(dataset.load(params), params,
                                       [n for n in params.sections if n != "09_reconciliation"])
    assert "11_priorities" not in errors
    scores = results["11_priorities"].tables["scores"].set_index("measure")
    assert scores.loc["homicide", "current"] < MIN_MONTHLY_FOR_SIGNALS * 12
    assert scores.loc["homicide", "signals_reading"] == TOO_FEW and pd.isna(scores.loc["homicide", "signals_score"])
    assert scores.loc["homicide", "category"] != "emerging threat"
    assert scores.loc["asb", "signals_reading"] != TOO_FEW  # 12,260 a year: read from its chart
    # -- one reading per measure on every page (each assertion below fails on the old code) -----------------
    from ccsp_analysis.exception_report import significant_changes
    from ccsp_analysis.presentation.tables import MEANING

    # 1. the plan asks for more modern slavery and hate crime reported: a fall is concerning on every page, as on
    # the performance page (the old priority page, ranked table and index read it with crime's polarity: improving)
    for section, table in (("05_priority_3", "changes"), ("08_performance", "plan_measures"), ("11_priorities", "scores")):
        rows = results[section].tables[table].set_index("measure")
        assert rows.loc["modern_slavery", "polarity"] == "higher_better", section
        assert rows.loc["hate_crime", "polarity"] == "higher_better", section
        assert MEANING[(rows.loc["modern_slavery", "direction"], rows.loc["modern_slavery", "polarity"])] == "concerning"
    index_rows = significant_changes(results).set_index("label")
    assert index_rows.loc["Modern slavery (police-recorded)", "polarity"] == "higher_better"
    assert index_rows.loc["Total recorded crime", "polarity"] == "higher_worse"
    # 2. one XmR status: the plan on a page (and so the index and the page's findings) reads the chart as the
    # ranked table does; modern slavery (37 a year) and county lines (32) are too few a month to read a chart
    # (the old plan on a page called both "concerning"), hate crime's chart one way (old: concerning and improving)
    plan = results["11_priorities"].tables["plan"].dropna(subset=["measure"]).drop_duplicates("measure").set_index("measure")
    assert plan.loc["modern_slavery", "status"] == TOO_FEW and plan.loc["county_lines", "status"] == TOO_FEW
    both = plan.index.intersection(scores.index)
    assert len(both) >= 10
    for m in both:
        if scores.loc[m, "signals_reading"] != "no chart":
            assert plan.loc[m, "status"] == scores.loc[m, "signals_reading"], m
    findings = " ".join(results["11_priorities"].tables["so_what"]["sentence"])
    assert "Modern slavery" not in findings.split("concerning control-chart signals")[-1].split(".")[0]
    # 3. change counts only significant rises: every stable grouping and every significant fall scores 0 (the old
    # rank scaling gave a stable grouping about 0.78, above every fall)
    assert (scores.loc[scores["direction"].isin(["STABLE", "DOWN"]), "change_score"] == 0).all()
    rises = scores.loc[scores["direction"] == "UP", "change_score"]
    assert len(rises) and (rises > 0).all() and rises.max() == 1.0
    # 4. robbery, theft and other crime are scored (old: "not scored, its counts are about people"); robbery's
    # counts are the key findings page's (1,350 against 1,400 in its acquisitive crime by kind)
    not_scored = set(results["11_priorities"].tables.get("not_scored", pd.DataFrame(columns=["measure"]))["measure"])
    assert not {"robbery", "theft", "other_crime"} & not_scored
    assert scores.loc["robbery", ["current", "previous"]].tolist() == [1350, 1400]
    assert scores.loc["robbery", "page"] == "01_key_findings" and scores.loc["theft", "page"] == "11_priorities"
