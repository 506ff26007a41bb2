"""Readers for data.police.uk street-level crime and outcomes CSVs (files, monthly folders, archive zips)."""

from __future__ import annotations

import difflib
import logging
import os
import re
import threading
import zipfile
import zlib
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
    LSOA_CODE_PATTERN,
    POLICE_CRIME_TYPES,
    POLICE_OUTCOMES_HEADER,
    POLICE_STREET_HEADER,
    Column,
)
from ccsp_analysis.sources.csvfile import (
    MAX_MEMBER_BYTES,
    CsvText,
    read_file,
    refuse_other_delimiter,
    size_text,
)
from ccsp_analysis.sources.tabular import area_mask, first_true, to_frame, validate_columns

try:  # the C line picker (setup.py builds it where a C compiler is available)
    from ccsp_analysis.sources import _linescan
except ImportError:  # pragma: no cover - installs without a compiler parse every line
    _linescan = None

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
#: Drop-log reasons, in the order rows are tested (a row is counted under the first that applies).
OUTSIDE_MONTHS = "outside requested months"
NO_LSOA = "no LSOA code"
MALFORMED_LSOA = "malformed LSOA code"
OUTSIDE_AREA = "outside area"

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


def _walk(root: Path, kind: _Kind) -> tuple[list[Path], list[Path]]:
    """The monthly CSVs of ``kind`` under ``root`` (sorted by month, then name) and the archive
    zips (sorted by path), in one walk of the folder tree (symlinked folders are not followed)."""
    found, zips = [], []
    suffix = f"-{kind.suffix}.csv"
    for folder, _dirs, names in os.walk(root):
        for name in names:
            if name.endswith(suffix) and kind.name_month(name):
                found.append(Path(folder, name))
            elif name.endswith(".zip"):
                zips.append(Path(folder, name))
    found.sort(key=lambda p: (p.name[:7], p.name))
    return found, sorted(zips)


def _find(root: Path, kind: _Kind) -> list[Path]:
    return _walk(root, kind)[0]


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
    """One member's bytes, refused above ``MAX_MEMBER_BYTES`` before anything is decompressed.

    The size is the one the archive declares; :mod:`zipfile` never returns more than that (and
    fails the CRC check when the data are longer or shorter), so memory stays bounded whatever
    the archive holds.
    """
    where = f"{archive}/{member}"
    try:
        with zipfile.ZipFile(archive) as zf:
            info = zf.getinfo(member)
            if info.file_size > MAX_MEMBER_BYTES:
                raise DataError(
                    f"is {size_text(info.file_size)} uncompressed, more than the reader's limit "
                    f"of {size_text(MAX_MEMBER_BYTES)} for one monthly file",
                    path=where,
                    fix="a data.police.uk monthly file is far smaller; download the archive again "
                    "from data.police.uk",
                )
            return zf.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise DataError(
            f"cannot be read from the archive ({exc})",
            path=where,
            fix="download the archive again (ccsp data fetch police --force)",
        ) from exc
    except (NotImplementedError, RuntimeError) as exc:  # unknown compression, encrypted member
        why = (
            "is encrypted (password-protected)"
            if "encrypted" in str(exc)
            else f"uses a compression method this reader cannot decompress ({exc})"
        )
        raise DataError(
            f"cannot be read from the archive: it {why}",
            path=where,
            fix="use the archive as downloaded from data.police.uk (plain zip, no password)",
        ) from exc


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
            files, zips = _walk(item, kind)
            members += [_file_member(p, kind) for p in files]
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
    ``rows`` counts every data row read; ``extra`` names header columns that were ignored.
    """

    member: _Member
    table: pa.Table
    row_ids: pa.Array
    drops: list[tuple[str, str, int]]
    utf8: bool = True
    rows: int = 0
    extra: tuple[str, ...] = ()
    blank: bool = False  # the file holds only blank lines (no header)


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


class _Codes:
    """The requested LSOA codes, then every well-formed code seen so far in this read.

    One ``index_in`` probe per file against these values tells each row whether its code is
    requested (index below ``wanted``) and whether it is a code already known to be well formed;
    only codes not seen before (in practice the first files' codes, and odd ones) are checked
    against the LSOA pattern. So the malformed-code check costs about nothing beyond the area
    match. Shared by the worker threads: a file read with an older snapshot re-checks a few
    codes, which is harmless.
    """

    def __init__(self, wanted: pa.Array | None) -> None:
        self.wanted = None if wanted is None else len(wanted)  # None: no code list given
        self.values = pa.array([], pa.string()) if wanted is None else wanted
        self.lock = threading.Lock()

    def learn(self, new: pa.Array) -> None:
        with self.lock:
            fresh = new.filter(pc.invert(pc.is_in(new, value_set=self.values)))
            if len(fresh):
                self.values = pa.concat_arrays([self.values, fresh])


def _odd_codes(codes: pa.ChunkedArray | pa.Array, known: _Codes) -> tuple[pa.Array, pa.Array]:
    """Of codes not known yet: the distinct ones that are only spaces, and the malformed ones.

    Well-formed ones are learnt (added to ``known``).
    """
    uniq = pc.unique(codes)
    good = pc.match_substring_regex(uniq, LSOA_CODE_PATTERN)
    known.learn(uniq.filter(good))
    odd = uniq.filter(pc.invert(good))
    space = pc.utf8_is_space(odd)
    return odd.filter(space), odd.filter(pc.invert(space))


def _count(mask: pa.ChunkedArray | pa.Array) -> int:
    return int(pc.sum(mask).as_py() or 0)


def _area_drops(
    table: pa.Table, months, codes: _Codes | None, prefix
) -> tuple[pa.ChunkedArray | None, list[tuple[str, int]]]:
    """The keep mask (None = keep all) and the (reason, rows) dropped: months, then area.

    With an area filter a row the months keep is dropped as "no LSOA code" (blank code),
    "malformed LSOA code" (not an ONS LSOA code such as E01009522, even when its name matches
    the prefix) or "outside area". In the usual case (no months filter, every code well formed)
    the counts come from null counts and one sum rather than a mask per reason.
    """
    if codes is None:
        if months is None:
            return None, []
        keep = pc.is_in(table.column("Month"), value_set=months)
        return keep, [(OUTSIDE_MONTHS, _count(pc.invert(keep)))]
    code = table.column("LSOA code")
    index = pc.index_in(code, value_set=codes.values)  # null: no code, or a code not seen yet
    blank = bad = None
    if index.null_count > code.null_count:
        odd_blank, malformed = _odd_codes(
            code.filter(pc.and_(pc.is_null(index), pc.is_valid(code))), codes
        )
        blank = pc.is_in(code, value_set=odd_blank) if len(odd_blank) else None
        bad = pc.is_in(code, value_set=malformed) if len(malformed) else None
    area = None if codes.wanted is None else pc.less(index, codes.wanted)
    if prefix is not None:
        by_name = area_mask(code, table.column("LSOA name"), None, prefix)
        area = by_name if area is None else pc.or_kleene(area, by_name)
        area = pc.and_kleene(area, pc.is_valid(code))  # a row with no code can never be placed
    for odd in (blank, bad):
        if odd is not None:
            area = pc.and_kleene(area, pc.invert(odd))
    area = pc.fill_null(area, False)
    if months is None and blank is None and bad is None:
        kept, no_code = _count(area), code.null_count
        return area, [
            (NO_LSOA, no_code),
            (OUTSIDE_AREA, table.num_rows - kept - no_code),
        ]
    drops = []
    keep = None
    if months is not None:
        keep = pc.is_in(table.column("Month"), value_set=months)
        drops.append((OUTSIDE_MONTHS, _count(pc.invert(keep))))
    no_code = pc.is_null(code) if blank is None else pc.or_(pc.is_null(code), blank)
    lost = pc.invert(area) if keep is None else pc.and_(keep, pc.invert(area))
    drops.append((NO_LSOA, _count(pc.and_(lost, no_code))))
    placed = pc.and_(lost, pc.invert(no_code))
    if bad is not None:
        drops.append((MALFORMED_LSOA, _count(pc.and_(placed, bad))))
        placed = pc.and_(placed, pc.invert(bad))
    drops.append((OUTSIDE_AREA, _count(placed)))
    return (area if keep is None else pc.and_(keep, area)), drops


def _header(text: CsvText, names: list[str], kind: _Kind) -> tuple[str, ...]:
    """Check the header by column name; return the extra columns (ignored, with a warning).

    Columns may come in any order; a missing or renamed column is an error naming it.
    """
    missing = [c for c in kind.header if c not in names]
    extra = tuple(n for n in names if n not in kind.header)
    if missing:
        refuse_other_delimiter(names, text.where, "use the file as downloaded from data.police.uk (comma-separated)")
    if missing:
        want = missing[0]
        i = kind.header.index(want)
        what = f"a data.police.uk {kind.suffix} file"
        if i < len(names) and names[i] in extra:
            message = f"header column {i + 1} is {names[i]!r} but {what} has {want!r} there"
        else:
            message = f"header has no column {want!r}"
            close = difflib.get_close_matches(want, extra, n=1)
            if close:
                message += f" ({close[0]!r} looks like it)"
        if len(missing) > 1:
            message += f"; missing {len(missing)} columns: {', '.join(missing)}"
        raise DataError(
            message,
            path=text.where,
            line=1,
            column=want,
            fix=f"the header must have these columns (any order; others are ignored): "
            f"{','.join(kind.header)}",
        )
    return extra


#: The small-area codes the C line picker recognises as well formed: it must be LSOA_CODE_PATTERN.
_PICKER_PATTERN = r"^(E01|W01|X01)\d{6}$"
_PICKER_LETTERS = "EWX"


class _Picker:
    """The wanted codes as the C line picker's lookup table (one byte per letter and six digits).

    Used only when every rule of the picker holds: it is built, the reader's code pattern is the one
    it implements, and the read filters by a code list alone (no months, no name prefix).
    """

    def __init__(self, wanted: pa.Array) -> None:
        self.slot = bytearray(b"\xff" * 256)
        for i, letter in enumerate(_PICKER_LETTERS):
            self.slot[ord(letter)] = i
        self.slot = bytes(self.slot)
        self.table = np.zeros(len(_PICKER_LETTERS) * 1_000_000, np.uint8)
        for code in wanted.to_pylist():
            if re.fullmatch(_PICKER_PATTERN, code):
                self.table[_PICKER_LETTERS.index(code[0]) * 1_000_000 + int(code[3:])] = 1

    @staticmethod
    def usable(months, codes, prefix) -> bool:
        return (
            _linescan is not None
            and LSOA_CODE_PATTERN == _PICKER_PATTERN
            and months is None
            and prefix is None
            and codes is not None
            and codes.wanted is not None
        )

    def pick(self, text: CsvText, names: list[str]):
        """The header and the lines the parser must see, as a CsvText, with each line's data-row number
        in the file, the file's data rows and the rows counted without parsing (no code, outside the
        area); None when the file cannot be split line by line as the parser would."""
        if "LSOA code" not in names:
            return None
        data = text.data
        out = np.empty(len(data) + 2, np.uint8)
        rows = np.empty(len(data) // 64 + 1024, np.int64)
        args = (data, names.index("LSOA code"), len(names) - 1, self.slot, self.table, out)
        got = _linescan.select_lines(*args, rows)
        if got is not None and got[1] > len(rows):
            rows = np.empty(got[1], np.int64)
            got = _linescan.select_lines(*args, rows)
        if got is None:
            return None
        size, kept, data_rows, blank, outside, complex_lines, unsure_codes = got
        small = CsvText(text.where, pa.py_buffer(out).slice(0, size))
        return small, rows[:kept], data_rows, blank, outside, complex_lines == 0, unsure_codes == 0


def _split(small: CsvText, names: list[str], rows: int) -> pa.Table | None:
    """The picked lines as string columns, split by the C picker (every line simple: no quotes, one
    value per column); None when they cannot be (the parser reads them then)."""
    head = bytes(memoryview(small.data)[:65536]).find(b"\n")
    if head < 0:
        return None
    columns = _linescan.split_columns(small.data, head + 1, rows, len(names))
    if columns is None:
        return None
    arrays = [
        pa.Array.from_buffers(
            pa.string(),
            rows,
            [None if valid is None else pa.py_buffer(valid), pa.py_buffer(offsets), pa.py_buffer(values)],
            null_count=nulls,
        )
        for valid, offsets, values, nulls in columns
    ]
    return pa.table(arrays, names=names)


def _parse_picked(picker: _Picker | None, text: CsvText, names: list[str]):
    """Parse the lines the picker picks: (table, data-row numbers, data rows, rows counted per reason),
    or None to parse the whole file (no picker, or the picked lines do not parse as they would in the
    whole file: the whole file's parse then reports any error at its own line)."""
    if picker is None:
        return None
    picked = picker.pick(text, names)
    if picked is None:
        return None
    small, row_ids, data_rows, blank, outside, simple, all_wanted = picked
    table = _split(small, names, len(row_ids)) if simple and len(set(names)) == len(names) else None
    if table is None:
        try:
            table = small.parse(allow_no_rows=True, check_utf8=False, use_threads=False, names=names)
        except DataError:
            return None
    if table.num_rows != len(row_ids):
        return None
    return table, row_ids, data_rows, {NO_LSOA: blank, OUTSIDE_AREA: outside}, simple and all_wanted


#: Drop reasons in the order the log lists them.
_REASONS = (OUTSIDE_MONTHS, NO_LSOA, MALFORMED_LSOA, OUTSIDE_AREA)


def _scan(member: _Member, kind: _Kind, months, codes, prefix, picker: _Picker | None = None) -> _Scan:
    """Parse one CSV (columns found by name), keep its rows in the requested months and area.

    ``months`` is a pyarrow string array and ``codes`` a :class:`_Codes`, both made once for all
    files. Runs in a worker thread: pyarrow parses, filters and checks UTF-8 without holding the
    GIL. A file of blank lines only is read as no rows (a warning follows, in :func:`_warn`).
    With a ``picker`` (a code-list filter only) the lines outside the area are counted by the C
    line picker and only the rest are parsed: the same rows, drop counts and errors.
    """
    text = CsvText(member.where, member.load())
    if _only_blank_lines(text.data):
        empty = pa.table({c: pa.array([], pa.string()) for c in kind.header})
        return _Scan(member, empty, pa.array([], pa.int64()), [], blank=True)
    names = text.header()
    extra = () if names == list(kind.header) else _header(text, names, kind)
    picked = _parse_picked(picker, text, names)
    if picked is None:
        table = text.parse(allow_no_rows=True, check_utf8=False, use_threads=False, names=names)
        row_ids, rows, counted, all_wanted = None, table.num_rows, {}, False
    else:
        table, row_ids, rows, counted, all_wanted = picked
    if names != list(kind.header):
        table = table.select(list(kind.header))
    # every picked line holds a wanted code: all are kept, and the picker counted the rest
    keep, drops = (None, []) if all_wanted else _area_drops(table, months, codes, prefix)
    totals = dict.fromkeys(_REASONS, 0) | counted
    for reason, n in drops:
        totals[reason] += n
    counts = [(member.name, r, n) for r, n in totals.items() if n]
    if keep is None:
        row_ids = pa.array(np.arange(table.num_rows) if row_ids is None else row_ids)
    else:
        table, kept = table.filter(keep), pc.indices_nonzero(keep)
        row_ids = kept if row_ids is None else pa.array(row_ids[kept.to_numpy()])
    try:
        table.validate(full=True)
    except pa.ArrowInvalid:
        return _Scan(member, table, row_ids, counts, utf8=False, rows=rows, extra=extra)
    return _Scan(member, table, row_ids, counts, rows=rows, extra=extra)


def _warn(scans: list[_Scan], kind: _Kind) -> None:
    """Warn (in file order) about files with no data rows and about ignored extra columns."""
    for scan in scans:
        if scan.extra:
            log.warning(
                "%s: column(s) %s ignored (not in the data.police.uk %s format)",
                scan.member.where,
                ", ".join(repr(c) for c in scan.extra),
                kind.suffix,
            )
        if scan.rows == 0:
            log.warning(
                "%s: 0 rows read (%s)",
                scan.member.where,
                "the file holds only blank lines" if scan.blank else "a header but no data rows",
            )


def _only_blank_lines(data: bytes | pa.Buffer) -> bool:
    """Whether ``data`` is line breaks and spaces only (but not empty: an empty file is an error)."""
    view = memoryview(data)
    if not len(view) or view[0] not in _SPACE:  # a real file starts with its header
        return False
    return not bytes(view).strip()


_SPACE = frozenset(b" \t\r\n")


def _validate(scans: list[_Scan], kind: _Kind, table: pa.Table) -> pa.Table:
    """Validate the kept rows of all files at once; errors name the file and line of the first bad row."""
    rows = _Rows(scans)
    for scan in scans:
        if not scan.utf8:
            raise CsvText(scan.member.where, scan.member.load()).utf8_error()
    month = table.column("Month")
    table = validate_columns(rows, table, kind.columns)
    for start, scan in zip(rows.starts, scans, strict=False):  # each file's rows against its month
        if scan.member.month is None or not scan.table.num_rows:
            continue
        own = month.slice(int(start), scan.table.num_rows)
        row = first_true(pc.not_equal(own, pa.scalar(scan.member.month, pa.string())))
        if row >= 0:
            raise rows.error(
                f"Month {own[row].as_py()!r} does not match the file's month {scan.member.month}",
                row=int(start) + row,
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
    row = first_true(pc.xor(blank, is_asb))
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
    source: Source, kind: _Kind, months, codes, prefix, forces, *, arrow: bool = False
) -> tuple[pd.DataFrame | pa.Table, pd.DataFrame]:
    """Scan the files in parallel (parse + filter), then validate and convert the kept rows once
    (``arrow``: return the validated pyarrow table instead of converting it to pandas)."""
    months = None if months is None else {_month_arg(m) for m in months}
    forces = None if forces is None else set(forces)
    members = [m for m in _members(source, kind) if _wanted(m, kind, months, forces)]
    if not members:
        raise DataError(
            f"no {kind.suffix} files for the requested months/forces",
            path=str(source),
            fix="add the files for these months, or check the period and area.force",
        )
    months = None if months is None else pa.array(sorted(months), pa.string())
    codes = (
        None
        if codes is None and prefix is None
        else _Codes(None if codes is None else pa.array(sorted(set(codes)), pa.string()))
    )
    picker = _Picker(codes.values[: codes.wanted]) if _Picker.usable(months, codes, prefix) else None
    scanner = partial(_scan, kind=kind, months=months, codes=codes, prefix=prefix, picker=picker)
    workers = min(len(members), os.cpu_count() or 2)
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            scans = list(pool.map(scanner, members))
    else:
        scans = [scanner(member) for member in members]
    _warn(scans, kind)
    drop_log = pd.DataFrame([c for s in scans for c in s.drops], columns=_LOG_COLUMNS)
    drop_log["rows"] = drop_log["rows"].astype("int64")
    table = pa.concat_tables([s.table for s in scans])
    if table.num_rows == 0 and len(drop_log):
        raise DataError(
            f"none of the {drop_log['rows'].sum()} rows is in the requested area or months",
            path=str(source),
            fix="check area.la_codes (the LSOA list comes from the lookup) and that the files are for the right force",
        )
    file_index = pa.array(np.repeat(np.arange(len(scans)), [s.table.num_rows for s in scans]))
    table = _validate(scans, kind, table).select(list(kind.header))
    table = table.rename_columns([_RENAME[c] for c in kind.header])
    if kind.asb_ids:
        table = table.append_column("is_asb", pc.equal(table.column("crime_type"), ASB))
    names = pc.take(pa.array([m.name for m in members], pa.string()), file_index)
    table = table.append_column("source_file", names)
    log.info("read %d %s rows from %d file(s)", table.num_rows, kind.suffix, len(members))
    return (table if arrow else to_frame(table)), drop_log


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
        prefix (e.g. ``"Coventry "``). Rows with no LSOA code, or with a malformed one (not an
        ONS LSOA code such as ``E01009522``), are dropped when filtering, each under its own
        reason.
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
        "no LSOA code", "malformed LSOA code" and "outside area" (only non-zero counts).

    Columns are found by name (any order); extra columns are ignored with a warning naming the
    file. A file with a header and no rows, or only blank lines, is read as 0 rows with a
    warning naming it. Repeated Crime IDs and identical rows are kept as published.

    Raises
    ------
    DataError
        A missing or renamed column, bad Month / Crime type / coordinates, Crime ID not blank
        exactly on ASB rows, Month not the file's month, an empty (0-byte) file, an archive
        member that cannot be read or is larger than ``MAX_MEMBER_BYTES`` (256 MiB), or no rows
        left after filtering; naming the file (and archive member), line and column.
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


#: Order of the reasons of one file's entries in a drop log (as :func:`_area_drops` gives them).
_REASONS = (OUTSIDE_MONTHS, NO_LSOA, MALFORMED_LSOA, OUTSIDE_AREA)


def _file_order(name: str) -> tuple[str, str]:
    """Sort key of a monthly file, as the reader orders its members (month, then name)."""
    return (name[:7] if _MONTH.fullmatch(name[:7]) else "", name)


def read_street_table_with_log(
    source: Source, *, lsoa_codes: Iterable[str] | None = None, forces: Iterable[str] | None = None
) -> tuple[pa.Table, pd.DataFrame]:
    """:func:`read_street_with_log` (every month), the rows as the validated pyarrow table (not converted to
    pandas): for a shared read of a force's files, kept in Arrow (:func:`street_for_area_table`)."""
    return _read(source, _STREET, None, lsoa_codes, None, forces, arrow=True)


#: Columns of :func:`code_counts`.
CODE_COUNT_COLUMNS = ["source_file", "lsoa_code", "rows"]


def code_counts(table: pa.Table) -> pd.DataFrame:
    """Rows per file and LSOA code of a read (``source_file, lsoa_code, rows``): all that an area's drop log
    needs to know of the rows of the other areas read with it."""
    if table.num_rows == 0:
        return pd.DataFrame({"source_file": pd.Series(dtype=object), "lsoa_code": pd.Series(dtype=object),
                             "rows": pd.Series(dtype="int64")})
    grouped = table.select(["source_file", "lsoa_code"]).group_by(["source_file", "lsoa_code"]).aggregate(
        [([], "count_all")])
    out = grouped.to_pandas().rename(columns={"count_all": "rows"})
    return out[CODE_COUNT_COLUMNS].astype({"rows": "int64"})


def _area_drop_log(drops: pd.DataFrame, others: pd.DataFrame, source: Source, empty: bool) -> pd.DataFrame:
    """An area's drop log: the shared read's own drops plus the other areas' rows (``others``: ``source_file,
    lsoa_code, rows``) as "outside area", or "malformed LSOA code" when the code is not an ONS LSOA code."""
    counts: dict[tuple[str, str], int] = {}
    for row in drops.itertuples(index=False):
        counts[(row.source_file, row.reason)] = counts.get((row.source_file, row.reason), 0) + int(row.rows)
    malformed = ~others["lsoa_code"].astype("string").str.fullmatch(LSOA_CODE_PATTERN).fillna(False).to_numpy(dtype=bool)
    for reason, part in ((MALFORMED_LSOA, others[malformed]), (OUTSIDE_AREA, others[~malformed])):
        for name, n in part.groupby("source_file", sort=False)["rows"].sum().items():
            counts[(name, reason)] = counts.get((name, reason), 0) + int(n)
    entries = sorted(((f, r, n) for (f, r), n in counts.items() if n),
                     key=lambda e: (_file_order(e[0]), _REASONS.index(e[1])))
    drop_log = pd.DataFrame(entries, columns=_LOG_COLUMNS)
    drop_log["rows"] = drop_log["rows"].astype("int64")
    if empty and len(drop_log):
        raise DataError(
            f"none of the {drop_log['rows'].sum()} rows is in the requested area or months",
            path=str(source),
            fix="check area.lsoa_name_prefix / the LSOA list and that the files are for the right force",
        )
    return drop_log


def street_for_area_table(
    kept: pa.Table, drops: pd.DataFrame, counts: pd.DataFrame, lsoa_codes: Iterable[str], *, source: Source = ""
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One area's rows and drop log from a shared read kept in Arrow: ``kept``, the read's rows of the area
    (in the read's order, e.g. filtered from its parquet file), ``drops`` and ``counts`` (:func:`code_counts`)
    of the whole read. The same result as :func:`street_for_area` on the whole read, with only the
    area's rows ever converted to pandas."""
    codes = set(lsoa_codes)
    others = counts[~counts["lsoa_code"].isin(codes)]
    frame = to_frame(kept)
    return frame, _area_drop_log(drops, others, source, frame.empty)


def street_for_area(
    frame: pd.DataFrame, drops: pd.DataFrame, lsoa_codes: Iterable[str], *, source: Source = ""
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One area's rows and drop log, taken from one read of several areas' rows.

    ``frame, drops`` are what :func:`read_street_with_log` returned for the LSOA codes of several
    areas together (no ``months``, no ``lsoa_name_prefix``; ``frame`` keeps ``source_file``). The
    result is what that call returns for ``lsoa_codes`` alone: the same rows in the same order and the
    same drop log, the rows of the other areas counted as "outside area" (or "malformed LSOA code"
    when their code is not an ONS LSOA code, as the reader counts them). So a batch of partnerships of
    one force parses the force's files once.

    Raises
    ------
    DataError
        No row is in the area (as :func:`read_street_with_log` does).
    """
    codes = set(lsoa_codes)
    code = frame["lsoa_code"]
    mine = code.isin(codes).to_numpy(dtype=bool)
    kept = frame[mine].reset_index(drop=True)
    others = frame.loc[~mine, ["source_file", "lsoa_code"]].groupby(["source_file", "lsoa_code"], sort=False,
                                                                     dropna=False).size().rename("rows").reset_index()
    return kept, _area_drop_log(drops, others, source, kept.empty)
