"""Priority 1: offending, reoffending and serious violence (serious youth violence, domestic abuse, sexual offences, VAWG)."""

from __future__ import annotations

import pandas as pd

from ccsp_analysis import narrative, stats
from ccsp_analysis.dataset import Dataset
from ccsp_analysis.disclosure import key
from ccsp_analysis.measures import (
    add_change_figures,
    by_key,
    change_row,
    count,
    frame_change,
    grouping_changes,
    grouping_needs,
    in_groupings,
    share,
    street_level,
)
from ccsp_analysis.params import Params
from ccsp_analysis.people import (
    AGE_SEX_COLUMNS,
    BY_KEY_DERIVED,
    LOG_DISPLAY,
    age_label,
    age_sex_counts,
    age_sex_keys,
    crimes_key,
    finish,
    new_result,
    people_changes,
    people_rows,
    people_table,
    pyramid_frame,
    register,
    settle,
    share_sentence,
    topic_sentences,
    victim_count,
    with_victim,
    withheld_sentence,
)
from ccsp_analysis.result import SectionResult
from ccsp_analysis.taxonomy import GROUPINGS, grouping_mask

__all__ = ["AGE_SEX_COLUMNS", "LOG_DISPLAY", "priority_1", "pyramid_frame", "reoffending_rates", "reoffending_table", "serious_violence_table", "syv_table", "topic_sentences"]

SECTION = "03_priority_1"
#: Groupings whose year-on-year change the section reports, in page order.
CHANGE_GROUPINGS = ["serious_violence", "serious_youth_violence", "violence_with_injury", "homicide", "domestic_abuse",
                    "sexual_offences", "rape", "other_sexual", "vawg", "stalking_harassment"]
#: Published figure id of each grouping's change.
CHANGE_IDS = {"sexual_offences": "sexual_offences_change", "vawg": "vawg_change"}
#: The groupings serious violence is made of.
SERIOUS_VIOLENCE_PARTS = ["homicide", "violence_with_injury", "robbery", "weapons"]
#: Serious youth violence by kind: grouping combined with the SYV marker -> figure id of its share of SYV.
SYV_PARTS = {"robbery": "syv_robbery_share", "knife": "syv_knife_share", "firearm": "syv_gun_share"}
#: Victim cohorts: name -> (groupings that must all match, age-band edges of its age-by-sex table).
COHORTS = {"vwi": (("violence_with_injury",), (10, 16, 26)),
           "syv_robbery": (("serious_youth_violence", "robbery"), (10, 16, 21, 26)),
           "syv_knife": (("serious_youth_violence", "knife"), (15, 20, 26)),
           "homicide": (("homicide",), (18, 26))}
#: Published victim shares: figure id -> (cohort, base restricted to this sex, sex, ages (inclusive), who, base).
VICTIM_SHARES = {
    "vwi_victims_male_share": ("vwi", None, "M", None, "Males", "violence with injury victims"),
    "vwi_male_victims_aged_10_15_share": ("vwi", "M", None, (10, 15), "Boys aged 10-15", "male violence with injury victims"),
    "syv_robbery_victims_male_share": ("syv_robbery", None, "M", None, "Males", "serious youth violence robbery victims"),
    "syv_robbery_victims_16_20_share": ("syv_robbery", None, None, (16, 20), "Victims aged 16-20", "serious youth violence robbery victims"),
    "syv_robbery_victims_10_15_share": ("syv_robbery", None, None, (10, 15), "Victims aged 10-15", "serious youth violence robbery victims"),
    "syv_knife_victims_male_share": ("syv_knife", None, "M", None, "Males", "serious youth violence knife crime victims"),
    "syv_knife_victims_15_19_share": ("syv_knife", None, None, (15, 19), "Victims aged 15-19", "serious youth violence knife crime victims"),
}


def cohort(crimes: pd.DataFrame, name: str, fy: str) -> pd.DataFrame:
    """Crimes of victim cohort ``name`` (see :data:`COHORTS`) recorded in ``fy``."""
    return in_groupings(crimes, COHORTS[name][0], fy)


def serious_violence_table(crimes: pd.DataFrame, fy: str) -> pd.DataFrame:
    """Serious violence by part, and serious youth violence, with shares of serious violence and of TRC.

    The SYV row's share of serious violence counts only SYV crimes that are serious violence.
    """
    trc = count(crimes, "trc", fy)
    counts = {n: count(crimes, n, fy) for n in [*SERIOUS_VIOLENCE_PARTS, "serious_violence"]}
    sv = counts["serious_violence"]
    rows = [{"grouping": n, "label": GROUPINGS[n].label, "crimes": c, "share_serious_violence": share(c, sv),
             "share_trc": share(c, trc)} for n, c in counts.items()]
    syv = grouping_mask(crimes, "serious_youth_violence") & (crimes["fy"] == fy)
    in_sv = int((syv & grouping_mask(crimes, "serious_violence")).sum())
    rows.append({"grouping": "serious_youth_violence", "label": GROUPINGS["serious_youth_violence"].label,
                 "crimes": int(syv.sum()), "share_serious_violence": share(in_sv, sv), "share_trc": share(int(syv.sum()), trc)})
    return pd.DataFrame(rows)


def syv_table(crimes: pd.DataFrame, fy: str) -> pd.DataFrame:
    """Serious youth violence that is robbery, knife crime or gun crime: crimes and share of SYV."""
    syv = grouping_mask(crimes, "serious_youth_violence") & (crimes["fy"] == fy)
    rows = []
    for name in SYV_PARTS:
        part = int((syv & grouping_mask(crimes, name)).sum())
        rows.append({"grouping": name, "label": GROUPINGS[name].label, "crimes": part, "share_syv": share(part, int(syv.sum()))})
    return pd.DataFrame(rows)


def reoffending_table(reoffending: pd.DataFrame) -> pd.DataFrame:
    """Counts by period (offenders, reoffenders, reoffences, first-time entrants), one row per period."""
    table = reoffending.pivot_table(index="period", columns="measure", values="value", aggfunc="sum")
    table = table.reindex(columns=["offenders", "reoffenders", "reoffences", "first_time_entrants"]).fillna(0).astype(int)
    table.columns.name = None
    return table.sort_index()


def _serious_violence(out: SectionResult, crimes: pd.DataFrame, fy: str, threshold: int) -> list[str]:
    reg = register(out, SECTION)
    sv = serious_violence_table(crimes, fy)
    people_rows(out, SECTION, "serious_violence", sv, {"crimes": lambda r: crimes_key(r.grouping, fy)}, "label")
    k = {name: crimes_key(name, fy) for name in sv["grouping"]}
    reg.line([k[p] for p in SERIOUS_VIOLENCE_PARTS], k["serious_violence"])  # homicide cannot be worked out from the rest
    syv_mask = grouping_mask(crimes, "serious_youth_violence") & (crimes["fy"] == fy)
    in_sv = reg.count(crimes_key("serious_youth_violence+serious_violence", fy),
                      int((syv_mask & grouping_mask(crimes, "serious_violence")).sum()))
    for i, row in enumerate(sv.itertuples()):
        reg.derive("serious_violence", i, ["share_trc"], [k[row.grouping]])
        of_sv = in_sv if row.grouping == "serious_youth_violence" else k[row.grouping]
        reg.derive("serious_violence", i, ["share_serious_violence"], [of_sv, k["serious_violence"]])
    syv = syv_table(crimes, fy)
    part = {name: crimes_key(f"serious_youth_violence+{name}", fy) for name in SYV_PARTS}
    people_rows(out, SECTION, "syv_types", syv, {"crimes": lambda r: part[r.grouping]}, "label")
    for i, row in enumerate(syv.itertuples()):
        reg.derive("syv_types", i, ["share_syv"], [part[row.grouping], k["serious_youth_violence"]])
    homicides = cohort(crimes, "homicide", fy)
    young = reg.count(crimes_key("homicide+serious_youth_violence", fy), int(homicides["serious_youth_violence"].sum()))
    hidden = settle(out, threshold)
    by_name = sv.set_index("grouping")
    syv_row, vwi_row = by_name.loc["serious_youth_violence"], by_name.loc["violence_with_injury"]
    figures = [("syv_share_trc", syv_row["share_trc"], "Serious youth violence: share of TRC", "share", [k["serious_youth_violence"]]),
               ("syv_share_serious_violence", syv_row["share_serious_violence"], "Serious youth violence: share of serious violence",
                "share", [in_sv, k["serious_violence"]]),
               ("violence_with_injury_share", vwi_row["share_trc"], "Violence with injury: share of TRC", "share", [k["violence_with_injury"]])]
    figures += [(SYV_PARTS[row.grouping], row.share_syv, f"Serious youth violence: {row.label.lower()} share", "share",
                 [part[row.grouping], k["serious_youth_violence"]]) for row in syv.itertuples()]
    # counts of people: withheld when disclosure control hides them (here or on any page of the run)
    figures += [("homicides", len(homicides), "Homicides", "count", [k["homicide"]]),
                ("homicides_youth_violence", reg.values()[young], "Homicides linked to youth violence", "count", [young])]
    for fid, value, label, kind, keys in figures:
        out.add_figure(fid, value, label, kind)
        reg.figure(fid, keys)
    visible = [row for row in syv.itertuples() if pd.notna(row.share_syv) and part[row.grouping] not in hidden]
    kinds = f"{narrative.fmt_list([f'{row.label.lower()} {narrative.fmt_pct(row.share_syv)}' for row in visible])}."
    of_sv = syv_row["share_serious_violence"]
    trc = count(crimes, "trc", fy)
    return [
        reg.phrase((narrative.share_sentence("Serious youth violence", int(syv_row["crimes"]), trc, "total recorded crime"),
                    (k["serious_youth_violence"],), withheld_sentence("Serious youth violence")),
                   *([(f" It made up {narrative.fmt_pct(of_sv)} of serious violence.", (in_sv, k["serious_violence"]), "")]
                     if pd.notna(of_sv) else [])),
        *([reg.phrase((f"Within serious youth violence: {kinds}", tuple(part[row.grouping] for row in visible),
                       withheld_sentence("Serious youth violence by kind")))] if visible else []),
        reg.phrase((narrative.share_sentence("Violence with injury", int(vwi_row["crimes"]), int(by_name.loc["serious_violence", "crimes"]),
                                             "serious violence"), (k["violence_with_injury"], k["serious_violence"]),
                    withheld_sentence("Violence with injury as a share of serious violence"))),
        reg.phrase((f"There were {narrative.fmt_count(len(homicides))} homicides", (k["homicide"],),
                    "The number of homicides is withheld to protect small numbers"),
                   (f"; {narrative.fmt_count(reg.values()[young])} carried the serious youth violence marker.", (young,),
                    "; how many carried the serious youth violence marker is withheld to protect small numbers.")),
    ]


def _victims(out: SectionResult, crimes: pd.DataFrame, fy: str, threshold: int) -> list[str]:
    reg = register(out, SECTION)
    cohorts = {name: with_victim(cohort(crimes, name, fy)) for name in COHORTS}
    keys = {name: age_sex_keys("victims", fy, grouping="+".join(groupings)) for name, (groupings, _edges) in COHORTS.items()}
    for name, (_groupings, edges) in COHORTS.items():
        people_table(out, SECTION, f"{name}_victims", age_sex_counts(cohorts[name], edges), threshold, keys[name])
    known = reg.values()
    said = []
    for fid, (name, base_sex, sex, ages, who, base_label) in VICTIM_SHARES.items():
        base = cohorts[name] if base_sex is None else cohorts[name][cohorts[name]["victim_sex"] == base_sex]
        part = victim_count(base, sex, ages)
        base_key = keys[name]("Total", base_sex or "Total")
        part_key = keys[name](age_label(ages) if ages else "Total", sex or base_sex or "Total")
        if part_key not in known or known[part_key] != part:
            raise ValueError(f"{fid}: its count is not a cell of the {name} victims table; align VICTIM_SHARES with COHORTS")
        out.add_figure(fid, share(part, len(base)), f"{who}: share of {base_label}", "share")
        reg.figure(fid, [part_key, base_key])
        said.append(share_sentence(reg, who, part, len(base), base_label, [part_key, base_key]))
    return said


def _domestic_and_sexual(out: SectionResult, crimes: pd.DataFrame, fy: str, prev: str, threshold: int) -> dict[str, list[str]]:
    reg = register(out, SECTION)
    changes = grouping_changes(crimes, CHANGE_GROUPINGS, fy, prev)
    add_change_figures(out, changes, CHANGE_IDS, prev)
    years = {"current": fy, "previous": prev}
    shown = people_changes(out, SECTION, "changes", changes, threshold, keys=lambda m, y: crimes_key(m, years[y]),
                           figure_ids=CHANGE_IDS)
    if {"sexual_offences", "rape", "other_sexual"} <= set(changes["measure"]):
        for year in (fy, prev):  # rape and other sexual offences make up sexual offences
            reg.line([crimes_key("rape", year), crimes_key("other_sexual", year)], crimes_key("sexual_offences", year))
    said = {m: [s] for m, s in zip(shown["measure"], shown["sentence"], strict=True)}
    trc, da = count(crimes, "trc", fy), count(crimes, "domestic_abuse", fy)
    sexual, rape = count(crimes, "sexual_offences", fy), count(crimes, "rape", fy)
    k = {name: crimes_key(name, fy) for name in ("domestic_abuse", "sexual_offences", "rape", "other_sexual", "vawg")}
    for name, value in (("domestic_abuse", da), ("sexual_offences", sexual), ("rape", rape),
                        ("other_sexual", count(crimes, "other_sexual", fy))):
        if k[name] not in reg.values():
            reg.count(k[name], value)
    for fid, value, label, keys in (
            ("domestic_abuse_share", share(da, trc), "Domestic abuse: share of TRC", [k["domestic_abuse"]]),
            ("rape_share_sexual_offences", share(rape, sexual), "Rape: share of sexual offences", [k["rape"], k["sexual_offences"]]),
            ("other_sexual_share_sexual_offences", share(count(crimes, "other_sexual", fy), sexual),
             "Other sexual offences: share of sexual offences", [k["other_sexual"], k["sexual_offences"]])):
        out.add_figure(fid, value, label, "share")
        reg.figure(fid, keys)
    vawg = crimes[grouping_mask(crimes, "vawg")]
    offences = by_key(vawg, ["ho_group"], fy, prev)
    group = {y: (lambda r, y=y: crimes_key("vawg", years[y], ho_group=r.ho_group)) for y in years}
    people_rows(out, SECTION, "vawg_offences", offences, {"current": group["current"], "previous": group["previous"]}, "ho_group")
    for y in years:
        total = crimes_key("vawg", years[y])
        if total not in reg.values():
            reg.count(total, count(crimes, "vawg", years[y]))
        reg.line([group[y](r) for r in offences.itertuples()], total)  # the offence groups make up VAWG
    for i, r in enumerate(offences.itertuples()):
        pair = (group["current"](r), group["previous"](r))
        reg.line(pair)
        reg.derive("vawg_offences", i, ["share"], [pair[0], k["vawg"]])
        reg.derive("vawg_offences", i, BY_KEY_DERIVED, pair)
    vawg_now = vawg[vawg["fy"] == fy]
    stalking = vawg_now[grouping_mask(vawg_now, "stalking_harassment")]
    stalking_key = crimes_key("vawg", fy, ho_group="Stalking and harassment")
    if stalking_key not in reg.values():
        reg.count(stalking_key, len(stalking))
    da_key = reg.count(crimes_key("vawg+domestic_abuse", fy, ho_group="Stalking and harassment"),
                       int(stalking["domestic_abuse"].sum()))
    out.add_figure("stalking_harassment_share_vawg", share(len(stalking), len(vawg_now)), "Stalking and harassment: share of VAWG", "share")
    reg.figure("stalking_harassment_share_vawg", [stalking_key, k["vawg"]])
    da_part = share(int(stalking["domestic_abuse"].sum()), len(stalking))
    settle(out, threshold)
    return {
        "domestic_abuse": [reg.phrase((narrative.share_sentence("Domestic abuse", da, trc, "total recorded crime"), (k["domestic_abuse"],),
                                       withheld_sentence("Domestic abuse"))), *said.get("domestic_abuse", [])],
        "sexual_offences": [*said.get("sexual_offences", []),
                            reg.phrase((narrative.share_sentence("Rape", rape, sexual, "sexual offences"), (k["rape"], k["sexual_offences"]),
                                        withheld_sentence("Rape as a share of sexual offences"))),
                            reg.phrase((narrative.share_sentence("Other sexual offences", count(crimes, "other_sexual", fy), sexual,
                                                                 "sexual offences"), (k["other_sexual"], k["sexual_offences"]),
                                        withheld_sentence("Other sexual offences as a share of sexual offences")))],
        "vawg": [*said.get("vawg", []),
                 reg.phrase((narrative.share_sentence("Stalking and harassment", len(stalking), len(vawg_now),
                                                      "violence against women and girls"), (stalking_key, k["vawg"]),
                             withheld_sentence("Stalking and harassment as a share of violence against women and girls"))),
                 *([] if da_part is None else [reg.phrase((f"{narrative.fmt_pct(da_part)} of that stalking and harassment was domestic abuse.",
                                                          (da_key, stalking_key), ""))])],
    }


def _referrals(out: SectionResult, services: pd.DataFrame, fy: str, prev: str, threshold: int) -> list[str]:
    reg = register(out, SECTION)
    rows = [frame_change(s, f"Referrals to {s}", services[services["service"] == s], fy, prev) for s in sorted(services["service"].unique())]
    total = frame_change("all", "Referrals to domestic abuse services", services, fy, prev)
    years = {"current": fy, "previous": prev}

    def referrals(measure: str, year: str):
        return key(count="referrals", service=None if measure == "all" else measure, fy=years[year])

    out.add_figure("da_referrals", total["current"], "Referrals to domestic abuse services", "count")
    out.add_figure("da_referrals_change", total["pct_change"], f"Referrals to domestic abuse services: change on {prev}", "pct_change")
    reg.figure("da_referrals", [referrals("all", "current")])
    reg.figure("da_referrals_change", [referrals("all", "current"), referrals("all", "previous")])
    shown = people_changes(out, SECTION, "da_referrals", pd.DataFrame([*rows, total]), threshold, total="all", keys=referrals)
    return [shown["sentence"].iloc[-1]]


def reoffending_rates(shown: pd.DataFrame) -> pd.DataFrame:
    """Add the reoffending rate (reoffenders per 100 offenders) with a 95% Wilson interval to a shown reoffending table."""
    out = shown.copy()
    cells = []
    for reoffenders, offenders in zip(out["reoffenders"], out["offenders"], strict=True):
        hidden = pd.isna(reoffenders) or pd.isna(offenders)
        cells.append((None, None, None) if hidden else stats.wilson_interval(int(reoffenders), int(offenders)))
    for i, column in enumerate(["reoffending_rate", "rate_low", "rate_high"]):
        out[column] = [None if c[i] is None else 100 * c[i] for c in cells]
    return out


def _reoffending(out: SectionResult, reoffending: pd.DataFrame, fy: str, threshold: int) -> list[str]:
    counts = reoffending_table(reoffending)
    if counts.empty:
        return ["No reoffending data were supplied."]
    reg = register(out, SECTION)

    def of(period, measure):
        return key(count=measure, period=period)

    shown = reoffending_rates(people_table(out, SECTION, "reoffending", counts, threshold, of))
    out.tables["reoffending"] = shown
    for i, period in enumerate(counts.index):
        reg.derive("reoffending", i, ["reoffending_rate", "rate_low", "rate_high"],
                   [of(period, "reoffenders"), of(period, "offenders")])
    periods = [p for p in counts.index if p <= fy] or list(counts.index)
    row = shown.set_index("period").loc[periods[-1]]
    rate_keys = (of(periods[-1], "reoffenders"), of(periods[-1], "offenders"))
    said = []
    if pd.notna(row["reoffending_rate"]):
        out.add_figure("reoffending_rate", row["reoffending_rate"], f"Proven reoffending rate ({periods[-1]})", "pct")
        reg.figure("reoffending_rate", rate_keys)
        said.append(reg.phrase((
            f"In {periods[-1]}, {narrative.fmt_pct(row['reoffending_rate'])} of offenders in the cohort reoffended "
            f"(95% interval {narrative.fmt_pct(row['rate_low'])} to {narrative.fmt_pct(row['rate_high'])}).", rate_keys,
            withheld_sentence(f"The proven reoffending rate in {periods[-1]}"))))
    if len(periods) > 1:
        fte = change_row("first_time_entrants", "First-time entrants to the youth justice system",
                         int(counts.loc[periods[-1], "first_time_entrants"]), int(counts.loc[periods[-2], "first_time_entrants"]))
        years = {"current": periods[-1], "previous": periods[-2]}
        out.add_figure("first_time_entrants", fte["current"], f"First-time entrants ({periods[-1]})", "count")
        out.add_figure("first_time_entrants_change", fte["pct_change"], f"First-time entrants: change on {periods[-2]}", "pct_change")
        reg.figure("first_time_entrants", [of(periods[-1], "first_time_entrants")])
        reg.figure("first_time_entrants_change", [of(periods[-1], "first_time_entrants"), of(periods[-2], "first_time_entrants")])
        fte_shown = people_changes(out, SECTION, "first_time_entrants", pd.DataFrame([fte]), threshold,
                                   keys=lambda m, y: of(years[y], m))
        said.append(fte_shown["sentence"].iloc[0])
    return said


def priority_1(data: Dataset, params: Params) -> SectionResult:
    """Compute Priority 1 (offending, reoffending and serious violence) for ``params.period``.

    Parameters
    ----------
    data
        The dataset (needs ``crimes`` with offence codes and markers, ``services`` and ``reoffending``).
    params
        Run parameters: ``period``, ``comparison`` and ``disclosure_threshold`` are used.

    Returns
    -------
    SectionResult
        Tables ``serious_violence``, ``syv_types``, ``<cohort>_victims``, ``changes``,
        ``vawg_offences``, ``da_referrals``, ``reoffending``, ``first_time_entrants``, ``sentences``
        and ``suppression_log``; the published figures of the priority. Every count about people is
        registered (``result.people``) and hidden where disclosure control needs it, here and, once
        the run has merged every section's register, wherever else the run shows it.
    """
    fy, prev, threshold = params.period, params.comparison, params.disclosure_threshold
    out = new_result()
    if street_level(data):
        said = _street_level(out, data.crimes, fy, prev, threshold)
    else:
        said = {"serious_violence": _serious_violence(out, data.crimes, fy, threshold),
                "victims": _victims(out, data.crimes, fy, threshold)}
        said.update(_domestic_and_sexual(out, data.crimes, fy, prev, threshold))
    if data.services.empty:
        said["domestic_abuse"].append(narrative.needs_sentence("da_referrals"))
    else:
        said["domestic_abuse"] += _referrals(out, data.services, fy, prev, threshold)
    if data.reoffending.empty:
        said["reoffending"] = [narrative.needs_sentence("reoffending")]
    else:
        said["reoffending"] = _reoffending(out, data.reoffending, fy, threshold)
    return finish(out, said, threshold)


#: On police.uk street data alone: the groupings of the priority the categories give.
STREET_CHANGE_GROUPINGS = ["violence_sexual", "robbery", "weapons"]
#: ... and, by sub-section, the groupings only the partner crime extract gives.
PARTNER_TOPICS = {"serious_violence": ["serious_violence", "serious_youth_violence", "violence_with_injury", "homicide"],
                  "domestic_abuse": ["domestic_abuse"], "sexual_offences": ["sexual_offences", "rape", "other_sexual"],
                  "vawg": ["vawg", "stalking_harassment"]}


def _street_level(out: SectionResult, crimes: pd.DataFrame, fy: str, prev: str, threshold: int) -> dict[str, list[str]]:
    """What police.uk street data give of the priority (violence and sexual offences, robbery, weapons), and one
    sentence for each sub-section only the partner crime extract gives."""
    years = {"current": fy, "previous": prev}
    changes = grouping_changes(crimes, STREET_CHANGE_GROUPINGS, fy, prev)
    shown = people_changes(out, SECTION, "changes", changes, threshold, keys=lambda m, y: crimes_key(m, years[y]))
    said = {topic: grouping_needs(crimes, names) for topic, names in PARTNER_TOPICS.items()}
    said["serious_violence"] = [narrative.STREET_LEVEL_NOTE, *shown["sentence"], *said["serious_violence"]]
    said["victims"] = [narrative.needs_sentence("victims")]
    return said
