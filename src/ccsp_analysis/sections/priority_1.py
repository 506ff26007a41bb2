"""Priority 1: offending, reoffending and serious violence (serious youth violence, domestic abuse, sexual offences, VAWG)."""

from __future__ import annotations

import pandas as pd

from ccsp_analysis import narrative, stats
from ccsp_analysis.dataset import Dataset
from ccsp_analysis.measures import (
    add_change_figures,
    by_key,
    change_row,
    count,
    frame_change,
    grouping_changes,
    in_groupings,
    share,
)
from ccsp_analysis.params import Params
from ccsp_analysis.people import (
    AGE_SEX_COLUMNS,
    LOG_DISPLAY,
    age_sex_counts,
    finish,
    new_result,
    people_changes,
    people_count,
    people_table,
    pyramid_frame,
    share_of_people,
    topic_sentences,
    victim_count,
    with_victim,
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
    sv = serious_violence_table(crimes, fy)
    out.tables["serious_violence"] = sv
    by_name = sv.set_index("grouping")
    syv_row, vwi_row = by_name.loc["serious_youth_violence"], by_name.loc["violence_with_injury"]
    out.add_figure("syv_share_trc", syv_row["share_trc"], "Serious youth violence: share of TRC", "share")
    out.add_figure("syv_share_serious_violence", syv_row["share_serious_violence"], "Serious youth violence: share of serious violence", "share")
    out.add_figure("violence_with_injury_share", vwi_row["share_trc"], "Violence with injury: share of TRC", "share")
    syv = syv_table(crimes, fy)
    out.tables["syv_types"] = syv
    for row in syv.itertuples():
        out.add_figure(SYV_PARTS[row.grouping], row.share_syv, f"Serious youth violence: {row.label.lower()} share", "share")
    homicides = cohort(crimes, "homicide", fy)
    young = int(homicides["serious_youth_violence"].sum())
    out.add_figure("homicides", len(homicides), "Homicides", "count")
    out.add_figure("homicides_youth_violence", young, "Homicides linked to youth violence", "count",
                   withheld=0 < young < threshold)  # a count of people below the threshold is never published
    parts = [f"{row.label.lower()} {narrative.fmt_pct(row.share_syv)}" for row in syv.itertuples() if pd.notna(row.share_syv)]
    of_sv = syv_row["share_serious_violence"]
    return [
        narrative.share_sentence("Serious youth violence", int(syv_row["crimes"]), count(crimes, "trc", fy), "total recorded crime")
        + (f" It made up {narrative.fmt_pct(of_sv)} of serious violence." if pd.notna(of_sv) else ""),
        *([f"Within serious youth violence: {narrative.fmt_list(parts)}."] if parts else []),
        narrative.share_sentence("Violence with injury", int(vwi_row["crimes"]), int(by_name.loc["serious_violence", "crimes"]), "serious violence"),
        f"There were {people_count(len(homicides), threshold)} homicides; {people_count(young, threshold)} "
        "carried the serious youth violence marker.",
    ]


def _victims(out: SectionResult, crimes: pd.DataFrame, fy: str, threshold: int) -> list[str]:
    cohorts = {name: with_victim(cohort(crimes, name, fy)) for name in COHORTS}
    for name, (_groupings, edges) in COHORTS.items():
        people_table(out, SECTION, f"{name}_victims", age_sex_counts(cohorts[name], edges), threshold)
    said = []
    for fid, (name, base_sex, sex, ages, who, base_label) in VICTIM_SHARES.items():
        base = cohorts[name] if base_sex is None else cohorts[name][cohorts[name]["victim_sex"] == base_sex]
        part = victim_count(base, sex, ages)
        out.add_figure(fid, share(part, len(base)), f"{who}: share of {base_label}", "share")
        said.append(share_of_people(who, part, len(base), base_label, threshold))
    return said


def _domestic_and_sexual(out: SectionResult, crimes: pd.DataFrame, fy: str, prev: str) -> dict[str, list[str]]:
    changes = grouping_changes(crimes, CHANGE_GROUPINGS, fy, prev)
    out.tables["changes"] = changes
    add_change_figures(out, changes, CHANGE_IDS, prev)
    said = {m: [s] for m, s in zip(changes["measure"], changes["sentence"], strict=True)}
    trc, da = count(crimes, "trc", fy), count(crimes, "domestic_abuse", fy)
    out.add_figure("domestic_abuse_share", share(da, trc), "Domestic abuse: share of TRC", "share")
    sexual, rape = count(crimes, "sexual_offences", fy), count(crimes, "rape", fy)
    out.add_figure("rape_share_sexual_offences", share(rape, sexual), "Rape: share of sexual offences", "share")
    out.add_figure("other_sexual_share_sexual_offences", share(count(crimes, "other_sexual", fy), sexual),
                   "Other sexual offences: share of sexual offences", "share")
    vawg = crimes[grouping_mask(crimes, "vawg")]
    out.tables["vawg_offences"] = by_key(vawg, ["ho_group"], fy, prev)
    vawg_now = vawg[vawg["fy"] == fy]
    stalking = vawg_now[grouping_mask(vawg_now, "stalking_harassment")]
    out.add_figure("stalking_harassment_share_vawg", share(len(stalking), len(vawg_now)), "Stalking and harassment: share of VAWG", "share")
    da_part = share(int(stalking["domestic_abuse"].sum()), len(stalking))
    return {
        "domestic_abuse": [narrative.share_sentence("Domestic abuse", da, trc, "total recorded crime"), *said.get("domestic_abuse", [])],
        "sexual_offences": [*said.get("sexual_offences", []), narrative.share_sentence("Rape", rape, sexual, "sexual offences")],
        "vawg": [*said.get("vawg", []),
                 narrative.share_sentence("Stalking and harassment", len(stalking), len(vawg_now), "violence against women and girls"),
                 *([] if da_part is None else [f"{narrative.fmt_pct(da_part)} of that stalking and harassment was domestic abuse."])],
    }


def _referrals(out: SectionResult, services: pd.DataFrame, fy: str, prev: str, threshold: int) -> list[str]:
    rows = [frame_change(s, f"Referrals to {s}", services[services["service"] == s], fy, prev) for s in sorted(services["service"].unique())]
    total = frame_change("all", "Referrals to domestic abuse services", services, fy, prev)
    shown = people_changes(out, SECTION, "da_referrals", pd.DataFrame([*rows, total]), threshold, total="all")
    hidden = bool(pd.isna(shown["current"].iloc[-1]))  # the total row after disclosure control
    out.add_figure("da_referrals", total["current"], "Referrals to domestic abuse services", "count", withheld=hidden)
    out.add_figure("da_referrals_change", total["pct_change"], f"Referrals to domestic abuse services: change on {prev}",
                   "pct_change", withheld=hidden)
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
    shown = reoffending_rates(people_table(out, SECTION, "reoffending", counts, threshold))
    out.tables["reoffending"] = shown
    periods = [p for p in counts.index if p <= fy] or list(counts.index)
    row = shown.set_index("period").loc[periods[-1]]
    said = []
    if pd.notna(row["reoffending_rate"]):
        out.add_figure("reoffending_rate", row["reoffending_rate"], f"Proven reoffending rate ({periods[-1]})", "pct")
        said.append(f"In {periods[-1]}, {narrative.fmt_pct(row['reoffending_rate'])} of offenders in the cohort reoffended "
                    f"(95% interval {narrative.fmt_pct(row['rate_low'])} to {narrative.fmt_pct(row['rate_high'])}).")
    if len(periods) > 1:
        fte = change_row("first_time_entrants", "First-time entrants to the youth justice system",
                         int(counts.loc[periods[-1], "first_time_entrants"]), int(counts.loc[periods[-2], "first_time_entrants"]))
        fte_shown = people_changes(out, SECTION, "first_time_entrants", pd.DataFrame([fte]), threshold)
        hidden = bool(pd.isna(fte_shown["current"].iloc[0]))
        out.add_figure("first_time_entrants", fte["current"], f"First-time entrants ({periods[-1]})", "count", withheld=hidden)
        out.add_figure("first_time_entrants_change", fte["pct_change"], f"First-time entrants: change on {periods[-2]}",
                       "pct_change", withheld=hidden)
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
        Tables ``serious_violence``, ``syv_types``, ``<cohort>_victims`` (suppressed), ``changes``,
        ``vawg_offences``, ``da_referrals``, ``reoffending``, ``first_time_entrants``, ``sentences``
        and ``suppression_log``; the published figures of the priority.
    """
    fy, prev, threshold = params.period, params.comparison, params.disclosure_threshold
    out = new_result()
    said = {"serious_violence": _serious_violence(out, data.crimes, fy, threshold),
            "victims": _victims(out, data.crimes, fy, threshold)}
    said.update(_domestic_and_sexual(out, data.crimes, fy, prev))
    said["domestic_abuse"] += _referrals(out, data.services, fy, prev, threshold)
    said["reoffending"] = _reoffending(out, data.reoffending, fy, threshold)
    return finish(out, said)
