"""Headline measures for every partnership at once: one pass over the force-wide police.uk street files.

A partnership is one or more local authority districts of one force (ONS LSOA -> district lookup).
Its street rows are the rows of its own force's files whose small area is in one of its districts,
read by the project's reader (:func:`~ccsp_analysis.sources.police_uk.read_street_with_log`: the
same checks, rows with no location dropped) and counted as the dataset counts them: every row as
published (a repeated Crime ID and identical anti-social behaviour rows are counted as police.uk
counts them). So each partnership's counts equal those of a separate read for that partnership
alone (:func:`count_street_rows` is the one counting rule; a test and the B3 benchmark compare both
ways), while each force's files are read once for all its partnerships.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ccsp_analysis import stats
from ccsp_analysis.errors import DataError
from ccsp_analysis.periods import FinancialYear
from ccsp_analysis.sources import police_uk
from ccsp_analysis.taxonomy import GROUPINGS, STREET_GROUPINGS

log = logging.getLogger(__name__)

ASB = "asb"
#: Columns of :func:`count_street_rows`' table.
COUNT_COLUMNS = ["partnership", "lad_code", "fy", "category", "count"]


@dataclass(frozen=True)
class Partnership:
    """A community safety partnership: its name, its force (as in police.uk file names) and districts."""

    name: str
    force: str
    lad_codes: tuple[str, ...]


def months_of(*years: str) -> list[str]:
    """The ``YYYY-MM`` months of financial years such as ``"2023-24"``, in order."""
    return [m.strftime("%Y-%m") for y in years for m in FinancialYear.parse(y).months()]


def street_groupings() -> dict[str, tuple[str, ...]]:
    """The groupings police.uk street data can count (:data:`ccsp_analysis.taxonomy.STREET_GROUPINGS`, in page
    order), each with its police.uk categories (() = every crime)."""
    return {key: GROUPINGS[key].police_categories for key in STREET_GROUPINGS}


def _district_map(lookup: pd.DataFrame, partnerships: Sequence[Partnership]) -> tuple[pd.Series, pd.Series]:
    """LSOA code -> district code (the lookup's rows of the partnerships' districts) and district -> partnership."""
    owner: dict[str, str] = {}
    known = set(lookup["lad_code"].dropna())
    for p in partnerships:
        for code in p.lad_codes:
            if code not in known:
                raise DataError(f"district {code} of partnership {p.name!r} is not in the LSOA lookup",
                                fix="use a lookup that covers every district, or correct the code")
            if code in owner and owner[code] != p.name:
                raise DataError(f"district {code} is in two partnerships ({owner[code]!r} and {p.name!r})",
                                fix="give each district to one partnership")
            owner[code] = p.name
    rows = lookup[lookup["lad_code"].isin(owner)].drop_duplicates("lsoa_code")
    return rows.set_index("lsoa_code")["lad_code"], pd.Series(owner, name="partnership")


def _strings(column: pd.Series) -> pa.Array:
    """A text column as one pyarrow string array (no copy for the reader's pyarrow-backed columns)."""
    arr = pa.array(column, pa.string())
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


class _Places:
    """Small areas, districts and partnerships as integers, made once for every force's rows."""

    def __init__(self, lsoa_district: pd.Series, district_partnership: pd.Series) -> None:
        self.districts = pd.Index(sorted(set(lsoa_district)))
        self.owners = pd.Index(sorted(set(district_partnership)))
        self.lsoas = pa.array(lsoa_district.index.to_numpy(dtype=object), pa.string())
        self.lsoa_district = self.districts.get_indexer(lsoa_district.to_numpy(dtype=object))
        self.district_owner = self.owners.get_indexer(district_partnership.reindex(self.districts).to_numpy(dtype=object))


def count_street_rows(street: pd.DataFrame, lsoa_district: pd.Series, district_partnership: pd.Series) -> pd.DataFrame:
    """Street rows counted by partnership, district, financial year and category (``asb`` for ASB).

    ``street`` is a frame of :func:`~ccsp_analysis.sources.police_uk.read_street_with_log`; rows whose
    small area is not in ``lsoa_district`` are not counted, every other row is (as published, as the
    dataset counts street-level crimes and ASB).

    Returns
    -------
    pandas.DataFrame
        ``partnership, lad_code, fy, category, count`` (only non-zero counts), sorted.
    """
    return _count(street, _Places(lsoa_district, district_partnership))


def _count(street: pd.DataFrame, places: _Places) -> pd.DataFrame:
    # Every row as small integers: its district (-1: not counted), partnership, year and category.
    lsoa_index = pc.index_in(_strings(street["lsoa_code"]), value_set=places.lsoas)
    lsoa_index = lsoa_index.fill_null(-1).to_numpy(zero_copy_only=False)
    district = np.where(lsoa_index >= 0, places.lsoa_district[lsoa_index], -1)
    placed = np.flatnonzero(district >= 0)
    if not len(placed):
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "count" else object) for c in COUNT_COLUMNS})
    every = len(placed) == len(street)
    take = None if every else pa.array(placed)

    def pick(values: np.ndarray) -> np.ndarray:
        return values if every else values[placed]

    def strings(name: str) -> pa.Array:
        arr = _strings(street[name])
        return arr if every else arr.take(take)

    district = pick(district)
    owner = places.district_owner[district]
    month = pick(street["month"].to_numpy()).astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    start = (month - 3) // 12 + 1970  # the financial year's first calendar year
    asb = pick(street["is_asb"].to_numpy(dtype=bool))
    types = pc.dictionary_encode(strings("crime_type"))
    labels = np.append(np.asarray(types.dictionary.to_pylist(), dtype=object), ASB)
    category = np.where(asb, len(labels) - 1, types.indices.to_numpy(zero_copy_only=False))
    first = int(start.min())
    sizes = (len(places.districts), int(start.max()) - first + 1, len(labels))
    key = ((owner.astype(np.int64) * sizes[0] + district) * sizes[1] + start - first) * sizes[2] + category
    cell, count = np.unique(key, return_counts=True)
    cell, cat = np.divmod(cell, sizes[2])
    cell, year = np.divmod(cell, sizes[1])
    own, dist = np.divmod(cell, sizes[0])
    year = year + first
    return pd.DataFrame({
        "partnership": places.owners.to_numpy()[own], "lad_code": places.districts.to_numpy()[dist],
        "fy": [f"{y}-{(y + 1) % 100:02d}" for y in year], "category": labels[cat], "count": count.astype(np.int64),
    }, columns=COUNT_COLUMNS).sort_values(COUNT_COLUMNS[:-1], kind="stable", ignore_index=True)  # fmt: skip


@dataclass(frozen=True)
class NationalCounts:
    """What one pass over the street files gives: the counts, the months each force's files cover
    (months with rows), the rows dropped (no location, outside every partnership of the force) and
    the rows read, per force."""

    counts: pd.DataFrame
    months: dict[str, frozenset[str]]
    dropped: pd.DataFrame
    rows_read: dict[str, int]


def read_national(source: police_uk.Source, lookup: pd.DataFrame, partnerships: Sequence[Partnership],
                  months: Iterable[str]) -> NationalCounts:
    """Read every force's street files once (the months asked for) and count every partnership's rows.

    Parameters
    ----------
    source
        Street files, a folder in the data.police.uk layout or an archive (as the reader takes).
    lookup
        ONS LSOA -> district lookup (:func:`~ccsp_analysis.sources.ons.read_lsoa_ward_lookup`).
    partnerships
        Every partnership to count; a district belongs to at most one.
    months
        ``YYYY-MM`` months to read (e.g. two financial years for a change).

    Raises
    ------
    DataError
        A district not in the lookup or in two partnerships; any error of the reader.
    """
    months = sorted(set(months))
    lsoa_district, district_partnership = _district_map(lookup, partnerships)
    places = _Places(lsoa_district, district_partnership)
    force_of = {p.name: p.force for p in partnerships}
    by_force = _files_by_force(source)
    counts, covered, dropped, rows_read = [], {}, [], {}
    for force in sorted({p.force for p in partnerships}):
        districts = [c for p in partnerships if p.force == force for c in p.lad_codes]
        codes = lsoa_district.index[lsoa_district.isin(districts)]
        files = source if by_force is None else by_force.get(force, source)
        street, drops = police_uk.read_street_with_log(files, lsoa_codes=codes, months=months, forces=[force])
        counts.append(_count(street, places))
        files = pd.concat([street["source_file"], drops["source_file"]]).unique()
        covered[force] = frozenset(name[:7] for name in files)
        rows_read[force] = len(street) + int(drops["rows"].sum())
        dropped.append(drops.groupby("reason", as_index=False)["rows"].sum().assign(force=force))
        log.info("%s: %d street rows for %d partnership(s)", force, len(street),
                 sum(1 for f in force_of.values() if f == force))
        del street
    counts = pd.concat(counts, ignore_index=True) if counts else pd.DataFrame(columns=COUNT_COLUMNS)
    return NationalCounts(counts, covered, pd.concat(dropped, ignore_index=True), rows_read)


def _files_by_force(source: police_uk.Source) -> dict[str, list] | None:
    """A folder's street files by force (each force's read then lists only its own files), or None
    for any other source (a file, an archive, a list), which the reader takes as it is."""
    if not isinstance(source, str | Path) or not Path(source).is_dir():
        return None
    found: dict[str, list] = {}
    for path in police_uk.find_street_files(source):
        force = re.fullmatch(r"\d{4}-\d{2}-(.+)-street\.csv", path.name)
        if force is not None:
            found.setdefault(force.group(1), []).append(path)
    if any(p.suffix.lower() == ".zip" for p in Path(source).rglob("*.zip")):
        return None  # archives inside: let the reader find every copy
    return found


#: Columns of :func:`headline_measures`, before one column per street grouping.
HEADLINE_COLUMNS = [
    "partnership", "force", "lad_codes", "population", "crimes", "crimes_previous", "crimes_pct_change",
    "crimes_direction", "rate", "rate_low", "rate_high", "asb", "asb_previous", "asb_pct_change",
    "asb_direction", "largest_category", "largest_count",
]  # fmt: skip


def headline_measures(national: NationalCounts, partnerships: Sequence[Partnership], fy: str,
                      previous_fy: str | None = None, population: pd.DataFrame | None = None,
                      lookup: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per partnership: street-level crimes and ASB in ``fy``, change on ``previous_fy``, rate per
    1,000 residents, the largest police.uk category and a column per street grouping (crimes in ``fy``).

    The change (percentage, and the direction of the exact conditional test at 5%) is given only
    when the force's files cover all twelve months of both years; otherwise it is blank. The rate
    (with exact Poisson 95% limits) needs ``population`` (``lsoa_code, population``) and ``lookup``.
    """
    counts = national.counts
    names = [p.name for p in partnerships]
    people = pd.Series(np.nan, index=names)
    if population is not None and lookup is not None:
        lad_pop = population.merge(lookup[["lsoa_code", "lad_code"]].drop_duplicates("lsoa_code"), on="lsoa_code")
        by_lad = lad_pop.groupby("lad_code")["population"].sum()
        people = pd.Series([float(by_lad.reindex(list(p.lad_codes)).sum()) for p in partnerships], index=names)

    def table(year: str | None) -> pd.DataFrame:
        part = counts[counts["fy"] == year]
        wide = part.pivot_table(index="partnership", columns="category", values="count", aggfunc="sum", fill_value=0)
        return wide.reindex(index=names, fill_value=0).fillna(0).astype(np.int64)

    cur, prev = table(fy), table(previous_fy)
    crime_cols = [c for c in cur.columns if c != ASB]
    crimes = cur[crime_cols].sum(axis=1)
    asb = cur[ASB] if ASB in cur.columns else pd.Series(0, index=names)
    crimes_prev = prev[[c for c in prev.columns if c != ASB]].sum(axis=1)
    asb_prev = prev[ASB] if ASB in prev.columns else pd.Series(0, index=names)
    rows = []
    for p in partnerships:
        covered = national.months.get(p.force, frozenset())
        compare = previous_fy is not None and all(set(months_of(y)) <= covered for y in (fy, previous_fy))
        row = {"partnership": p.name, "force": p.force, "lad_codes": ";".join(p.lad_codes),
               "population": None if np.isnan(people[p.name]) else people[p.name]}
        row.update(_change("crimes", int(crimes[p.name]), int(crimes_prev[p.name]), compare))
        rate = stats.rate_per_1000(row["crimes"], row["population"]) if row["population"] else (None,) * 3
        row.update(zip(("rate", "rate_low", "rate_high"), rate, strict=True))
        row.update(_change("asb", int(asb[p.name]), int(asb_prev[p.name]), compare))
        rows.append(row)
    out = pd.DataFrame(rows, columns=HEADLINE_COLUMNS)
    by_category = cur[sorted(crime_cols)]  # ties: the first category in alphabetical order
    largest = by_category.max(axis=1) if crime_cols else pd.Series(0, index=names)
    out["largest_count"] = largest.to_numpy()
    out["largest_category"] = np.where(largest.to_numpy() > 0, by_category.idxmax(axis=1).to_numpy(), None) \
        if crime_cols else None
    for key, categories in street_groupings().items():
        chosen = crime_cols if categories == () else [c for c in categories if c in cur.columns]
        out[key] = cur[chosen].sum(axis=1).to_numpy() if chosen else 0
    return out


def _change(prefix: str, current: int, previous: int, compare: bool) -> dict:
    if not compare:
        return {prefix: current, f"{prefix}_previous": None, f"{prefix}_pct_change": None, f"{prefix}_direction": None}
    res = stats.compare_counts(current, previous)
    return {prefix: current, f"{prefix}_previous": previous, f"{prefix}_pct_change": res.pct_change,
            f"{prefix}_direction": res.direction}


def partnerships_from_table(table: pd.DataFrame) -> list[Partnership]:
    """Partnerships from a table with ``partnership, force, lad_codes`` (codes separated by ``;``)."""
    return [Partnership(str(r.partnership), str(r.force), tuple(c.strip() for c in str(r.lad_codes).split(";")))
            for r in table.itertuples(index=False)]
