"""Threats and priorities: each crime and ASB grouping scored from the other sections' results, and the plan on a page.

This section runs after every other section but the reconciliation, over their results once the
run's disclosure control has been applied (:func:`ccsp_analysis.sections.registry.compute_sections`).
It takes each grouping's counts, change and test from the change table of the page that reports it
(nothing another section computed is computed again) and adds what no page computes per grouping:
control charts of the groupings the performance page does not chart (the same
:func:`ccsp_analysis.monitoring.monitor`), the share of each grouping in its top small areas, harm
from a weights file the user supplies, and public concern from the survey's priorities.
Method and weights: docs/methods.md, "Threats and priorities".
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ccsp_analysis import monitoring, narrative, stats
from ccsp_analysis.dataset import Dataset
from ccsp_analysis.measures import NOT_COMPARED, available, change_row, count
from ccsp_analysis.params import PRIORITY_CRITERIA, SECTION_TITLES, Params
from ccsp_analysis.plans import Plan, load_plan, measure_label
from ccsp_analysis.result import SectionResult
from ccsp_analysis.sources.harm import read_harm_weights
from ccsp_analysis.stats.scoring import check_weights, rank_scale, weighted_score
from ccsp_analysis.taxonomy import GROUPINGS, grouping_mask

SECTION = "11_priorities"
#: Weights of the criteria unless the parameters' ``priorities: weights:`` say otherwise (docs/methods.md).
DEFAULT_WEIGHTS: dict[str, float] = {"volume": 0.25, "change": 0.20, "signals": 0.15, "concentration": 0.10,
                                     "harm": 0.20, "concern": 0.10}
#: How many items the assessment names as threats, and at most as emerging threats.
TOP = 5
#: Change tables read for a grouping's counts and change, in this order (the first holding its row is used).
CHANGE_TABLES: tuple[tuple[str, str], ...] = (
    ("01_key_findings", "changes"), ("03_priority_1", "changes"), ("04_priority_2", "changes"),
    ("05_priority_3", "changes"), ("08_performance", "plan_measures"))
#: Groupings no change table compares with last year and whose counts are not about people: compared here.
COMPARED_HERE = ("burglary", "criminal_damage", "public_order", "drug_alcohol_related", "theft", "other_crime")
#: Groupings a page compares with last year in another table than a change table, with the same test
#: (``measures.by_key``): (section, table, column naming the row, the row). Robbery is a kind of acquisitive crime
#: on the key findings page (Home Office offence group "Robbery", or the police.uk category on street-level data).
PART_TABLES: dict[str, tuple[str, str, str, str]] = {
    "robbery": ("01_key_findings", "acquisitive_parts", "kind", "Robbery")}
#: Why a grouping is not compared here: its counts overlap counts about people that the run's disclosure
#: control covers, and no page compares it with last year under that control (docs/methods.md).
NOT_COMPARED_HERE: dict[str, str] = {
    "knife": "knife crime of under-18s is a count about people (a kind of serious youth violence)",
    "firearm": "gun crime of under-18s is a count about people (a kind of serious youth violence)",
    "weapons": "possession of weapons is a part of serious violence, a count about people",
    "violence_sexual": "it holds homicide, serious violence and sexual offences, counts about people",
}
#: The ASB groupings scored beside the crime groupings.
ASB_MEASURES: dict[str, str] = {"asb": "Anti-social behaviour (police-recorded)",
                                "council_asb": "Anti-social behaviour (council-recorded)", "fly_tipping": "Fly-tipping"}
#: Resident survey priority answers -> the groupings they name (``priorities: survey:`` replaces it).
SURVEY_GROUPINGS: dict[str, tuple[str, ...]] = {
    "Environmental ASB": ("fly_tipping", "council_asb"),
    "ASB": ("asb", "council_asb"),
    "Motor vehicle / theft": ("vehicle",),
    "Drugs": ("drugs", "drug_possession", "drug_supply"),
    "Burglary": ("burglary",),
    "Violent crime": ("violence_with_injury", "serious_violence", "assault_battery"),
    "Knife crime": ("knife",),
}
#: A grouping whose count averages fewer than this a month in the period has its control chart left out of
#: the score: an XmR chart of a handful of events a month signals on chance runs (e.g. 8 homicides a year),
#: so its "concerning" reading would rank a rare offence as an emerging threat on noise (docs/methods.md).
MIN_MONTHLY_FOR_SIGNALS = 5
#: What the scores table says instead of a reading for such a grouping.
TOO_FEW = narrative.CHART_TOO_FEW
#: The reading of a chart no signal of which touches the period (common-cause variation).
NO_SIGNAL = "no signal"
#: The control-chart criterion: the reading of a grouping's signals in the period, on 0-1.
SIGNAL_SCORES = {"concerning": 1.0, "no signal": 0.5, "mixed": 0.5, "a change to look at": 0.5, "improving": 0.0}
#: Share of small areas the concentration criterion describes (as on the areas page).
TOP_AREA_SHARE = 0.2
#: Monitoring measures of the ASB groupings that have a monthly chart source.
ASB_CHARTS = {"asb": monitoring.Measure("asb", ASB_MEASURES["asb"], "asb"),
              "fly_tipping": monitoring.Measure("fly_tipping", "Fly-tipping", "fly_tipping")}
SCORE_COLUMNS = ["rank", "measure", "label", "current", "previous", "pct_change", "direction", "signals",
                 "concentration", "harm", "concern", *(f"{c}_score" for c in PRIORITY_CRITERIA), "score", "criteria",
                 "category", "page"]
PLAN_COLUMNS = ["board", "objective", "measure", "label", "current", "previous", "pct_change", "direction", "better",
                "status", "page", "page_title", "latest"]
#: Change tables the plan on a page also reads: (section, table, row measure) for measures other than groupings.
PLAN_TABLES = {"da_referrals": ("03_priority_1", "da_referrals", "all"),
               "first_time_entrants": ("03_priority_1", "first_time_entrants", "first_time_entrants")}


def candidates(data: Dataset) -> list[str]:
    """The groupings scored: every grouping of taxonomy.GROUPINGS but total crime, then the ASB groupings."""
    return [g for g in GROUPINGS if g != "trc"] + list(ASB_MEASURES)


def _label(name: str) -> str:
    return GROUPINGS[name].label if name in GROUPINGS else ASB_MEASURES.get(name, name)


def change_rows(results: Mapping[str, SectionResult], data: Dataset, params: Params,
                names: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each grouping's counts, change and test, from the first page's change table holding it.

    Returns the rows found (with ``page``, the section they come from) and the groupings not scored
    with the reason: counts withheld by disclosure control, not given by the data, or counts about
    people that no page compares with last year (:data:`NOT_COMPARED_HERE`). The groupings of
    :data:`COMPARED_HERE`, which no page compares and which are not about people, are compared here with
    the same test; those of :data:`PART_TABLES` are read from the page's table that compares them.
    """
    found, skipped = [], []
    for name in names:
        row = _table_row(results, name)
        if row is not None:
            if pd.isna(row["current"]) or pd.isna(row["previous"]):
                skipped.append({"measure": name, "label": _label(name), "reason": "withheld to protect small numbers"})
            else:
                found.append(row)
        elif name in COMPARED_HERE and name in GROUPINGS and available(data.crimes, name):
            r = change_row(name, _label(name), count(data.crimes, name, params.period),
                           count(data.crimes, name, params.comparison))
            found.append({**r, "page": SECTION})
        elif (part := _part_row(results, name)) is not None:
            found.append(part)
        elif name in GROUPINGS and not available(data.crimes, name):
            skipped.append({"measure": name, "label": _label(name),
                            "reason": "the data cannot give it (it needs the force's victim-level extract)"})
        else:
            why = NOT_COMPARED_HERE.get(name, "its counts are about people")
            skipped.append({"measure": name, "label": _label(name),
                            "reason": f"no page compares it with last year, and {why}: it is not compared here, "
                                      "outside the run's disclosure control"})
    columns = ["measure", "label", "current", "previous", "pct_change", "p_value", "direction", "page"]
    rows = pd.DataFrame([{c: r.get(c) for c in columns} for r in found], columns=columns)
    return rows, pd.DataFrame(skipped, columns=["measure", "label", "reason"])


def _table_row(results: Mapping[str, SectionResult], measure: str,
               tables: tuple[tuple[str, str], ...] = CHANGE_TABLES, row_measure: str | None = None) -> dict | None:
    for section, name in tables:
        table = getattr(results.get(section), "tables", {}).get(name)
        if table is None or table.empty or "measure" not in table.columns:
            continue
        hit = table[table["measure"] == (row_measure or measure)]
        if len(hit):
            r = hit.iloc[0].to_dict()
            return {**r, "measure": measure, "page": section}
    return None


def _part_row(results: Mapping[str, SectionResult], name: str) -> dict | None:
    """A grouping's row of the page table that compares it as a part of another (:data:`PART_TABLES`)."""
    spec = PART_TABLES.get(name)
    table = getattr(results.get(spec[0]), "tables", {}).get(spec[1]) if spec else None
    if table is None or spec[2] not in table.columns:
        return None
    hit = table[table[spec[2]] == spec[3]]
    if hit.empty or hit.iloc[0][["current", "previous"]].isna().any():
        return None
    r = hit.iloc[0]
    return {"measure": name, "label": _label(name), "current": int(r["current"]), "previous": int(r["previous"]),
            "pct_change": r.get("pct_change"), "p_value": r.get("p_value"), "direction": r.get("direction"),
            "page": spec[0]}


def chart_readings(results: Mapping[str, SectionResult], data: Dataset, params: Params,
                   names: list[str], polarity: Mapping[str, str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each grouping's control-chart summary and signals: the performance page's charts where it draws one,
    otherwise a chart drawn here the same way (:func:`ccsp_analysis.monitoring.monitor`).

    Returns (summary rows, signal rows, chart points), each with a ``page`` column.
    """
    perf = getattr(results.get("08_performance"), "tables", {})
    summary = perf.get("spc_summary", pd.DataFrame(columns=monitoring.SUMMARY_COLUMNS)).assign(page="08_performance")
    signals = perf.get("spc_signals", pd.DataFrame(columns=monitoring.SIGNAL_COLUMNS)).assign(page="08_performance")
    points = perf.get("spc_points", pd.DataFrame(columns=monitoring.POINT_COLUMNS)).assign(page="08_performance")
    charted = set(summary["measure"])
    extra = []
    for name in names:
        if name in charted:
            continue
        if name in GROUPINGS:
            extra.append(monitoring.Measure(name, _label(name), "crimes", (polarity or {}).get(name, "higher_worse")))
        elif name in ASB_CHARTS:
            extra.append(ASB_CHARTS[name])
    if extra:
        drawn = monitoring.monitor(data, params, tuple(extra))
        summary = pd.concat([summary, drawn.summary.assign(page=SECTION)], ignore_index=True)
        signals = pd.concat([signals, drawn.signals.assign(page=SECTION)], ignore_index=True)
        points = pd.concat([points, drawn.points.assign(page=SECTION)], ignore_index=True)
    return summary, signals, points


def monthly_mean(points: pd.DataFrame | None, measure: str) -> float | None:
    """The mean of a chart's months in the period (``in_period``), or None when the chart has none."""
    if points is None or points.empty:
        return None
    rows = points[(points["measure"] == measure) & points["in_period"].astype(bool)]
    return float(rows["value"].mean()) if len(rows) else None


def xmr_status(signals: pd.DataFrame, measure: str, polarity: str, per_month: float | None = None) -> str:
    """A measure's control-chart reading in the period: the one function every page's XmR status comes from
    (the ranked table, its evidence and findings, the plan on a page and the index).

    :data:`TOO_FEW` when the chart averages fewer than :data:`MIN_MONTHLY_FOR_SIGNALS` a month in the period
    (``per_month``, :func:`monthly_mean`): such a chart is not read. Otherwise each signal touching the period
    is read with ``polarity`` (:func:`monitoring.assessment`): 'concerning', 'improving', 'a change to look at'
    (neutral), 'mixed' (more than one of these), or 'no signal' when none touches the period (common cause).
    """
    if per_month is not None and per_month < MIN_MONTHLY_FOR_SIGNALS:
        return TOO_FEW
    rows = signals[(signals["measure"] == measure) & (signals["in_period"] == "yes")]
    words = {monitoring.assessment(int(s), polarity) for s in rows["side"]}
    if not words:
        return NO_SIGNAL
    return words.pop() if len(words) == 1 else "mixed"


def _period_frame(data: Dataset, name: str, params: Params) -> pd.DataFrame | None:
    """The rows of grouping ``name`` in the period (crimes, police or council ASB, fly-tipping)."""
    if name in GROUPINGS:
        crimes = data.crimes[data.crimes["fy"] == params.period]
        return crimes[grouping_mask(crimes, name)] if available(data.crimes, name) else None
    if name in ("asb", "council_asb"):
        asb = data.asb
        who = "police" if name == "asb" else "council"
        return asb[(asb["recorded_by"] == who) & (asb["fy"] == params.period)] if "recorded_by" in asb else None
    if name == "fly_tipping":
        ft = data.fly_tipping
        return ft[ft["fy"] == params.period] if "fy" in ft.columns else None
    return None


def concentration_share(frame: pd.DataFrame | None, lsoa_codes: pd.Series) -> float | None:
    """Per cent of the rows in the top 20% of small areas (``stats.concentration``), or None when there are
    fewer rows than small areas: then every row fits in the top areas and the share says nothing."""
    if frame is None or "lsoa_code" not in frame.columns or len(lsoa_codes) == 0 or len(frame) < len(lsoa_codes):
        return None
    counts = frame.groupby("lsoa_code").size().reindex(pd.Index(lsoa_codes.unique()), fill_value=0)
    conc = stats.concentration(counts, TOP_AREA_SHARE)
    return None if conc.crime_share is None else 100.0 * conc.crime_share


def harm_per_crime(frame: pd.DataFrame | None, weights: pd.DataFrame) -> tuple[float | None, float | None]:
    """Mean harm weight per crime of the grouping (over crimes whose offence code has a weight) and the
    per cent of its crimes that had one; (None, None) without offence codes or without crimes."""
    if frame is None or "ho_code" not in frame.columns or frame["ho_code"].isna().all() or frame.empty:
        return None, None
    w = frame["ho_code"].map(weights.set_index("offence_code")["weight"])
    if w.notna().sum() == 0:
        return None, 0.0
    return float(w.mean()), 100.0 * float(w.notna().mean())


def concern(priorities: pd.DataFrame | None, mapping: Mapping[str, tuple[str, ...]]) -> dict[str, float]:
    """Per cent of survey respondents naming a grouping among their top three priorities (the largest over
    the answers that name it); groupings no answer names are left out."""
    if priorities is None or priorities.empty or "top_three_pct" not in priorities.columns:
        return {}
    pct = priorities.set_index("priority")["top_three_pct"]
    out: dict[str, float] = {}
    for answer, groupings in mapping.items():
        if answer in pct.index and pd.notna(pct[answer]):
            for g in groupings:
                out[g] = max(out.get(g, 0.0), float(pct[answer]))
    return out


def signed_change(pct_change, direction) -> float | None:
    """The change criterion's raw value: the % change when significant (negative for a fall; infinite for a
    significant rise from none), 0 when stable, None when not compared."""
    if direction in ("UP", "DOWN"):
        if pd.isna(pct_change):
            return float("inf") if direction == "UP" else 0.0
        return float(pct_change)
    if direction == "STABLE":
        return 0.0
    return None


def change_score(change: pd.Series, direction: pd.Series) -> pd.Series:
    """The change criterion on 0-1: a threat assessment counts only what rises significantly.

    0 for every grouping the test does not call a significant rise (STABLE, or a significant fall); the k
    significant rises (``direction`` UP) score r / k, r the rank of their ``change`` among the rises (1 = the
    smallest, ties sharing their average rank), so the largest rise scores 1 and the smallest 1 / k, above 0.
    Missing (not scored) when the change was not compared.
    """
    direction = pd.Series(direction, index=change.index)
    out = pd.Series(np.nan, index=change.index, dtype=float)
    out[direction.isin(["UP", "DOWN", "STABLE"])] = 0.0
    up = direction == "UP"
    if up.any():
        size = pd.to_numeric(change[up], errors="coerce").astype(float).fillna(np.inf)  # a rise from none: largest
        out[up] = size.rank(method="average") / int(up.sum())
    return out


def score_table(raw: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """Scale each criterion to 0-1 and score each row (``stats.scoring``); rank by score (1 = highest).

    ``raw`` columns: ``volume`` (count this year), ``change`` (:func:`signed_change`) with ``direction``,
    ``signals`` (already 0-1, :data:`SIGNAL_SCORES`), ``concentration`` (%), ``harm`` (mean weight), ``concern``
    (%). ``change`` is scored by :func:`change_score` (0 unless a significant rise); every other criterion but
    ``signals`` is rank-scaled (:func:`ccsp_analysis.stats.scoring.rank_scale`).
    Ties in score share the better rank; equal scores are listed by volume, then label.
    """
    out = raw.copy()
    for c in PRIORITY_CRITERIA:
        values = out[c] if c in out.columns else pd.Series(np.nan, index=out.index)
        if c == "signals":
            out[f"{c}_score"] = values.astype(float)
        elif c == "change" and "direction" in out.columns:
            out[f"{c}_score"] = change_score(values, out["direction"])
        else:
            out[f"{c}_score"] = rank_scale(values)
    scaled = out[[f"{c}_score" for c in PRIORITY_CRITERIA]].set_axis(list(PRIORITY_CRITERIA), axis=1)
    out["score"] = weighted_score(scaled, weights)
    used = [c for c in PRIORITY_CRITERIA if weights.get(c, 0) > 0]
    out["criteria"] = [", ".join(c for c in used if pd.notna(scaled.at[i, c])) for i in out.index]
    order = out.assign(_v=out["volume"].astype(float)).sort_values(["score", "_v", "label"], ascending=[False, False, True],
                                                                    kind="stable", na_position="last")
    out = order.drop(columns="_v").reset_index(drop=True)
    out.insert(0, "rank", out["score"].rank(method="min", ascending=False).astype("Int64"))
    return out


def categorise(scores: pd.DataFrame, top: int = TOP) -> pd.Series:
    """'threat' for the ``top`` highest scores; 'emerging threat' for up to ``top`` more with a
    statistically significant rise or whose control chart has concerning signals while their volume is below the middle
    (volume score under 0.5); '' otherwise."""
    category = pd.Series("", index=scores.index, dtype=object)
    scored = scores[scores["score"].notna()]
    threats = scored.index[:top]
    category[threats] = "threat"
    rising = (scored["direction"] == "UP") | (scored["signals_reading"] == "concerning")
    emerging = scored[rising & (scored["volume_score"] < 0.5) & ~scored.index.isin(threats)].index[:top]
    category[emerging] = "emerging threat"
    return category


def weights_for(params: Params, harm: bool, survey: bool) -> tuple[dict[str, float], pd.DataFrame]:
    """The weights used (defaults overridden by the parameters; harm and concern only when they have data)
    and a table of every criterion with its weight, whether it was used and why not."""
    given = {**DEFAULT_WEIGHTS, **params.priorities.weights}
    check_weights(given, list(PRIORITY_CRITERIA))
    rows, used = [], {}
    for c in PRIORITY_CRITERIA:
        why = ""
        if c == "harm" and not harm:
            why = "no harm weights file was supplied (priorities.harm_weights)"
        elif c == "concern" and not survey:
            why = "no resident survey priorities for the year"
        elif given[c] == 0:
            why = "weight 0"
        if not why:
            used[c] = given[c]
        rows.append({"criterion": c, "weight": given[c], "source": "parameters" if c in params.priorities.weights
                     else "default", "used": "no" if why else "yes", "why_not": why, "scaling": SCALING[c]})
    if not used:
        used = {"volume": 1.0}
    return used, pd.DataFrame(rows)


SCALING = {"volume": "rank among the groupings scored",
           "change": "0 unless a statistically significant rise (0 when stable or a significant fall); significant "
                     "rises ranked by their % rise from above 0 to 1 (the largest)",
           "signals": "concerning 1, none or mixed 0.5, improving 0", "concentration": "rank of the % in the top 20% of small areas",
           "harm": "rank of the mean harm weight per crime", "concern": "rank of the % naming it in their top three"}


def plan_on_a_page(plan: Plan, results: Mapping[str, SectionResult], summary: pd.DataFrame,
                   signals: pd.DataFrame, points: pd.DataFrame | None = None) -> pd.DataFrame:
    """The plan's measures of success by the board that owns them: latest value, last year, direction of
    travel, XmR status read with the measure's polarity, and the page the value comes from.

    ``summary``/``signals``/``points``: the control charts' summary, signal rows and points
    (:func:`chart_readings`); the status is :func:`xmr_status` (the ranked table's reading), and a measure
    without a chart is 'no monthly chart'. A board with no measure in the data is one row.
    """
    charted = set(summary["measure"]) if len(summary) else set()
    rows = []
    for board in plan.boards:
        if not board.measures:
            rows.append({"board": board.name, "objective": board.objective, "measure": None,
                         "label": "No measure of this board is in the data", "status": "", "page": None,
                         "latest": ""})
        for m in board.measures:
            polarity = monitoring.polarity_of(m.measure, m.better)
            row = {"board": board.name, "objective": board.objective, "measure": m.measure,
                   "label": measure_label(m.measure), "better": "higher" if polarity == "higher_better" else "lower"}
            if m.measure == "reoffending_rate":
                fig = next((f for f in getattr(results.get("03_priority_1"), "figures", [])
                            if f["id"] == "reoffending_rate" and not f.get("withheld")), None)
                row.update(current=None if fig is None else fig["value"], page="03_priority_1" if fig else None)
            else:
                spec = PLAN_TABLES.get(m.measure)
                found = (_table_row(results, m.measure, (spec[:2],), spec[2]) if spec
                         else _table_row(results, m.measure))
                if found is not None:
                    row.update({k: found.get(k) for k in ("current", "previous", "pct_change", "direction", "page")})
            row["page_title"] = SECTION_TITLES.get(row.get("page"))
            row["status"] = (xmr_status(signals, m.measure, polarity, monthly_mean(points, m.measure))
                             if m.measure in charted else "no monthly chart")
            value = row.get("current")
            row["latest"] = ("not available" if value is None or pd.isna(value)
                             else narrative.fmt_pct(float(value)) if m.measure == "reoffending_rate"
                             else narrative.fmt_count(int(value)))
            rows.append(row)
    return pd.DataFrame(rows, columns=PLAN_COLUMNS)


def matrix(scores: pd.DataFrame, harm: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The matrix chart's points (label, category, x, y) and its title and axis labels: volume against
    harm when harm weights were supplied, otherwise volume against change (and the title says harm is
    not included)."""
    y = "harm_score" if harm else "change_score"
    points = scores[["label", "category"]].assign(x=scores["volume_score"], y=scores[y])
    axes = {"title": "Volume against harm" if harm else "Volume against change on last year (harm not included)",
            "xlabel": "Volume (likelihood): rank, 0 to 1",
            "ylabel": "Harm (impact): rank, 0 to 1" if harm
            else "Significant rise on last year: 0 (none) to 1 (the largest)"}
    return points, pd.DataFrame([axes])


def priorities(data: Dataset, params: Params, results: Mapping[str, SectionResult] | None = None) -> SectionResult:
    """Score every crime and ASB grouping, name the threats and emerging threats, and build the plan on a page.

    ``results``: the other sections' results after the run's disclosure control (the registry passes
    them); a grouping is read from the page that reports it.
    """
    results = results or {}
    out = SectionResult()
    names = candidates(data)
    rows, skipped = change_rows(results, data, params, names)
    # one polarity and one chart reading for every table of the page (and the index): the plan's polarity
    plan_polarity = monitoring.plan_polarities(params)
    summary, signals, points = chart_readings(results, data, params, list(rows["measure"]), plan_polarity)
    charted = set(summary["measure"])
    codes = data.geography["lsoa_code"] if "lsoa_code" in data.geography else pd.Series(dtype=object)
    harm_file = params.priorities.harm_weights
    weights_table = read_harm_weights(harm_file) if harm_file is not None else None
    survey = getattr(results.get("07_survey"), "tables", {}).get("priorities")
    mapping = params.priorities.survey if params.priorities.survey is not None else SURVEY_GROUPINGS
    concern_pct = concern(survey, mapping)
    raw = []
    for r in rows.itertuples(index=False):
        frame = _period_frame(data, r.measure, params)
        harm, covered = harm_per_crime(frame, weights_table) if weights_table is not None else (None, None)
        reading = (xmr_status(signals, r.measure, monitoring.measure_polarity(r.measure, plan_polarity),
                              monthly_mean(points, r.measure)) if r.measure in charted else "no chart")
        raw.append({"measure": r.measure, "volume": r.current, "change": signed_change(r.pct_change, r.direction),
                    "signals_reading": reading, "signals": SIGNAL_SCORES.get(reading),
                    "concentration": concentration_share(frame, codes),
                    "harm": harm, "harm_coverage": covered, "concern": concern_pct.get(r.measure)})
    raw = pd.DataFrame(raw, columns=["measure", "volume", "change", "signals_reading", "signals", "concentration", "harm",
                                     "harm_coverage", "concern"])
    table = rows.merge(raw, on="measure", how="left")
    used, weight_rows = weights_for(params, harm=weights_table is not None, survey=bool(concern_pct))
    scores = monitoring.with_polarity(score_table(table, used), plan_polarity)
    scores["category"] = categorise(scores)
    scores["page_title"] = scores["page"].map(SECTION_TITLES)
    out.tables["scores"] = scores
    out.tables["weights"] = weight_rows
    out.tables["not_scored"] = skipped
    period = params.fy.text if hasattr(params.fy, "text") else params.period
    previous = params.comparison_fy.text
    evidence = [{"rank": r.rank, "label": r.label, "category": r.category, "score": r.score,
                 "evidence": narrative.priority_evidence(r._asdict(), previous)}
                for r in scores.itertuples(index=False) if r.category]
    ev = pd.DataFrame(evidence, columns=["rank", "label", "category", "score", "evidence"])
    out.tables["threats"] = ev[ev["category"] == "threat"].reset_index(drop=True)
    out.tables["emerging"] = ev[ev["category"] == "emerging threat"].reset_index(drop=True)
    out.plots["matrix"], out.tables["matrix_axes"] = matrix(scores, harm=weights_table is not None)
    out.sentences += narrative.priorities_summary(
        len(scores), list(out.tables["threats"]["label"]), list(out.tables["emerging"]["label"]), period,
        harm=weights_table is not None, harm_file=Path(harm_file).name if harm_file else None,
        survey=bool(concern_pct), withheld=int((skipped["reason"].str.startswith("withheld")).sum()),
        compared=not (rows["direction"] == NOT_COMPARED).any())
    plan = load_plan(params.plan) if params.plan is not None else None
    if plan is not None:
        extra = [m for m in plan_polarity if m not in set(summary["measure"])]
        if extra:
            s2, g2, p2 = chart_readings({}, data, params, extra, plan_polarity)
            summary, signals = pd.concat([summary, s2], ignore_index=True), pd.concat([signals, g2], ignore_index=True)
            points = pd.concat([points, p2], ignore_index=True)
        out.tables["plan"] = monitoring.with_polarity(plan_on_a_page(plan, results, summary, signals, points),
                                                       plan_polarity)
        out.tables["plan_source"] = pd.DataFrame([{"name": plan.name, "source": plan.source}])
    else:
        out.tables["plan"] = pd.DataFrame(columns=PLAN_COLUMNS)
        out.tables["plan_source"] = pd.DataFrame(columns=["name", "source"])
    # no empty table on a page: an empty list is said in the summary sentences instead (no emerging threat, no plan)
    for name in ("threats", "emerging", "not_scored", "plan", "plan_source"):
        if out.tables[name].empty:
            del out.tables[name]
    return out
