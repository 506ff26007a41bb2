""""So what" for every section: three to five findings picked from its results, and what they mean for the plan's priorities.

The findings are picked by documented rules (docs/methods.md, "Findings and what they mean for the plan")
from the tables each section shows, read **after** the run's disclosure control
(:func:`ccsp_analysis.sections.registry.compute_sections` calls :func:`attach` last): a cell disclosure
control hid is blank there, and a row with a blank count is never picked, so a finding never states a
figure the page withholds. Over incomplete periods (:func:`ccsp_analysis.coverage.incomplete`) no change
is picked, so no finding calls anything a rise or a fall.

Each rule ranks its candidates; a section's rules are listed in order and the findings are taken in
turn from them (the best of each rule, then the second best of each, ...) until :data:`MOST` are picked.
A section with fewer candidates says fewer findings rather than padding; with none, one sentence says so.
The closing sentences ("what this means for the plan") group the findings by the plan's three
priorities (:data:`MEASURE_PRIORITY`) and say, for a measure of success of the plan's boards
(``params.plan``), which boards own it and whether its change goes the way the plan asks. Analysis only:
what the data show, never what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd

from ccsp_analysis import coverage, monitoring
from ccsp_analysis.formatting import fmt_count, fmt_list, fmt_pct, fmt_rate
from ccsp_analysis.narrative import (
    change_finding,
    finding_sentences_none,
    lower_first,
    plan_link_phrase,
    priority_implication,
    significant_row_finding,
)
from ccsp_analysis.params import SECTION_TITLES
from ccsp_analysis.plans import load_plan
from ccsp_analysis.result import SectionResult

#: Most findings a section opens with; at least :data:`LEAST` when its results give that many.
MOST, LEAST = 5, 3
#: The plan's three priorities (the 2025-28 plan), by number: their page titles.
PRIORITIES: dict[int, str] = {1: SECTION_TITLES["03_priority_1"], 2: SECTION_TITLES["04_priority_2"],
                              3: SECTION_TITLES["05_priority_3"]}
#: Which priority a measure bears on: the priority page that reports it, and for measures reported
#: elsewhere the priority of the plan's text (the 2025-28 plan puts the survey's feelings of safety and
#: ASB under priority 2, and hate crime, exploitation and modern slavery under priority 3).
MEASURE_PRIORITY: dict[str, int] = {
    **dict.fromkeys(("serious_violence", "serious_youth_violence", "violence_with_injury", "homicide", "domestic_abuse",
                     "sexual_offences", "rape", "other_sexual", "vawg", "stalking_harassment", "assault_battery",
                     "robbery", "weapons", "knife", "firearm", "violence_sexual", "reoffending_rate",
                     "first_time_entrants", "da_referrals"), 1),
    **dict.fromkeys(("trc", "asb", "council_asb", "fly_tipping", "shoplifting", "acquisitive", "vehicle", "burglary",
                     "theft", "criminal_damage", "public_order", "drugs", "drug_possession", "drug_supply",
                     "alcohol_related", "drug_alcohol_related", "other_crime", "survey", "place"), 2),
    **dict.fromkeys(("hate_crime", "county_lines", "cse", "child_abuse", "modern_slavery", "honour_based_abuse",
                     "nrm"), 3),
}
COLUMNS = ["kind", "sentence", "measure", "priority", "rule"]
#: How a source is named in a sentence.
SOURCE_NAMES = {"police_uk": "police.uk"}
TABLE = "so_what"


@dataclass(frozen=True)
class Finding:
    """One finding: its sentence, the measure and priority it bears on, its direction (UP/DOWN for a
    significant change, else None), the short phrase the closing sentences use, and the rule that picked it."""

    sentence: str
    rule: str
    measure: str | None = None
    priority: int | None = None
    direction: str | None = None
    gist: str = ""
    #: a quarterly performance report's own board (that year's structure, not the plan's priorities)
    board: str | None = None
    #: False for a finding about a part (a ward, an offence group): the plan's measures are of the whole area
    whole: bool = True


def _present(*values) -> bool:
    return all(v is not None and not pd.isna(v) for v in values)


# -- the rules: each returns its candidates, best first -------------------------------------------------

def significant_changes(table: pd.DataFrame | None, rule: str = "significant change") -> list[Finding]:
    """Rows of a change table whose change is statistically significant (direction UP or DOWN) and whose
    counts are shown, ranked by the size of the percentage change (largest first; ties by the larger count).
    Over incomplete periods none (no change is compared)."""
    if table is None or table.empty or coverage.incomplete() is not None or "direction" not in table.columns:
        return []
    rows = [r for r in table.to_dict("records")
            if r.get("direction") in ("UP", "DOWN") and _present(r.get("current"), r.get("previous"), r.get("pct_change"))
            and (float(r["current"]) > float(r["previous"])) == (r["direction"] == "UP")]
    rows.sort(key=lambda r: (-abs(float(r["pct_change"])), -float(r["current"])))
    out = []
    for r in rows:
        measure = r.get("measure")
        sentence, gist = change_finding(str(r["label"]), int(r["current"]), int(r["previous"]), float(r["pct_change"]),
                                        r["direction"])
        out.append(Finding(sentence, rule, measure, MEASURE_PRIORITY.get(measure), r["direction"], gist))
    return out


def significant_rows(table: pd.DataFrame | None, name: str, what: str, among: str, measure: str | None = None,
                     rule: str = "significant after correction", kind: bool = False) -> list[Finding]:
    """Rows of a table tested together (``measures.by_key``) that are significant after the Benjamini–Hochberg
    correction (``significant_bh``, q < 0.05) with their counts shown, ranked by the size of the percentage
    change. ``name``: the column naming a row; ``what``: what is counted ("recorded crime"); ``among``: what
    the rows are ("wards"); ``kind``: the rows are kinds of ``what`` (offence groups), not places."""
    if (table is None or table.empty or coverage.incomplete() is not None or "significant_bh" not in table.columns):
        return []
    rows = [r for r in table.to_dict("records")
            if r.get("significant_bh") is True and r.get("direction") in ("UP", "DOWN")
            and _present(r.get("current"), r.get("previous"), r.get("pct_change"))]
    rows.sort(key=lambda r: (-abs(float(r["pct_change"])), -float(r["current"])))
    out = []
    for r in rows:
        sentence, gist = significant_row_finding(str(r[name]), what, int(r["current"]), int(r["previous"]),
                                                 float(r["pct_change"]), r["direction"], len(table), among, kind)
        out.append(Finding(sentence, rule, measure, MEASURE_PRIORITY.get(measure), r["direction"], gist, whole=False))
    return out


def control_chart_signals(summary: pd.DataFrame | None, rule: str = "control-chart signal") -> list[Finding]:
    """Measures whose control chart has signals in the period (assessment other than 'no signal'): concerning
    ones first, then the others, each by the number of signals (most first). The sentence is the chart's own line."""
    if summary is None or summary.empty:
        return []
    rows = summary[(summary["signals"].fillna(0) > 0) & (summary["assessment"] != "no signal")].copy()
    rows["_order"] = (rows["assessment"] != "concerning").astype(int)
    rows = rows.sort_values(["_order", "signals"], ascending=[True, False], kind="stable")
    return [Finding(str(r.line), rule, r.measure, MEASURE_PRIORITY.get(r.measure), None,
                    f"{lower_first(str(r.label))} shows {r.assessment} control-chart signals")
            for r in rows.itertuples()]


def largest_share(table: pd.DataFrame | None, name: str, count: str, share: str, of: str, what: str,
                  measure: str | None = None, rule: str = "largest share") -> list[Finding]:
    """The row with the largest shown share of a table (one finding): "<name> was the <what> with the largest
    share of <of>: <share>% (<count>)"."""
    if table is None or table.empty or share not in table.columns:
        return []
    rows = [r for r in table.to_dict("records") if _present(r.get(share), r.get(count))]
    if not rows:
        return []
    r = max(rows, key=lambda r: float(r[share]))
    pct = fmt_pct(float(r[share]))
    lead = f"{r[name]} was the {what} with the largest share of {of}"
    return [Finding(f"{lead}: {pct} ({fmt_count(int(r[count]))}).", rule, measure, MEASURE_PRIORITY.get(measure), None,
                    f"{lead} ({pct})", whole=False)]


def given_sentences(sentences, rule: str, measure: str | None = None, gist: str = "") -> list[Finding]:
    """Sentences the section already states (e.g. a concentration statement), each a candidate as it is."""
    return [Finding(str(s), rule, measure, MEASURE_PRIORITY.get(measure), None, gist or "") for s in sentences
            if isinstance(s, str) and s]


# -- the sections ---------------------------------------------------------------------------------------

def _t(result: SectionResult, name: str) -> pd.DataFrame | None:
    return result.tables.get(name)


def _audit(r: SectionResult, ctx: dict) -> list[list[Finding]]:
    checks = _t(r, "checks")
    out: list[list[Finding]] = []
    if checks is not None and not checks.empty:
        failed = checks[~checks["passed"].astype(bool)]
        out.append([Finding(f"{fmt_count(len(checks) - len(failed))} of {fmt_count(len(checks))} validation checks passed"
                            + ("." if failed.empty else f"; failed: {fmt_list(list(failed['check']))}."), "checks")])
    dropped = _t(r, "dropped")
    if dropped is not None and not dropped.empty:
        out.append([Finding(f"{fmt_count(int(row.rows_dropped))} rows of {SOURCE_NAMES.get(row.source, row.source)} "
                            f"were left out: {row.reason}.",
                            "rows left out") for row in dropped.sort_values("rows_dropped", ascending=False).itertuples()])
    pvp = _t(r, "police_vs_partner")
    if pvp is not None and not pvp.empty:
        diff = pvp["difference"].abs()
        if int(diff.max()) == 0:
            out.append([Finding(f"police.uk and the partner extract give the same count in each of the "
                                f"{fmt_count(len(pvp))} police.uk crime categories for the year.", "sources agree")])
        else:
            row = pvp.loc[diff.idxmax()]
            out.append([Finding(f"police.uk and the partner extract differ most for {row['category']}: "
                                f"{fmt_count(int(row['police_uk']))} against {fmt_count(int(row['partner_extract']))}.",
                                "sources differ")])
    return out


def _key_findings(r: SectionResult, ctx: dict) -> list[list[Finding]]:
    return [significant_changes(_t(r, "changes")),
            largest_share(_t(r, "top_offences"), "offence", "current", "share", "total recorded crime",
                          "offence", rule="largest offence"),
            largest_share(_t(r, "wards"), "ward_name", "current", "share", "total recorded crime", "ward",
                          measure="place", rule="largest ward"),
            significant_rows(_t(r, "wards"), "ward_name", "recorded crime", "wards", measure="place")]


def _city_profile(r: SectionResult, ctx: dict) -> list[list[Finding]]:
    said = [s for s in r.sentences if s.startswith(("On Census Day", "Total recorded crime in"))]
    rates = _t(r, "rates")
    top = []
    if rates is not None and not rates.empty and "rate" in rates.columns:
        shown = rates.dropna(subset=["rate"])
        if len(shown):
            w = shown.loc[shown["rate"].idxmax()]
            top = [Finding(f"The highest ward rate was in {w['ward_name']}: {fmt_rate(float(w['rate']))} crimes "
                           f"per 1,000 residents (95% interval {fmt_rate(float(w['rate_low']))} to "
                           f"{fmt_rate(float(w['rate_high']))}).", "highest ward rate", "place", 2, None,
                           f"the highest ward rate was in {w['ward_name']} ({fmt_rate(float(w['rate']))} per 1,000)",
                           whole=False)]
    rate = said[1:2]
    return [given_sentences(said[:1], "population"),
            given_sentences(rate, "crime rate", "trc", lower_first(rate[0].split(" (95%")[0].rstrip(".")) if rate else ""),
            top]


def _priority_1(r: SectionResult, ctx: dict) -> list[list[Finding]]:
    rate = next((f for f in r.figures if f["id"] == "reoffending_rate" and not f.get("withheld")), None)
    reoffending = [] if rate is None else [Finding(
        f"{rate['label']}: {fmt_pct(float(rate['value']))} of offenders in the cohort reoffended.", "reoffending rate",
        "reoffending_rate", 1, None, f"the proven reoffending rate was {fmt_pct(float(rate['value']))}")]
    return [significant_changes(_t(r, "changes")), significant_changes(_t(r, "da_referrals")),
            significant_rows(_t(r, "vawg_offences"), "ho_group", "violence against women and girls", "offence groups",
                             measure="vawg", kind=True),
            significant_changes(_t(r, "first_time_entrants")), reoffending]


def _priority_2(r: SectionResult, ctx: dict) -> list[list[Finding]]:
    return [significant_changes(_t(r, "changes")),
            significant_rows(_t(r, "asb_wards"), "ward_name", "police-recorded ASB", "wards", measure="asb"),
            significant_rows(_t(r, "fly_tipping_wards"), "ward_name", "fly-tipping", "wards", measure="fly_tipping"),
            significant_rows(_t(r, "drug_wards"), "ward_name", "drug offences", "wards", measure="drugs"),
            largest_share(_t(r, "asb_types"), "label", "incidents", "share", "police-recorded ASB", "type",
                          measure="asb", rule="largest ASB type")]


def _priority_3(r: SectionResult, ctx: dict) -> list[list[Finding]]:
    return [significant_changes(_t(r, "changes")),
            significant_rows(_t(r, "hate_strands"), "strand", "hate crime", "strands", measure="hate_crime", kind=True),
            largest_share(_t(r, "hate_strands"), "strand", "current", "share", "hate crime", "strand",
                          measure="hate_crime", rule="largest hate crime strand")]


def _areas(r: SectionResult, ctx: dict) -> list[list[Finding]]:
    conc = _t(r, "concentration")
    if conc is not None and (conc.empty or conc[["area_share", "crime_share"]].isna().any(axis=None)):
        conc = None  # no crime in any small area: the page's statement says so, and it is no finding
    said = [] if conc is None else list(conc["statement"].str.split(r"(?<=\.) ", n=1).str[0])
    gist = "" if conc is None else (
        f"recorded crime is concentrated (the top {fmt_pct(float(conc['area_share'].iloc[0]))} of small areas hold "
        f"{fmt_pct(float(conc['crime_share'].iloc[0]))} of it)")
    rate = [s for s in r.sentences if s.startswith("The highest rate was in")]
    return [given_sentences(said, "concentration", "place", gist),
            given_sentences(rate, "highest ward rate", "place", lower_first(rate[0].rstrip(".")) if rate else ""),
            significant_rows(_t(r, "wards"), "ward_name", "recorded crime", "wards", measure="place"),
            largest_share(_t(r, "hotspots"), "lsoa_name", "current", "share", "total recorded crime", "small area",
                          measure="place", rule="largest small area")]


def _survey(r: SectionResult, ctx: dict) -> list[list[Finding]]:
    comparison = _t(r, "comparison")
    changes = []
    if comparison is not None and not comparison.empty and coverage.incomplete() is None:
        rows = comparison[comparison["direction"].isin(["UP", "DOWN"]) & comparison["difference"].notna()]
        for row in rows.reindex(rows["difference"].abs().sort_values(ascending=False).index).itertuples():
            way = "higher" if row.direction == "UP" else "lower"
            changes.append(Finding(
                f"{row.label}: {fmt_pct(float(row.pct))}, {fmt_pct(abs(float(row.difference)))} points {way} than in the "
                "previous survey, a statistically significant difference.", "significant survey difference", "survey", 2,
                row.direction, f"{lower_first(str(row.label))} was {way} than in the previous survey"))
    measures = _t(r, "measures")
    levels = []
    if measures is not None and not measures.empty:
        col = "weighted_pct" if "weighted_pct" in measures.columns and measures["weighted_pct"].notna().any() else "pct"
        shown = measures.dropna(subset=[col])
        for row in shown.reindex(shown[col].sort_values(ascending=False).index).itertuples():
            levels.append(Finding(f"{row.label}: {fmt_pct(float(getattr(row, col)))} of respondents.", "survey measure",
                                  "survey", 2, None, f"{lower_first(str(row.label))}: {fmt_pct(float(getattr(row, col)))} of respondents"))
    top = []
    pri = _t(r, "priorities")
    if pri is not None and not pri.empty and pri["top_three_pct"].notna().any():
        p = pri.loc[pri["top_three_pct"].idxmax()]
        top = [Finding(f"Residents named {p['priority']} most often among their top three priorities "
                       f"({fmt_pct(float(p['top_three_pct']))} of respondents).", "residents' top priority", "survey", 2,
                       None, f"residents named {p['priority']} most often among their priorities")]
    if not changes and comparison is not None and not comparison.empty and coverage.incomplete() is None:
        changes = [Finding(f"None of the {fmt_count(len(comparison))} questions asked in both surveys shows a "
                           "statistically significant difference from the previous survey.", "no survey difference")]
    return [changes, top, levels[:2]]


def _performance(r: SectionResult, ctx: dict) -> list[list[Finding]]:
    report = _t(r, "report_measures")
    if report is None or report.empty:  # the assessment: the plan's measures, read by the plan's priorities
        return [control_chart_signals(_t(r, "spc_summary")), significant_changes(_t(r, "plan_measures"))]
    # a quarterly performance report: its measures under that year's own boards, not the plan's priorities
    boards = dict(zip(report["measure"], report["board"], strict=True))
    return [[replace(f, priority=None, board=boards.get(f.measure)) for f in found]
            for found in (significant_changes(report), control_chart_signals(_t(r, "spc_summary")))]


def _reconciliation(r: SectionResult, ctx: dict) -> list[list[Finding]]:
    rec = _t(r, "reconciliation")
    if rec is None or rec.empty:
        return []
    status = rec["status"].value_counts()
    first = [Finding(f"{fmt_count(int(status.get('reproduced', 0)))} of the {fmt_count(len(rec))} published figures "
                     "are reproduced by this run.", "reproduced")]
    rest = []
    for word, text in (("differ", "differ from the published value"), ("withheld", "are withheld for disclosure control"),
                       ("inconsistent", "are inconsistent in the published document itself"),
                       ("not produced", "are not produced by this run")):
        n = int(status.get(word, 0))
        if n:
            rest.append(Finding(f"{fmt_count(n)} {'figure' if n == 1 else 'figures'} {text}.", f"status {word}"))
    return [first, rest]


def _priorities(r: SectionResult, ctx: dict) -> list[list[Finding]]:
    scores = _t(r, "scores")
    threats = []
    if scores is not None and not scores.empty:
        n = int(scores["score"].notna().sum())
        evidence = _t(r, "threats")
        ev = {} if evidence is None else dict(zip(evidence["label"], evidence["evidence"], strict=True))
        for row in scores[scores["category"] == "threat"].itertuples():
            threats.append(Finding(f"{row.label} ranks {_ordinal(int(row.rank))} of {fmt_count(n)} groupings scored, a "
                                   f"threat: {ev.get(row.label, '')}".rstrip(": ") , "threat", row.measure,
                                   MEASURE_PRIORITY.get(row.measure), None,
                                   f"{lower_first(str(row.label))} is a threat, ranked {_ordinal(int(row.rank))}"))
    emerging = _t(r, "emerging")
    em = [] if emerging is None or emerging.empty else [Finding(
        f"Emerging threats: {fmt_list(list(emerging['label']))}.", "emerging threats")]
    plan = _t(r, "plan")
    status = []
    if plan is not None and not plan.empty:
        worry = plan[plan["status"] == "concerning"].drop_duplicates("measure")
        if len(worry):
            status = [Finding(f"Measures of success of the plan with concerning control-chart signals in the period: "
                              f"{fmt_list(list(worry['label']))}.", "plan measures concerning")]
    return [*([t] for t in threats[:3]), em, status, threats[3:]]


def _every_threat(r: SectionResult) -> list[Finding]:
    """Every threat and emerging threat of the priorities page, for its closing sentences (by priority)."""
    scores = _t(r, "scores")
    if scores is None or scores.empty:
        return []
    return [Finding("", "threat", row.measure, MEASURE_PRIORITY.get(row.measure), None,
                    f"{lower_first(str(row.label))} is {'a threat' if row.category == 'threat' else 'an emerging threat'}, "
                    f"ranked {_ordinal(int(row.rank))}") for row in scores[scores["category"] != ""].itertuples()]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


#: Each section's rules, in the order findings are taken from them.
PICKERS: dict[str, Callable[[SectionResult, dict], list[list[Finding]]]] = {
    "00_data_audit": _audit, "01_key_findings": _key_findings, "02_city_profile": _city_profile,
    "03_priority_1": _priority_1, "04_priority_2": _priority_2, "05_priority_3": _priority_3, "06_areas": _areas,
    "07_survey": _survey, "08_performance": _performance, "09_reconciliation": _reconciliation,
    "11_priorities": _priorities,
}
#: What a section's findings mean for the plan when none bears on one of its priorities.
CONTEXT = {
    "00_data_audit": "None of these findings is a measure of the plan's priorities: they say how far the figures "
                     "the report's other pages give can be relied on.",
    "09_reconciliation": "None of these findings is a measure of the plan's priorities: they say whether the figures "
                         "the report's other pages give are the ones the partnership's documents publish.",
}


def select(groups: list[list[Finding]], most: int = MOST) -> list[Finding]:
    """Take findings in turn from each rule's ranked candidates (the first of each, then the second of each,
    ...) until ``most``; a sentence already taken is not repeated."""
    picked: list[Finding] = []
    depth = max((len(g) for g in groups), default=0)
    for i in range(depth):
        for g in groups:
            if i < len(g) and len(picked) < most and g[i].sentence not in {f.sentence for f in picked}:
                picked.append(g[i])
    return picked


def implications(findings: list[Finding], plan=None, section: str = "") -> list[str]:
    """What the findings mean for the plan's priorities: one sentence per priority they bear on (in the
    plan's order), naming each finding's gist and, for a measure of success of the plan (``plan``, a
    :class:`ccsp_analysis.plans.Plan`), the boards that own it and whether a significant change goes the
    way the plan asks. Findings bearing on no priority get the section's context sentence."""
    owners: dict[str, tuple[list[str], str]] = {}
    if plan is not None:
        for board in plan.boards:
            for m in board.measures:
                # the one polarity rule (as every page's arrows): the plan's `better`, else the measure's own
                usual = "higher" if monitoring.polarity_of(m.measure, m.better) == "higher_better" else "lower"
                names, better = owners.get(m.measure, ([], usual))
                owners[m.measure] = ([*names, board.name], better)
    out = []
    boards = list(dict.fromkeys(f.board for f in findings if f.board))
    for board in boards:  # a performance report: its own boards
        gists = list(dict.fromkeys(f.gist for f in findings if f.board == board and f.gist))
        if gists:
            out.append(priority_implication(board, gists))
    for p, title in PRIORITIES.items():
        mine = [f for f in findings if f.priority == p and f.gist]
        if not mine:
            continue
        parts, seen = [], set()
        for f in mine:
            if f.gist in seen:
                continue
            seen.add(f.gist)
            link = ""
            if f.measure in owners and f.whole:
                boards, better = owners[f.measure]
                link = plan_link_phrase(boards, better, f.direction)
            parts.append(f.gist + link)
        out.append(priority_implication(title, parts))
    if not out:
        out.append(CONTEXT.get(section, "None of these findings is a measure of one of the plan's three priorities "
                                        "on its own: they are context for all three."))
    return out


def build(section: str, result: SectionResult, plan=None) -> pd.DataFrame:
    """The section's findings and what they mean for the plan, as the ``so_what`` table (``kind``: finding or
    implication; ``sentence``; the ``measure``, ``priority`` and ``rule`` behind each finding)."""
    picker = PICKERS.get(section)
    findings = select(picker(result, {})) if picker else []
    bearing = findings if section != "11_priorities" else [*findings, *_every_threat(result)]
    rows = [{"kind": "finding", "sentence": f.sentence, "measure": f.measure, "priority": f.priority, "rule": f.rule}
            for f in findings]
    if not findings:
        rows.append({"kind": "finding", "sentence": finding_sentences_none(coverage.incomplete()), "measure": None,
                     "priority": None, "rule": "none"})
    elif coverage.incomplete() is not None and section not in ("00_data_audit", "09_reconciliation"):
        rows.append({"kind": "finding", "sentence": finding_sentences_none(coverage.incomplete(), some=True),
                     "measure": None, "priority": None, "rule": "incomplete periods"})
    rows += [{"kind": "implication", "sentence": s, "measure": None, "priority": None, "rule": "plan"}
             for s in implications(bearing, plan, section)]
    return pd.DataFrame(rows, columns=COLUMNS)


def plan_of(params):
    """The plan whose boards own the measures of success (``params.plan``), or None (no plan, or a quarterly
    performance report, which reads that year's own boards)."""
    if params is None or getattr(params, "plan", None) is None or getattr(params, "mode", None) == "performance":
        return None
    return load_plan(params.plan)


def findings(result: SectionResult) -> list[str]:
    """The sentences a page opens with (its ``so_what`` findings)."""
    table = result.tables.get(TABLE)
    return [] if table is None else list(table.loc[table["kind"] == "finding", "sentence"])


def meaning(result: SectionResult) -> list[str]:
    """The sentences a page closes with: what its findings mean for the plan's priorities."""
    table = result.tables.get(TABLE)
    return [] if table is None else list(table.loc[table["kind"] == "implication", "sentence"])
