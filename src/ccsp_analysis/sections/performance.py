"""Performance and plan monitoring: plan measures by board, control-chart exceptions, similar areas, projections, and the quarterly performance report."""

from __future__ import annotations

import pandas as pd

from ccsp_analysis import monitoring, narrative, stats
from ccsp_analysis.dataset import Dataset
from ccsp_analysis.disclosure import key
from ccsp_analysis.errors import StatsError
from ccsp_analysis.formatting import fmt_list, fmt_number, round_half_up
from ccsp_analysis.measures import (
    available,
    change_row,
    grouping_changes,
    grouping_needs,
    population_for,
    share,
    street_level,
)
from ccsp_analysis.params import REPORT_MEASURES, Params
from ccsp_analysis.people import (
    crimes_key,
    people_table,
    register,
    register_hate_strands,
    settle,
    withheld_sentence,
)
from ccsp_analysis.periods import FinancialYear
from ccsp_analysis.plans import load_plan
from ccsp_analysis.result import SectionResult
from ccsp_analysis.schemas import CRIME_FLAGS
from ccsp_analysis.sources import districts
from ccsp_analysis.taxonomy import GROUPINGS, grouping_mask, grouping_need

#: The plan on a page: each board's measures (groupings of taxonomy.GROUPINGS).
PLAN: dict[str, tuple[str, ...]] = {
    "Priority 1: offending, reoffending and serious violence": ("serious_youth_violence", "violence_with_injury", "domestic_abuse", "sexual_offences", "vawg"),
    "Priority 2: public place safety and reassurance": ("trc", "shoplifting", "drugs", "alcohol_related"),
    "Priority 3: exploitation and protecting victims": ("hate_crime", "county_lines", "cse", "modern_slavery", "honour_based_abuse"),
}
#: Monthly series charted as control charts and projected.
SERIES = ("trc", "domestic_abuse", "serious_youth_violence", "shoplifting")
HISTORY_MONTHS = 48  # 36 to fit a projection and 12 more to back-test the same model on
SECTION = "08_performance"
#: The computed peer group (when no most similar group is supplied): neighbours wanted, and how many of
#: them need police.uk crime data before the area's rate is compared with them.
PEER_K = stats.neighbours.DEFAULT_K
PEER_MIN_WITH_DATA = 3
PEER_COLUMNS = ["rank", "lad_code", "district", "distance", "population", "crimes", "crimes_per_1000", "crime_data"]
HATE_COLUMNS = ["period", "hate_crimes", "non_crime_incidents", "police_recorded", "reporting_centres", "total"]


def _months_to_date(params: Params) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    """Months of the period (to the quarter in performance mode) and the same months a year earlier."""
    return params.fy.months(params.quarter), params.comparison_fy.months(params.quarter)


def _in(frame: pd.DataFrame, months: pd.DatetimeIndex) -> pd.Series:
    return frame["month"].isin(months)


def plan_measures(data: Dataset, params: Params) -> pd.DataFrame:
    """Every plan measure by board with both counts, the change and a direction of travel.

    In performance mode both years count the same months: the year to date at the end of the quarter.
    """
    cur, prev = _months_to_date(params)
    months = cur.append(prev)
    crimes = data.crimes[_in(data.crimes, months)]
    rows = []
    for board, names in PLAN.items():
        table = grouping_changes(crimes, list(names), params.period, params.comparison)
        table.insert(0, "board", board)
        rows.append(table)
    police_asb = data.asb[(data.asb["recorded_by"] == "police") & _in(data.asb, months)]
    asb = change_row("asb", "Anti-social behaviour (police-recorded)", int((police_asb["fy"] == params.period).sum()),
                     int((police_asb["fy"] == params.comparison).sum()))
    rows.append(pd.DataFrame([{"board": "Priority 2: public place safety and reassurance", **asb}]))
    table = pd.concat(rows, ignore_index=True)
    # a fall is improving for most measures, but the plan asks for more reporting of some (hate crime, modern
    # slavery): the arrows read each row with the polarity the plan gives it (plans/*.yaml `better`)
    better = {}
    if params.plan is not None:
        better = {m.measure: m.better for b in load_plan(params.plan).boards for m in b.measures}
    table["polarity"] = [monitoring.polarity_of(m, better.get(m)) for m in table["measure"]]
    if params.mode == "performance":  # the plan's priorities are not that year's boards (report_measures has them)
        table["board"] = None
    return table


def monthly_series(data: Dataset, params: Params, name: str) -> pd.Series:
    """Monthly counts of a grouping (or police-recorded ASB for ``asb``) over the :data:`HISTORY_MONTHS` months
    to the period end: the unbroken run of months the source covers that ends there (a month the source has
    no rows for ends the run: it is never read as zero)."""
    end = params.fy.months(params.quarter)[-1]
    months = pd.date_range(end=end, periods=HISTORY_MONTHS, freq="MS")
    if name == "asb":
        covered = frame = data.asb[data.asb["recorded_by"] == "police"]
    else:
        covered, frame = data.crimes, data.crimes[grouping_mask(data.crimes, name)]
    present = set(pd.DatetimeIndex(covered["month"].dropna().unique()))
    kept = []
    for m in reversed(months):
        if m not in present:
            break
        kept.append(m)
    index = pd.DatetimeIndex(sorted(kept), freq="MS" if kept else None)
    counts = frame.groupby("month").size().reindex(index, fill_value=0).astype("int64")
    counts.name = name
    return counts


def projections(data: Dataset, params: Params) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Each series' 12-month projection, shown only when its back-test passes (``stats.assess_projection``).

    Returns the projections shown (empty for a series whose projection fails its back-test), a table
    of back-test results with the reason in words, and each series' assessment (None when the series
    is too short to fit at all).
    """
    proj, back, assessed = [], [], {}
    for name in SERIES:
        if not available(data.crimes, name):  # said once with the plan measures (plan_sentences)
            continue
        label = GROUPINGS[name].label
        series = monthly_series(data, params, name)
        try:
            a = stats.assess_projection(series, horizon=12)
        except StatsError as exc:  # fewer than 36 months, or a calendar month with no count
            assessed[name] = None
            back.append({"measure": label, "mape": None, "coverage80": None, "coverage95": None, "shown": "no",
                         "reason": f"{label}: no projection, because the series cannot be modelled ({exc})."})
            continue
        assessed[name] = a
        b = a.backtest
        back.append({"measure": label, "mape": None if b is None else b.mape,
                     "coverage80": None if b is None else 100.0 * b.coverage80,  # % of held-out months
                     "coverage95": None if b is None else 100.0 * b.coverage95,
                     "shown": "yes" if a.passed else "no", "reason": narrative.projection_sentence(a, label)})
        shown = a.shown_projection.reset_index(names="month")
        shown.insert(0, "measure", label)
        proj.append(shown)
    columns = ["measure", "month", *stats.projection.COLUMNS]
    table = pd.concat(proj, ignore_index=True) if proj else pd.DataFrame(columns=columns)
    return table, pd.DataFrame(back), assessed


#: The quarterly performance report's sub-section in an annual run (no quarter in the parameters).
QUARTERLY_ABSENT = ("This run is an annual assessment (its parameters give no quarter), so there is no quarterly "
                    "performance report: the year's measures are under Measures by board above.")

#: Shown in the most similar group table for a row the published table leaves blank.
NOT_PUBLISHED = "not published"
#: Decimal places of a most-similar-group rate (as iQuanta publishes them).
MSG_DECIMALS = 3


def most_similar_group(data: Dataset, params: Params) -> tuple[pd.DataFrame, stats.GroupComparison | None, float | None]:
    """The most similar group table for the period with this area's rate computed from its own data.

    Rows the supplied group marks ``value_source: synthetic`` (values made up to reproduce the published
    average where the published table leaves a row blank) count in the comparison but are never shown as
    a rate: their ``crimes_per_1000`` is empty and their source is :data:`NOT_PUBLISHED`
    (:func:`msg_notes` says what was used in their place).
    """
    msg = data.most_similar_group
    if msg.empty or (msg["period"] == params.period).sum() == 0:
        return pd.DataFrame(columns=["csp", "crimes_per_1000", "source"]), None, None
    msg = msg[msg["period"] == params.period].copy()
    pop, _source = population_for(data, params)  # the mid-year estimate for the year, Census 2021 otherwise
    months = params.fy.months(params.quarter)
    trc = int((_in(data.crimes, months)).sum())
    # crimes per 1,000 residents a year: a year-to-date count is annualised (x 12 / months)
    rate = 1000.0 * trc / pop * 12 / len(months) if pop else None
    # rows are "<force> - <partnership>": match the partnership's name exactly (not "Bedford" in "Bedfordshire")
    is_area = msg["csp"].str.split(" - ").str[-1].str.strip().str.casefold() == params.area.name.casefold()
    others = msg.loc[~is_area & msg["crimes_per_1000"].notna(), "crimes_per_1000"].tolist()
    source = msg["value_source"] if "value_source" in msg else pd.Series("", index=msg.index)
    table = pd.DataFrame({"csp": msg["csp"], "crimes_per_1000": msg["crimes_per_1000"], "source": source.fillna("")})
    table.loc[is_area, ["crimes_per_1000", "source"]] = [rate, "computed from this run's data"]
    result = stats.compare_with_group(rate, others) if rate is not None and others else None
    table = table.sort_values("crimes_per_1000", kind="stable").reset_index(drop=True)
    hidden = table["source"].eq("synthetic")
    table.loc[hidden, "crimes_per_1000"] = float("nan")
    table.loc[hidden, "source"] = "left blank in the published table"
    return table, result, rate


def msg_notes(data: Dataset, params: Params) -> list[str]:
    """Data notes on the most similar group: the synthetic values that stand in for rows left blank."""
    msg = data.most_similar_group
    if msg.empty or "value_source" not in msg:
        return []
    made = msg[(msg["period"] == params.period) & msg["value_source"].eq("synthetic")]
    if made.empty:
        return []
    listed = "; ".join(f"{c} {fmt_number(v, MSG_DECIMALS)}" for c, v in zip(made["csp"], made["crimes_per_1000"], strict=True))
    return [f"{len(made)} rows of the published table are blank, shown here as {NOT_PUBLISHED}. The synthetic data "
            f"give them values so that the group average the document publishes can be reproduced ({listed}); "
            "they are not published figures and are not shown in the table, but they are used: with the published "
            "rows they make the group average, the area's rank among the partnerships and the prediction interval "
            "given above the table."]


def msg_absent_sentence(data: Dataset, params: Params) -> str:
    """Why the supplied most similar group gives no comparison: no file, or no rows for the period (naming the
    periods the file has)."""
    msg = data.most_similar_group
    if msg.empty:
        return narrative.needs_sentence("most_similar_group")
    periods = sorted(str(p) for p in msg["period"].dropna().unique())
    listed = fmt_list([_year_text(p) for p in periods])
    return (f"The most similar group file supplied (sources.most_similar_group) has no rows for "
            f"{_year_text(params.period)}: it has rows for {listed} only, so there is no comparison with the group "
            "for this period.")


def _year_text(period: str) -> str:
    try:
        return FinancialYear.parse(period).text
    except ValueError:  # a period that is not a financial year is named as the file writes it
        return period


def computed_group(data: Dataset, params: Params) -> tuple[pd.DataFrame, list[str], stats.GroupComparison | None]:
    """The area's statistical neighbours computed from public data, and its rate among them.

    For a run with no most similar group supplied: the :data:`PEER_K` districts nearest the area's
    district (``params.area.la_codes``, one district) in the characteristics the ONS files give
    (``sources.districts.characteristics``; a characteristic the area's district lacks is left out,
    and a district lacking one used is left out of the comparison), by ``stats.nearest_neighbours``
    with equal weight per characteristic. The area's rate is compared with the neighbours whose crime
    the police.uk files hold (``sources.districts.covered``) by ``stats.compare_with_group`` when at
    least :data:`PEER_MIN_WITH_DATA` have it. Returns the group table (the area first, then the
    neighbours nearest first; empty when no group can be computed), the sentences, and the comparison
    (None when not made).
    """
    name, codes = params.area.name, params.area.la_codes
    empty = pd.DataFrame(columns=PEER_COLUMNS)
    if len(codes) != 1:  # neighbours are districts; a partnership of several has no single place among them
        return empty, [narrative.peer_group_unavailable(
            name, f"it covers {_districts(len(codes))} ({params.area.codes_text}) and statistical neighbours are "
                  "computed for one district; supply a most similar group table (sources.most_similar_group)")], None
    target = codes[0]
    features = data.tables.get("district_features", pd.DataFrame())
    crimes = data.tables.get("district_crimes", pd.DataFrame())
    if features.empty or target not in set(features["lad_code"]):
        reason = ("the ONS files and lookup do not hold the area's district"
                  if not features.empty else "no district characteristics could be read")
        return empty, [narrative.peer_group_unavailable(name, f"{reason} ({target})")], None
    own = features.set_index("lad_code").loc[target]
    chars = {c: [f for f in cols if pd.notna(own[f])] for c, cols in districts.characteristics(features.columns).items()}
    chars = {c: cols for c, cols in chars.items() if cols}
    used = [f for cols in chars.values() for f in cols]
    frame = features.set_index("lad_code")[used].dropna()
    if len(frame) < 2:
        return empty, [narrative.peer_group_unavailable(
            name, f"the ONS files supplied give the characteristics of {_districts(len(frame))}; national files "
                  "(population, population by age, IMD and a lookup of every district) are needed")], None
    nb = stats.nearest_neighbours(frame, target, k=PEER_K, weights=stats.equal_characteristic_weights(chars))
    months = params.fy.months(params.quarter)
    info = features.set_index("lad_code")
    counts = crimes.set_index("lad_code")["crimes"] if not crimes.empty else pd.Series(dtype="int64")
    has_data = districts.covered(features, crimes if not crimes.empty else pd.DataFrame(columns=districts.CRIME_COLUMNS))
    codes = [target, *nb.table["code"]]
    # the area first (no rank; its distance to itself is 0); distances to 3 decimals, as shown
    table = pd.DataFrame({"rank": [None, *(int(r) for r in nb.table["rank"])], "lad_code": codes,
                          "district": info.loc[codes, "lad_name"].to_numpy(),
                          "distance": [0.0, *(round_half_up(d, 3) for d in nb.table["distance"])],
                          "population": info.loc[codes, "population"].to_numpy()})
    table["crime_data"] = ["yes" if has_data.get(c, False) else "no" for c in codes]
    table["crimes"] = [int(counts[c]) if has_data.get(c, False) else None for c in codes]
    # crimes per 1,000 residents a year (a year-to-date count is annualised, x 12 / months), as for the group supplied
    table["crimes_per_1000"] = [1000.0 * n / p * 12 / len(months) if n is not None and p else None
                                for n, p in zip(table["crimes"], table["population"], strict=True)]
    with_data = int((table["crime_data"].iloc[1:] == "yes").sum())
    area_has = table["crime_data"].iloc[0] == "yes"
    sentences = [narrative.peer_group_sentence(name, nb.k, nb.k_asked, [districts.DESCRIPTIONS[c] for c in chars],
                                               nb.candidates, params.period),
                 narrative.peer_data_sentence(with_data, nb.k, area_has, name)]
    result = None
    if area_has and with_data >= PEER_MIN_WITH_DATA:
        others = table.loc[1:, "crimes_per_1000"].dropna().tolist()
        result = stats.compare_with_group(table["crimes_per_1000"].iloc[0], others)
        sentences.append(narrative.peer_comparison_sentence(name, result, with_data))
    else:
        sentences.append(narrative.peer_not_compared(name, with_data, PEER_MIN_WITH_DATA, area_has))
    return table[PEER_COLUMNS], sentences, result


def _districts(n: int) -> str:
    return f"{n} district" + ("" if n == 1 else "s")


def _add_needs(out: SectionResult, sentences: list[str]) -> None:
    """Add sentences naming a missing extract under the measures by board (each once on the page)."""
    if not sentences:
        return
    have = list(out.tables["plan_sentences"]["sentence"]) if "plan_sentences" in out.tables else []
    add = [s for s in dict.fromkeys(sentences) if s not in have]
    if add:
        out.tables["plan_sentences"] = pd.DataFrame({"sentence": have + add})


def performance_report(data: Dataset, params: Params, out: SectionResult) -> None:
    """The quarterly performance report's measures (year to date at the end of ``params.quarter``).

    A measure whose input was not supplied (domestic abuse and hate crimes need the partner crime
    extract; incidents the non-crime incidents extract; referrals the services extract; council ASB and
    funding their extracts) is left out of the tables and said in one sentence naming that extract
    (:func:`ccsp_analysis.narrative.needs_sentence`), under the measures by board.
    """
    cur, prev = _months_to_date(params)
    crimes = data.crimes
    needs: list[str] = []
    # domestic abuse and hate crimes need the partner extract's markers (police.uk rows have none)
    has_da = has_hate = not street_level(data) or any(crimes[c].notna().any() for c in CRIME_FLAGS if c in crimes.columns)
    inc = data.incidents
    has_inc = not inc.empty and "incident_type" in inc.columns
    svc = data.services
    has_svc = not svc.empty and "service" in svc.columns
    for ok, name in ((has_da, "domestic_abuse"), (has_hate, "hate_crime")):
        if not ok:
            needs.append(narrative.needs_sentence(grouping_need(name)))
    if not has_inc:
        needs.append(narrative.needs_sentence("non_crime_incidents"))
    if not has_svc:
        needs.append(narrative.needs_sentence("da_referrals"))
    trc = change_row("trc", "Total recorded crime", int(_in(crimes, cur).sum()), int(_in(crimes, prev).sum()))
    headlines = [trc]
    rows: dict[str, dict] = {"trc": trc}
    keys_of: dict[str, list] = {}
    if has_da:
        da_mask = grouping_mask(crimes, "domestic_abuse")
        dva = change_row("dva", "Domestic abuse crimes", int((da_mask & _in(crimes, cur)).sum()), int((da_mask & _in(crimes, prev)).sum()))
        headlines.append(dva)
        rows["dva"] = dva
    if has_inc:
        da_inc = inc[(inc["incident_type"] == "domestic_abuse") & (inc["recorded_by"] == "police")]
        nc = change_row("dva_non_crime", "Domestic abuse non-crime incidents", int(_in(da_inc, cur).sum()), int(_in(da_inc, prev).sum()))
        headlines.append(nc)
    out.tables["headlines"] = pd.DataFrame(headlines)
    for fid, row in (("trc", trc), ("dva", rows.get("dva"))):
        if row is not None:
            out.add_figure(f"{fid}_change", row["pct_change"], f"{row['label']}: change", "pct_change")
            out.add_figure(f"{fid}_change_abs", row["abs_change"], f"{row['label']}: change in offences", "count")
    reg = register(out, SECTION)
    out.sentences += [r["sentence"] for r in (trc, rows.get("dva")) if r is not None]
    rate_now = rate_before = now = before = None
    if has_inc:
        out.add_figure("dva_non_crime_change", nc["pct_change"], "Domestic abuse non-crime incidents: change", "pct_change")
        now, before = da_inc[_in(da_inc, cur)], da_inc[_in(da_inc, prev)]
        out.tables["domestic_abuse_incidents"] = pd.DataFrame([
            {"period": params.period, "incidents": len(now), "repeat_victims": int(now["repeat_victim"].sum()),
             "repeat_rate": share(int(now["repeat_victim"].sum()), len(now)), "children_present": int(now["children_present"].sum())},
            {"period": params.comparison, "incidents": len(before), "repeat_victims": int(before["repeat_victim"].sum()),
             "repeat_rate": share(int(before["repeat_victim"].sum()), len(before)), "children_present": int(before["children_present"].sum())}])
        out.add_figure("dva_repeat_victim_rate", share(int(now["repeat_victim"].sum()), len(now)), "Domestic abuse incidents: repeat victims", "pct")
        out.add_figure("dva_children_present", int(now["children_present"].sum()), "Domestic abuse incidents with children present", "count")
        # incidents, repeat victims and children present are counts about people: registered for disclosure
        # control across the run (a hidden count hides its rate, its figures and the non-crime sentence)
        da_keys = _register_rows(reg, "domestic_abuse_incidents", out.tables["domestic_abuse_incidents"],
                                 ("incidents", "repeat_victims", "children_present"))
        for i, row_keys in enumerate(da_keys):
            reg.derive("domestic_abuse_incidents", i, ["repeat_rate"], [row_keys["repeat_victims"], row_keys["incidents"]])
        reg.figure("dva_repeat_victim_rate", [da_keys[0]["repeat_victims"], da_keys[0]["incidents"]])
        reg.figure("dva_children_present", [da_keys[0]["children_present"]])
        incidents = (da_keys[0]["incidents"], da_keys[1]["incidents"])  # the non-crime change counts the same incidents
        reg.figure("dva_non_crime_change", incidents)
        out.sentences.append(reg.phrase((nc["sentence"], incidents, withheld_sentence(nc["label"]))))
        rate_now, rate_before = (share(int(f["repeat_victim"].sum()), len(f)) for f in (now, before))
        rows.update({
            "dva_non_crime": nc,
            "dva_repeat_rate": {"label": "Domestic abuse incidents: repeat victims (%)",
                                "current": None if rate_now is None else round_half_up(rate_now, 1),
                                "previous": None if rate_before is None else round_half_up(rate_before, 1), "abs_change": None,
                                "pct_change": None, "p_value": None, "direction": None},
            "dva_children_present": change_row("dva_children_present", "Domestic abuse incidents with children present",
                                               int(now["children_present"].sum()), int(before["children_present"].sum())),
        })
        keys_of.update({"dva_non_crime": [k["incidents"] for k in da_keys],
                        "dva_repeat_rate": [k[c] for k in da_keys for c in ("repeat_victims", "incidents")],
                        "dva_children_present": [k["children_present"] for k in da_keys]})
    referrals = pd.DataFrame()
    referral_key = _cell_key("service_referrals")
    if has_svc:
        referrals = svc[_in(svc, cur) | _in(svc, prev)].assign(period=lambda f: f["fy"]).groupby(["service", "period"]).size().unstack(fill_value=0)
        people_table(out, SECTION, "service_referrals", referrals, params.disclosure_threshold, keys=referral_key)
        for service, fid in (("CDVASS", "cdvass_referrals"), ("SARC", "sarc_clients")):
            if service in referrals.index and params.period in referrals.columns:
                out.add_figure(fid, int(referrals.loc[service, params.period]), f"{service} referrals", "count")
                reg.figure(fid, [referral_key(service, params.period)])
    if has_hate and has_inc:
        hate_rows = []
        hate_mask = grouping_mask(crimes, "hate_crime")
        for label, months in ((params.period, cur), (params.comparison, prev)):
            crimes_h = int((hate_mask & _in(crimes, months)).sum())  # the hate crime grouping: strand or aggravated offence
            hate_inc = inc[(inc["incident_type"] == "hate") & _in(inc, months)]
            nc_police = int((hate_inc["recorded_by"] == "police").sum())
            centres = int((hate_inc["recorded_by"] == "reporting_centre").sum())
            hate_rows.append({"period": label, "hate_crimes": crimes_h, "non_crime_incidents": nc_police,
                              "police_recorded": crimes_h + nc_police, "reporting_centres": centres, "total": crimes_h + nc_police + centres})
        hate = pd.DataFrame(hate_rows, columns=HATE_COLUMNS)
        out.tables["hate"] = hate
        out.add_figure("hate_incidents_total", hate.loc[0, "total"], "Hate crimes and incidents", "count")
        out.add_figure("hate_police_recorded", hate.loc[0, "police_recorded"], "Hate crimes and incidents recorded by the police", "count")
        out.add_figure("hate_reporting_centres", hate.loc[0, "reporting_centres"], "Hate incidents through reporting centres", "count")
        # every count of the hate table is about people; its two sums are published equations
        hate_keys = _register_rows(reg, "hate", hate, HATE_COLUMNS[1:])
        for k in hate_keys:
            reg.line([k["hate_crimes"], k["non_crime_incidents"]], k["police_recorded"])
            reg.line([k["police_recorded"], k["reporting_centres"]], k["total"])
        for fid, column in (("hate_incidents_total", "total"), ("hate_police_recorded", "police_recorded"),
                            ("hate_reporting_centres", "reporting_centres")):
            reg.figure(fid, [hate_keys[0][column]])
        rows["hate"] = change_row("hate", "Hate crimes and incidents (police and reporting centres)",
                                  hate_rows[0]["total"], hate_rows[1]["total"])  # the counts before disclosure control
        keys_of["hate"] = [k["total"] for k in hate_keys]
    if has_hate:
        strands = crimes[crimes["hate_strand"].notna() & _in(crimes, cur)].groupby("hate_strand").size().rename("hate_crimes")
        # hate crimes by strand are counts about people: registered for disclosure control across the run
        year = params.period if params.quarter in (None, 4) else f"{params.period} to Q{params.quarter}"
        register_hate_strands(out, "08_performance", "hate_by_strand", strands.reset_index(), {"hate_crimes": year},
                              {"hate_crimes": (crimes_key("hate_crime", year, strand="any"), int(strands.sum()))})
    settle(out, params.disclosure_threshold)
    council = bool((data.asb["recorded_by"] == "council").any())
    if not council:
        needs.append(narrative.needs_sentence("council_asb"))
    by_whom = ("police and council", "police and the council") if council else ("police", "police")
    asb = data.asb[_in(data.asb, cur)]
    asb_table = asb.groupby("recorded_by").size().rename("incidents").reset_index()
    out.tables["asb"] = asb_table
    out.add_figure("asb_total", len(asb), f"ASB incidents, {by_whom[0]}", "count")
    previous_year = params.comparison_fy.text
    # the quarterly report's measures, each with the year before, under the year's own boards
    rows["asb"] = change_row("asb", f"Anti-social behaviour incidents ({by_whom[0]})", len(asb),
                             int(_in(data.asb, prev).sum()))
    for service, mid, label in (("CDVASS", "cdvass", "Referrals to CDVASS (domestic violence and abuse services)"),
                                ("SARC", "sarc", "Clients seen by the SARC (sexual assault referral centre)")):
        if service in referrals.index and {params.period, params.comparison} <= set(referrals.columns):
            rows[mid] = change_row(mid, label, int(referrals.loc[service, params.period]),
                                   int(referrals.loc[service, params.comparison]))
            keys_of[mid] = [referral_key(service, params.period), referral_key(service, params.comparison)]
    out.tables["report_measures"], out.tables["boards"] = report_measures(params, rows)
    for i, mid in enumerate(out.tables["report_measures"]["measure"]):
        if mid in keys_of:  # counts about people: hidden with the counts they show
            reg.derive("report_measures", i, REPORT_VALUE_COLUMNS, keys_of[mid])
    if has_inc:
        out.sentences += [
            reg.phrase((narrative.rate_change_sentence("Repeat victims of domestic abuse (share of incidents)", rate_now,
                                                       rate_before, previous_year) if rate_now is not None and rate_before is not None
                        else "Repeat victims of domestic abuse: no incidents to take a share of.",
                        keys_of["dva_repeat_rate"], withheld_sentence("Repeat victims of domestic abuse"))),
            reg.phrase((narrative.count_from_sentence("Domestic abuse incidents with children present",
                                                      int(now["children_present"].sum()), int(before["children_present"].sum()),
                                                      previous_year),
                        keys_of["dva_children_present"], withheld_sentence("Domestic abuse incidents with children present"))),
        ]
    for mid in ("cdvass", "sarc"):
        if mid in rows:
            r = rows[mid]
            out.sentences.append(reg.phrase((narrative.count_from_sentence(r["label"], r["current"], r["previous"], previous_year),
                                             keys_of[mid], withheld_sentence(r["label"]))))
    out.sentences.append(narrative.count_from_sentence(f"Anti-social behaviour incidents recorded by the {by_whom[1]}",
                                                       len(asb), int(_in(data.asb, prev).sum()), previous_year))
    fund = data.funding
    if fund.empty:
        needs.append(narrative.needs_sentence("funding"))
    next_fy = params.fy.start_year + 1
    alloc = fund[fund["financial_year"] == f"{next_fy}-{(next_fy + 1) % 100:02d}"] if not fund.empty else fund
    if not alloc.empty:
        out.tables["funding"] = alloc[["source", "project", "amount_gbp"]].reset_index(drop=True)
        totals = [("PCC grant", int(alloc.loc[alloc["source"] == "PCC grant", "amount_gbp"].sum())),
                  ("carried over from the year before", int(alloc.loc[alloc["source"] == "Carry over", "amount_gbp"].sum())),
                  ("allocations in total", int(alloc["amount_gbp"].sum()))]
        out.add_figure("pcc_grant", totals[0][1], "PCC grant", "money")
        out.add_figure("carry_over", totals[1][1], "Carry over", "money")
        out.add_figure("allocations_total", totals[2][1], "Allocations", "money")
        out.tables["funding_totals"] = pd.DataFrame(totals, columns=["item", "amount_gbp"])
        out.sentences.append(narrative.money_sentence(totals, FinancialYear(next_fy).text))
    _add_needs(out, needs)
    settle(out, params.disclosure_threshold)


#: Columns of ``report_measures`` that show a measure's values (hidden together under disclosure control).
REPORT_VALUE_COLUMNS = ["current", "previous", "abs_change", "pct_change", "p_value", "direction"]
REPORT_COLUMNS = ["board", "measure", "label", *REPORT_VALUE_COLUMNS, "published_direction", "polarity"]
#: What a rise means for each report measure (as monitoring.MEASURES): crime and ASB higher_worse; referrals
#: to support services higher_better; children present neutral (a rise follows better identification).
REPORT_POLARITY = {"cdvass": "higher_better", "sarc": "higher_better", "dva_children_present": "neutral"}
#: Shown when no board structure is given for the year.
NO_BOARD = "The partnership"


def report_measures(params: Params, rows: dict[str, dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The quarterly report's measures under the year's own boards (``params.performance_boards``), each
    with the direction of travel the published report printed (``params.published_directions``; None where
    it printed none); and the boards, with what each owns.

    ``rows``: measure id (:data:`ccsp_analysis.params.REPORT_MEASURES`) -> its change row. Measures in no
    board follow under :data:`NO_BOARD`.
    """
    published = params.published_directions
    boards = params.performance_boards or ()
    order = [(b.name, m) for b in boards for m in b.measures if m in rows]
    placed = {m for _b, m in order}
    order += [(NO_BOARD, m) for m in REPORT_MEASURES if m in rows and m not in placed]
    table = pd.DataFrame([{"board": b, "measure": m, "label": rows[m]["label"],
                           **{c: rows[m].get(c) for c in REPORT_VALUE_COLUMNS},
                           "published_direction": published.get(m), "polarity": REPORT_POLARITY.get(m, "higher_worse")}
                          for b, m in order], columns=REPORT_COLUMNS, dtype=object)
    labels = {m: rows[m]["label"] for m in rows}
    board_table = pd.DataFrame([{"board": b.name, "remit": b.remit,
                                 "measures": "; ".join(labels[m] for m in b.measures if m in labels)
                                 or ("no measure of the quarterly report" if not b.measures else
                                     "none in this run (the inputs its measures need were not supplied)")}
                                for b in boards],
                               columns=["board", "remit", "measures"])
    return table, board_table


def _cell_key(table: str):
    """The key of a cell (row label, column) of one of this section's tables about people."""
    return lambda row, column: key(section=SECTION, table=table, cell=f"{row}/{column}")


def _register_rows(reg, table: str, frame: pd.DataFrame, columns) -> list[dict]:
    """Register the count ``columns`` of each row of ``frame`` (rows named by their ``period``); return each row's keys."""
    cell = _cell_key(table)
    out = []
    for i, row in enumerate(frame.itertuples(index=False)):
        keys = {c: reg.count(cell(row.period, c), int(getattr(row, c)), table, i, c, str(row.period)) for c in columns}
        out.append(keys)
    return out


def performance(data: Dataset, params: Params) -> SectionResult:
    """Plan measures, exceptions, most similar group and projections; the quarterly report in performance mode."""
    out = SectionResult()
    out.tables["plan_measures"] = plan_measures(data, params)
    needs = grouping_needs(data.crimes, [name for names in PLAN.values() for name in names])
    if data.services.empty:
        needs.append(narrative.needs_sentence("da_referrals"))
    if needs:
        out.tables["plan_sentences"] = pd.DataFrame({"sentence": needs})
    spc = monitoring.monitor(data, params)
    out.tables["spc_summary"], out.tables["spc_signals"] = spc.summary, spc.signals
    out.tables["spc_points"] = spc.points
    proj, back, assessed = projections(data, params)
    out.tables["projections"], out.tables["projection_backtest"] = proj, back
    msg_table, msg, rate = most_similar_group(data, params)
    if not msg_table.empty:
        out.tables["most_similar_group"] = msg_table
    out.tables["most_similar_group_sentences"] = pd.DataFrame({"sentence": [msg_absent_sentence(data, params)]})
    if msg is not None:
        out.add_figure("coventry_crimes_per_1000" if params.area.slug == "coventry" else f"{params.area.slug}_crimes_per_1000",
                       rate, f"{params.area.name}: crimes per 1,000 residents", "rate", decimals=3)
        out.add_figure("msg_average_crimes_per_1000", msg.mean_all, "Most similar group average", "rate", decimals=3)
        out.tables["most_similar_group_summary"] = pd.DataFrame([{
            "area_rate": rate, "group_average": msg.mean_all, "rest_average": msg.mean_others, "rank": msg.rank,
            "n": msg.n, "prediction_low": msg.low, "prediction_high": msg.high, "position": msg.position}])
        out.tables["most_similar_group_sentences"] = pd.DataFrame(
            {"sentence": [narrative.group_sentence(params.area.name, msg, msg.n),
                          narrative.group_average_sentence(params.area.name, msg, MSG_DECIMALS)]})
    out.tables["most_similar_group_notes"] = pd.DataFrame({"note": msg_notes(data, params)}, dtype=object)
    if params.sources.most_similar_group is None:  # no group supplied: one computed from public data
        peers, sentences, peer = computed_group(data, params)
        out.tables["most_similar_group_sentences"] = pd.DataFrame({"sentence": sentences}, dtype=object)
        if not peers.empty:
            out.tables["computed_group"] = peers
        if peer is not None:
            out.tables["computed_group_summary"] = pd.DataFrame([{
                "area_rate": peer.value, "group_average": peer.mean_all, "rest_average": peer.mean_others,
                "rank": peer.rank, "n": peer.n, "prediction_low": peer.low, "prediction_high": peer.high,
                "position": peer.position}])
    trc = monthly_series(data, params, "trc").iloc[-36:]
    out.plots["trc_chart"] = spc.chart("trc")
    out.plots["trc_history"] = trc.rename("count").to_frame()
    trc_assessment = assessed.get("trc")
    out.plots["trc_projection"] = (trc_assessment.shown_projection if trc_assessment is not None
                                   else pd.DataFrame(columns=list(stats.projection.COLUMNS)))
    if params.mode == "performance":
        performance_report(data, params, out)
    else:  # the sub-section keeps its heading; one sentence says why it has nothing
        out.tables["quarterly_sentences"] = pd.DataFrame({"sentence": [QUARTERLY_ABSENT]})
    # a table with nothing in it is not shown: its sentence says why (e.g. the quarterly tables of an annual run)
    out.tables = {name: table for name, table in out.tables.items() if not table.empty}
    return out
