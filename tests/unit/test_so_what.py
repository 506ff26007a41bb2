"""Each page's "so what": the picking rules on small hand-made results (expected findings worked by hand),
withheld figures never in a finding, no rise or fall over incomplete periods, and the closing sentences."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from ccsp_analysis import coverage, so_what
from ccsp_analysis.plans import Board, Plan, PlanMeasure
from ccsp_analysis.result import SectionResult

CHANGE_COLUMNS = ["measure", "label", "current", "previous", "pct_change", "direction"]
RISE_FALL = re.compile(r"\b(rose|fell|rise|fall|increase|decrease|higher|lower)\b", re.IGNORECASE)


def change_table(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def hand_changes() -> pd.DataFrame:
    # pct_change worked by hand: 150/100 -> +50.0%; 80/100 -> -20.0%; 130/100 -> +30.0%; 1000/1100 -> -9.1%
    return change_table([
        ("shoplifting", "Shoplifting", 150, 100, 50.0, "UP"),
        ("drugs", "Drug offences", 80, 100, -20.0, "DOWN"),
        ("burglary", "Burglary", 130, 100, 30.0, "STABLE"),       # not significant: never picked
        ("vehicle", "Vehicle crime", 1000, 1100, -100 / 11, "DOWN"),
    ])


def test_significant_changes_are_ranked_by_the_size_of_the_change():
    found = so_what.significant_changes(hand_changes())
    assert [f.measure for f in found] == ["shoplifting", "drugs", "vehicle"]  # |50| > |-20| > |-9.1|; burglary STABLE
    assert found[0].sentence == ("Shoplifting rose by 50.0% on last year (150 against 100), a statistically "
                                 "significant rise.")
    assert found[1].sentence.startswith("Drug offences fell by 20.0% on last year (80 against 100)")
    assert found[2].sentence.startswith("Vehicle crime fell by 9.1% on last year (1,000 against 1,100)")
    assert [f.priority for f in found] == [2, 2, 2]


def test_ties_in_the_change_go_to_the_larger_count():
    found = so_what.significant_changes(change_table([("a", "A", 20, 10, 100.0, "UP"), ("b", "B", 200, 100, 100.0, "UP")]))
    assert [f.measure for f in found] == ["b", "a"]


def test_rows_tested_together_need_the_corrected_test():
    wards = pd.DataFrame({"ward_name": ["North", "South", "East"], "current": [50, 300, 90], "previous": [100, 200, 100],
                          "pct_change": [-50.0, 50.0, -10.0], "direction": ["DOWN", "UP", "DOWN"],
                          "significant_bh": [True, True, False]})
    found = so_what.significant_rows(wards, "ward_name", "recorded crime", "wards", measure="place")
    # East is significant on its own test only (q >= 0.05): left out; North and South tie on 50%, South is larger
    assert [f.sentence for f in found] == [
        "Recorded crime in South rose by 50.0% (300 against 200), significant after correcting for testing 3 wards at once.",
        "Recorded crime in North fell by 50.0% (50 against 100), significant after correcting for testing 3 wards at once."]


def test_control_chart_signals_concerning_first_then_by_number():
    summary = pd.DataFrame({"measure": ["trc", "asb", "shoplifting", "domestic_abuse"],
                            "label": ["Total recorded crime", "ASB", "Shoplifting", "Domestic abuse"],
                            "signals": [5, 2, 9, 0], "assessment": ["improving", "concerning", "concerning", "no signal"],
                            "line": ["trc line", "asb line", "shop line", "da line"]})
    found = so_what.control_chart_signals(summary)
    assert [f.sentence for f in found] == ["shop line", "asb line", "trc line"]


def test_select_takes_in_turn_from_each_rule_up_to_five():
    f = [[so_what.Finding(f"{g}{i}", g) for i in range(n)] for g, n in (("a", 4), ("b", 1), ("c", 3))]
    assert [x.sentence for x in so_what.select(f)] == ["a0", "b0", "c0", "a1", "c1"]
    assert [x.sentence for x in so_what.select([[so_what.Finding("only", "a")]])] == ["only"]  # no padding


def key_findings_result(changes: pd.DataFrame) -> SectionResult:
    r = SectionResult()
    r.tables["changes"] = changes
    return r


def test_a_section_with_findings_and_the_plan(tmp_path):
    plan = Plan(name="Plan", boards=(Board(name="City Tasking", measures=(PlanMeasure(measure="shoplifting"),)),
                                     Board(name="Drugs board", measures=(PlanMeasure(measure="drugs", better="higher"),))))
    table = so_what.build("01_key_findings", key_findings_result(hand_changes()), plan)
    assert list(table.columns) == so_what.COLUMNS
    found = list(table.loc[table["kind"] == "finding", "sentence"])
    assert len(found) == 3 and found[0].startswith("Shoplifting rose by 50.0%")
    meaning = list(table.loc[table["kind"] == "implication", "sentence"])
    assert meaning == [
        "Priority 2: public place safety and reassurance — the findings that bear on it: shoplifting rose by 50.0% "
        "(a measure of success of City Tasking; the plan asks for a fall, and this is not one); drug offences fell by "
        "20.0% (a measure of success of Drugs board; the plan asks for a rise, and this is not one); vehicle crime fell "
        "by 9.1%."]


def test_withheld_counts_never_appear_in_a_finding():
    # after disclosure control a hidden row has blank counts; its percentage change is left in here on purpose
    changes = change_table([
        ("modern_slavery", "Modern slavery", pd.NA, pd.NA, -51.3, "DOWN"),
        ("cse", "Child sexual exploitation", 41, pd.NA, -35.9, "DOWN"),
        ("hate_crime", "Hate crime", 800, 1000, -20.0, "DOWN"),
    ])
    r = SectionResult()
    r.tables["changes"] = changes
    r.tables["hate_strands"] = pd.DataFrame({"strand": ["Race", "Religion"], "current": [pd.NA, 5],
                                            "share": [80.0, pd.NA], "previous": [700, 9],
                                            "pct_change": [pd.NA, -44.4], "direction": [pd.NA, "DOWN"],
                                            "significant_bh": [pd.NA, True]})
    table = so_what.build("05_priority_3", r)
    text = " ".join(table["sentence"])
    assert "Modern slavery" not in text and "51.3" not in text
    assert "Child sexual exploitation" not in text and "41" not in text and "35.9" not in text
    assert "Race" not in text and "80.0" not in text  # a share of a hidden count is hidden too
    assert "Hate crime fell by 20.0%" in text


def test_withheld_figures_are_not_findings():
    r = SectionResult()
    r.add_figure("reoffending_rate", 25.0, "Proven reoffending rate (2023-24)", "pct", withheld=True)
    table = so_what.build("03_priority_1", r)
    assert "25.0" not in " ".join(table["sentence"])
    assert list(table["kind"]) == ["finding", "implication"]  # one honest sentence, never an empty table
    assert table["sentence"].iloc[0] == "This page's results give no finding to report beyond what its tables show."


def test_incomplete_periods_never_say_rise_or_fall():
    from ccsp_analysis.measures import NOT_COMPARED

    changes = change_table([("shoplifting", "Shoplifting", 150, 100, None, NOT_COMPARED),
                            ("drugs", "Drug offences", 80, 100, -20.0, "DOWN")])  # even a stale direction is not used
    r = key_findings_result(changes)
    r.tables["wards"] = pd.DataFrame({"ward_name": ["North"], "current": [50], "previous": [100], "share": [100.0],
                                      "pct_change": [-50.0], "direction": ["DOWN"], "significant_bh": [True]})
    summary = pd.DataFrame({"measure": ["shoplifting"], "label": ["Shoplifting"], "signals": [3],
                            "assessment": ["concerning"], "line": ["Shoplifting: concerning — 3 months above the upper "
                                                                   "control limit (April 2024 to June 2024)."]})
    p = SectionResult()
    p.tables["spc_summary"] = summary
    p.tables["plan_measures"] = changes
    with coverage.incomplete_periods("recorded crime: January 2025 to March 2025"):
        tables = [so_what.build("01_key_findings", r), so_what.build("08_performance", p)]
    for table in tables:
        said = [s for s in table["sentence"] if "called a rise or a fall" not in s]
        assert not any(RISE_FALL.search(s) for s in said), said
        assert any("No change on last year is called a rise or a fall here, because the data miss months "
                   "(recorded crime: January 2025 to March 2025)." in s for s in table["sentence"])
    assert "Shoplifting: concerning" in tables[1]["sentence"].iloc[0]


def test_sections_with_nothing_to_say_say_so_in_one_sentence():
    for name in so_what.PICKERS:
        table = so_what.build(name, SectionResult())
        assert len(table) >= 2 and (table["kind"] == "finding").sum() == 1, name
        assert (table["kind"] == "implication").sum() >= 1


@pytest.mark.parametrize("direction,better,expected", [("UP", "lower", "is not one"), ("DOWN", "lower", "is one"),
                                                        ("UP", "higher", "is one"), ("DOWN", "higher", "is not one")])
def test_plan_link_reads_the_plans_direction(direction, better, expected):
    from ccsp_analysis.narrative import plan_link_phrase

    assert plan_link_phrase(["A", "B"], better, direction).endswith(f"and this {expected})")
    assert plan_link_phrase(["A"], better, None) == " (a measure of success of A)"


def test_performance_report_reads_its_own_boards():
    r = SectionResult()
    r.tables["report_measures"] = pd.DataFrame({
        "board": ["Victim board", "Tasking group"], "measure": ["sarc", "asb"],
        "label": ["Clients seen by the SARC", "ASB incidents"], "current": [446, 11408], "previous": [383, 11940],
        "pct_change": [16.449, -4.456], "direction": ["UP", "DOWN"]})
    meaning = list(so_what.build("08_performance", r).query("kind == 'implication'")["sentence"])
    assert meaning == ["Victim board — the findings that bear on it: clients seen by the SARC rose by 16.4%.",
                       "Tasking group — the findings that bear on it: ASB incidents fell by 4.5%."]
