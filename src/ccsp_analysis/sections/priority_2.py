"""Priority 2: public place safety and reassurance (shoplifting, ASB, fly-tipping, victims, alcohol and drugs)."""

from __future__ import annotations

import pandas as pd

from ccsp_analysis import narrative
from ccsp_analysis.dataset import Dataset
from ccsp_analysis.disclosure import key
from ccsp_analysis.measures import (
    add_change_figures,
    asb_change,
    available,
    by_key,
    frame_change,
    grouping_changes,
    grouping_needs,
    share,
    slug,
    street_level,
)
from ccsp_analysis.params import Params
from ccsp_analysis.people import (
    AGE_SEX_COLUMNS,
    LOG_DISPLAY,
    age_sex_counts,
    age_sex_keys,
    finish,
    new_result,
    people_table,
    pyramid_frame,
    register,
    share_sentence,
    topic_sentences,
    withheld_sentence,
)
from ccsp_analysis.result import SectionResult
from ccsp_analysis.taxonomy import (
    DRUG_POSSESSION_CODES,
    DRUG_SUPPLY_CODES,
    NTE_HOURS,
    grouping_mask,
)

__all__ = ["AGE_SEX_COLUMNS", "LOG_DISPLAY", "alcohol_hours", "asb_types", "city_centre_drugs", "peak_ages", "priority_2", "pyramid_frame", "topic_sentences"]

SECTION = "04_priority_2"
#: Crime groupings whose change the section reports (ASB and fly-tipping are added to the table).
CHANGE_GROUPINGS = ["shoplifting", "alcohol_related", "drugs", "drug_possession", "drug_supply"]
#: Published figure id of each measure's change.
CHANGE_IDS = {"shoplifting": "theft_from_shops_change", "fly_tipping": "fly_tipping_change", "drugs": "drug_offences_change"}
#: Police ASB types, as the document lists them.
ASB_TYPES = ("nuisance", "environmental", "personal")
#: Victim age bands of five years, 0-4 to 90+.
VICTIM_AGE_EDGES = tuple(range(5, 95, 5))
#: Drug offences in the city centre: kind -> (Home Office codes, figure id of its share).
DRUG_KINDS = {"Possession": (DRUG_POSSESSION_CODES, "city_centre_drugs_possession_share"),
              "Possession with intent to supply": (DRUG_SUPPLY_CODES, "city_centre_drugs_intent_to_supply_share")}


def asb_types(asb: pd.DataFrame, fy: str) -> pd.DataFrame:
    """Police-recorded ASB of ``fy`` by type (personal, nuisance, environmental) with share of the typed total."""
    police = asb[(asb["recorded_by"] == "police") & (asb["fy"] == fy) & asb["asb_type"].isin(ASB_TYPES)]
    counts = police["asb_type"].value_counts().reindex(ASB_TYPES, fill_value=0)
    return pd.DataFrame({"asb_type": list(ASB_TYPES), "label": [t.capitalize() for t in ASB_TYPES], "incidents": counts.to_numpy(),
                         "share": [share(int(n), len(police)) for n in counts]})


def alcohol_hours(crimes: pd.DataFrame, fy: str) -> pd.DataFrame:
    """Alcohol-related crimes of ``fy`` in night-time-economy hours, other hours and hour unknown, with shares."""
    alcohol = crimes[grouping_mask(crimes, "alcohol_related") & (crimes["fy"] == fy)]
    nte = alcohol["hour"].isin(NTE_HOURS).fillna(False)
    counts = {"Night-time economy hours (20:00-05:59)": int(nte.sum()),
              "Other hours": int((~nte & alcohol["hour"].notna()).sum()),
              "Hour not recorded": int(alcohol["hour"].isna().sum())}
    return pd.DataFrame({"hours": list(counts), "crimes": list(counts.values()),
                         "share": [share(n, len(alcohol)) for n in counts.values()]})


def city_centre_drugs(crimes: pd.DataFrame, fy: str, ward_code: str) -> pd.DataFrame:
    """Drug offences of ``fy`` in the city-centre ward by kind (possession, supply, other) with shares."""
    drugs = crimes[grouping_mask(crimes, "drugs") & (crimes["fy"] == fy) & (crimes["ward_code"] == ward_code)]
    counts = {kind: int(drugs["ho_code"].isin(codes).sum()) for kind, (codes, _fid) in DRUG_KINDS.items()}
    counts["Other drug offences"] = len(drugs) - sum(counts.values())
    return pd.DataFrame({"kind": list(counts), "crimes": list(counts.values()),
                         "share": [share(n, len(drugs)) for n in counts.values()]})


def peak_ages(shown: pd.DataFrame) -> pd.DataFrame:
    """The age band with most victims for each sex, from a shown (suppressed) age-by-sex table."""
    body = shown[~shown["age_band"].isin(["Total", "Unknown"])].set_index("age_band")
    rows = []
    for sex in ("F", "M"):
        column = body[sex].dropna()
        if column.empty or column.max() == 0:
            continue
        band = column.astype(int).idxmax()
        rows.append({"sex": sex, "age_band": band, "victims": int(column[band]), "share": share(int(column[band]), int(column.sum()))})
    return pd.DataFrame(rows, columns=["sex", "age_band", "victims", "share"])


def _ward_shares(out: SectionResult, name: str, frame: pd.DataFrame, fy: str, prev: str,
                 geography: pd.DataFrame | None = None) -> pd.DataFrame:
    """Counts by ward with every ward of the area a row (so the Benjamini-Hochberg correction runs over all)."""
    table = by_key(frame, ["ward_code", "ward_name"], fy, prev, every=geography)
    out.tables[name] = table
    return table


def _asb(out: SectionResult, data: Dataset, params: Params, centre: str | None) -> list[str]:
    fy, prev = params.period, params.comparison
    police = data.asb[data.asb["recorded_by"] == "police"]
    if police["asb_type"].notna().any():
        types = asb_types(data.asb, fy)
        out.tables["asb_types"] = types
        for row in types.itertuples():
            out.add_figure(f"asb_{row.asb_type}_share", row.share, f"Police-recorded ASB: {row.asb_type} share", "share", decimals=0)
        said = [f"Of police-recorded ASB with a type, {narrative.fmt_list([f'{narrative.fmt_pct(r.share)} was {r.asb_type}' for r in types.itertuples() if r.share is not None])}."]
    else:  # police.uk ASB rows carry no type
        said = [narrative.needs_sentence("asb_types")]
    wards = _ward_shares(out, "asb_wards", police, fy, prev, data.geography)
    if centre is not None and (wards["ward_name"] == centre).any():
        row = wards[wards["ward_name"] == centre].iloc[0]
        out.add_figure(f"asb_{slug(centre)}_share", row["share"], f"{centre}: share of police-recorded ASB", "share")
        said.append(narrative.share_sentence(f"{centre} (the city centre)", int(row["current"]), int(wards["current"].sum()), "police-recorded ASB"))
    return said


def _fly_tipping(out: SectionResult, fly: pd.DataFrame, fy: str, prev: str, geography: pd.DataFrame) -> list[str]:
    wards = _ward_shares(out, "fly_tipping_wards", fly, fy, prev, geography)
    for row in wards.itertuples():
        out.add_figure(f"fly_tipping_{slug(row.ward_name)}_share", row.share, f"{row.ward_name}: share of fly-tipping", "share")
    if wards.empty or wards["current"].sum() == 0:
        return []
    top = wards.iloc[0]
    return [narrative.share_sentence(f"{top['ward_name']}, the ward with most fly-tipping,", int(top["current"]), int(wards["current"].sum()), "fly-tipping")]


def _victims(out: SectionResult, victims: pd.DataFrame, fy: str, threshold: int) -> list[str]:
    reg = register(out, SECTION)
    now = victims[victims["fy"] == fy]
    offences, female = int(now["crime_ref"].nunique()), int((now["victim_sex"] == "F").sum())
    cell = age_sex_keys("victims", fy, source="victims")
    shown = people_table(out, SECTION, "victims_by_age_sex", age_sex_counts(now, VICTIM_AGE_EDGES), threshold, cell)
    known = reg.values()
    # the base of the female share: every victim of the year (a victim of no recorded sex is in no column)
    base = cell("Total", "Total") if known[cell("Total", "Total")] == len(now) else reg.count(key(count="victims", fy=fy, source="victims", sex="any"), len(now))
    offences_key = reg.count(key(count="offences with a victim", fy=fy, source="victims"), offences)
    out.add_figure("offences_with_victim", offences, "Offences with a recorded victim", "count")
    out.add_figure("victims_female_share", share(female, len(now)), "Victims: female share", "share")
    reg.figure("offences_with_victim", [offences_key])
    reg.figure("victims_female_share", [cell("Total", "F"), base])
    peaks = peak_ages(shown)
    out.tables["victim_peak_ages"] = peaks
    hidden = reg.hidden
    used = {}  # each peak is read from the visible cells of its sex's column: withheld if one is hidden later
    body = [b for b in shown["age_band"] if b not in ("Total", "Unknown")]
    for i, r in enumerate(peaks.itertuples()):
        used[r.sex] = tuple(cell(b, r.sex) for b in body if cell(b, r.sex) not in hidden)
        reg.derive("victim_peak_ages", i, ["age_band", "victims", "share"], used[r.sex])
    words = {"F": "female", "M": "male"}
    said = [reg.phrase((f"There were {narrative.fmt_count(offences)} offences with a recorded victim.", (offences_key,),
                        "The number of offences with a recorded victim is withheld to protect small numbers.")),
            share_sentence(reg, "Female victims", female, len(now), "victims", [cell("Total", "F"), base])]
    if not peaks.empty:
        said.append(reg.phrase(("The age band with most victims was " + narrative.fmt_list(
            [f"{r.age_band} for {words.get(r.sex, r.sex)} victims" for r in peaks.itertuples()]) + ".",
            tuple(k for keys in used.values() for k in keys), withheld_sentence("The age band with most victims"))))
    return said


def _drugs(out: SectionResult, crimes: pd.DataFrame, fy: str, prev: str, centre_code: str | None, centre: str | None,
           geography: pd.DataFrame) -> list[str]:
    wards = _ward_shares(out, "drug_wards", crimes[grouping_mask(crimes, "drugs")], fy, prev, geography)
    if centre_code is None or centre is None:
        return []
    row = wards[wards["ward_code"] == centre_code]
    part = int(row["current"].iloc[0]) if len(row) else 0
    out.add_figure(f"drug_offences_{slug(centre)}_share", share(part, int(wards["current"].sum())), f"{centre}: share of drug offences", "share")
    said = [narrative.share_sentence(centre, part, int(wards["current"].sum()), "drug offences")]
    if not crimes["ho_code"].notna().any():
        return [*said, narrative.needs_sentence("city_centre_drugs")]
    kinds = city_centre_drugs(crimes, fy, centre_code)
    out.tables["city_centre_drugs"] = kinds
    for row in kinds.itertuples():
        if row.kind in DRUG_KINDS:
            out.add_figure(DRUG_KINDS[row.kind][1], row.share, f"City-centre drug offences: {row.kind.lower()}", "share")
    if part:
        said.append(f"In the city centre, {narrative.fmt_list([f'{narrative.fmt_pct(r.share)} were {r.kind.lower()}' for r in kinds.itertuples()])}.")
    return said


def priority_2(data: Dataset, params: Params) -> SectionResult:
    """Compute Priority 2 (public place safety and reassurance) for ``params.period``.

    Parameters
    ----------
    data
        The dataset (needs ``crimes``, ``asb``, ``fly_tipping`` and ``victims``).
    params
        Run parameters: ``period``, ``comparison``, ``disclosure_threshold`` and the area's
        ``city_centre_ward`` are used.

    Returns
    -------
    SectionResult
        Tables ``changes``, ``asb_types``, ``asb_wards``, ``fly_tipping_wards``,
        ``victims_by_age_sex`` (counts about people, registered for disclosure control),
        ``victim_peak_ages``, ``alcohol_hours``,
        ``drug_wards``, ``city_centre_drugs``, ``sentences`` and ``suppression_log``; the
        published figures of the priority (city-centre ids named after the ward).
    """
    fy, prev = params.period, params.comparison
    crimes, out = data.crimes, new_result()
    centre_code = params.area.city_centre_ward
    names = data.geography.loc[data.geography["ward_code"] == centre_code, "ward_name"]
    centre = str(names.iloc[0]) if len(names) else None
    council = data.asb[data.asb["recorded_by"] == "council"]
    fly = data.fly_tipping
    # a measure whose input was not supplied is one sentence naming it, never a row of zeros
    extra = [asb_change(data, fy, prev)]
    if params.sources.council_asb is not None:
        extra.append(frame_change("council_asb", "Anti-social behaviour (council-recorded)", council, fy, prev))
    if not fly.empty:
        extra.append(frame_change("fly_tipping", "Fly-tipping", fly, fy, prev))
    changes = pd.concat([grouping_changes(crimes, CHANGE_GROUPINGS, fy, prev), pd.DataFrame(extra)], ignore_index=True)
    out.tables["changes"] = changes
    add_change_figures(out, changes, CHANGE_IDS, prev)
    said = changes.set_index("measure")["sentence"]

    def told(measure: str, need: str | None = None) -> list[str]:
        if measure in said.index:
            return [said[measure]]
        return [narrative.needs_sentence(need)] if need else grouping_needs(crimes, [measure])

    street = [narrative.STREET_LEVEL_NOTE] if street_level(data) else []
    if available(crimes, "alcohol_related"):
        alcohol = alcohol_hours(crimes, fy)
        out.tables["alcohol_hours"] = alcohol
        out.add_figure("alcohol_related_in_nte_hours_share", alcohol["share"].iloc[0], "Alcohol-related crime in night-time-economy hours", "share")
        alcohol_said = [narrative.share_sentence("Alcohol-related crime in night-time-economy hours", int(alcohol["crimes"].iloc[0]),
                                                 int(alcohol["crimes"].sum()), "alcohol-related crime")]
    else:
        alcohol_said = told("alcohol_related")
    return finish(out, {
        "shoplifting": [*street, *told("shoplifting")],
        "asb": [*told("asb"), *told("council_asb", "council_asb"), *_asb(out, data, params, centre)],
        "fly_tipping": [*told("fly_tipping", "fly_tipping"), *(_fly_tipping(out, fly, fy, prev, data.geography) if not fly.empty else [])],
        "victims": _victims(out, data.victims, fy, params.disclosure_threshold) if len(data.victims) else [narrative.needs_sentence("victims")],
        "alcohol": alcohol_said,
        "drugs": [*told("drugs"), *grouping_needs(crimes, ["drug_possession", "drug_supply"]), *_drugs(out, crimes, fy, prev, centre_code, centre, data.geography)],
    }, params.disclosure_threshold)
