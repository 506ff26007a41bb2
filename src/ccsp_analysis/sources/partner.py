"""Readers for partner extracts (force crime and ASB, council ASB and fly-tipping, services, survey, funding)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from ccsp_analysis.schemas import PARTNER_SCHEMAS, Schema
from ccsp_analysis.sources.tabular import RowCheck, RowProblem, read_table

#: Partner dates are accepted from this day up to today; earlier or later dates are errors.
EARLIEST_DATE = date(2000, 1, 1)
#: Columns holding a financial-year label (``2023-24``), per format.
FY_COLUMNS: dict[str, tuple[str, ...]] = {
    "reoffending": ("period",),
    "funding": ("financial_year",),
    "most_similar_group": ("period",),
}
#: Natural keys no two rows may share, per format (single ``unique`` columns are in the schemas).
NATURAL_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "reoffending": (("period", "measure"),),
    "funding": (("financial_year", "source", "project"),),
    "most_similar_group": (("period", "csp"),),
}


def _offence_codes(frame: pd.DataFrame) -> Iterator[RowProblem]:
    """Every ho_code is a known Home Office code and ho_group is that code's group."""
    from ccsp_analysis.taxonomy import HO_OFFENCES  # lazy: taxonomy imports pandas helpers

    groups = frame["ho_code"].map({code: o.group for code, o in HO_OFFENCES.items()})
    unknown = groups.isna()
    yield RowProblem(
        unknown.to_numpy(),
        "ho_code",
        lambda row: f"unknown Home Office offence code {row['ho_code']!r}",
        "add it to taxonomy.HO_OFFENCES or correct the code",
    )
    yield RowProblem(
        (~unknown & (groups != frame["ho_group"])).to_numpy(),
        "ho_group",
        lambda row: (
            f"ho_group {row['ho_group']!r} does not match ho_code {row['ho_code']!r}, "
            f"whose group is {HO_OFFENCES[row['ho_code']].group!r}"
        ),
        "use the offence group of the code (see taxonomy.HO_OFFENCES)",
    )


def _victim_fields(frame: pd.DataFrame) -> Iterator[RowProblem]:
    """victim_sex and victim_age are both blank (no victim) or both present."""
    sex, age = frame["victim_sex"].isna(), frame["victim_age"].isna()
    for column, blank, other in (
        ("victim_sex", sex, "victim_age"),
        ("victim_age", age, "victim_sex"),
    ):
        yield RowProblem(
            (blank & ~(sex & age)).to_numpy(),
            column,
            lambda row, other=other: f"is blank but {other} is {row[other]!r}",
            "give both victim_age and victim_sex, or leave both blank when there is no victim",
        )


def _date_range(schema: Schema) -> RowCheck:
    """Every date lies between EARLIEST_DATE and today (a date outside is a typo or a placeholder)."""
    columns = [c.name for c in schema.columns if c.kind == "date"]

    def check(frame: pd.DataFrame) -> Iterator[RowProblem]:
        today = pd.Timestamp(date.today())
        earliest = pd.Timestamp(EARLIEST_DATE)
        for name in columns:
            values = frame[name]
            yield RowProblem(
                (values < earliest).fillna(False).to_numpy(),
                name,
                lambda row, name=name: f"{row[name]:%Y-%m-%d} is before {earliest:%Y-%m-%d}",
                "correct the date (placeholders such as 1900-01-01 or 1970-01-01 are not dates); "
                f"partner dates run from {earliest:%Y-%m-%d} to today",
            )
            yield RowProblem(
                (values > today).fillna(False).to_numpy(),
                name,
                lambda row, name=name: f"{row[name]:%Y-%m-%d} is after today ({today:%Y-%m-%d})",
                "correct the date (a future date is a typing error, e.g. 2032 for 2023)",
            )

    return check


def _fy_labels(columns: Sequence[str]) -> RowCheck:
    """Financial-year labels are YYYY-YY with consecutive years (2023-24), not free text."""

    def check(frame: pd.DataFrame) -> Iterator[RowProblem]:
        for name in columns:
            values = frame[name].astype("string").str.strip()
            parts = values.str.extract(r"^(\d{4})-(\d{2})$")
            start = pd.to_numeric(parts[0], errors="coerce")
            end = pd.to_numeric(parts[1], errors="coerce")
            bad = (start.isna() | ((start + 1) % 100 != end)) & values.notna()
            yield RowProblem(
                bad.fillna(True).to_numpy(),
                name,
                lambda row, name=name: f"{row[name]!r} is not a financial year label",
                "expected YYYY-YY with consecutive years, e.g. 2023-24 (April 2023 to March 2024)",
            )

    return check


def _row_checks(name: str) -> list[RowCheck]:
    schema = PARTNER_SCHEMAS[name]
    checks: list[RowCheck] = []
    if name == "partner_crimes":
        checks += [_offence_codes, _victim_fields]
    if any(c.kind == "date" for c in schema.columns):
        checks.append(_date_range(schema))
    if name in FY_COLUMNS:
        checks.append(_fy_labels(FY_COLUMNS[name]))
    return checks


def read_partner(name: str, path: str | Path) -> pd.DataFrame:
    """Read and validate one partner extract in the format ``schemas.PARTNER_SCHEMAS[name]``.

    Parameters
    ----------
    name
        The format, e.g. ``"partner_crimes"`` or ``"survey"`` (see docs/data.md).
    path
        The CSV file.

    Returns
    -------
    pandas.DataFrame
        The schema's columns, typed (see :func:`~ccsp_analysis.sources.tabular.read_table`).

    Raises
    ------
    DataError
        Naming the file, line, column and fix for the first problem: besides the schema's
        checks, dates outside 2000-01-01..today, financial-year labels that are not ``YYYY-YY``
        (reoffending, funding, most similar group) and repeated natural keys (a repeated
        reference, period and measure, year/source/project, period and partnership), naming the
        lines of both rows.
    """
    if name not in PARTNER_SCHEMAS:
        raise ValueError(f"unknown partner format {name!r}; known: {', '.join(PARTNER_SCHEMAS)}")
    return read_table(
        path, PARTNER_SCHEMAS[name], row_checks=_row_checks(name), keys=NATURAL_KEYS.get(name, ())
    )


def read_partner_crimes(path: str | Path) -> pd.DataFrame:
    """Read the force's victim-level crime extract, checking offence codes and victim fields."""
    return read_partner("partner_crimes", path)


def read_council_asb(path: str | Path) -> pd.DataFrame:
    """Read council-recorded anti-social behaviour cases."""
    return read_partner("council_asb", path)


def read_police_asb(path: str | Path) -> pd.DataFrame:
    """Read the force's anti-social behaviour incident extract (with ASB type)."""
    return read_partner("police_asb", path)


def read_fly_tipping(path: str | Path) -> pd.DataFrame:
    """Read council fly-tipping incidents."""
    return read_partner("fly_tipping", path)


def read_da_referrals(path: str | Path) -> pd.DataFrame:
    """Read referrals to domestic-abuse and sexual-violence support services."""
    return read_partner("da_referrals", path)


def read_non_crime_incidents(path: str | Path) -> pd.DataFrame:
    """Read police-recorded non-crime incidents (domestic abuse and hate)."""
    return read_partner("non_crime_incidents", path)


def read_survey(path: str | Path) -> pd.DataFrame:
    """Read resident survey responses (one row per respondent)."""
    return read_partner("survey", path)


def read_reoffending(path: str | Path) -> pd.DataFrame:
    """Read proven reoffending and first-time entrants (one row per period and measure)."""
    return read_partner("reoffending", path)


def read_funding(path: str | Path) -> pd.DataFrame:
    """Read funding allocations (one row per funded line)."""
    return read_partner("funding", path)


def read_nrm_referrals(path: str | Path) -> pd.DataFrame:
    """Read modern slavery referrals to the National Referral Mechanism."""
    return read_partner("nrm_referrals", path)


def read_most_similar_group(path: str | Path) -> pd.DataFrame:
    """Read the Most Similar Group comparison (crimes per 1,000 residents per partnership)."""
    return read_partner("most_similar_group", path)
