"""End to end: runs of `ccsp` that change something, each in its own copy of the project (a failing
notebook, a missing source, a warm run and what reruns, a year the data do not cover, bad parameters).

The checks of the session's one 2023-24 demo report are in tests/e2e/test_run_year.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ccsp

pytestmark = pytest.mark.slow


def _scratch_project(root: Path, tmp: Path, demo_dir: Path) -> Path:
    proj = tmp / "proj"
    shutil.copytree(root / "params", proj / "params")
    shutil.copytree(root / "notebooks", proj / "notebooks")
    shutil.copytree(root / "reference", proj / "reference")
    shutil.copytree(root / "docs", proj / "docs")
    (proj / "data").symlink_to(demo_dir.parent)
    return proj


def test_failing_notebook_keeps_other_sections_and_last_good_page(root, demo_dir, demo_report, tmp_path):
    proj = _scratch_project(root, tmp_path, demo_dir)
    out = tmp_path / "out"
    assert demo_report["returncode"] == 0, demo_report["stderr"]
    shutil.copytree(demo_report["dir"], out / "coventry" / "2023-24")  # the last good report a run left
    good = (out / "coventry" / "2023-24" / "01_key_findings.html").read_text()
    nb_path = proj / "notebooks" / "01_key_findings.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells[4].source = "raise ValueError('deliberate failure for the test')"
    nbformat.write(nb, nb_path)
    (out / "coventry" / "2023-24" / "marker.txt").write_text("previous run")
    proc = ccsp("run", "2023-24", "--outputs", str(out), cwd=proj)
    assert proc.returncode == 1
    assert "01_key_findings" in proc.stderr and "cell 5" in proc.stderr  # nb.cells[4] is the fifth cell and "deliberate failure" in proc.stderr
    target = out / "coventry" / "2023-24"
    assert (target / "00_data_audit.html").exists()  # the other section still rendered
    assert (target / "01_key_findings.html").read_text() == good  # last good page kept
    assert not (target / "marker.txt").exists()  # the folder was replaced as a whole
    assert "failed" in (target / "index.html").read_text()
    assert not list(target.parent.glob(".*staging*"))  # nothing half-written left behind


def test_bad_params_fail_before_any_kernel(root, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("period: 2023-24\nfavourite_colour: blue\n")
    shutil.copy(root / "params" / "defaults.yaml", tmp_path / "defaults.yaml")
    (tmp_path / "areas").mkdir()
    shutil.copy(root / "params" / "areas" / "coventry.yaml", tmp_path / "areas")
    proc = ccsp("run", str(bad), "--outputs", str(tmp_path / "o"), cwd=root)
    assert proc.returncode == 2 and "favourite_colour: unknown key" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_a_missing_source_is_one_sentence_not_a_failed_section(root, demo_dir, tmp_path):
    proj = _scratch_project(root, tmp_path, demo_dir)
    year = proj / "params" / "2023-24.yaml"
    year.write_text(year.read_text() + "sources:\n  fly_tipping: null\n")
    out = tmp_path / "out"
    proc = ccsp("run", "2023-24", "--outputs", str(out), cwd=proj)
    assert proc.returncode == 0, proc.stderr
    run = json.loads((out / "coventry" / "2023-24" / "run.json").read_text())
    assert {s["status"] for s in run["sections"]} == {"ok"}
    page = (out / "coventry" / "2023-24" / "04_priority_2.html").read_text()
    assert "Fly-tipping needs the council fly-tipping extract (sources.fly_tipping, docs/data.md)" in page
    assert "Fly-tipping by ward" not in page  # the table is left out, not shown empty


def test_warm_run_reuses_every_section_and_a_change_reruns_only_its_section(root, demo_dir, tmp_path):
    proj = _scratch_project(root, tmp_path, demo_dir)
    out = tmp_path / "out"
    target = out / "coventry" / "2023-24"
    assert ccsp("run", "2023-24", "--outputs", str(out), cwd=proj).returncode == 0
    first = json.loads((target / "run.json").read_text())
    assert first["reused"] == []
    pages = {p.name: p.read_bytes() for p in target.glob("*.html") if p.name != "index.html"}

    again = ccsp("run", "2023-24", "--outputs", str(out), cwd=proj)
    assert again.returncode == 0 and "executing" not in again.stdout
    second = json.loads((target / "run.json").read_text())
    assert set(second["reused"]) == {s["name"] for s in second["sections"]}  # every section and the appendix
    assert {p.name: p.read_bytes() for p in target.glob("*.html") if p.name != "index.html"} == pages

    nb_path = proj / "notebooks" / "07_survey.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells[0].source += "\n\nA sentence added for the test."
    nbformat.write(nb, nb_path)
    third = ccsp("run", "2023-24", "--outputs", str(out), cwd=proj)
    assert third.returncode == 0 and "executing 1 section notebooks" in third.stdout
    run = json.loads((target / "run.json").read_text())
    assert [s["name"] for s in run["sections"] if not s["reused"]] == ["07_survey"]
    assert "A sentence added for the test." in (target / "07_survey.html").read_text()

    forced = ccsp("run", "2023-24", "--outputs", str(out), "--force", cwd=proj)
    from ccsp_analysis.params import ALL_SECTIONS

    assert forced.returncode == 0 and f"executing {len(ALL_SECTIONS)} section notebooks" in forced.stdout
    assert json.loads((target / "run.json").read_text())["reused"] == []


def test_bad_params_are_rejected_before_the_notebook_stack_is_imported(root, tmp_path):
    """B5 measures the time; this checks why it is fast: nothing heavy is imported before validation."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("period: 2023-24\nfavourite_colour: blue\n")
    code = ("import sys\nfrom ccsp_analysis.cli import main\n"
            f"rc = main(['run', {str(bad)!r}])\n"
            "heavy = sorted(m for m in ('papermill', 'nbconvert', 'nbclient', 'matplotlib', 'jupyter_client', 'scipy')"
            " if m in sys.modules)\n"
            "print(rc, heavy)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "2 []", proc.stdout + proc.stderr


def test_a_year_the_data_do_not_cover_stops_and_partial_claims_no_change(root, demo_dir, tmp_path):
    """The demo data end in March 2024: 2024-25 is not covered. The run stops, names what is missing and
    keeps the last good report; with --allow-partial every page says so and no change is a rise or fall."""
    from bs4 import BeautifulSoup

    proj = _scratch_project(root, tmp_path, demo_dir)
    (proj / "params" / "2024-25.yaml").write_text("period: 2024-25\n")
    out = tmp_path / "out"
    target = out / "coventry" / "2024-25"
    target.mkdir(parents=True)
    (target / "index.html").write_text("last good report")
    proc = ccsp("run", "2024-25", "--outputs", str(out), cwd=proj)
    assert proc.returncode == 2
    assert "recorded crime (the force's extract): April 2024 to March 2025 (12 months)" in proc.stderr
    assert "--allow-partial" in proc.stderr and "Traceback" not in proc.stderr
    assert (target / "index.html").read_text() == "last good report"
    check = ccsp("data", "check", "2024-25", cwd=proj)
    assert check.returncode == 1 and "missing April 2024 to March 2025" in check.stdout

    partial = ccsp("run", "2024-25", "--outputs", str(out), "--allow-partial", cwd=proj)
    assert partial.returncode == 0, partial.stdout + partial.stderr
    claims = re.compile(r"\b(rose|fell)\b|▲|▼|significant (increase|decrease)|(rose|fell) significantly")
    for page in sorted(target.glob("*.html")):
        if page.name == "10_appendix.html":  # the methods text quotes an example sentence
            continue
        text = " ".join(BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text(" ").split())
        assert "Incomplete data." in text and "April 2024 to March 2025" in text, page.name
        assert not claims.search(text), (page.name, claims.search(text).group(0))
