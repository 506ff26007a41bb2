"""Resident survey: every measure with its base and Wilson interval, reasons, priorities and change since the last wave."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ccsp_analysis import narrative, stats
from ccsp_analysis.dataset import Dataset
from ccsp_analysis.disclosure import Key, Register, key
from ccsp_analysis.params import Params
from ccsp_analysis.people import (
    new_result,
    people_rows,
    people_table,
    register,
    settle,
    withheld_sentence,
)
from ccsp_analysis.result import SectionResult
from ccsp_analysis.stats import COMPARISON_RESULTS, compare_proportions

SECTION = "07_survey"
#: Answers that are not substantive: left out of every percentage's base.
NOT_SUBSTANTIVE = ("dont_know",)
AGREE = ("agree", "neither", "disagree")
YES_NO = ("yes", "no")
PRIORITY_COLUMNS = ("priority_1", "priority_2", "priority_3")
#: Columns of the canonical survey table this section reads (docs/data.md).
SURVEY_COLUMNS = ["respondent_id", "survey_year", "ward_code", "weight", "feel_safe_day", "feel_safe_night",
                  "asb_change", "avoid_city_centre_day", "avoid_city_centre_night", "victim_or_know_victim",
                  "reported", "reason_not_reported", *PRIORITY_COLUMNS]  # fmt: skip


@dataclass(frozen=True)
class Measure:
    """One survey percentage: respondents answering ``success`` among those giving a substantive answer.

    ``answers`` lists the substantive answers (None: any answer except blank and "don't know");
    ``among`` restricts the base to respondents whose ``among[0]`` answer is ``among[1]``.
    """

    id: str
    label: str
    column: str
    success: str
    answers: tuple[str, ...] | None
    among: tuple[str, str] | None = None
    decimals: int = 1
    kind: str = "pct"


# fmt: off
MEASURES = (
    Measure("feel_safe_day", "Feel safe during the day (agree)", "feel_safe_day", "agree", AGREE),
    Measure("feel_unsafe_night", "Do not feel safe after dark (disagree that they feel safe)", "feel_safe_night",
            "disagree", AGREE),
    Measure("asb_increased", "Think ASB has increased in the last 12 months", "asb_change", "increased",
            ("increased", "same", "decreased")),
    Measure("avoid_city_centre_day", "Avoid the city centre during the day", "avoid_city_centre_day", "yes",
            YES_NO, decimals=2),
    Measure("avoid_city_centre_night", "Avoid the city centre at night", "avoid_city_centre_night", "yes", YES_NO),
    Measure("victim_or_know_victim", "Victim of crime, or know a victim", "victim_or_know_victim", "yes", YES_NO),
    Measure("did_not_report", "Did not report it to the police (of victims and those who know one)", "reported",
            "no", YES_NO),
    Measure("did_not_report_nothing_would_happen", "Did not report because nothing would happen (of those who "
            "did not)", "reason_not_reported", "nothing_would_happen", None, among=("reported", "no"), kind="share"),
)
MEASURE_COLUMNS = ["id", "label", "n", "successes", "pct", "low", "high",
                   "weighted_pct", "weighted_low", "weighted_high", "effective_n"]
#: Columns of the measure table hidden with a measure's small counts (its base n stays).
HIDDEN_WITH_COUNTS = ["successes", "pct", "low", "high", "weighted_pct", "weighted_low", "weighted_high"]
#: ``pct``/``previous_pct`` are the estimates compared: weighted when both waves carry weights (``weighted``).
COMPARISON_COLUMNS = ["id", "label", "pct", "n", "effective_n", "previous_pct", "previous_n", "previous_effective_n",
                      *COMPARISON_RESULTS, "weighted"]
# fmt: on


def waves(survey: pd.DataFrame, params: Params) -> tuple[int, int | None]:
    """The survey year of the assessment (the year its financial year ends) and the latest earlier wave present."""
    current = params.fy.start_year + 1
    earlier = sorted(int(y) for y in survey["survey_year"].dropna().unique() if y < current)
    return current, (int(earlier[-1]) if earlier else None)


def base(survey: pd.DataFrame, measure: Measure) -> pd.DataFrame:
    """The respondents in ``measure``'s base: in its sub-group, giving a substantive answer."""
    rows = survey if measure.among is None else survey[survey[measure.among[0]] == measure.among[1]]
    answer = rows[measure.column]
    keep = (
        answer.isin(measure.answers)
        if measure.answers
        else answer.notna() & ~answer.isin(NOT_SUBSTANTIVE)
    )
    return rows[keep.fillna(False).astype(bool)]


def weighted(rows: pd.DataFrame) -> bool:
    """Whether respondents carry survey weights to use: a ``weight`` for every one (and some not zero)."""
    if "weight" not in rows.columns or rows.empty:
        return False
    w = pd.to_numeric(rows["weight"], errors="coerce")
    return bool(w.notna().all() and w.sum() > 0)


def _answers(rows: pd.DataFrame, measure: Measure) -> tuple[np.ndarray, np.ndarray | None]:
    """One boolean per respondent of the base (answered ``success``) and their weights (None when unweighted)."""
    hits = (rows[measure.column] == measure.success).to_numpy(dtype=bool)
    return hits, rows["weight"].to_numpy(dtype=float) if weighted(rows) else None


def estimate(survey: pd.DataFrame, measure: Measure) -> dict:
    """``measure`` on one wave: base n, successes, and unweighted and weighted Wilson 95% intervals (in %).

    The weighted estimate (None when the respondents carry no weights) has its interval at Kish's
    effective sample size, ``effective_n``.
    """
    rows = base(survey, measure)
    hits, weights = _answers(rows, measure)
    p, low, high = stats.wilson_interval(int(hits.sum()), len(rows))
    wp, wlow, whigh = (None, None, None) if weights is None else stats.wilson_interval(hits, weights=weights)
    n_eff = None if weights is None else stats.effective_sample_size(weights)
    pct = [None if v is None else 100.0 * v for v in (p, low, high, wp, wlow, whigh)]
    return dict(
        zip(
            MEASURE_COLUMNS,
            [measure.id, measure.label, len(rows), int(hits.sum()), *pct, n_eff],
            strict=True,
        )
    )


def measure_table(survey: pd.DataFrame) -> pd.DataFrame:
    """Every measure of :data:`MEASURES` on one wave (rows with n = 0 have no percentage)."""
    return pd.DataFrame([estimate(survey, m) for m in MEASURES], columns=MEASURE_COLUMNS)


def compare_waves(current: pd.DataFrame, previous: pd.DataFrame, measure: Measure) -> dict:
    """``measure`` this wave against the previous one (two waves of respondents).

    Weighted when both waves carry weights (:func:`ccsp_analysis.stats.compare_proportions` with
    weights: each wave's weighted proportion at its Kish effective sample size), unweighted
    otherwise; ``n`` and ``previous_n`` are always the numbers of respondents answering.
    """
    now, then = base(current, measure), base(previous, measure)
    (hits, w_now), (hits_then, w_then) = _answers(now, measure), _answers(then, measure)
    use_weights = w_now is not None and w_then is not None
    if use_weights:
        result = compare_proportions(hits, len(now), hits_then, len(then), weights1=w_now, weights2=w_then)
        pcts = [stats.wilson_interval(h, weights=w)[0] for h, w in ((hits, w_now), (hits_then, w_then))]
        n_eff = [stats.effective_sample_size(w) for w in (w_now, w_then)]
    else:
        result = compare_proportions(int(hits.sum()), len(now), int(hits_then.sum()), len(then))
        pcts = [h.sum() / len(h) if len(h) else None for h in (hits, hits_then)]
        n_eff = [float(len(now)), float(len(then))]
    pct, previous_pct = (None if v is None else 100.0 * v for v in pcts)
    return {"id": measure.id, "label": measure.label, "pct": pct, "n": len(now), "effective_n": n_eff[0],
            "previous_pct": previous_pct, "previous_n": len(then), "previous_effective_n": n_eff[1],
            **result, "weighted": use_weights}


def comparison_table(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Each measure this wave against the previous wave (two waves of respondents; see :func:`compare_waves`)."""
    return pd.DataFrame([compare_waves(current, previous, m) for m in MEASURES], columns=COMPARISON_COLUMNS)


def _label(code: str) -> str:
    return code.replace("_", " ").capitalize()


def reasons_table(survey: pd.DataFrame) -> pd.DataFrame:
    """Reasons given for not reporting, as counts and % of those who did not report and gave a reason."""
    rows = base(survey, MEASURES[-1])
    counts = (
        rows["reason_not_reported"]
        .value_counts()
        .sort_index()
        .sort_values(ascending=False, kind="stable")
    )
    table = pd.DataFrame(
        {"reason": [_label(c) for c in counts.index], "respondents": counts.to_numpy()}
    )
    table["pct"] = table["respondents"] * 100.0 / len(rows) if len(rows) else None
    return table


def priorities_table(survey: pd.DataFrame) -> pd.DataFrame:
    """Each priority: respondents naming it first, and naming it in their top three, with % of those answering."""
    cols = [c for c in PRIORITY_COLUMNS if c in survey.columns]
    first = survey["priority_1"].dropna()
    named = pd.Series(
        [{p for p in row if pd.notna(p)} for row in survey[cols].itertuples(index=False)],
        dtype=object,
    )
    any_n = pd.Series([p for s in named for p in s], dtype=object).value_counts()
    table = pd.DataFrame({"first": first.value_counts(), "top_three": any_n}).fillna(0).astype(int)
    table = (
        table.rename_axis("priority")
        .reset_index()
        .sort_values(
            ["first", "top_three", "priority"], ascending=[False, False, True], kind="stable"
        )
    )
    answering = int((named.map(len) > 0).sum())
    table["first_pct"] = table["first"] * 100.0 / len(first) if len(first) else None
    table["top_three_pct"] = table["top_three"] * 100.0 / answering if answering else None
    return table.reset_index(drop=True)


def by_ward(
    survey: pd.DataFrame, geography: pd.DataFrame, column: str = "feel_safe_night"
) -> pd.DataFrame:
    """Substantive answers to ``column`` by the respondent's ward (counts, with a total column)."""
    rows = survey[survey[column].isin(AGREE) & survey["ward_code"].notna()]
    names = geography.drop_duplicates("ward_code").set_index("ward_code")["ward_name"]
    table = pd.crosstab(rows["ward_code"].map(names).fillna(rows["ward_code"]), rows[column])
    table = table.reindex(columns=list(AGREE), fill_value=0).sort_index()
    table["total"] = table.sum(axis=1)
    table.index.name, table.columns.name = "ward_name", None
    return table


@dataclass(frozen=True)
class MeasureKeys:
    """What a measure's counts count: respondents answering (``n``), answering its ``success``
    (``yes``) and answering otherwise (``no``), in one survey year."""

    n: Key
    yes: Key
    no: Key


def measure_keys(year: int, measure: Measure) -> MeasureKeys:
    def of(answer=None) -> Key:
        return key(count="respondents", survey=year, measure=measure.id, answer=answer)
    return MeasureKeys(of(), of(_label(measure.success)), of(f"not {_label(measure.success)}"))


def _register_measures(out: SectionResult, table: pd.DataFrame, year: int, name: str = "") -> list[MeasureKeys]:
    """Register each measure's counts: ``n`` (published) is its ``yes`` and ``no`` added up.

    With a ``name`` the table is stored as that name (``n`` and ``successes`` its cells, the
    percentages derived from the counts); without one the counts are shown only through other
    tables (the previous wave through the comparison).
    """
    reg = register(out, SECTION)
    keys = [measure_keys(year, m) for m in MEASURES]
    if name:
        out.tables[name] = table.astype({"successes": "Int64"}).reset_index(drop=True)
    for i, (row, k) in enumerate(zip(table.itertuples(), keys, strict=True)):
        where = {"table": name, "row": i, "label": row.id} if name else {}
        reg.count(k.n, row.n, column="n" if name else None, **where)
        reg.count(k.yes, row.successes, column="successes" if name else None, **where)
        reg.count(k.no, row.n - row.successes)
        reg.line([k.yes, k.no], k.n)
        if name:
            reg.derive(name, i, HIDDEN_WITH_COUNTS, [k.yes, k.no])
            reg.derive(name, i, ["effective_n"], [k.n])
    return keys


def _register_comparison(out: SectionResult, comparison: pd.DataFrame, now: list[MeasureKeys],
                         before: list[MeasureKeys]) -> None:
    """The comparison shows both waves' bases; its percentages and test derive from both waves' counts."""
    reg = register(out, SECTION)
    out.tables["comparison"] = comparison.reset_index(drop=True)
    for i, (row, k, k0) in enumerate(zip(comparison.itertuples(), now, before, strict=True)):
        reg.count(k.n, row.n, "comparison", i, "n", row.id)
        reg.count(k0.n, row.previous_n, "comparison", i, "previous_n", row.id)
        reg.derive("comparison", i, ["pct", "previous_pct", *COMPARISON_RESULTS], [k.yes, k.no, k0.yes, k0.no])
        reg.derive("comparison", i, ["effective_n"], [k.n])
        reg.derive("comparison", i, ["previous_effective_n"], [k0.n])


def _register_reasons(out: SectionResult, table: pd.DataFrame, year: int, keys: MeasureKeys) -> None:
    """Reasons for not reporting: they add up to the base of "nothing would happen" (its ``n``), and
    every reason but that one to its ``no``; a percentage derives from its count and that base."""
    reg = register(out, SECTION)
    measure = MEASURES[-1]

    def of(row) -> Key:
        return key(count="respondents", survey=year, measure=measure.id, answer=row.reason)

    people_rows(out, SECTION, "reasons", table, {"respondents": of}, "reason")
    rows = list(table.itertuples())
    if keys.yes not in reg.values():
        reg.count(keys.yes, 0)
    reg.line([of(r) for r in rows], keys.n)
    reg.line([of(r) for r in rows if of(r) != keys.yes], keys.no)
    for i, r in enumerate(rows):
        reg.derive("reasons", i, ["pct"], [of(r), keys.n])


def _register_priorities(out: SectionResult, table: pd.DataFrame, year: int, now: pd.DataFrame) -> None:
    """Priorities named first and in the top three; each row and column also counts as adding up
    (secondary suppression), and the first column adds up to those naming a first priority."""
    reg = register(out, SECTION)

    def of(question: str, answer=None) -> Key:
        return key(count="respondents", survey=year, question=question, answer=answer)

    first = lambda r: of("first priority", r.priority)  # noqa: E731
    top = lambda r: of("top three priorities", r.priority)  # noqa: E731
    people_rows(out, SECTION, "priorities", table, {"first": first, "top_three": top}, "priority")
    cols = [c for c in PRIORITY_COLUMNS if c in now.columns]
    answering = int(now[cols].notna().any(axis=1).sum()) if cols else 0
    reg.count(of("first priority"), int(table["first"].sum()))
    reg.count(of("any priority"), answering)
    rows = list(table.itertuples())
    reg.line([first(r) for r in rows], of("first priority"))
    reg.line([top(r) for r in rows])
    for i, r in enumerate(rows):
        reg.line([first(r), top(r)])
        reg.derive("priorities", i, ["first_pct"], [first(r), of("first priority")])
        reg.derive("priorities", i, ["top_three_pct"], [top(r), of("any priority")])


def _register_wards(out: SectionResult, wards: pd.DataFrame, year: int, threshold: int) -> None:
    """Feeling safe after dark by ward: each ward's answers add up to its total; % disagree derives from both."""
    reg = register(out, SECTION)

    def of(ward, answer) -> Key:
        return key(count="respondents", survey=year, question="feel_safe_night", ward=ward,
                   answer=None if answer == "total" else answer)

    disagree = wards["disagree"].div(wards["total"].replace(0, np.nan)) * 100
    people_table(out, SECTION, "safety_by_ward", wards, threshold, of, total_col="total")
    out.tables["safety_by_ward"]["disagree_pct"] = disagree.astype("Float64").to_numpy()
    for i, ward in enumerate(wards.index):
        reg.derive("safety_by_ward", i, ["disagree_pct"], [of(ward, "disagree"), of(ward, "total")])


def _sentences(
    reg: Register, year: int, table: pd.DataFrame, keys: list[MeasureKeys], previous: int | None,
    comparison: pd.DataFrame,
) -> list[str]:
    """The page's summary (each measure's sentence withheld when disclosure control hides its counts)."""
    weights = bool(table["effective_n"].notna().any())
    out = [
        f"Percentages are of the respondents to the {year} survey who gave a substantive answer to each question "
        '(blank answers and "don\'t know" are left out)'
        + ("; they are weighted with the survey's weights, with intervals at Kish's effective sample size, and the "
           "unweighted share of respondents follows each (the figure reconciled with published figures)."
           if weights else "; the survey supplies no weights, so they are unweighted.")
    ]
    for row, k in zip(table.itertuples(), keys, strict=True):
        if pd.notna(row.weighted_pct):
            text = (f"{row.label}: {narrative.fmt_pct(row.weighted_pct)} weighted (95% interval "
                    f"{narrative.fmt_pct(row.weighted_low)} to {narrative.fmt_pct(row.weighted_high)}; "
                    f"{narrative.fmt_count(row.n)} answering; unweighted {narrative.fmt_pct(row.pct)}).")
        elif pd.notna(row.pct):
            text = (f"{row.label}: {narrative.fmt_pct(row.pct)} (95% interval {narrative.fmt_pct(row.low)} to "
                    f"{narrative.fmt_pct(row.high)}; {narrative.fmt_count(row.n)} answering).")
        else:
            continue
        out.append(reg.phrase((text, (k.yes, k.no, k.n), withheld_sentence(row.label))))
    if previous is None:
        out.append("There is no earlier survey wave in the data to compare with.")
    elif len(comparison):
        shown = comparison.loc[comparison["direction"].notna()]  # a hidden measure is counted nowhere
        moved = shown[shown["direction"].isin(["UP", "DOWN"])]
        names = [r.label.split(" (")[0].lower() for r in moved.itertuples()]
        how = " (weighted estimates)" if comparison["weighted"].astype(bool).any() else ""
        used = tuple(x for i in shown.index for x in (keys[i].yes, keys[i].no))
        out.append(reg.phrase((
            f"Against the {previous} survey{how}, {len(moved)} of {len(shown)} measures changed significantly"
            + (f" ({narrative.fmt_list(names)})." if names else "."), used,
            withheld_sentence(f"The change since the {previous} survey"))))
    return out


def survey(data: Dataset, params: Params) -> SectionResult:
    """Compute the resident survey section for ``params`` (the wave of the year its financial year ends).

    Without a wave for the year the result is one sentence saying so (naming the waves the data
    hold) and no tables, so the page shows no empty table.
    """
    out = new_result()
    if not len(data.survey.columns):  # no survey supplied: one sentence, no empty tables
        out.sentences.append(narrative.needs_sentence("survey"))
        return out
    responses = data.survey
    year, previous = waves(responses, params)
    now = responses[responses["survey_year"] == year]
    if now.empty:  # no wave for the year: one sentence naming the waves there are, and no empty tables
        held = sorted({int(y) for y in responses["survey_year"].dropna()})
        out.sentences.append(narrative.no_wave_sentence(params.fy.text, year, held))
        return out
    threshold = params.disclosure_threshold
    reg = register(out, SECTION)
    table = measure_table(now)
    keys = _register_measures(out, table, year, "measures")
    comparison = pd.DataFrame(columns=COMPARISON_COLUMNS)
    if previous is not None:  # without an earlier wave the page says so in a sentence (no empty table)
        earlier = responses[responses["survey_year"] == previous]
        comparison = comparison_table(now, earlier)
        _register_comparison(out, comparison, keys, _register_measures(out, measure_table(earlier), previous))
    _register_reasons(out, reasons_table(now), year, keys[-1])
    _register_priorities(out, priorities_table(now), year, now)
    _register_wards(out, by_ward(now, data.geography), year, threshold)
    for measure, row, k in zip(MEASURES, table.itertuples(), keys, strict=True):
        # as published: the share of respondents (unweighted); beside it the weighted estimate the page leads with
        out.add_figure(measure.id, row.pct, measure.label, measure.kind, measure.decimals)
        out.add_figure(f"{measure.id}_weighted", row.weighted_pct, f"{measure.label}, weighted", measure.kind,
                       measure.decimals)
        for fid in (measure.id, f"{measure.id}_weighted"):
            reg.figure(fid, [k.yes, k.no])
    top = priorities_table(now).query("first > 0").head(3)["priority"].tolist()
    out.add_figure(
        "top_priorities", top or None, "Top three first priorities named by residents", "list"
    )
    settle(out, threshold)
    out.sentences += _sentences(reg, year, table, keys, previous, out.tables.get("comparison", comparison))
    settle(out, threshold)
    if top:
        out.sentences.append(
            f"The priorities residents named first most often were {narrative.fmt_list(top)}."
        )
    return out
