"""Areas: recorded crime by ward (volume, share, rate, change), concentration across small areas, hotspots and maps."""

from __future__ import annotations

import logging

import pandas as pd

from ccsp_analysis import narrative, stats
from ccsp_analysis.dataset import Dataset
from ccsp_analysis.measures import (
    FDR,
    by_key,
    population_note,
    rates_table,
    share,
    significant_counts,
    small_area_populations,
    street_level,
    ward_rates,
    wards,
)
from ccsp_analysis.params import Params
from ccsp_analysis.result import SectionResult

log = logging.getLogger(__name__)

#: Share of small areas the concentration statement describes ("the top 20% of small areas hold ...").
TOP_AREA_SHARE = 0.2
HOTSPOTS = 10


def ward_table(data: Dataset, params: Params) -> pd.DataFrame:
    """Every ward of the area: volume, share of TRC, rate per 1,000 with interval, and change with significance.

    Wards with no crime in either year are kept with zero counts (no change, p = 1, STABLE);
    rows are ranked by volume this year, then by ward name. ``direction`` is each ward's own test;
    ``q_value`` and ``significant_bh`` apply the Benjamini–Hochberg correction across all the wards
    (:func:`ccsp_analysis.measures.by_key`).
    """
    fy, prev = params.period, params.comparison
    counted = wards(data.crimes, fy, prev, geography=data.geography).drop(columns=["rank", "ward_name"])
    rates = ward_rates(data, params).drop(columns=["crimes"])
    table = rates.merge(counted, on="ward_code", how="left")
    table[["current", "previous"]] = table[["current", "previous"]].astype(int)
    table = table.sort_values(
        ["current", "ward_name"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)
    table.insert(0, "rank", range(1, len(table) + 1))
    return table


def lsoa_counts(data: Dataset, params: Params) -> pd.Series:
    """Recorded crime in ``params.period`` for every small area of the area (zeros included), by LSOA code."""
    codes = data.geography["lsoa_code"]
    counts = data.crimes[data.crimes["fy"] == params.period].groupby("lsoa_code").size()
    return counts.reindex(codes, fill_value=0).astype(int).rename("crimes")


def concentration(data: Dataset, params: Params) -> stats.Concentration:
    """Concentration of recorded crime across the area's small areas ("the top 20% of small areas hold y%")."""
    return stats.concentration(lsoa_counts(data, params), TOP_AREA_SHARE)


def hotspots(data: Dataset, params: Params, n: int = HOTSPOTS) -> pd.DataFrame:
    """The ``n`` small areas with most recorded crime (none without crime this year), with ward, share of TRC,
    rate per 1,000 and change.

    The Benjamini–Hochberg correction (``q_value``, ``significant_bh``) runs over every small area of
    the area, not only the ``n`` shown: they were picked for their volume, so the correction counts
    every area they were picked from. Rates use :func:`ccsp_analysis.measures.small_area_populations`.
    """
    table = by_key(data.crimes, ["lsoa_code"], params.period, params.comparison, every=data.geography)
    table = table[table["current"] > 0].head(n)
    pop, _ = small_area_populations(data, params)
    geo = pop[["lsoa_code", "lsoa_name", "ward_name", "population"]]
    table = table.merge(geo, on="lsoa_code", how="left")
    table["rate"] = [
        stats.rate_per_1000(int(c), float(p))[0] if pd.notna(p) and p > 0 else None
        for c, p in zip(table["current"], table["population"], strict=True)
    ]
    return table[
        [
            "rank",
            "lsoa_code",
            "lsoa_name",
            "ward_name",
            "current",
            "share",
            "rate",
            "previous",
            "pct_change",
            "p_value",
            "direction",
            "q_value",
            "significant_bh",
        ]
    ]


def _ward_sentences(table: pd.DataFrame, total: int) -> list[str]:
    if table.empty or total == 0:
        return ["No crime was recorded in any ward this year."]
    top = table.iloc[0]
    by_rate = table.sort_values(["rate", "ward_name"], ascending=[False, True], kind="stable").iloc[
        0
    ]
    out = [
        narrative.share_sentence(
            f"{top['ward_name']}, the ward with most recorded crime,",
            int(top["current"]),
            total,
            "total recorded crime",
        ),
        f"The highest rate was in {by_rate['ward_name']}: {narrative.fmt_rate(by_rate['rate'])} crimes per "
        "1,000 residents.",
    ]
    counted = significant_counts(table)
    if counted is None:
        out.append("No ward's change on last year is reported, because the data miss months.")
        return out
    ups, downs = counted
    n = len(table)
    out.append(
        f"Recorded crime rose significantly in {ups} of {n} wards, fell significantly in {downs} and showed no "
        f"statistically significant change in {n - ups - downs}, after correcting for testing {n} wards at once "
        f"(Benjamini–Hochberg, false discovery rate {narrative.fmt_pct(FDR * 100, 0)})."
    )
    own_ups, own_downs = int((table["direction"] == "UP").sum()), int((table["direction"] == "DOWN").sum())
    if (own_ups, own_downs) != (ups, downs):
        out.append(
            f"Each ward's own test (the direction of travel in the table) finds {own_ups} significant "
            f"{'rise' if own_ups == 1 else 'rises'} and {own_downs} significant {'fall' if own_downs == 1 else 'falls'}; "
            "some of these would be expected by chance when many wards are tested."
        )
    return out


def areas(data: Dataset, params: Params) -> SectionResult:
    """Compute the areas section for ``params``: wards, small-area concentration and hotspots."""
    out = SectionResult()
    table = ward_table(data, params)
    out.tables["wards"] = table
    out.plots["boundaries"] = data.boundaries
    out.tables["area_rate"] = rates_table(data, params).tail(1).reset_index(drop=True)
    total = int(table["current"].sum())
    out.sentences += _ward_sentences(table, total)
    out.sentences.append(population_note(data, params))
    if street_level(data):
        out.sentences.append(narrative.STREET_LEVEL_NOTE)
    if data.boundaries.empty:
        out.sentences.append(narrative.needs_sentence("ward_map"))
    if len(data.geography):
        conc = concentration(data, params)
        statement = (f"{narrative.concentration_statement(conc, areas='small areas')} The Gini coefficient across "
                     f"small areas is {narrative.fmt_number(conc.gini, 3)} (0 = spread evenly; near 1 = all in one area).")
        # which small areas these are: the lookup's, not (in the demonstration data) the ONS's LSOAs
        synthetic = bool(data.geography["lsoa_code"].astype(str).str.startswith("X").all())
        out.sentences.append(narrative.small_areas_sentence(conc.n_areas, params.area.name, synthetic))
        out.tables["lorenz"] = stats.lorenz(lsoa_counts(data, params))
        out.tables["concentration"] = pd.DataFrame(
            [
                {
                    "small_areas": conc.n_areas,
                    "top_areas": conc.top_areas,
                    "area_share": conc.area_share * 100,
                    "crime_share": None if conc.crime_share is None else conc.crime_share * 100,
                    "gini": conc.gini,
                    "statement": statement,
                }
            ]
        )
        out.add_figure(
            "gini_lsoa",
            conc.gini,
            "Gini coefficient of recorded crime across small areas",
            "rate",
            decimals=3,
        )
        out.add_figure(
            "top20pct_lsoa_share",
            None if conc.crime_share is None else conc.crime_share * 100,
            f"Share of recorded crime in the top {narrative.fmt_pct(conc.area_share * 100)} of small areas",
            "share",
        )
        out.sentences.append(statement)
    spots = hotspots(data, params)
    out.tables["hotspots"] = spots
    if len(spots) and total > 0:
        in_top = share(int(spots["current"].sum()), total)
        out.sentences.append(
            f"The {len(spots)} small areas with most crime hold "
            f"{narrative.fmt_pct(in_top)} of total recorded crime."
        )
    return out
