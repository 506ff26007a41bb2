"""End to end: `ccsp run 2023-24 --areas west-midlands` on the force-wide demo (seven partnerships).

The demo (``ccsp data demo``) writes the whole West Midlands force: Coventry with its partner
extracts, the six others (params/areas/*.yaml) on police.uk and ONS files only. One batch is built
(local pool, ``--jobs 2``) into a temporary outputs folder and every test reads that one folder; the
dataset cache is the demo's, as after `make report`, so only what changed is computed.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.conftest import ccsp

pytestmark = pytest.mark.slow

FORCE = "west-midlands"
AREAS = ("birmingham", "coventry", "dudley", "sandwell", "solihull", "walsall", "wolverhampton")
PUBLIC_ONLY = tuple(a for a in AREAS if a != "coventry")


@pytest.fixture(scope="module")
def force_batch(root, demo_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("force")
    proj = tmp / "proj"
    for name in ("params", "notebooks", "reference", "docs"):
        shutil.copytree(root / name, proj / name)
    (proj / "data").symlink_to(demo_dir.parent)
    out = tmp / "out"
    proc = ccsp("run", "2023-24", "--areas", FORCE, "--jobs", "2", "--outputs", str(out), cwd=proj, timeout=1800)
    return proc, out


def test_the_area_files_are_the_forces_seven_partnerships(root):
    from ccsp_analysis.report.batch import resolve_areas

    assert tuple(resolve_areas(root / "params" / "2023-24.yaml", FORCE)) == AREAS


def test_seven_reports_and_the_force_index(force_batch):
    proc, out = force_batch
    assert proc.returncode == 0, proc.stdout + proc.stderr
    done = [line for line in proc.stdout.splitlines() if re.match(r"\[\d/7\] ", line)]
    assert sorted(line.split()[1].rstrip(":") for line in done) == list(AREAS)
    assert all(re.search(r": done in \d+\.\d s$", line) for line in done), done
    for slug in AREAS:
        run = json.loads((out / slug / "2023-24" / "run.json").read_text())
        failed = {s["name"]: s["error"] for s in run["sections"] if s["status"] != "ok"}
        assert failed == {}, (slug, failed)


def test_force_index_links_a_row_per_partnership(force_batch):
    from bs4 import BeautifulSoup

    _, out = force_batch
    index = out / FORCE / "2023-24" / "index.html"
    soup = BeautifulSoup(index.read_text(encoding="utf-8"), "html.parser")
    rows = soup.select("table tbody tr")
    assert len(rows) == 7 and soup.find(id="failed") is None
    links = {tr.th.get_text(strip=True): tr.th.a["href"] for tr in rows}
    assert set(links) == {"Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall", "Wolverhampton"}
    for href in links.values():
        assert (index.parent / href).resolve().is_file(), href
    cells = {tr.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in rows}
    assert all("–" not in row for row in cells.values()), cells  # every figure given for every partnership
    assert cells["Coventry"][:2] == ["38,508", "partner extract"]  # the Coventry 2023-24 figure, unchanged
    assert {cells[n][1] for n in cells if n != "Coventry"} == {"police.uk"}


def test_public_only_reports_have_no_failed_section_and_no_empty_table(force_batch):
    from bs4 import BeautifulSoup

    _, out = force_batch
    empty = []
    for slug in PUBLIC_ONLY:
        folder = out / slug / "2023-24"
        run = json.loads((folder / "run.json").read_text())
        assert set(run["inputs"]) >= {"police_uk", "lsoa_ward_lookup", "population"}
        assert "partner_crimes" not in run["inputs"], slug  # public data only
        for page in folder.glob("*.html"):
            soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
            assert soup.select(".ccsp-failed") == [], (slug, page.name)
            empty += [(slug, page.name, t.caption.get_text(strip=True) if t.caption else "")
                      for t in soup.find_all("table") if not t.select("tbody tr")]
    assert empty == []
