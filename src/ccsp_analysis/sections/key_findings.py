"""Key findings: the headline page of the Strategic Assessment (crime and ASB levels, changes, top offences, wards)."""

from __future__ import annotations

import pandas as pd

from ccsp_analysis import narrative
from ccsp_analysis.dataset import Dataset
from ccsp_analysis.measures import (
    asb_change,
    by_key,
    count,
    grouping_changes,
    grouping_needs,
    share,
    slug,
    street_level,
    wards,
)
from ccsp_analysis.params import Params
from ccsp_analysis.result import SectionResult
from ccsp_analysis.taxonomy import HO_OFFENCES, STREET_GROUPINGS, grouping_mask

#: Groupings the key findings report, in page order.
HEADLINE_GROUPINGS = ["trc", "assault_battery", "shoplifting", "acquisitive", "vehicle", "serious_youth_violence",
                      "county_lines", "child_abuse", "domestic_abuse", "sexual_offences", "vawg", "drugs"]
#: Published figure id of each grouping's year-on-year change.
CHANGE_IDS = {"trc": "trc_change", "asb": "asb_change", "assault_battery": "assault_battery_change",
              "shoplifting": "shoplifting_change", "acquisitive": "acquisitive_change",
              "vehicle": "vehicle_crime_change", "serious_youth_violence": "syv_change",
              "county_lines": "county_lines_change", "child_abuse": "child_abuse_change"}


def top_offences(crimes: pd.DataFrame, fy: str, previous_fy: str, n: int = 5) -> pd.DataFrame:
    """The ``n`` most recorded Home Office offences with share of TRC and change.

    ``significant_bh`` is corrected (Benjamini–Hochberg) over every offence the top ``n`` were picked from.
    """
    table = by_key(crimes, ["ho_code"], fy, previous_fy).head(n)
    table.insert(2, "offence", table["ho_code"].map(lambda c: HO_OFFENCES[c].description))
    return table


def offence_mix(crimes: pd.DataFrame, fy: str, previous_fy: str) -> pd.DataFrame:
    """Every police.uk crime category with its share of the year's crimes and change (street-level data alone).

    ``significant_bh`` is corrected (Benjamini–Hochberg) over every category.
    """
    table = by_key(crimes, ["police_category"], fy, previous_fy)
    return table.rename(columns={"police_category": "offence"})


def acquisitive_parts(crimes: pd.DataFrame, fy: str, previous_fy: str) -> pd.DataFrame:
    """Acquisitive crime by kind (Home Office offence group; police.uk category on street-level data alone),
    largest first, with each kind's share of acquisitive crime and its change.

    ``significant_bh`` is corrected (Benjamini–Hochberg) over every kind.
    """
    column = "ho_group" if crimes["ho_code"].notna().any() else "police_category"
    acquisitive = crimes[grouping_mask(crimes, "acquisitive")]
    table = by_key(acquisitive, [column], fy, previous_fy).rename(columns={column: "kind"})
    return table.sort_values(["current", "kind"], ascending=[False, True], kind="stable").reset_index(drop=True)


def key_findings(data: Dataset, params: Params) -> SectionResult:
    """Compute the key findings of ``params.period`` against the comparison year."""
    fy, prev = params.period, params.comparison
    crimes = data.crimes
    out = SectionResult()
    street = street_level(data)
    # on police.uk data alone: every grouping its categories give, then what the headline groupings would add
    names = HEADLINE_GROUPINGS + [n for n in STREET_GROUPINGS if n not in HEADLINE_GROUPINGS] if street else HEADLINE_GROUPINGS
    changes = grouping_changes(crimes, names, fy, prev)
    changes = pd.concat([changes.iloc[:1], pd.DataFrame([asb_change(data, fy, prev)]), changes.iloc[1:]], ignore_index=True)
    out.tables["changes"] = changes
    if street:
        out.sentences.append(narrative.STREET_LEVEL_NOTE)
    out.sentences += list(changes["sentence"])
    out.sentences += grouping_needs(crimes, HEADLINE_GROUPINGS)
    trc = count(crimes, "trc", fy)
    out.add_figure("trc", trc, "Total recorded crime", "count")
    for row in changes.itertuples():
        if row.measure in CHANGE_IDS:
            out.add_figure(CHANGE_IDS[row.measure], row.pct_change, f"{row.label}: change on {prev}", "pct_change")
    if crimes["ho_code"].notna().any():
        offences = top_offences(crimes, fy, prev)
        out.tables["top_offences"] = offences
        ab = count(crimes, "assault_battery", fy)
        out.add_figure("assault_battery", ab, "Assault and battery", "count")
        out.add_figure("assault_battery_share", share(ab, trc), "Assault and battery: share of TRC", "share")
        ab_da = int((crimes["ho_code"].eq("105A") & (crimes["alcohol"] | crimes["drugs"]) & crimes["fy"].eq(fy)).sum())
        out.add_figure("assault_battery_drug_alcohol_share", share(ab_da, ab), "Assault and battery influenced by drugs or alcohol", "share")
        out.sentences.append(narrative.share_sentence("Assault and battery", ab, trc, "total recorded crime"))
        out.sentences.append(narrative.share_sentence("Assault and battery flagged as influenced by drugs or alcohol",
                                                      ab_da, ab, "assault and battery"))
    else:
        out.tables["offence_mix"] = offence_mix(crimes, fy, prev)
        out.sentences.append(narrative.needs_sentence("top_offences"))
    parts = acquisitive_parts(crimes, fy, prev)
    if int(parts["current"].sum()) > 0:  # e.g. vehicle crime's share of acquisitive crime
        out.tables["acquisitive_parts"] = parts
        out.sentences.append(narrative.parts_sentence(
            "acquisitive crime", [(k.lower(), int(c)) for k, c in zip(parts["kind"], parts["current"], strict=True)],
            int(parts["current"].sum())))
    shop = count(crimes, "shoplifting", fy)
    out.add_figure("shoplifting_share", share(shop, trc), "Shoplifting: share of TRC", "share")
    out.sentences.append(narrative.share_sentence("Shoplifting", shop, trc, "total recorded crime"))
    # every ward of the area (none dropped for having no crime), so the Benjamini–Hochberg correction of
    # ``significant_bh`` runs over the same wards as on the areas page
    ward_table = wards(crimes, fy, prev, geography=data.tables.get("geography"))
    out.tables["wards"] = ward_table
    for row in ward_table.itertuples():
        out.add_figure(f"ward_{slug(row.ward_name)}_trc", row.current, f"{row.ward_name}: recorded crime", "count")
        out.add_figure(f"ward_{slug(row.ward_name)}_share", row.share, f"{row.ward_name}: share of TRC", "share")
    return out
