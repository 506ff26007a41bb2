"""City profile: population by age and ward, growth since 2011, median age, deprivation and rates per 1,000."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ccsp_analysis import narrative
from ccsp_analysis.dataset import Dataset
from ccsp_analysis.formatting import round_half_up
from ccsp_analysis.measures import population_note, rates_table, share, street_level
from ccsp_analysis.narrative import fmt_count, fmt_number, fmt_pct, fmt_rate
from ccsp_analysis.params import Params
from ccsp_analysis.result import SectionResult

log = logging.getLogger(__name__)

#: Five-year bands for the age and sex pyramid; the last band is open ("90+": the estimates' age 90 is 90 and over).
PYRAMID_BAND_WIDTH = 5
SEX_LABELS = {"F": "Female", "M": "Male"}  # the order every pyramid uses (female left)
#: The census whose population the profile describes (single-year-of-age estimates of the same year).
CENSUS_YEAR = 2021



def published_total(population: int) -> int:
    """A local-authority population as ONS publishes it: rounded half up to the nearest 100 (345,312 -> 345,300)."""
    return int(round_half_up(population, -2))


def growth_pct(earlier: int, later: int) -> float | None:
    """Percentage growth from ``earlier`` to ``later`` (None when ``earlier`` is 0)."""
    return None if earlier == 0 else (later / earlier - 1) * 100.0


def census_2021_total(data: Dataset) -> int | None:
    """Census 2021 usual residents summed over the area's small areas (None when there are none)."""
    pop = data.population
    return int(pop["population"].sum()) if not pop.empty else None


def census_2011_total(data: Dataset) -> int | None:
    """The Census 2011 local-authority total, or None when it was not supplied."""
    c2011 = data.census_2011
    return None if c2011.empty else int(c2011["population"].iloc[0])


def population_totals(c2011: int | None, c2021: int | None) -> pd.DataFrame:
    """Census totals: 2011, 2021 summed over small areas, 2021 as published (nearest 100), and the growth.

    Growth is measured between the two published totals (2011 as published, 2021 to the nearest 100).
    """
    published = None if c2021 is None else published_total(c2021)
    growth = None if c2011 is None or published is None else growth_pct(c2011, published)
    rows = [
        ("Census 2011 usual residents (published total)", c2011, None),
        ("Census 2021 usual residents (sum of small areas)", c2021, None),
        ("Census 2021 usual residents (as ONS publishes it, nearest 100)", published, growth),
    ]
    return pd.DataFrame(rows, columns=["measure", "value", "growth_pct"], dtype=object)


def age_bands_by_ward(data: Dataset, area_name: str) -> pd.DataFrame:
    """Census 2021 residents by ward (rows) and age band (columns, in the source's order), with totals.

    The last row is the whole area; empty when no population by age was supplied.
    """
    by_age = data.population_by_age
    if by_age.empty:
        return pd.DataFrame()
    table = (
        by_age.pivot_table(
            index="ward_name",
            columns="age_group",
            values="population",
            aggfunc="sum",
            sort=False,
            observed=True,
        )
        .fillna(0)
        .astype(int)
    )
    table = table.reindex(columns=list(pd.unique(by_age["age_group"]))).sort_index()
    table.loc[area_name] = table.sum()
    table["total"] = table.sum(axis=1)
    table.columns.name = None
    return table.reset_index(names="ward_name")


def median_age(mid_year: pd.DataFrame, year: int) -> tuple[int, float] | None:
    """Median age of residents from single-year-of-age estimates for ``year``.

    Returns
    -------
    tuple or None
        ``(completed_years, interpolated)``: the age of the middle resident (the first age at
        which the cumulative count reaches half the total) and the median interpolated within
        that year of age, treating age ``a`` as the interval [a, a + 1) -- the first is the
        second rounded down. None when there are no estimates for ``year``.
    """
    rows = mid_year[mid_year["year"] == year] if not mid_year.empty else mid_year
    if rows.empty or rows["population"].sum() == 0:
        return None
    counts = rows.groupby("age")["population"].sum().sort_index()
    cumulative = counts.cumsum().to_numpy()
    half = cumulative[-1] / 2.0
    i = int(np.searchsorted(cumulative, half))
    below = cumulative[i - 1] if i else 0
    age = int(counts.index[i])
    return age, age + (half - below) / counts.iloc[i]


def age_sex_bands(mid_year: pd.DataFrame, year: int) -> pd.DataFrame:
    """Residents by five-year age band and sex for ``year`` (``age_band``, ``sex``, ``population``)."""
    rows = mid_year[mid_year["year"] == year] if not mid_year.empty else mid_year
    if rows.empty:
        return pd.DataFrame(columns=["age_band", "sex", "population"])
    starts = rows["age"] // PYRAMID_BAND_WIDTH * PYRAMID_BAND_WIDTH
    last = int(starts.max())
    labels = [f"{s}+" if s == last else f"{s}-{s + PYRAMID_BAND_WIDTH - 1}" for s in starts]
    frame = rows.assign(
        start=starts.to_numpy(),
        age_band=labels,
        sex=rows["sex"].map(SEX_LABELS).fillna(rows["sex"]),
    )
    out = frame.groupby(["start", "age_band", "sex"], as_index=False)["population"].sum()
    out["sex"] = pd.Categorical(
        out["sex"], categories=[s for s in SEX_LABELS.values() if s in set(out["sex"])]
    )
    out = out.sort_values(["start", "sex"], kind="stable")
    out["sex"] = out["sex"].astype(str)
    return out[["age_band", "sex", "population"]].reset_index(drop=True)


def deprivation_profile(imd: pd.DataFrame, params: Params, small_areas: Iterable[str] = ()) -> pd.DataFrame:
    """How many of the area's small areas fall in each national IMD 2019 decile (1 = most deprived 10%).

    IMD 2019 uses 2011 LSOAs: the area's rows are those of its local authority districts
    (``lad_code`` in ``params.area.la_codes``) or, when the file has no authority column, those
    among ``small_areas`` (the lookup's small areas, ``data.geography``) and, when the area gives an
    ``lsoa_name_prefix``, those whose name starts with it (2011 areas the lookup no longer has).
    Empty when no IMD was supplied.
    """
    if imd.empty:
        return pd.DataFrame(columns=["decile", "lsoas", "share", "cumulative_share"])
    if "lad_code" in imd.columns and imd["lad_code"].notna().any():
        mine = imd[imd["lad_code"].isin(params.area.la_codes)]
    else:
        keep = imd["lsoa_code"].isin(set(small_areas))
        if params.area.lsoa_name_prefix:
            keep |= imd["lsoa_name"].str.startswith(params.area.lsoa_name_prefix).fillna(False).astype(bool)
        mine = imd[keep]
    if mine.empty:
        log.warning("IMD file has no small areas of %s", params.area.codes_text)
    counts = mine["imd_decile"].value_counts().reindex(range(1, 11), fill_value=0).astype(int)
    table = pd.DataFrame({"decile": counts.index, "lsoas": counts.to_numpy()})
    total = int(table["lsoas"].sum())
    table["share"] = [share(int(c), total) for c in table["lsoas"]]
    table["cumulative_share"] = [share(int(c), total) for c in table["lsoas"].cumsum()]
    return table


def _sentences(
    params: Params,
    c2011: int | None,
    c2021: int | None,
    median: tuple[int, float] | None,
    deprivation: pd.DataFrame,
    rates: pd.DataFrame,
    denominator: str,
) -> list[str]:
    name = params.area.name
    out = []
    if c2021 is not None:
        published = published_total(c2021)
        text = (
            f"On Census Day 2021 {name} had {fmt_count(published)} usual residents (the total as ONS publishes it, "
            f"to the nearest 100; its small areas sum to {fmt_count(c2021)})"
        )
        if c2011 is not None:
            verb = "up" if published >= c2011 else "down"
            text += f", {verb} {fmt_pct(abs(growth_pct(c2011, published)))} on {fmt_count(c2011)} at the 2011 Census"
        out.append(text + ".")
    if median is not None:
        out.append(
            f"The median age of residents in mid-2021 was {median[0]} (interpolated: {fmt_number(median[1], 1)})."
        )
    if not deprivation.empty and deprivation["lsoas"].sum():
        n, worst = int(deprivation["lsoas"].sum()), int(deprivation["lsoas"].iloc[0])
        out.append(
            f"{fmt_count(worst)} of {name}'s {fmt_count(n)} small areas ({fmt_pct(worst / n * 100)}) are among the "
            "10% most deprived in England (IMD 2019, 2011 small-area boundaries)."
        )
    area = rates.iloc[-1]
    if pd.notna(area["rate"]):
        out.append(
            f"Total recorded crime in {params.fy.text} was {fmt_rate(area['rate'])} per 1,000 residents "
            f"(95% interval {fmt_rate(area['rate_low'])} to {fmt_rate(area['rate_high'])})."
        )
    out.append(denominator)
    return out


def city_profile(data: Dataset, params: Params) -> SectionResult:
    """Compute the city profile for ``params``: population, growth, median age, deprivation and rates."""
    out = SectionResult()
    c2011, c2021 = census_2011_total(data), census_2021_total(data)
    totals = population_totals(c2011, c2021)
    out.tables["population_totals"] = totals
    out.tables["age_by_ward"] = age_bands_by_ward(data, params.area.name)
    out.tables["age_sex"] = age_sex_bands(data.mid_year, CENSUS_YEAR)
    median = median_age(data.mid_year, CENSUS_YEAR)
    geography = data.tables.get("geography")
    small_areas = geography["lsoa_code"] if geography is not None and "lsoa_code" in geography else ()
    deprivation = deprivation_profile(data.imd, params, small_areas)
    out.tables["deprivation"] = deprivation
    rates = rates_table(data, params)
    out.tables["rates"] = rates
    out.add_figure("population_census_2011", c2011, "Population, Census 2011", "count")
    out.add_figure(
        "population_census_2021",
        totals["value"].iloc[2],
        "Population, Census 2021 (nearest 100)",
        "count",
    )
    out.add_figure(
        "population_growth_2011_2021",
        totals["growth_pct"].iloc[2],
        "Population growth, Census 2011 to Census 2021",
        "pct_change",
    )
    out.add_figure(
        "median_age",
        None if median is None else median[0],
        f"Median age, mid-{CENSUS_YEAR}",
        "count",
    )
    out.sentences += _sentences(params, c2011, c2021, median, deprivation, rates, population_note(data, params))
    # what an input not supplied would add, said once instead of an empty table (before the denominator, said last)
    extra = [narrative.STREET_LEVEL_NOTE] if street_level(data) else []
    extra += [narrative.needs_sentence(need) for need, absent in (
        ("growth", c2011 is None), ("age_sex", out.tables["age_sex"].empty), ("deprivation", deprivation.empty)) if absent]
    out.sentences[-1:-1] = extra
    out.tables = {name: table for name, table in out.tables.items() if not table.empty}
    return out
