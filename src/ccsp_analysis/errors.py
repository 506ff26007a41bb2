"""The project's exception hierarchy: every failure names the file, row, column or key and the fix."""

from __future__ import annotations

from pathlib import Path


class CcspError(Exception):
    """Base class for every error the project raises on purpose."""


class ParamsError(CcspError):
    """A parameter file is missing, malformed, or names something that does not exist."""


class RunError(CcspError):
    """A report run failed (a notebook raised, a render failed, outputs could not be written)."""


class NarrativeError(CcspError, ValueError):
    """A sentence or number format was asked for something it cannot describe."""


class StatsError(CcspError, ValueError):
    """A statistics function was given an input it cannot use (negative count, bad level, ...)."""


class DisclosureError(CcspError, ValueError):
    """A table given for suppression is not a table of non-negative counts."""


class ChartError(CcspError, ValueError):
    """A chart was given a frame without the columns or values it needs."""


class DataError(CcspError):
    """An input data file is missing or does not match its documented format.

    Parameters
    ----------
    message
        What is wrong.
    path
        The file concerned.
    line
        1-based line number in the file (the header is line 1), when one row is at fault.
    column
        The column concerned.
    fix
        What the user should do about it.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        self.fix = fix
        self.reason = message
        where = []
        if self.path:
            where.append(self.path)
        if line is not None:
            where.append(f"line {line}")
        if column:
            where.append(f"column '{column}'")
        text = (": ".join([", ".join(where), message]) if where else message)
        if fix:
            text += f". Fix: {fix}"
        super().__init__(text)
