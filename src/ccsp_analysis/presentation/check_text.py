"""`ccsp data check` for a terminal: one line per check with a tick or a cross, what failed and where,
then a closing count ("27 of 28 checks passed"). Colour only when asked (the CLI asks on a terminal)."""

from __future__ import annotations

from ccsp_analysis.formatting import fmt_count as fmt_int

_GREEN, _RED, _BOLD, _RESET = "\033[32m", "\033[31m", "\033[1m", "\033[0m"


def marks(encoding: str | None) -> tuple[str, str]:
    """The pass and fail marks the output can encode: ✓ and ✗, or 'ok' and 'FAIL' (e.g. a cp1252 console)."""
    try:
        "✓✗".encode(encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "ok", "FAIL"
    return "✓", "✗"


def check_report(record: dict, *, colour: bool = False, encoding: str | None = "utf-8") -> str:
    """The audit record of :func:`ccsp_analysis.sections.data_audit.audit_record` as readable lines.

    Sources first (rows read, kept and dropped by reason, file), then one line per check: the mark,
    the check, and for a failure the detail and file on the next line; a closing count last.
    """
    ok, fail = marks(encoding)

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if colour else text

    lines = [paint(f"Data check: {record['area']}, {record['period']} (compared with {record['comparison']})", _BOLD), ""]
    lines.append("Sources read")
    for s in record["sources"]:
        dropped = ", ".join(f"{reason} {fmt_int(n)}" for reason, n in s["rows_dropped"].items())
        where = f" ({s['file']})" if s.get("file") else ""
        lines.append(f"  {s['source']}{where}: {fmt_int(s['rows_read'])} rows read, {fmt_int(s['rows_kept'])} kept"
                     + (f"; dropped: {dropped}" if dropped else ""))
    repeats = record.get("police_uk_repeats") or []
    ids = sum(r["repeated_crime_ids"] for r in repeats)
    same = sum(r["identical_rows"] for r in repeats)
    if ids or same:
        lines.append(f"  data.police.uk rows of the area: {fmt_int(ids)} Crime ID{'s' * (ids != 1)} repeated on more than "
                     f"one row and {fmt_int(same)} row{'s' * (same != 1)} identical to another (counted as published; "
                     "months in --json)")
    lines += ["", "Checks"]
    for c in record["checks"]:
        if c["passed"]:
            lines.append(f"  {paint(ok, _GREEN)} {c['check']}")
        else:
            lines.append(f"  {paint(fail, _RED)} {c['check']}")
            detail = "; ".join(x for x in (c.get("detail"), f"file: {c['file']}" if c.get("file") else "") if x)
            if detail:
                lines.append(f"      {detail}")
    n = len(record["checks"])
    passed = sum(bool(c["passed"]) for c in record["checks"])
    closing = f"{passed} of {n} check{'s' * (n != 1)} passed."
    lines += ["", paint(closing, _GREEN if passed == n else _RED)]
    return "\n".join(lines)
