"""Data audit: which sources were read, monthly coverage, rows dropped and why, and validation checks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ccsp_analysis import coverage, narrative
from ccsp_analysis.dataset import Dataset
from ccsp_analysis.measures import street_level
from ccsp_analysis.params import Params
from ccsp_analysis.result import SectionResult


def sources_table(data: Dataset, params: Params) -> pd.DataFrame:
    """Every input with its path and the first 16 characters of its SHA-256."""
    root = params.params_file.parent.parent if params.params_file else None
    rows = [{"source": k, "path": _shown_path(Path(v), root), "sha256": data.inputs.get(k, "")[:16]}
            for k, v in params.sources.model_dump().items() if v is not None]
    return pd.DataFrame(rows, columns=["source", "path", "sha256"])


def _shown_path(path: Path, root: Path | None) -> str:
    """A path relative to the project when it is inside it (pages are the same on every machine)."""
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.name


def dropped_rows(data: Dataset) -> pd.DataFrame:
    """Rows dropped while building the dataset, by source and reason."""
    audit = data.audit
    dropped = audit[audit["rows_dropped"] > 0]
    return (dropped.groupby(["source", "reason"], as_index=False)["rows_dropped"].sum()
            .sort_values(["source", "rows_dropped"], ascending=[True, False], kind="stable").reset_index(drop=True))


def monthly_coverage(data: Dataset, params: Params) -> pd.DataFrame:
    """Rows per month per source over the assessment and comparison years, with gaps and thin months flagged."""
    months = params.comparison_fy.months().append(params.fy.months(params.quarter))
    cov = data.coverage
    table = cov.pivot_table(index="month", columns="source", values="rows", aggfunc="sum").reindex(months).fillna(0).astype(int)
    med = table.median()
    flags = []
    for _month, row in table.iterrows():
        bad = [s for s in table.columns if row[s] == 0 or row[s] < 0.5 * med[s]]
        flags.append("gap or thin month: " + ", ".join(bad) if bad else "")
    table["note"] = flags
    table.index = table.index.strftime("%Y-%m")
    return table.reset_index(names="month")


#: police.uk and the partner extract agree by category when they differ by no more than this share of the
#: larger of the two counts ...
POLICE_PARTNER_TOLERANCE = 0.10
#: ... or by no more than this many crimes (a small category: a few rows are not a disagreement).
POLICE_PARTNER_MIN_CRIMES = 10


def police_partner_disagree(table: pd.DataFrame) -> pd.Series:
    """Whether each category of :func:`police_vs_partner` is beyond the tolerance (docs/methods.md, "police.uk
    against the partner crime extract"): police.uk leaves out crimes with no location and those recorded after
    a month's file was published, and keeps the category a crime had when published, so the two differ by a
    few per cent; a category differing by more than 10% of the larger count and by more than 10 crimes does
    not agree (a missing month, another area or year, a wrong mapping of offences to categories)."""
    base = table[["police_uk", "partner_extract"]].max(axis=1)
    diff = table["difference"].abs()
    return (diff > POLICE_PARTNER_MIN_CRIMES) & (diff > POLICE_PARTNER_TOLERANCE * base)


def police_vs_partner(data: Dataset, params: Params) -> pd.DataFrame:
    """Crimes by police.uk category in the assessment year: street-level files against the partner extract."""
    street = data.street[(~data.street["is_asb"]) & (data.street["fy"] == params.period)]
    s = street.groupby("crime_type").size().rename("police_uk")
    crimes = data.crimes[data.crimes["fy"] == params.period]
    p = crimes.groupby("police_category").size().rename("partner_extract")
    out = pd.concat([s, p], axis=1).fillna(0).astype(int)
    out["difference"] = out["partner_extract"] - out["police_uk"]
    return out.reset_index(names="category")


def validation_checks(data: Dataset, params: Params) -> pd.DataFrame:
    """Plain checks on the canonical tables, each with its result; a failed check says what failed
    (``detail``: how many rows, which references or months) and in which input file (``file``)."""
    root = params.params_file.parent.parent if params.params_file else None

    def file_of(key: str) -> str:
        path = getattr(params.sources, key, None)
        return _shown_path(Path(path), root) if path is not None else ""

    crimes = data.crimes
    crime_file = file_of("partner_crimes" if params.sources.partner_crimes else "police_uk")
    no_ward = crimes[crimes["ward_code"].isna()]
    repeated = crimes.loc[crimes["crime_ref"].duplicated(keep=False), "crime_ref"]
    unpopulated = data.population[~data.population["population"].gt(0)]
    checks = [
        ("every crime is in a ward of the area", no_ward.empty,
         f"{len(no_ward):,} crime{'s' * (len(no_ward) != 1)} with no ward" + _examples("first", no_ward["crime_ref"]), crime_file),
        ("every small area of the lookup has a population", unpopulated.empty,
         f"{len(unpopulated):,} small area{'s' * (len(unpopulated) != 1)} with no population"
         + _examples("e.g.", unpopulated["lsoa_code"] if "lsoa_code" in unpopulated.columns else pd.Series(dtype=object)),
         file_of("population")),
    ]
    if params.sources.partner_crimes is not None:  # police.uk repeats some Crime IDs: reported, not a failure
        checks.insert(1, ("no crime reference appears twice", repeated.empty,
                          f"{repeated.nunique():,} reference{'s' * (repeated.nunique() != 1)} on more than one row"
                          + _examples("e.g.", repeated), crime_file))
    gaps = {g.source: g for g in coverage.coverage_gaps(data, params)}
    keys = coverage.monthly_source_keys(data, params)
    months = coverage.required_months(params)
    span = f"{months[0]:%B %Y} to {months[-1]:%B %Y}"
    for source in coverage.monthly_sources(data, params):
        gap = gaps.get(source)
        text = f"{source} has rows in every month compared ({span})"
        detail = ""
        if gap is not None:
            text += f": missing {coverage.month_ranges(gap.months)}"
            detail = f"no rows in {coverage.month_ranges(gap.months)} ({len(gap.months)} month{'s' * (len(gap.months) != 1)})"
        checks.append((text, gap is None, detail, file_of(keys[source])))
    if data.crimes["source"].eq("partner").any():
        table = police_vs_partner(data, params)
        differ = table[police_partner_disagree(table)].sort_values("difference", key=abs, ascending=False, kind="stable")
        detail = "; ".join(f"{r.category}: police.uk {r.police_uk:,}, extract {r.partner_extract:,}"
                           for r in differ.head(3).itertuples())
        if len(differ) > 3:
            detail += f"; and {len(differ) - 3} more categor{'ies' if len(differ) - 3 != 1 else 'y'}"
        checks.append((f"police.uk and the partner extract agree by category for the year (within "
                       f"{POLICE_PARTNER_TOLERANCE:.0%} or {POLICE_PARTNER_MIN_CRIMES} crimes: police.uk leaves out crimes "
                       "with no location or recorded late)", differ.empty, detail,
                       f"{file_of('police_uk')} and {file_of('partner_crimes')}"))
    table = pd.DataFrame(checks, columns=["check", "passed", "detail", "file"])
    table["passed"] = table["passed"].astype(bool)
    table.loc[table["passed"], ["detail", "file"]] = ""
    table["result"] = table["passed"].map({True: "Yes", False: "No"})
    return table[["check", "passed", "result", "detail", "file"]]


def _examples(word: str, values: pd.Series, n: int = 3) -> str:
    """' (first: A, B, C)' from the first ``n`` distinct values; '' when there are none."""
    shown = [str(v) for v in pd.unique(values.dropna())[:n]]
    return f" ({word}: {', '.join(shown)})" if shown else ""


def repeated_rows(data: Dataset, months: pd.DatetimeIndex | None = None) -> pd.DataFrame:
    """data.police.uk rows of the area by monthly file: repeated Crime IDs and fully identical rows.

    Real files repeat some Crime IDs and hold identical anti-social behaviour rows (which have no
    ID); the counts keep every row as published, and this table reports them, month by month.
    ``months``: only these months (a run's compared months: the street files may reach back years).
    """
    street = data.street
    columns = ["month", "rows", "repeated_crime_ids", "rows_with_repeated_ids", "identical_rows"]
    if months is not None and not street.empty:
        street = street[street["month"].isin(months)]
    if street.empty:
        return pd.DataFrame(columns=columns)
    ids = street["crime_id"].fillna("")
    with_id = street[ids != ""]
    rows = []
    for month, group in street.groupby("month", sort=True):
        ided = with_id[with_id["month"] == month]
        counts = ided["crime_id"].value_counts()
        repeated = counts[counts > 1]
        rows.append({"month": f"{month:%Y-%m}", "rows": len(group), "repeated_crime_ids": int(len(repeated)),
                     "rows_with_repeated_ids": int(repeated.sum()),
                     "identical_rows": int(group.duplicated(keep="first").sum())})
    return pd.DataFrame(rows, columns=columns)


def audit_record(data: Dataset, params: Params, audit: SectionResult | None = None) -> dict:
    """The data audit as one JSON-able record (``ccsp data check --json``): per source the rows read, kept and
    dropped by reason; repeated IDs and identical rows; months covered and missing; every check."""
    audit = audit or data_audit(data, params)
    root = params.params_file.parent.parent if params.params_file else None
    sources = []
    for source, rows in data.audit.groupby("source", sort=False):
        totals = rows[rows["rows_read"] > 0]
        dropped = rows[rows["rows_dropped"] > 0].groupby("reason")["rows_dropped"].sum()
        path = getattr(params.sources, source, None)
        kept = int(totals["rows_kept"].min()) if len(totals) else 0  # after every filter of the source
        sources.append({"source": source, "file": _shown_path(Path(path), root) if path else None,
                        "rows_read": kept + int(dropped.sum()), "rows_kept": kept,
                        "rows_dropped": {str(k): int(v) for k, v in dropped.items()}})
    months = coverage.required_months(params)
    gaps = {g.source: g for g in coverage.coverage_gaps(data, params)}
    covered = [{"source": s, "months": f"{months[0]:%Y-%m} to {months[-1]:%Y-%m}",
                "missing": [f"{m:%Y-%m}" for m in gaps[s].months] if s in gaps else []}
               for s in coverage.monthly_sources(data, params)]
    checks = [{"check": r.check, "passed": bool(r.passed), "detail": r.detail, "file": r.file}
              for r in audit.tables["checks"].itertuples()]
    repeated = audit.tables["repeated_rows"]
    return {
        "area": params.area.name, "period": params.period, "comparison": params.comparison,
        "sources": sources,
        "police_uk_repeats": repeated.to_dict("records"),
        "coverage": covered,
        "checks": checks,
        "passed": all(c["passed"] for c in checks),
    }


def data_audit(data: Dataset, params: Params) -> SectionResult:
    """All the data-audit tables for the run."""
    out = SectionResult()
    out.tables["sources"] = sources_table(data, params)
    out.tables["dropped"] = dropped_rows(data)
    out.tables["coverage"] = monthly_coverage(data, params)
    out.tables["repeated_rows"] = repeated_rows(data, coverage.required_months(params))
    if data.crimes["source"].eq("partner").any():
        out.tables["police_vs_partner"] = police_vs_partner(data, params)
    checks = validation_checks(data, params)
    out.tables["checks"] = checks
    n_fail = int((~checks["passed"]).sum())
    out.sentences.append(f"{len(checks) - n_fail} of {len(checks)} validation checks passed." + (" See the failures below." if n_fail else ""))
    if street_level(data):
        out.sentences += [narrative.STREET_LEVEL_NOTE, street_repeats_sentence(data), narrative.needs_sentence("police_vs_partner")]
    return out


def street_repeats_sentence(data: Dataset) -> str:
    """How the crimes counted from police.uk street rows treat a Crime ID published more than once: every row
    is counted as published (as police.uk counts them), and the repeats are said in words."""
    crimes = data.street[data.street["crime_id"].notna()]  # anti-social behaviour rows carry no ID
    repeats = int(crimes["crime_id"].duplicated().sum())
    if not repeats:
        return "No Crime ID appears more than once in the area's police.uk rows."
    ids = int(crimes.loc[crimes["crime_id"].duplicated(keep=False), "crime_id"].nunique())
    return (f"{narrative.fmt_count(ids)} Crime {'ID appears' if ids == 1 else 'IDs appear'} on more than one police.uk "
            f"row ({narrative.fmt_count(repeats)} {'row' if repeats == 1 else 'rows'} beyond the first); every row is "
            "counted as police.uk publishes it, so the crimes here may count a few crimes twice (the table of "
            "repeated rows below gives them month by month).")
