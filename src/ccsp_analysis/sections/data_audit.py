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
    """Plain checks on the canonical tables, each with its result."""
    crimes = data.crimes
    checks = [
        ("every crime is in a ward of the area", bool(crimes["ward_code"].notna().all())),
        ("no crime reference appears twice", bool(not crimes["crime_ref"].duplicated().any())),
        ("every small area of the lookup has a population", bool(data.population["population"].gt(0).all())),
    ]
    gaps = {g.source: g for g in coverage.coverage_gaps(data, params)}
    months = coverage.required_months(params)
    span = f"{months[0]:%B %Y} to {months[-1]:%B %Y}"
    for source in coverage.monthly_sources(data, params):
        gap = gaps.get(source)
        text = f"{source} has rows in every month compared ({span})"
        if gap is not None:
            text += f": missing {coverage.month_ranges(gap.months)}"
        checks.append((text, gap is None))
    if data.crimes["source"].eq("partner").any():
        diff = police_vs_partner(data, params)["difference"].abs().sum()
        checks.append(("police.uk and the partner extract agree by category for the year", bool(diff == 0)))
    table = pd.DataFrame(checks, columns=["check", "passed"])
    table["result"] = table["passed"].map({True: "Yes", False: "No"})
    return table


def repeated_rows(data: Dataset) -> pd.DataFrame:
    """data.police.uk rows of the area by monthly file: repeated Crime IDs and fully identical rows.

    Real files repeat some Crime IDs and hold identical anti-social behaviour rows (which have no
    ID); the counts keep every row as published, and this table reports them, month by month.
    """
    street = data.street
    columns = ["month", "rows", "repeated_crime_ids", "rows_with_repeated_ids", "identical_rows"]
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
    checks = [{"check": r.check, "passed": bool(r.passed)} for r in audit.tables["checks"].itertuples()]
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
    out.tables["repeated_rows"] = repeated_rows(data)
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
    """How the crimes counted from police.uk street rows treat a Crime ID published more than once (counted once)."""
    crimes = data.street[data.street["crime_id"].notna()]  # anti-social behaviour rows carry no ID
    repeats = int(crimes["crime_id"].duplicated().sum())
    if not repeats:
        return "No Crime ID appears more than once in the area's police.uk rows: every crime row is counted."
    return (f"{narrative.fmt_count(repeats)} police.uk crime {'row repeats' if repeats == 1 else 'rows repeat'} a Crime ID "
            f"already seen: each crime is counted once ({narrative.fmt_count(len(crimes) - repeats)} crimes from "
            f"{narrative.fmt_count(len(crimes))} rows); anti-social behaviour rows carry no ID and are all counted.")
