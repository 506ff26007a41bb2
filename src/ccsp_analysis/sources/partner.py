"""Readers for partner extracts (force crime and ASB, council ASB and fly-tipping, services, survey, funding)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from ccsp_analysis.schemas import PARTNER_SCHEMAS
from ccsp_analysis.sources.tabular import RowCheck, RowProblem, read_table


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


_ROW_CHECKS: dict[str, Sequence[RowCheck]] = {"partner_crimes": (_offence_codes, _victim_fields)}


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
        Naming the file, line, column and fix for the first problem.
    """
    if name not in PARTNER_SCHEMAS:
        raise ValueError(f"unknown partner format {name!r}; known: {', '.join(PARTNER_SCHEMAS)}")
    return read_table(path, PARTNER_SCHEMAS[name], row_checks=_ROW_CHECKS.get(name, ()))


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
