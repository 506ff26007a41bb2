"""Readers for data.police.uk street-level crime and outcomes CSVs (files, monthly folders, archive zips)."""

from __future__ import annotations

import logging
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ccsp_analysis.errors import DataError
from ccsp_analysis.schemas import (
    POLICE_CRIME_TYPES,
    POLICE_OUTCOMES_HEADER,
    POLICE_STREET_HEADER,
    Column,
)
from ccsp_analysis.sources.csvfile import CsvText, check_exact_header, read_file
from ccsp_analysis.sources.tabular import area_mask, to_frame, validate_columns

log = logging.getLogger(__name__)

ASB = "Anti-social behaviour"
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_RENAME = {
    "Crime ID": "crime_id", "Month": "month", "Reported by": "reported_by",
    "Falls within": "falls_within", "Longitude": "longitude", "Latitude": "latitude",
    "Location": "location", "LSOA code": "lsoa_code", "LSOA name": "lsoa_name",
    "Crime type": "crime_type", "Last outcome category": "last_outcome", "Context": "context",
    "Outcome type": "outcome_type",
}  # fmt: skip
_COORDS = (
    Column("Longitude", "float", required=False, min=-180.0, max=180.0),
    Column("Latitude", "float", required=False, min=-90.0, max=90.0),
)
_LOG_COLUMNS = ["source_file", "reason", "rows"]

Source = str | Path | Sequence[str | Path]


@dataclass(frozen=True)
class _Kind:
    """One data.police.uk file type: its file-name suffix, exact header and value checks."""

    suffix: str
    header: tuple[str, ...]
    columns: tuple[Column, ...]
    asb_ids: bool  # Crime ID must be blank exactly on anti-social behaviour rows

    def name_month(self, name: str) -> str | None:
        match = re.fullmatch(rf"(\d{{4}}-\d{{2}})-.+-{self.suffix}\.csv", name)
        return match.group(1) if match else None

    def name_force(self, name: str) -> str | None:
        match = re.fullmatch(rf"\d{{4}}-\d{{2}}-(.+)-{self.suffix}\.csv", name)
        return match.group(1) if match else None


_STREET = _Kind(
    "street",
    POLICE_STREET_HEADER,
    (Column("Month", "month"), *_COORDS, Column("Crime type", allowed=POLICE_CRIME_TYPES)),
    asb_ids=True,
)
_OUTCOMES = _Kind(
    "outcomes",
    POLICE_OUTCOMES_HEADER,
    (Column("Crime ID"), Column("Month", "month"), *_COORDS, Column("Outcome type")),
    asb_ids=False,
)


@dataclass(frozen=True)
class _Member:
    """One CSV to read: where it is (for errors), its file name, its month if known, its bytes."""

    where: str
    name: str
    month: str | None
    load: Callable[[], bytes | pa.Buffer]


def _find(root: Path, kind: _Kind) -> list[Path]:
    found = [p for p in root.rglob(f"*-{kind.suffix}.csv") if kind.name_month(p.name)]
    return sorted(found, key=lambda p: (kind.name_month(p.name), p.name))


def find_street_files(root: str | Path) -> list[Path]:
    """Street CSVs under ``root`` named ``YYYY-MM-<force>-street.csv``, sorted by month then name.

    Parameters
    ----------
    root
        A folder in the archive layout ``YYYY-MM/YYYY-MM-<force>-street.csv`` (any depth).

    Returns
    -------
    list of Path
    """
    return _find(Path(root), _STREET)


def find_outcomes_files(root: str | Path) -> list[Path]:
    """Outcomes CSVs under ``root`` named ``YYYY-MM-<force>-outcomes.csv``, sorted by month."""
    return _find(Path(root), _OUTCOMES)


def find_archive_members(archive: str | Path, kind: str = "street") -> list[str]:
    """Members of a data.police.uk archive zip of one kind ("street" or "outcomes"), sorted by month.

    Raises
    ------
    DataError
        When the file is not a readable zip archive.
    """
    spec = {"street": _STREET, "outcomes": _OUTCOMES}[kind]
    try:
        with zipfile.ZipFile(archive) as zf:
            names = [n for n in zf.namelist() if spec.name_month(n.rsplit("/", 1)[-1])]
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(
            f"is not a readable zip archive ({exc})",
            path=archive,
            fix="download it again (ccsp data fetch --force)",
        ) from exc
    return sorted(names, key=lambda n: (n.rsplit("/", 1)[-1], n))


def _read_zip_member(archive: Path, member: str) -> bytes:
    with zipfile.ZipFile(archive) as zf:
        return zf.read(member)


def _file_member(path: Path, kind: _Kind) -> _Member:
    month = kind.name_month(path.name)
    folder = path.parent.name if _MONTH.fullmatch(path.parent.name) else None
    if month and folder and month != folder:
        raise DataError(
            f"file month {month} does not match its folder {folder}",
            path=path,
            fix="move the file into the folder of its month",
        )
    return _Member(str(path), path.name, month or folder, partial(read_file, path))


def _members(source: Source, kind: _Kind) -> list[_Member]:
    """Every CSV the source names, sorted by month; a later copy of the same monthly file wins."""
    items = [source] if isinstance(source, str | Path) else list(source)
    members: list[_Member] = []
    for item in map(Path, items):
        before = len(members)
        if item.is_dir():
            members += [_file_member(p, kind) for p in _find(item, kind)]
            zips = sorted(item.rglob("*.zip"))
        elif item.is_file():
            zips = [item] if item.suffix.lower() == ".zip" else []
            members += [] if zips else [_file_member(item, kind)]
        else:
            raise DataError("file or folder not found", path=item, fix="check sources.police_uk")
        for archive in zips:
            for name in find_archive_members(archive, kind.suffix):
                base = name.rsplit("/", 1)[-1]
                load = partial(_read_zip_member, archive, name)
                members.append(_Member(f"{archive}/{name}", base, kind.name_month(base), load))
        if len(members) == before:
            raise DataError(
                f"no data.police.uk {kind.suffix} files found",
                path=item,
                fix=f"expect YYYY-MM/YYYY-MM-<force>-{kind.suffix}.csv files or archive zips",
            )
    unique: dict[str, _Member] = {}
    for member in members:
        key = member.name if kind.name_month(member.name) else member.where
        if key in unique:
            log.warning("%s appears twice; using %s", member.name, member.where)
        unique[key] = member
    return sorted(unique.values(), key=lambda m: (m.month or "", m.name))


@dataclass(frozen=True)
class _Scan:
    """One file's kept rows (all strings), their data-row numbers in the file, and its drop counts.

    ``utf8`` is False when a kept row is not UTF-8 (checked in the worker thread, off the GIL).
    """

    member: _Member
    table: pa.Table
    row_ids: pa.Array
    drops: list[tuple[str, str, int]]
    utf8: bool = True


class _Rows:
    """Maps a row of several files' concatenated kept rows back to its file and line for errors."""

    def __init__(self, scans: list[_Scan]) -> None:
        self.scans = scans
        self.starts = np.cumsum([0] + [s.table.num_rows for s in scans])

    def error(
        self, message: str, *, row: int, column: str | None = None, fix: str | None = None
    ) -> DataError:
        i = int(np.searchsorted(self.starts, row, side="right")) - 1
        scan = self.scans[i]
        text = CsvText(scan.member.where, scan.member.load())
        return text.error(
            message, row=scan.row_ids[row - self.starts[i]].as_py(), column=column, fix=fix
        )


def _area_drops(table: pa.Table, months, codes, prefix) -> tuple[pa.ChunkedArray | None, list]:
    """The keep mask (None = keep all) and (reason, dropped-mask) pairs for months then area."""
    keep = None
    drops = []
    if months is not None:
        keep = pc.is_in(table.column("Month"), value_set=months)
        drops.append(("outside requested months", pc.invert(keep)))
    area = area_mask(table.column("LSOA code"), table.column("LSOA name"), codes, prefix)
    if area is not None:
        lost = pc.invert(area) if keep is None else pc.and_(keep, pc.invert(area))
        no_code = pc.is_null(table.column("LSOA code"))
        drops.append(("no LSOA code", pc.and_(lost, no_code)))
        drops.append(("outside area", pc.and_(lost, pc.invert(no_code))))
        keep = area if keep is None else pc.and_(keep, area)
    return keep, drops


def _scan(member: _Member, kind: _Kind, months, codes, prefix) -> _Scan:
    """Parse one CSV (header checked), keep its rows in the requested months and area.

    ``months`` and ``codes`` are pyarrow string arrays built once for all files. Runs in a
    worker thread: pyarrow parses, filters and checks UTF-8 without holding the GIL.
    """
    text = CsvText(member.where, member.load())
    check_exact_header(text, text.header(), kind.header, f"a data.police.uk {kind.suffix} file")
    table = text.parse(allow_no_rows=True, check_utf8=False, use_threads=False)
    keep, drops = _area_drops(table, months, codes, prefix)
    counts = [(member.name, r, n) for r, m in drops if (n := int(pc.sum(m).as_py() or 0))]
    if keep is None:
        row_ids = pa.array(np.arange(table.num_rows))
    else:
        table, row_ids = table.filter(keep), pc.indices_nonzero(keep)
    try:
        table.validate(full=True)
    except pa.ArrowInvalid:
        return _Scan(member, table, row_ids, counts, utf8=False)
    return _Scan(member, table, row_ids, counts)


def _validate(scans: list[_Scan], kind: _Kind, table: pa.Table, file_index: pa.Array) -> pa.Table:
    """Validate the kept rows of all files at once; errors name the file and line of the first bad row."""
    rows = _Rows(scans)
    for scan in scans:
        if not scan.utf8:
            raise CsvText(scan.member.where, scan.member.load()).utf8_error()
    month = table.column("Month")
    table = validate_columns(rows, table, kind.columns)
    months = pc.take(pa.array([s.member.month for s in scans], pa.string()), file_index)
    row = pc.index(pc.fill_null(pc.not_equal(month, months), False), True).as_py()
    if row >= 0:
        raise rows.error(
            f"Month {month[row].as_py()!r} does not match the file's month {months[row].as_py()}",
            row=row,
            column="Month",
            fix="a monthly file holds only its own month; re-download it or rename it",
        )
    if kind.asb_ids:
        _check_asb_ids(rows, table)
    return table


def _check_asb_ids(rows: _Rows, table: pa.Table) -> None:
    """Crime ID is blank exactly on anti-social behaviour rows, as data.police.uk publishes them."""
    ids = table.column("Crime ID")
    blank = pc.or_(pc.is_null(ids), pc.fill_null(pc.utf8_is_space(ids), False))
    is_asb = pc.equal(table.column("Crime type"), ASB)
    row = pc.index(pc.xor(blank, is_asb), True).as_py()
    if row < 0:
        return
    if is_asb[row].as_py():
        message = f"Crime ID {ids[row].as_py()!r} given on an {ASB} row"
    else:
        message = f"Crime ID is blank on a {table.column('Crime type')[row].as_py()!r} row"
    raise rows.error(
        message + "; data.police.uk leaves it blank exactly for anti-social behaviour",
        row=row,
        column="Crime ID",
        fix="use the file as downloaded from data.police.uk, or correct the Crime ID / Crime type",
    )


def _wanted(member: _Member, kind: _Kind, months: set[str] | None, forces: set[str] | None) -> bool:
    force = kind.name_force(member.name)
    in_months = months is None or member.month is None or member.month in months
    return in_months and (forces is None or force is None or force in forces)


def _read(
    source: Source, kind: _Kind, months, codes, prefix, forces
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scan the files in parallel (parse + filter), then validate and convert the kept rows once."""
    months = None if months is None else {_month_arg(m) for m in months}
    forces = None if forces is None else set(forces)
    members = [m for m in _members(source, kind) if _wanted(m, kind, months, forces)]
    if not members:
        raise DataError(
            f"no {kind.suffix} files for the requested months/forces",
            path=str(source),
            fix="add the files for these months, or check the period and area.force",
        )
    scanner = partial(
        _scan,
        kind=kind,
        months=None if months is None else pa.array(sorted(months), pa.string()),
        codes=None if codes is None else pa.array(sorted(set(codes)), pa.string()),
        prefix=prefix,
    )
    workers = min(len(members), os.cpu_count() or 2)
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            scans = list(pool.map(scanner, members))
    else:
        scans = [scanner(member) for member in members]
    drop_log = pd.DataFrame([c for s in scans for c in s.drops], columns=_LOG_COLUMNS)
    drop_log["rows"] = drop_log["rows"].astype("int64")
    table = pa.concat_tables([s.table for s in scans])
    if table.num_rows == 0 and len(drop_log):
        raise DataError(
            f"none of the {drop_log['rows'].sum()} rows is in the requested area or months",
            path=str(source),
            fix="check area.lsoa_name_prefix / the LSOA list and that the files are for the right force",
        )
    file_index = pa.array(np.repeat(np.arange(len(scans)), [s.table.num_rows for s in scans]))
    table = _validate(scans, kind, table, file_index).select(list(kind.header))
    table = table.rename_columns([_RENAME[c] for c in kind.header])
    if kind.asb_ids:
        table = table.append_column("is_asb", pc.equal(table.column("crime_type"), ASB))
    names = pc.take(pa.array([m.name for m in members], pa.string()), file_index)
    frame = to_frame(table.append_column("source_file", names))
    log.info("read %d %s rows from %d file(s)", len(frame), kind.suffix, len(members))
    return frame, drop_log


def _month_arg(month: str) -> str:
    if not isinstance(month, str) or not _MONTH.fullmatch(month):
        raise ValueError(f"months must be 'YYYY-MM' strings, got {month!r}")
    return month


def read_street_with_log(
    source: Source,
    *,
    lsoa_codes: Iterable[str] | None = None,
    lsoa_name_prefix: str | None = None,
    months: Iterable[str] | None = None,
    forces: Iterable[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read data.police.uk street-level crime and ASB, validated and filtered to an area.

    Parameters
    ----------
    source
        A street CSV, a folder in the archive layout ``YYYY-MM/YYYY-MM-<force>-street.csv``
        (any forces; archive zips inside are read too), an archive ``.zip`` with that layout
        (read in place, never unpacked), or a list of these. When the same monthly file appears
        twice the later one is used (a warning is logged).
    lsoa_codes, lsoa_name_prefix
        Area filter: keep rows whose LSOA code is listed OR whose LSOA name starts with the
        prefix (e.g. ``"Coventry "``). Rows with no LSOA code are dropped when filtering.
    months
        ``YYYY-MM`` strings to keep; files for other months are not read.
    forces
        Force names as in the file names (e.g. ``"west-midlands"``); files of other forces are
        not read (an archive zip holds every force, so pass the area's force).

    Returns
    -------
    frame : pandas.DataFrame
        ``crime_id, month, reported_by, falls_within, longitude, latitude, location, lsoa_code,
        lsoa_name, crime_type, last_outcome, context, is_asb, source_file``; ``month`` is the
        first day of the month (datetime64), blank text is NA.
    log : pandas.DataFrame
        ``source_file, reason, rows``: rows dropped per file for "outside requested months",
        "no LSOA code" and "outside area" (only non-zero counts).

    Raises
    ------
    DataError
        Wrong header, bad Month / Crime type / coordinates, Crime ID not blank exactly on ASB
        rows, Month not the file's month, or no rows left after filtering; naming file and line.
    """
    return _read(source, _STREET, months, lsoa_codes, lsoa_name_prefix, forces)


def read_street(
    source: Source,
    *,
    lsoa_codes: Iterable[str] | None = None,
    lsoa_name_prefix: str | None = None,
    months: Iterable[str] | None = None,
    forces: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Like :func:`read_street_with_log`, returning only the frame."""
    return read_street_with_log(
        source,
        lsoa_codes=lsoa_codes,
        lsoa_name_prefix=lsoa_name_prefix,
        months=months,
        forces=forces,
    )[0]


def read_outcomes(
    source: Source,
    *,
    lsoa_codes: Iterable[str] | None = None,
    lsoa_name_prefix: str | None = None,
    months: Iterable[str] | None = None,
    forces: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Read data.police.uk outcomes CSVs (``YYYY-MM-<force>-outcomes.csv``), same sources as streets.

    Returns
    -------
    pandas.DataFrame
        ``crime_id, month, reported_by, falls_within, longitude, latitude, location, lsoa_code,
        lsoa_name, outcome_type, source_file``.
    """
    return _read(source, _OUTCOMES, months, lsoa_codes, lsoa_name_prefix, forces)[0]


def split_asb(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a street frame into (crimes, anti-social behaviour), each with a fresh index."""
    asb = frame["is_asb"].to_numpy(dtype=bool)
    return frame[~asb].reset_index(drop=True), frame[asb].reset_index(drop=True)
