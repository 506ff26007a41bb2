"""The force index of a batch run: one row per partnership, read from each partnership's computed results.

Nothing here counts a crime. :func:`area_summary` reads the headline figures of one partnership's
run from the results the runner stored (the key findings' change table, the city profile's rate
table, the run's exception report); :func:`force_table` lays the summaries of every partnership
of a batch out as the rows of the force index page, failed partnerships with their error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from ccsp_analysis.formatting import fmt_count, fmt_number, fmt_pct, fmt_rate

#: Where each figure of a row comes from: (section, table) of the stored results.
CHANGES = ("01_key_findings", "changes")
RATES = ("02_city_profile", "rates")
#: The crimes of the year by police.uk crime type: the key findings' offence mix (police.uk data), or the data
#: audit's check of the partner extract against police.uk (its offences mapped to police.uk types).
OFFENCE_MIX = ("01_key_findings", "offence_mix")
POLICE_VS_PARTNER = ("00_data_audit", "police_vs_partner")
#: Source of the crime counts, by whether the partnership has a partner crime extract.
SOURCE_PARTNER = "partner extract"
SOURCE_POLICE_UK = "police.uk"
DIRECTION_TEXT = {"UP": "▲ up", "DOWN": "▼ down", "STABLE": "no significant change", "NOT COMPARED": "not compared"}
#: Columns of :func:`force_table`.
COLUMNS = ["slug", "name", "href", "status", "error", "trc", "source", "rate", "rate_low", "rate_high", "previous",
           "pct_change", "direction", "asb", "largest_group", "largest_count", "exceptions",
           "trc_text", "rate_text", "change_text", "direction_text", "asb_text", "largest_text", "exceptions_text"]
DASH = "–"


def _table(results: Mapping[str, object], where: tuple[str, str]) -> pd.DataFrame | None:
    table = getattr(results.get(where[0]), "tables", {}).get(where[1])
    return table if isinstance(table, pd.DataFrame) and not table.empty else None


def _num(value) -> float | None:
    """A plain float, or None for a missing value (None, NaN, pd.NA)."""
    if value is None or pd.isna(value):
        return None
    return float(value)


def _count(value) -> int | None:
    v = _num(value)
    return None if v is None else int(v)


def exception_count(exceptions) -> int | None:
    """The exceptions a partnership's index lists: its significant changes plus its measures with a
    control-chart signal (None when the run has no exception report)."""
    if exceptions is None:
        return None
    changes = getattr(exceptions, "changes", None)
    signals = getattr(exceptions, "signals", None)
    n = 0 if changes is None else len(changes)
    if signals is not None and not signals.empty and "signals" in signals.columns:
        n += int((signals["signals"] > 0).sum())
    return n


def area_summary(results: Mapping[str, object], exceptions, *, la_code: str, partner_crimes: bool) -> dict:
    """The headline figures of one partnership's run, as plain numbers (picklable, JSON-ready).

    Parameters
    ----------
    results
        Section name -> the section's stored result (``tables`` dict), as the runner keeps them.
    exceptions
        The run's :class:`~ccsp_analysis.result.ExceptionReport` (what the partnership's index lists).
    la_code
        The partnership's local authority code: its row of the city profile's rate table.
    partner_crimes
        Whether the crime counts come from the partner extract (else from police.uk street-level crimes).

    Returns
    -------
    dict
        ``trc, previous, pct_change, direction`` (the key findings' total recorded crime row),
        ``asb`` (its anti-social behaviour row), ``largest_group, largest_count`` (:func:`largest_type`), ``rate, rate_low,
        rate_high`` (the city profile's rate per 1,000 and its 95% interval), ``exceptions``
        (:func:`exception_count`) and ``source``. A figure its section did not give is None.
    """
    out: dict = dict.fromkeys(["trc", "previous", "pct_change", "direction", "asb", "largest_group",
                               "largest_count", "rate", "rate_low", "rate_high"])
    changes = _table(results, CHANGES)
    if changes is not None:
        by = changes.set_index("measure")
        if "trc" in by.index:
            row = by.loc["trc"]
            out.update(trc=_count(row["current"]), previous=_count(row["previous"]),
                       pct_change=_num(row["pct_change"]), direction=str(row["direction"]))
        if "asb" in by.index:
            out["asb"] = _count(by.loc["asb", "current"])
    out.update(largest_type(results))
    rates = _table(results, RATES)
    if rates is not None:
        area = rates[rates["ward_code"] == la_code]
        if not area.empty:
            row = area.iloc[0]
            out.update(rate=_num(row["rate"]), rate_low=_num(row["rate_low"]), rate_high=_num(row["rate_high"]))
    out["exceptions"] = exception_count(exceptions)
    out["source"] = SOURCE_PARTNER if partner_crimes else SOURCE_POLICE_UK
    return out


def largest_type(results: Mapping[str, object]) -> dict:
    """The police.uk crime type with the most crimes this year: ``largest_group, largest_count`` (None when no
    table gives it).

    Every partnership has the same non-overlapping police.uk types, so the rows of a force index compare
    (the assessment's groupings do not: a partner extract gives other groupings, some containing others).
    Read from the key findings' offence mix (a run on police.uk data; ranked, the first of equal largest)
    or else the data audit's police.uk-against-partner table (the partner extract's count, the first type
    in the table's order of equal largest).
    """
    mix = _table(results, OFFENCE_MIX)
    if mix is not None and {"offence", "current"} <= set(mix.columns):
        table, label, value = mix, "offence", "current"
    else:
        table, label, value = _table(results, POLICE_VS_PARTNER), "category", "partner_extract"
        if table is None or not {label, value} <= set(table.columns):
            return {"largest_group": None, "largest_count": None}
    counts = pd.to_numeric(table[value], errors="coerce")
    if counts.isna().all() or counts.max() <= 0:
        return {"largest_group": None, "largest_count": None}
    top = table.loc[counts.idxmax()]  # idxmax: the first of equal largest, in table order
    return {"largest_group": str(top[label]), "largest_count": _count(top[value])}


def _signed_pct(value: float) -> str:
    return ("+" if float(fmt_number(value, 1).replace(",", "")) > 0 else "") + fmt_pct(value)


def force_table(areas: Sequence[Mapping]) -> pd.DataFrame:
    """The rows of a force index: one per partnership, in name order, numbers and their display text.

    Parameters
    ----------
    areas
        One mapping per partnership: ``slug, name, href`` (its report, relative to the index; None when
        no report was written), ``status`` (``"ok"``, ``"failed sections"`` or ``"failed"``), ``error``
        (one line, or None) and ``figures`` (:func:`area_summary`, or None when the run failed).

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`: the figures as numbers and as shown (counts with thousands separators, the rate
        to one decimal with its interval, the change signed to one decimal with its direction of
        travel, the largest grouping with its count). A figure a partnership's run did not give is
        shown as a dash.
    """
    rows = []
    for a in sorted(areas, key=lambda a: (str(a["name"]).lower(), a["slug"])):
        f = dict(a.get("figures") or {})
        row = {"slug": a["slug"], "name": a["name"], "href": a.get("href"), "status": a["status"],
               "error": a.get("error")}
        for key in ("trc", "source", "rate", "rate_low", "rate_high", "previous", "pct_change", "direction", "asb",
                    "largest_group", "largest_count", "exceptions"):
            row[key] = f.get(key)
        row["trc_text"] = DASH if row["trc"] is None else fmt_count(row["trc"])
        row["rate_text"] = DASH if row["rate"] is None else (
            fmt_rate(row["rate"]) + ("" if row["rate_low"] is None or row["rate_high"] is None
                                     else f" ({fmt_rate(row['rate_low'])} to {fmt_rate(row['rate_high'])})"))
        if row["pct_change"] is not None:
            row["change_text"] = f"{_signed_pct(row['pct_change'])} on {fmt_count(row['previous'])}" \
                if row["previous"] is not None else _signed_pct(row["pct_change"])
        else:
            row["change_text"] = DASH
        row["direction_text"] = DIRECTION_TEXT.get(row["direction"], DASH) if row["direction"] else DASH
        row["asb_text"] = DASH if row["asb"] is None else fmt_count(row["asb"])
        row["largest_text"] = DASH if row["largest_group"] is None else (
            f"{row['largest_group']} ({fmt_count(row['largest_count'])})")
        row["exceptions_text"] = DASH if row["exceptions"] is None else str(row["exceptions"])
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS, dtype=object)  # object: None stays None (no NaN), counts stay int
