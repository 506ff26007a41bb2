"""Low-level CSV access: bytes in memory, fast parsing to string columns, exact line numbers."""

from __future__ import annotations

import csv
import difflib
import gzip
import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pv

from ccsp_analysis.errors import DataError
from ccsp_analysis.schemas import Schema

#: Separators other than commas that a misexported CSV may use, with their names for messages.
DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "pipes"}


def refuse_other_delimiter(names, where: str, fix: str) -> None:
    """A header read as one column that holds another separator: the file is not comma-separated."""
    if len(names) == 1:
        for char, word in DELIMITERS.items():
            if char in names[0]:
                raise DataError(f"looks separated by {word}, not commas", path=where, line=1, fix=fix)
_HEAD = 1 << 16
#: The most bytes one compressed input may expand to: a zip archive member (a data.police.uk
#: monthly file; the largest real one, the Metropolitan Police's street file, is about 30 MB) or
#: a ``.gz`` file. Larger ones are refused before they are decompressed, so memory stays bounded
#: whatever an archive holds. Plain (uncompressed) files are read whole: their size is on disk.
MAX_MEMBER_BYTES = 256 * 1024 * 1024


def size_text(n: int) -> str:
    """A byte count for messages, e.g. '256 MiB' or '3.5 GiB'."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} bytes"


def gunzip(path: str | Path, limit: int | None = None) -> bytes:
    """The decompressed bytes of a ``.gz`` file, refusing more than ``limit`` (MAX_MEMBER_BYTES).

    Decompresses at most ``limit + 1`` bytes, so a small file that expands enormously never fills
    memory.
    """
    limit = MAX_MEMBER_BYTES if limit is None else limit
    try:
        with gzip.open(path, "rb") as handle:
            raw = handle.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(
            f"is not a valid gzip file ({exc})", path=path, fix="download it again"
        ) from exc
    if len(raw) > limit:
        raise DataError(
            f"decompresses to more than the reader's limit of {size_text(limit)}",
            path=path,
            fix="check that this is the right file; decompress it and pass the .csv",
        )
    return raw


def map_file(path: str | Path) -> bytes | pa.Buffer:
    """The file's bytes, memory-mapped when non-empty (no copy; pyarrow parses it without the GIL)."""
    path = Path(path)
    if path.stat().st_size == 0:
        return b""
    with pa.memory_map(str(path)) as mapped:
        return mapped.read_buffer()


def read_file(path: str | Path) -> bytes | pa.Buffer:
    """The file's bytes in one pyarrow buffer, read off the GIL.

    For readers that parse many files at once in threads: unlike :func:`map_file` it does no
    per-file mapping and unmapping of pages (which costs every thread a TLB flush).
    """
    path = Path(path)
    if path.stat().st_size == 0:
        return b""
    with pa.OSFile(str(path)) as file:
        return file.read_buffer()


@dataclass(frozen=True)
class CsvText:
    """The bytes of one CSV file (or archive member) and where they came from, for error messages.

    ``data`` may be a memory-mapped ``pyarrow.Buffer`` (plain files: no copy, parsed off the GIL)
    or ``bytes`` (decompressed ``.gz`` files and zip members).
    """

    where: str
    data: bytes | pa.Buffer

    @classmethod
    def from_path(cls, path: str | Path) -> CsvText:
        """Read a CSV file (``.gz`` is decompressed) into memory, or raise DataError."""
        path = Path(path)
        if path.is_dir():
            raise DataError(
                "is a folder, not a CSV file", path=path, fix="name the file in the params file"
            )
        if not path.is_file():
            raise DataError("file not found", path=path, fix="check the path in the params file")
        if path.suffix.lower() != ".gz":
            return cls(str(path), map_file(path))
        return cls(str(path), gunzip(path))

    def raw(self) -> bytes:
        """All the bytes (a copy for mapped files; used on error paths only)."""
        return self.data if isinstance(self.data, bytes) else self.data.to_pybytes()

    def error(
        self,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        fix: str | None = None,
    ) -> DataError:
        """A DataError naming this file and the line of 0-based data row ``row``."""
        line = self.line(row) if row is not None else None
        return DataError(message, path=self.where, line=line, column=column, fix=fix)

    def header(self) -> list[str]:
        """The column names on the first line."""
        view = memoryview(self.data)
        head = bytes(view[:4096])  # a header line is short: look further only when it is not
        end = head.find(b"\n")
        if end < 0 and len(view) > len(head):
            head = bytes(view[:_HEAD])
            end = head.find(b"\n")
            if end < 0 and len(view) > _HEAD:
                head = self.raw()
                end = head.find(b"\n")
        first = head[: None if end < 0 else end]
        if not first.strip() and len(view) <= _HEAD and not bytes(view).strip():
            raise self.error("is empty", fix="export the file again with its header line and rows")
        first = first.rstrip(b"\r").removeprefix(b"\xef\xbb\xbf")
        try:
            return next(csv.reader([first.decode("utf-8")]))
        except UnicodeDecodeError as exc:
            raise self.utf8_error() from exc

    def line(self, row: int) -> int | None:
        """The 1-based file line where 0-based data row ``row`` starts (header = line 1).

        Only called for failing rows: it walks the file with :mod:`csv`, skipping blank lines as
        the fast parser does and allowing quoted values that span lines.
        """
        reader = csv.reader(io.StringIO(self.raw().decode("utf-8-sig", "replace"), newline=""))
        index, end = -1, 0
        for record in reader:
            start, end = end + 1, reader.line_num
            if not record:
                continue
            if index == row:
                return start
            index += 1
        return None

    def parse(
        self,
        *,
        allow_no_rows: bool = False,
        check_utf8: bool = True,
        use_threads: bool = True,
        names: list[str] | None = None,
    ) -> pa.Table:
        """Parse every column as (nullable) strings; blanks become nulls.

        With ``check_utf8=False`` the caller must check the rows it keeps (``Table.validate(full=True)``)
        and report failures with :meth:`utf8_error`. ``names``: the :meth:`header` when the caller
        has read it already.
        """
        names = self.header() if names is None else names
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise DataError(
                f"column(s) {', '.join(dupes)} appear more than once in the header",
                path=self.where,
                line=1,
                fix="give every column a different name",
            )
        refuse_other_delimiter(names, self.where, "save it as comma-separated CSV (UTF-8)")
        convert = pv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
            check_utf8=check_utf8,
        )
        read = pv.ReadOptions(use_threads=use_threads)
        try:
            table = pv.read_csv(
                pa.BufferReader(self.data), read_options=read, convert_options=convert
            )
        except pa.ArrowInvalid as exc:
            if "UTF8" in str(exc):
                raise self.utf8_error() from exc
            raise self._ragged(len(names), str(exc)) from exc
        if table.num_rows == 0 and not allow_no_rows:
            raise DataError(
                "has a header but no data rows",
                path=self.where,
                line=1,
                fix="export the data rows too, or remove the file from the params",
            )
        return table

    def utf8_error(self) -> DataError:
        """A DataError at the line of the first byte that is not UTF-8."""
        data = self.raw()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            bad = data[exc.start : exc.start + 1].hex()
            return DataError(
                f"is not UTF-8 text (byte 0x{bad})",
                path=self.where,
                line=line,
                fix="save the file as UTF-8 (in Excel: Save As > CSV UTF-8)",
            )
        return DataError("is not UTF-8 text", path=self.where, fix="save the file as UTF-8")

    def _ragged(self, width: int, detail: str) -> DataError:
        reader = csv.reader(io.StringIO(self.raw().decode("utf-8-sig", "replace"), newline=""))
        try:
            for record in reader:
                if record and len(record) != width:
                    return DataError(
                        f"has {len(record)} fields but the header has {width}",
                        path=self.where,
                        line=reader.line_num,
                        fix="quote values that contain commas and give every row the same columns",
                    )
        except csv.Error as exc:
            return DataError(f"is not valid CSV ({exc})", path=self.where, line=reader.line_num)
        return DataError(f"could not be parsed as CSV ({detail})", path=self.where)


def check_columns(text: CsvText, names: Sequence[str], schema: Schema) -> None:
    """Raise DataError unless the header holds exactly the schema's columns (any order)."""
    missing = [n for n in schema.names if n not in names]
    unexpected = [] if schema.extra_columns_allowed else [n for n in names if n not in schema.names]
    if not missing and not unexpected:
        return
    parts = []
    if missing:
        parts.append("missing column(s) " + ", ".join(missing))
    if unexpected:
        hints = [
            f"{n!r} looks like {close[0]!r}"
            for n in unexpected
            if (close := difflib.get_close_matches(n.strip().lower(), missing, n=1))
        ]
        parts.append("unexpected column(s) " + ", ".join(unexpected))
        parts.extend(hints)
    raise DataError(
        "; ".join(parts),
        path=text.where,
        line=1,
        fix=f"the {schema.name} format has exactly these columns: {', '.join(schema.names)}",
    )


def check_exact_header(
    text: CsvText, names: Sequence[str], expected: Sequence[str], what: str
) -> None:
    """Raise DataError naming the first column where ``names`` differs from ``expected``."""
    if list(names) == list(expected):
        return
    for i in range(max(len(names), len(expected))):
        got = names[i] if i < len(names) else None
        want = expected[i] if i < len(expected) else None
        if got != want:
            raise DataError(
                f"header column {i + 1} is {got!r} but {what} has {want!r} there",
                path=text.where,
                line=1,
                column=want or got,
                fix=f"the header must be exactly: {','.join(expected)}",
            )
