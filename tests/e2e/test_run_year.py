"""End to end: `ccsp run 2023-24` on the demo data, through the real CLI, papermill and nbconvert."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for attr in ("href", "src"):
            if a.get(attr):
                self.refs.append((tag, attr, a[attr]))


def _ccsp(*args, cwd):
    return subprocess.run([sys.executable, "-m", "ccsp_analysis.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def run_dir(root, demo_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    proc = _ccsp("run", "2023-24", "--outputs", str(out), cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    target = out / "coventry" / "2023-24"
    assert proc.stdout.strip().splitlines()[-1] == str(target / "index.html")  # prints the index path
    assert "[1/10]" in proc.stdout and "[10/10]" in proc.stdout  # progress per section
    return target


def test_files(run_dir):
    from ccsp_analysis.params import ALL_SECTIONS

    for name in ("index.html", "run.json", "run.log", "tables/figures.csv", "tables/reconciliation.csv"):
        assert (run_dir / name).is_file(), name
    for section in ALL_SECTIONS:
        assert (run_dir / f"{section}.html").is_file() and (run_dir / "notebooks" / f"{section}.ipynb").is_file(), section
    run = json.loads((run_dir / "run.json").read_text())
    assert {s["name"]: s["status"] for s in run["sections"]} == dict.fromkeys([*ALL_SECTIONS, "10_appendix"], "ok")
    assert run["params"]["period"] == "2023-24" and len(run["inputs"]["partner_crimes"]) == 64
    # executed notebooks carry no papermill timing metadata
    nb = nbformat.read(run_dir / "notebooks" / "01_key_findings.ipynb", as_version=4)
    assert "papermill" not in nb.metadata and all("execution" not in c.metadata for c in nb.cells)


def test_pages_are_self_contained_and_codeless(run_dir):
    for page in sorted(run_dir.glob("*.html")):
        text = page.read_text()
        parser = _Links()
        parser.feed(text)
        assert text.startswith("<!DOCTYPE html>") and '<html lang="en-GB">' in text
        assert "Synthetic data." in text  # every page says so at the top
        for tag, attr, ref in parser.refs:
            assert not re.match(r"^(https?:)?//", ref), f"{page.name}: external {tag} {attr}={ref}"
            if ref.startswith("#"):
                assert ref[1:] in parser.ids, f"{page.name}: broken anchor {ref}"
            elif not ref.startswith("data:"):
                assert (run_dir / ref.split("#")[0]).exists(), f"{page.name}: broken link {ref}"
        assert not re.search(r"@import|url\((?!['\"]?data:)", text), f"{page.name}: CSS loads something"
        assert "<script" not in text, f"{page.name}: has a script"
        # no code: no editor/highlighted input areas and none of the notebooks' source text
        assert "jp-InputArea-editor" not in text and "jp-CodeMirrorEditor" not in text, page.name
        assert "load_params" not in text and "params_path" not in text, page.name


def test_index_links_every_section(run_dir):
    text = (run_dir / "index.html").read_text()
    from ccsp_analysis.params import ALL_SECTIONS

    for target in [f"{s}.html" for s in ALL_SECTIONS] + ["10_appendix.html", "run.json"]:
        assert f'href="{target}"' in text, target


def test_figures_match_published(run_dir, published):
    """figures.csv against the published figures (../shared/reference/published_figures.yaml)."""
    with open(run_dir / "tables" / "figures.csv", newline="") as fh:
        got = {r["id"]: (float(r["value"]) if re.fullmatch(r"-?[0-9.]+", r["value"]) else r["value"]) for r in csv.DictReader(fh)}
    sa = published["strategic_assessment_2023_24"]
    pub = {f["id"]: f for block in sa.values() if isinstance(block, list) for f in block}
    # The "done when" figures, exactly as published:
    for fid, value in {"trc": 38508, "trc_change": -10.1, "asb_change": 22.6, "assault_battery": 4345,
                       "shoplifting_change": 44.5, "ward_st_michaels_trc": 8209, "ward_foleshill_share": 9.1}.items():
        assert got[fid] == value == pub[fid]["value"], fid
    with open(run_dir / "tables" / "reconciliation.csv", newline="") as fh:
        status = {r["id"]: r["status"] for r in csv.DictReader(fh)}
    compared = 0
    for fid, fig in pub.items():
        if fid not in got:
            continue
        compared += 1
        if got[fid] == "":  # withheld for disclosure control: checked by the reconciliation, never printed
            assert status[fid] == "reproduced (not shown)", fid
            continue
        if fig.get("kind") == "list":
            assert got[fid] == "; ".join(fig["value"]), fid
        elif fig.get("status", "as_published") == "as_published":
            assert got[fid] == pytest.approx(fig["value"], abs=1e-9), fid
        else:  # inconsistent in the document itself: the reproduction shows the arithmetic, not the printed value
            assert got[fid] != fig["value"], fid
    assert compared == 73  # every published 2023-24 figure has a reproduction
    # county lines: 22 of 32 would reveal the hidden 15-17 male cell; 1 youth homicide is below the threshold
    assert got["county_lines_males_15_17_share"] == "" and got["homicides_youth_violence"] == ""
    # the two inconsistent key-findings shares, by hand: 4345/38508 = 11.28% -> 11.3; 8209/38508 = 21.32% -> 21.3
    assert got["assault_battery_share"] == 11.3 and got["ward_st_michaels_share"] == 21.3


def _scratch_project(root: Path, tmp: Path, demo_dir: Path) -> Path:
    proj = tmp / "proj"
    shutil.copytree(root / "params", proj / "params")
    shutil.copytree(root / "notebooks", proj / "notebooks")
    shutil.copytree(root / "reference", proj / "reference")
    shutil.copytree(root / "docs", proj / "docs")
    (proj / "data").symlink_to(demo_dir.parent)
    return proj


def test_failing_notebook_keeps_other_sections_and_last_good_page(root, demo_dir, tmp_path):
    proj = _scratch_project(root, tmp_path, demo_dir)
    out = tmp_path / "out"
    assert _ccsp("run", "2023-24", "--outputs", str(out), cwd=proj).returncode == 0
    good = (out / "coventry" / "2023-24" / "01_key_findings.html").read_text()
    nb_path = proj / "notebooks" / "01_key_findings.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells[4].source = "raise ValueError('deliberate failure for the test')"
    nbformat.write(nb, nb_path)
    (out / "coventry" / "2023-24" / "marker.txt").write_text("previous run")
    proc = _ccsp("run", "2023-24", "--outputs", str(out), cwd=proj)
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
    proc = _ccsp("run", str(bad), "--outputs", str(tmp_path / "o"), cwd=root)
    assert proc.returncode == 2 and "favourite_colour: unknown key" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_missing_source_fails_only_the_sections_that_need_it(root, demo_dir, tmp_path):
    proj = _scratch_project(root, tmp_path, demo_dir)
    year = proj / "params" / "2023-24.yaml"
    year.write_text(year.read_text() + "sources:\n  fly_tipping: null\n")
    out = tmp_path / "out"
    proc = _ccsp("run", "2023-24", "--outputs", str(out), cwd=proj)
    assert proc.returncode == 1
    assert "04_priority_2" in proc.stderr and "computing the section" in proc.stderr
    run = json.loads((out / "coventry" / "2023-24" / "run.json").read_text())
    status = {s["name"]: s["status"] for s in run["sections"]}
    assert status["04_priority_2"] == "failed"
    assert status["01_key_findings"] == "ok" and status["09_reconciliation"] == "ok"  # the rest still render
