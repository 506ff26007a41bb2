"""Financial years, quarters and months: parsing labels and turning them into month ranges."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

_FY = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class FinancialYear:
    """An April-March financial year, e.g. ``FinancialYear(2023)`` is 2023-24."""

    start_year: int

    @classmethod
    def parse(cls, label: str | int | FinancialYear) -> FinancialYear:
        """Parse ``"2023-24"`` (or ``2023``) into a FinancialYear; ValueError on anything else."""
        if isinstance(label, FinancialYear):
            return label
        if isinstance(label, int):
            return cls(label)
        m = _FY.match(str(label).strip())
        if not m:
            raise ValueError(f"'{label}' is not a financial year label like 2023-24")
        start, end = int(m.group(1)), int(m.group(2))
        if (start + 1) % 100 != end:
            raise ValueError(f"'{label}' is not a financial year: {end:02d} does not follow {start}")
        return cls(start)

    @property
    def label(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def text(self) -> str:
        """Label as documents write it, e.g. '2023/24'."""
        return self.label.replace("-", "/")

    @property
    def first_month(self) -> pd.Timestamp:
        return pd.Timestamp(self.start_year, 4, 1)

    @property
    def last_month(self) -> pd.Timestamp:
        return pd.Timestamp(self.start_year + 1, 3, 1)

    def months(self, quarter: int | None = None) -> pd.DatetimeIndex:
        """First-of-month dates of the year, or of the year to date at the end of ``quarter``."""
        n = 12 if quarter is None else 3 * quarter
        if not 1 <= n <= 12:
            raise ValueError(f"quarter must be 1-4, not {quarter}")
        return pd.date_range(self.first_month, periods=n, freq="MS")

    def previous(self) -> FinancialYear:
        return FinancialYear(self.start_year - 1)

    def __str__(self) -> str:
        return self.label


def fy_label_of(months: pd.Series) -> pd.Series:
    """Financial-year label (e.g. '2023-24') of each first-of-month date in ``months``."""
    start = months.dt.year - (months.dt.month < 4).astype(int)
    return start.astype(str) + "-" + ((start + 1) % 100).astype(str).str.zfill(2)


def month_label(month: pd.Timestamp) -> str:
    """'March 2024' style label of a month."""
    return month.strftime("%B %Y")
