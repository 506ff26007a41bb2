"""Counting the assessment's groupings by year, changes with significance, and shares, as tidy tables."""

from __future__ import annotations

import re

import pandas as pd

from ccsp_analysis import narrative, stats
from ccsp_analysis.taxonomy import GROUPINGS, grouping_mask


def round_half_up(value: float, decimals: int = 1) -> float:
    """Round as published documents do (half away from zero, on the number as written): 10.05 -> 10.1."""
    return float(narrative.half_up(float(value), decimals))


def slug(text: str) -> str:
    """Identifier form of a name: "St Michael's" -> "st_michaels"."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower().replace("'", "")).strip("_")


def available(crimes: pd.DataFrame, name: str) -> bool:
    """Whether grouping ``name`` can be counted on this crimes table (flags need victim-level data)."""
    g = GROUPINGS[name]
    if crimes["ho_group"].notna().any():
        return True
    return g.police_categories is not None and not (g.flags or g.hate or g.victim_sex or g.ho_codes)


def _mask(crimes: pd.DataFrame, name: str) -> pd.Series:
    g = GROUPINGS[name]
    if crimes["ho_group"].notna().any():
        return grouping_mask(crimes, name)
    if g.police_categories == ():
        return pd.Series(True, index=crimes.index)
    return crimes["police_category"].isin(g.police_categories or ())


def count(crimes: pd.DataFrame, name: str, fy: str) -> int:
    """Crimes of grouping ``name`` recorded in financial year ``fy``."""
    return int((_mask(crimes, name) & (crimes["fy"] == fy)).sum())


def change_row(measure: str, label: str, current: int, previous: int, alpha: float = 0.05) -> dict:
    """One row of a change table: both counts, the change, the test result and the sentence."""
    res = stats.compare_counts(current, previous, alpha=alpha)
    return {
        "measure": measure, "label": label, "current": current, "previous": previous,
        "abs_change": res.abs_change, "pct_change": res.pct_change, "p_value": res.p_value,
        "ratio_low": res.ratio_low, "ratio_high": res.ratio_high, "direction": res.direction,
        "sentence": narrative.change_sentence(label, res),
    }


def grouping_changes(crimes: pd.DataFrame, names: list[str], fy: str, previous_fy: str) -> pd.DataFrame:
    """Change table for several groupings between two financial years (skips ones the data cannot give)."""
    rows = [change_row(n, GROUPINGS[n].label, count(crimes, n, fy), count(crimes, n, previous_fy))
            for n in names if available(crimes, n)]
    return pd.DataFrame(rows)


def share(part: int, whole: int) -> float | None:
    """Percentage share, None when the base is zero."""
    return None if whole == 0 else 100.0 * part / whole


def by_key(frame: pd.DataFrame, key: list[str], fy: str, previous_fy: str) -> pd.DataFrame:
    """Counts by ``key`` columns in two years with share of the current total, change and direction."""
    cur = frame[frame["fy"] == fy].groupby(key, dropna=False).size().rename("current")
    prev = frame[frame["fy"] == previous_fy].groupby(key, dropna=False).size().rename("previous")
    out = pd.concat([cur, prev], axis=1).fillna(0).astype(int).reset_index()
    total = int(out["current"].sum())
    out["share"] = out["current"] * 100.0 / total if total else None
    tests = [stats.compare_counts(int(c), int(p)) for c, p in zip(out["current"], out["previous"], strict=True)]
    out["pct_change"] = [t.pct_change for t in tests]
    out["p_value"] = [t.p_value for t in tests]
    out["direction"] = [t.direction for t in tests]
    out = out.sort_values(["current"] + key, ascending=[False] + [True] * len(key), kind="stable").reset_index(drop=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out
