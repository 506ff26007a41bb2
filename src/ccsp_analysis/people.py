"""Counts about people (victims, offenders, referrals) under disclosure control, and the result helpers the sections share."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ccsp_analysis import disclosure, narrative
from ccsp_analysis.result import SectionResult

#: Columns of the ``suppression_log`` table every priority section returns.
LOG_COLUMNS = ["section", "table", "row", "column", "reason"]
#: Victim sexes in the order tables and pyramids show them.
SEXES = ("F", "M")
#: How tables and charts name them.
SEX_WORDS = {"F": "Female", "M": "Male"}
#: Columns of a change table derived from its two counts (hidden with them).
DERIVED = ["abs_change", "pct_change", "p_value", "ratio_low", "ratio_high", "direction"]


def new_result() -> SectionResult:
    """An empty section result carrying an (empty) suppression log."""
    out = SectionResult()
    out.tables["suppression_log"] = pd.DataFrame(columns=LOG_COLUMNS)
    return out


def finish(out: SectionResult, said: dict[str, list[str]]) -> SectionResult:
    """Store the sentences of each sub-section: in order in ``sentences`` and as a ``sentences`` table."""
    rows = [(topic, s) for topic, items in said.items() for s in items]
    out.sentences += [s for _, s in rows]
    out.tables["sentences"] = pd.DataFrame(rows, columns=["topic", "sentence"])
    return out


def topic_sentences(result: SectionResult, topic: str) -> list[str]:
    """The sentences of one sub-section (``topic``) of a priority section's result."""
    table = result.tables["sentences"]
    return list(table.loc[table["topic"] == topic, "sentence"])


def with_victim(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows with a recorded victim (victim sex given)."""
    return frame[frame["victim_sex"].notna()]


def victim_count(victims: pd.DataFrame, sex: str | None = None, ages: tuple[int, int] | None = None) -> int:
    """Number of ``victims`` of sex ``sex`` (any when None) aged ``ages`` (inclusive; any when None)."""
    keep = pd.Series(True, index=victims.index)
    if sex is not None:
        keep &= victims["victim_sex"].eq(sex).fillna(False)
    if ages is not None:
        keep &= victims["victim_age"].between(*ages).fillna(False)
    return int(keep.sum())


def share_of_people(label: str, part: int, whole: int, base_label: str, threshold: int) -> str:
    """A share sentence about people, or a note that the numbers are too small when either count is."""
    if 0 < part < threshold or 0 < whole - part < threshold:
        return f"{label}: numbers too small to publish (fewer than {threshold})."
    return narrative.share_sentence(label, part, whole, base_label)


def band_labels(edges: Sequence[int]) -> list[str]:
    """Labels of the age bands cut at ``edges``: (10, 16) gives "0-9", "10-15", "16+"."""
    starts = [0, *edges]
    return [f"{a}-{b - 1}" for a, b in zip(starts, edges, strict=False)] + [f"{starts[-1]}+"]


def age_sex_counts(frame: pd.DataFrame, edges: Sequence[int]) -> pd.DataFrame:
    """Counts by age band (cut at ``edges``) and victim sex, with a Total row and column.

    Rows without a victim are left out; a row "Unknown" appears only when some ages are missing.
    """
    victims = with_victim(frame)
    labels = band_labels(edges)
    bands = pd.cut(victims["victim_age"].astype("float"), [0, *edges, np.inf], right=False, labels=labels)
    bands = bands.cat.add_categories("Unknown").fillna("Unknown")
    sexes = list(SEXES) + sorted(set(victims["victim_sex"]) - set(SEXES))
    rows = labels + (["Unknown"] if (bands == "Unknown").any() else [])
    table = pd.crosstab(bands, victims["victim_sex"]).reindex(index=rows, columns=sexes, fill_value=0)
    table = table.astype(int)
    table["Total"] = table.sum(axis=1)
    table.loc["Total"] = table.sum(axis=0)
    table.index.name, table.columns.name = "age_band", None
    return table


def log_suppression(out: SectionResult, section: str, name: str, log: pd.DataFrame) -> None:
    """Append what :func:`ccsp_analysis.disclosure.suppress` hid in table ``name`` to the suppression log."""
    if log.empty:
        return
    rows = pd.DataFrame({"section": section, "table": name, "row": log["row"].astype(str),
                         "column": log["column"].astype(str), "reason": log["reason"]})
    out.tables["suppression_log"] = pd.concat([out.tables["suppression_log"], rows], ignore_index=True)


def people_table(out: SectionResult, section: str, name: str, counts: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Suppress small counts in a table about people, store it as ``name`` (index as a column) and log what was hidden.

    A row and a column labelled "Total" are treated as totals. Returns the stored table.
    """
    result = disclosure.suppress(counts, threshold,
                                 total_row="Total" if "Total" in counts.index else None,
                                 total_col="Total" if "Total" in counts.columns else None)
    shown = result.table.reset_index()
    out.tables[name] = shown
    log_suppression(out, section, name, result.log)
    return shown


def people_changes(out: SectionResult, section: str, name: str, changes: pd.DataFrame, threshold: int,
                   total: str | None = None) -> pd.DataFrame:
    """Store a change table about people: rows with a hidden count show neither count nor change.

    With ``total`` (the measure of a row that sums the others) the two count columns are suppressed
    as one table with that total row, so a hidden row cannot be recovered from the total. Without
    it each row is suppressed on its own (a 1 x 2 table: hiding one count hides the other, as the
    change would give it away). The sentence of a hidden row says the numbers are too small.
    """
    counts = changes.set_index("label")[["current", "previous"]]
    if total is None:
        results = [disclosure.suppress(counts.iloc[[i]], threshold) for i in range(len(counts))]
    else:
        label = changes.loc[changes["measure"] == total, "label"].iloc[0]
        results = [disclosure.suppress(counts, threshold, total_row=label)]
    hidden = pd.concat([r.mask for r in results]).any(axis=1).to_numpy() if results else []
    shown = changes.astype({"current": "Int64", "previous": "Int64"}).astype({c: object for c in DERIVED})
    shown.loc[hidden, ["current", "previous"]] = pd.NA
    shown.loc[hidden, DERIVED] = pd.NA  # shown as [c]: derived from hidden counts
    shown.loc[hidden, "sentence"] = [f"{label}: numbers too small to publish (fewer than {threshold} in a year)."
                                     for label in shown.loc[hidden, "label"]]
    for result in results:
        log_suppression(out, section, name, result.log)
    out.tables[name] = shown
    return shown


def people_count(n: int, threshold: int) -> str:
    """A count of people for a sentence: "fewer than 5" when it is below the threshold (but not zero)."""
    return f"fewer than {threshold}" if 0 < n < threshold else narrative.fmt_count(n)


def pyramid_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Long form (age_band, sex, count) of a shown age-by-sex table for :func:`charts.age_sex_pyramid`.

    Totals, unknown ages and hidden cells are left out.
    """
    body = table[(table["age_band"] != "Total") & (table["age_band"] != "Unknown")]
    long = body.melt(id_vars="age_band", value_vars=list(SEXES), var_name="sex", value_name="count")
    long = long.dropna(subset=["count"])
    long["count"] = long["count"].astype(int)
    long["sex"] = long["sex"].map(SEX_WORDS)
    return long.reset_index(drop=True)


#: How notebooks show an age-by-sex table (for :func:`ccsp_analysis.presentation.tables.show`).
AGE_SEX_COLUMNS = {"age_band": ("Age", "text"), "F": ("Female", "count"), "M": ("Male", "count"), "Total": ("Total", "count")}
#: How notebooks show the suppression log.
LOG_DISPLAY = {"table": ("Table", "text"), "row": ("Row", "text"), "column": ("Column", "text"), "reason": ("Why hidden", "text")}
