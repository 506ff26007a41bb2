"""Two builds from the same inputs give byte-identical HTML (run.json may differ in timings only)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow


def _timeless(run: dict) -> dict:
    run = dict(run, seconds=None, phases=None)
    run["sections"] = [dict(s, seconds=None) for s in run["sections"]]
    return run


def test_two_builds_are_byte_identical(demo_report, second_build):
    first, second = demo_report["dir"], second_build
    run1, run2 = (json.loads((d / "run.json").read_text()) for d in (first, second))
    assert run1["inputs"] == run2["inputs"], "the inputs changed between the two builds (demo data regenerated?)"
    assert _timeless(run1) == _timeless(run2)
    pages = sorted(p.name for p in first.glob("*.html"))
    assert pages == sorted(p.name for p in second.glob("*.html")) and "index.html" in pages
    differ = [name for name in pages if (first / name).read_bytes() != (second / name).read_bytes()]
    assert differ == []


def test_pages_carry_no_run_time(demo_report):
    """No timestamps beyond the data date: the pages never mention today's date."""
    import datetime as dt

    today = dt.date.today()
    stamps = {today.isoformat(), today.strftime("%d %B %Y"), today.strftime("%d/%m/%Y")}
    for page in demo_report["dir"].glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not [s for s in stamps if s in text], page.name
