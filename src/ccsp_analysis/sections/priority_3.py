"""Priority 3: exploitation and protecting victims (hate crime, honour-based abuse, county lines, CSE, modern slavery)."""

from __future__ import annotations

import pandas as pd

from ccsp_analysis import narrative
from ccsp_analysis.dataset import Dataset
from ccsp_analysis.disclosure import Key, key
from ccsp_analysis.measures import (
    add_change_figures,
    by_key,
    grouping_changes,
    grouping_needs,
    in_groupings,
    share,
    street_level,
)
from ccsp_analysis.params import Params
from ccsp_analysis.people import (
    AGE_SEX_COLUMNS,
    LOG_DISPLAY,
    age_sex_counts,
    age_sex_keys,
    crimes_key,
    finish,
    new_result,
    people_changes,
    people_table,
    pyramid_frame,
    register,
    register_hate_strands,
    settle,
    share_sentence,
    strand_key,
    topic_sentences,
    victim_count,
    with_victim,
)
from ccsp_analysis.result import SectionResult
from ccsp_analysis.taxonomy import grouping_mask

__all__ = ["AGE_SEX_COLUMNS", "LOG_DISPLAY", "hate_strands", "nrm_by_responder", "nrm_profile", "nrm_profile_columns", "priority_3", "pyramid_frame", "topic_sentences"]

SECTION = "05_priority_3"
#: Groupings whose change the section reports, in page order.
CHANGE_GROUPINGS = ["hate_crime", "honour_based_abuse", "county_lines", "cse", "modern_slavery"]
#: Published figure id of each grouping's change.
CHANGE_IDS = {"hate_crime": "hate_crime_change", "honour_based_abuse": "honour_based_abuse_change",
              "county_lines": "county_lines_change", "cse": "cse_change", "modern_slavery": "modern_slavery_police_change"}
#: Victims shown by age and sex: grouping -> age-band edges.
VICTIM_TABLES = {"honour_based_abuse": (18, 25, 40), "county_lines": (15, 18), "cse": (13, 16, 18), "modern_slavery": (18, 25)}
#: NRM first responders, in the order shown.
RESPONDERS = ("police", "council", "other")
#: Age that splits NRM referrals into younger and older victims (the document's "under 25").
NRM_AGE_SPLIT = 25


def hate_strands(crimes: pd.DataFrame, fy: str, previous_fy: str) -> pd.DataFrame:
    """Hate crimes by strand in two years, with share of the year's hate crime and change."""
    table = by_key(crimes[grouping_mask(crimes, "hate_crime")], ["hate_strand"], fy, previous_fy)
    table.insert(2, "strand", table["hate_strand"].str.replace("_", " ").str.capitalize())
    return table


def nrm_by_responder(nrm: pd.DataFrame) -> pd.DataFrame:
    """National Referral Mechanism referrals by financial year and first responder, with a Total column."""
    table = pd.crosstab(nrm["fy"], nrm["first_responder"])
    table = table.reindex(columns=[*RESPONDERS, *sorted(set(table.columns) - set(RESPONDERS))], fill_value=0)
    table["Total"] = table.sum(axis=1)
    table.columns.name = None
    return table.sort_index()


def nrm_profile(nrm: pd.DataFrame, fy: str) -> pd.DataFrame:
    """NRM referrals of ``fy`` by exploitation type and victim sex and age (under/over 25), with totals."""
    now = nrm[nrm["fy"] == fy]
    ages = (f"under {NRM_AGE_SPLIT}", f"{NRM_AGE_SPLIT}+", "age unknown")
    age = now["victim_age"].ge(NRM_AGE_SPLIT).map({True: ages[1], False: ages[0]}).astype(object).fillna(ages[2])
    group = now["victim_sex"].astype(str) + " " + age
    table = pd.crosstab(now["exploitation_type"].str.replace("_", " ").str.capitalize(), group)
    order = [f"{sex} {a}" for sex in sorted(now["victim_sex"].dropna().unique()) for a in ages]
    table = table.reindex(columns=[c for c in order if c in table.columns]).astype(int)
    table["Total"] = table.sum(axis=1)
    table.loc["Total"] = table.sum(axis=0)
    table.index.name, table.columns.name = "exploitation_type", None
    return table


def nrm_profile_columns(shown: pd.DataFrame | None) -> dict[str, tuple[str, str]]:
    """How a notebook shows the NRM profile table: its columns with their headings and kinds (None: no table)."""
    columns = [] if shown is None else [c for c in shown.columns if c != "exploitation_type"]
    return {"exploitation_type": ("Exploitation", "text"), **{c: (c, "count") for c in columns}}


def _hate(out: SectionResult, crimes: pd.DataFrame, fy: str, prev: str, threshold: int) -> list[str]:
    reg = register(out, SECTION)
    strands = hate_strands(crimes, fy, prev)
    years = {"current": fy, "previous": prev}
    register_hate_strands(out, SECTION, "hate_strands", strands, years,
                          {c: (crimes_key("hate_crime", y), int(strands[c].sum())) for c, y in years.items()})
    settle(out, threshold)
    race = strands[strands["hate_strand"] == "race"]
    total = int(strands["current"].sum())
    racial = int(race["current"].iloc[0]) if len(race) else 0
    keys = [strand_key("race", fy), crimes_key("hate_crime", fy)]
    if keys[0] not in reg.values():
        reg.count(keys[0], racial)
    out.add_figure("racial_hate_share", share(racial, total), "Racial hate crime: share of hate crime", "share")
    reg.figure("racial_hate_share", keys)
    return [share_sentence(reg, "Racially motivated hate crime", racial, total, "hate crime", keys)]


def _victims(out: SectionResult, crimes: pd.DataFrame, fy: str, threshold: int) -> list[str]:
    reg = register(out, SECTION)
    victims = {name: with_victim(in_groupings(crimes, [name], fy)) for name in VICTIM_TABLES}
    cells = {name: age_sex_keys("victims", fy, grouping=name) for name in VICTIM_TABLES}
    for name, edges in VICTIM_TABLES.items():
        people_table(out, SECTION, f"{name}_victims", age_sex_counts(victims[name], edges), threshold, cells[name])
    county = victims["county_lines"]
    boys = victim_count(county, "M", (15, 17))
    keys = [cells["county_lines"]("15-17", "M"), cells["county_lines"]("Total", "Total")]
    # the share gives the 15-17 male cell away from the total: withheld whenever that cell is hidden
    out.add_figure("county_lines_males_15_17_share", share(boys, len(county)), "Males aged 15-17: share of county lines", "share")
    reg.figure("county_lines_males_15_17_share", keys)
    return [share_sentence(reg, "Males aged 15-17", boys, len(county), "children involved in county lines offences", keys)]


def _modern_slavery(out: SectionResult, nrm: pd.DataFrame, fy: str, threshold: int) -> list[str]:
    if nrm.empty:
        return [narrative.needs_sentence("nrm")]
    reg = register(out, SECTION)

    def by_responder(year, responder) -> Key:
        return key(count="nrm_referrals", fy=year, responder=None if responder == "Total" else responder)

    def by_profile(exploitation, column) -> Key:
        sex, _, age = ("", "", "") if column == "Total" else str(column).partition(" ")
        return key(count="nrm_referrals", fy=fy, exploitation=None if exploitation == "Total" else exploitation,
                   sex=sex or None, age=age or None)

    by_year = nrm_by_responder(nrm)
    people_table(out, SECTION, "nrm_by_responder", by_year, threshold, by_responder)
    people_table(out, SECTION, "nrm_profile", nrm_profile(nrm, fy), threshold, by_profile)
    council = nrm[nrm["first_responder"] == "council"]
    cases = int((council["fy"] == fy).sum())
    own = by_responder(fy, "council")
    if own not in reg.values():
        reg.count(own, cases)
    out.add_figure("modern_slavery_council_cases", cases, "Modern slavery referrals by the council (NRM)", "count")
    reg.figure("modern_slavery_council_cases", [own])
    recent = by_year[by_year.index < fy].tail(4).reset_index()
    earlier = []
    for r in recent.itertuples():
        earlier += [", " if earlier else " (earlier years: ",
                    (f"{r.fy}: {narrative.fmt_count(r.council)}", (by_responder(r.fy, "council"),), f"{r.fy}: withheld")]
    return [reg.phrase(
        (f"The council referred {narrative.fmt_count(cases)} potential victims of modern slavery to the National Referral "
         f"Mechanism in {fy}", (own,), f"The number of potential victims of modern slavery the council referred to the "
         f"National Referral Mechanism in {fy} is withheld to protect small numbers"),
        *earlier, ")." if earlier else ".")]


def priority_3(data: Dataset, params: Params) -> SectionResult:
    """Compute Priority 3 (exploitation and protecting victims) for ``params.period``.

    Parameters
    ----------
    data
        The dataset (needs ``crimes`` with hate strands and markers, and ``nrm``).
    params
        Run parameters: ``period``, ``comparison`` and ``disclosure_threshold`` are used.

    Returns
    -------
    SectionResult
        Tables ``changes``, ``hate_strands``, ``<grouping>_victims``, ``nrm_by_responder``,
        ``nrm_profile``, ``sentences`` and ``suppression_log``; the published figures. Every count
        about people is registered (``result.people``) and hidden where disclosure control needs it,
        here and, once the run has merged every section's register, wherever else the run shows it.
    """
    fy, prev, threshold = params.period, params.comparison, params.disclosure_threshold
    crimes, out = data.crimes, new_result()
    if street_level(data):  # every grouping of the priority needs the partner crime extract's markers
        said = {name: grouping_needs(crimes, [name]) for name in CHANGE_GROUPINGS}
        said["modern_slavery"] += _modern_slavery(out, data.nrm, fy, threshold)
        return finish(out, said, threshold)
    changes = grouping_changes(crimes, CHANGE_GROUPINGS, fy, prev)
    add_change_figures(out, changes, CHANGE_IDS, prev)
    years = {"current": fy, "previous": prev}
    shown_table = people_changes(out, SECTION, "changes", changes, threshold, keys=lambda m, y: crimes_key(m, years[y]),
                                 figure_ids=CHANGE_IDS)
    shown = shown_table.set_index("measure")["sentence"]
    said = {name: [shown[name]] if name in shown.index else [] for name in CHANGE_GROUPINGS}
    said["hate_crime"] += _hate(out, crimes, fy, prev, threshold)
    said["county_lines"] += _victims(out, crimes, fy, threshold)
    said["modern_slavery"] += _modern_slavery(out, data.nrm, fy, threshold)
    return finish(out, said, threshold)
