"""The C line picker (sources/_linescan.c) and the reader's use of it.

The picker copies, from a force-wide data.police.uk file, the header and the lines the parser must
see for one area, and counts the rest (no code / outside the area); ``split_columns`` splits simple
picked lines into string columns. The reader must give exactly what a whole-file parse gives: the
same rows in the same order, the same drop counts, the same errors at the same lines. So:

* the direct tests below give the picker hand-made bytes and check every count and copied line
  against values worked out by hand from the bytes (stated beside each);
* the equivalence tests read each awkward file twice, with the picker and with it switched off
  (``police_uk._linescan = None``: the whole-file parse, the independent reference), and compare.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ccsp_analysis.errors import DataError
from ccsp_analysis.schemas import POLICE_STREET_HEADER
from ccsp_analysis.sources import police_uk

linescan = police_uk._linescan
needs_picker = pytest.mark.skipif(
    linescan is None,
    reason="the C line picker is not built (no C compiler at install time): the reader parses every line",
)

HEADER = ",".join(POLICE_STREET_HEADER)
WANTED = ["E01009522", "E01009523", "W01000001"]


def test_the_picker_is_built_where_a_compiler_is():
    """CI installs with a C compiler: the picker must be there, or its tests would silently not run."""
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        pytest.skip("no C compiler on this machine: the picker cannot have been built")
    assert linescan is not None, "setup.py did not build ccsp_analysis.sources._linescan; run `pip install -e .` again"


def _tables(codes=WANTED):
    picker = police_uk._Picker(police_uk.pa.array(sorted(codes)))
    return picker.slot, picker.table


def _select(data: bytes, field: int = 7, ncommas: int = 11, codes=WANTED):
    slot, table = _tables(codes)
    out = np.empty(len(data) + 2, np.uint8)
    rows = np.empty(len(data) + 8, np.int64)
    got = linescan.select_lines(data, field, ncommas, slot, table, out, rows)
    if got is None:
        return None
    size, kept, data_rows, blank, outside, complex_lines, unsure = got
    return {
        "out": bytes(out[:size]).decode(),
        "rows": rows[:kept].tolist(),
        "data_rows": data_rows,
        "blank": blank,
        "outside": outside,
        "complex": complex_lines,
        "unsure": unsure,
    }


def line(code: str, *, crime_id: str = "", location: str = "On or near X", context: str = "") -> str:
    return f"{crime_id},2023-04,P,P,-1.5,52.4,{location},{code},Name,Burglary,,{context}"


@needs_picker
def test_select_lines_counts_and_copies_by_hand():
    # data rows: 0 wanted E01009522; 1 blank code; 2 unwanted well-formed; 3 wanted W01000001;
    # 4 malformed (8 characters); 5 code of spaces (9 characters, not a code); 6 lower-case e01...
    lines = [HEADER, line("E01009522"), line(""), line("E01000001"), line("W01000001"),
             line("E0100952"), line("         "), line("e01009522")]  # fmt: skip
    got = _select(("\n".join(lines) + "\n").encode())
    # copied: header, rows 0 and 3 (wanted), rows 4, 5, 6 (the parser judges their codes)
    assert got["rows"] == [0, 3, 4, 5, 6]
    assert got["out"] == "\n".join([lines[0], lines[1], lines[4], lines[5], lines[6], lines[7]]) + "\n"
    assert (got["data_rows"], got["blank"], got["outside"]) == (7, 1, 1)
    assert (got["complex"], got["unsure"]) == (0, 3)


@needs_picker
def test_select_lines_copies_quoted_and_ragged_lines_and_skips_empty_ones():
    lines = [
        HEADER,
        "",  # an empty line: not a row
        line("E01000001", location='"On or near A, B"'),  # row 0: quotes -> copied (complex)
        line("E01000001") + ",extra",  # row 1: 12 commas -> copied (complex)
        line("E01000001"),  # row 2: outside
        "\r",  # an empty CRLF line: not a row
        line("E01009523") + "\r",  # row 3: wanted, CRLF
    ]
    got = _select(("\n".join(lines)).encode())  # no LF after the last line
    assert got["rows"] == [0, 1, 3]
    assert got["out"] == "\n".join([HEADER, lines[2], lines[3], lines[6]]) + "\n"
    assert (got["data_rows"], got["blank"], got["outside"], got["complex"]) == (4, 0, 1, 2)


@needs_picker
def test_select_lines_gives_up_where_it_cannot_split_as_the_parser_does():
    lone_cr = HEADER + "\n" + line("E01009522") + "\r" + line("E01000001") + "\n"
    odd_quote = HEADER + "\n" + line("E01000001", location='"On or near\n') + "X\",\n"
    assert _select(lone_cr.encode()) is None
    assert _select(odd_quote.encode()) is None


@needs_picker
def test_select_lines_finds_the_code_in_any_column():
    # the code as the first and as the last of three columns; long lines cross the 64-byte blocks
    pad = "x" * 150
    first = f"code,a,b\nE01009522,{pad},{pad}\nE01000001,{pad},{pad}\n,{pad},{pad}\n"
    got = _select(first.encode(), field=0, ncommas=2)
    assert got["rows"] == [0] and (got["blank"], got["outside"]) == (1, 1)
    last = f"a,b,code\n{pad},{pad},E01000001\n{pad},{pad},W01000001\r\n{pad},{pad},\n"
    got = _select(last.encode(), field=2, ncommas=2)
    assert got["rows"] == [1] and (got["blank"], got["outside"]) == (1, 1)


@needs_picker
def test_split_columns_by_hand():
    data = b"h1,h2,h3\nab,,c\r\n,x,\n"
    cols = linescan.split_columns(data, 9, 2, 3)
    # column 1: "ab", null; column 2: null, "x"; column 3: "c" (CR not part of it), null
    arrays = [police_uk.pa.Array.from_buffers(police_uk.pa.string(), 2,
                                              [None if v is None else police_uk.pa.py_buffer(v),
                                               police_uk.pa.py_buffer(o), police_uk.pa.py_buffer(d)],
                                              null_count=n).to_pylist()
              for v, o, d, n in cols]  # fmt: skip
    assert arrays == [["ab", None], [None, "x"], ["c", None]]
    assert linescan.split_columns(b"h\na,b\n", 2, 1, 1) is None  # two fields where one is expected
    assert linescan.split_columns(b'h,i\n"a",b\n', 4, 1, 2) is None  # quotes: the parser's job


# --- the reader with and without the picker -------------------------------------------------


def _read(root: Path, picker: bool, monkeypatch, **kw):
    with monkeypatch.context() as m:
        if not picker:
            m.setattr(police_uk, "_linescan", None)
        try:
            return police_uk.read_street_with_log(root, lsoa_codes=WANTED, forces=["west-midlands"], **kw)
        except DataError as exc:
            return str(exc)


def _same(root: Path, monkeypatch, **kw):
    fast, whole = _read(root, True, monkeypatch, **kw), _read(root, False, monkeypatch, **kw)
    if isinstance(whole, str):
        assert fast == whole
        return whole
    assert not isinstance(fast, str), fast
    pd.testing.assert_frame_equal(fast[0], whole[0])
    pd.testing.assert_frame_equal(fast[1], whole[1])
    return whole


def _write(root: Path, month: str, text: str | bytes) -> None:
    path = root / month / f"{month}-west-midlands-street.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)


def row(code: str, month="2023-04", crime="Burglary", cid="c1", location="On or near X", context="", name="N"):
    cid = "" if crime == "Anti-social behaviour" else cid
    return f"{cid},{month},West Midlands Police,West Midlands Police,-1.5,52.4,{location},{code},{name},{crime},,{context}"


AWKWARD = {
    "quoted location with a comma": [row("E01009522", location='"On or near A, B"'), row("E01000001")],
    "quoted wanted code": [row('"E01009522"'), row("E01000001", cid="c2")],
    "crlf lines": [row("E01009522") + "\r", row("", cid="c2") + "\r", row("E01000001", cid="c3") + "\r"],
    "blank lines between rows": ["", row("E01009522"), "", "", row("E01000001", cid="c2")],
    "no newline at the end": [row("E01000001"), row("W01000001", cid="c2")],
    "malformed and spaced codes": [row("E0100952"), row("   "), row("X01000001", cid="c2"), row("E01009523", cid="c3")],
    "a wanted code in the context of a row with no code": [row("", context="E01009522"), row("E01009523", cid="c2")],
    "a wanted code as the location of an outside row": [row("E01000001", location="E01009522"), row("E01009522", cid="c2")],
    "non-ascii names": [row("E01009522", name="Ynys Môn 001A"), row("E01000001", name="Llanelli 002B", cid="c2")],
    "an extra field outside the area": [row("E01000001") + ",x", row("E01009522", cid="c2")],
    "an extra field in the area": [row("E01009522") + ",x"],
    "a month not the file's, kept": [row("E01009522", month="2023-05")],
    "a month not the file's, outside": [row("E01000001", month="2023-05"), row("E01009522", cid="c2")],
    "an ASB row with a Crime ID, kept": [row("E01009522", crime="Anti-social behaviour").replace(",2023", "x,2023", 1)],
    "a lone carriage return": [row("E01009522") + "\r" + row("E01000001", cid="c2")],
    "an odd quote": [row("E01009522", location='"On or near'), 'X",E01000001,N,Burglary,,'],
    "header only": [],
    "nothing in the area": [row("E01000001")],
}


@needs_picker
@pytest.mark.parametrize("case", sorted(AWKWARD))
def test_the_picker_reads_awkward_files_as_the_whole_file_parse_does(case, tmp_path, monkeypatch):
    text = "\n".join([HEADER, *AWKWARD[case]])
    if case != "no newline at the end":
        text += "\n"
    _write(tmp_path, "2023-04", text)
    _write(tmp_path, "2023-05", "\n".join([HEADER, row("E01009523", month="2023-05", cid="m5")]) + "\n")
    _same(tmp_path, monkeypatch)


@needs_picker
def test_the_picker_reads_a_bom_a_reordered_header_and_bad_utf8_as_the_whole_file_parse(tmp_path, monkeypatch):
    cols = list(POLICE_STREET_HEADER)
    order = cols[7:] + cols[:7]  # LSOA code first
    lines = [",".join(order)]
    for code, cid in (("E01009522", "a"), ("E01000001", "b"), ("", "c")):
        values = dict(zip(cols, row(code, cid=cid).split(","), strict=True))
        lines.append(",".join(values[c] for c in order))
    _write(tmp_path, "2023-04", "\ufeff" + "\n".join(lines) + "\n")
    _same(tmp_path, monkeypatch)
    # a byte that is not UTF-8 in a row outside the area is never read; in a kept row it is an error
    bad_out = (HEADER + "\n" + row("E01000001", name="N\udcff") + "\n").encode("utf-8", "surrogateescape")
    _write(tmp_path, "2023-04", bad_out + row("E01009522", cid="z").encode() + b"\n")
    _same(tmp_path, monkeypatch)
    bad_in = (HEADER + "\n" + row("E01009522", name="N\udcff") + "\n").encode("utf-8", "surrogateescape")
    _write(tmp_path, "2023-04", bad_in)
    assert "UTF-8" in _same(tmp_path, monkeypatch)


@needs_picker
def test_the_picker_matches_the_whole_file_parse_on_random_messy_files(tmp_path, monkeypatch):
    """Seeded random files mixing every quirk above, row by row (an independent reference: the parse)."""
    rng = random.Random(20261130)
    pool = ["E01009522", "E01009523", "W01000001", "E01000001", "E01000002", "W01000009", "", "   ",
            "E0100952", "E010095222", "X01000001", "e01009522"]  # fmt: skip
    for trial in range(12):
        folder = tmp_path / f"t{trial}"
        for month in ("2023-04", "2023-05"):
            lines = [HEADER]
            for i in range(rng.randint(0, 400)):
                crime = rng.choice(["Burglary", "Anti-social behaviour", "Drugs"])
                location = rng.choice(["On or near X", '"On or near A, B"', "No Location", "On or near Café"])
                text = row(rng.choice(pool), month=month, crime=crime, cid=f"id{i}", location=location,
                           context=rng.choice(["", "", "E01009522", "note"]))  # fmt: skip
                text += rng.choice(["", "", "", "\r"])
                lines.append(text)
                if rng.random() < 0.03:
                    lines.append("")
            _write(folder, month, "\n".join(lines) + rng.choice(["\n", ""]))
        _same(folder, monkeypatch)


@pytest.fixture(scope="module")
def portable_picker(tmp_path_factory):
    """The picker built with its plain C loops (-DLINESCAN_PORTABLE), as on a processor without SSE2 (ARM)."""
    import importlib.util
    import subprocess
    import sys
    import sysconfig

    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler on this machine to build the portable picker")
    source = Path(police_uk.__file__).with_name("_linescan.c")
    folder = tmp_path_factory.mktemp("portable")
    target = folder / f"_linescan{sysconfig.get_config_var('EXT_SUFFIX')}"
    cmd = [cc, "-O2", "-shared", "-fPIC", "-DLINESCAN_PORTABLE", f"-I{sysconfig.get_paths()['include']}",
           str(source), "-o", str(target)]
    if sys.platform == "darwin":
        cmd[3:3] = ["-undefined", "dynamic_lookup"]
    subprocess.run(cmd, check=True, capture_output=True)
    spec = importlib.util.spec_from_file_location("_linescan", target)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_picker
def test_the_portable_picker_gives_what_the_simd_one_gives(portable_picker, tmp_path, monkeypatch):
    """The same bytes through both builds: every count, copied line and split column is the same."""
    rng = random.Random(7)
    lines = [HEADER]
    for i in range(3000):
        code = rng.choice(["E01009522", "W01000001", "E01000001", "", "E0100952", "   "])
        lines.append(line(code, crime_id=f"c{i}", location=rng.choice(["On or near X", "On or near a longer place name"]),
                          context=rng.choice(["", "note"])) + rng.choice(["", "\r"]))
    data = "\n".join(lines).encode()
    slot, table = _tables()
    got = []
    for module in (linescan, portable_picker):
        out = np.empty(len(data) + 2, np.uint8)
        rows = np.empty(len(data), np.int64)
        result = module.select_lines(data, 7, 11, slot, table, out, rows)
        size = result[0]
        head = bytes(out[:size]).find(b"\n") + 1
        columns = module.split_columns(bytes(out[:size]), head, result[1], 12)
        got.append((result, bytes(out[:size]), rows[: result[1]].tolist(), columns))
    assert got[0] == got[1]
    assert got[0][0][1] > 500 and got[0][3] is not None  # lines were copied and split
    monkeypatch.setattr(police_uk, "_linescan", portable_picker)
    test_the_picker_matches_the_whole_file_parse_on_random_messy_files(tmp_path, monkeypatch)
