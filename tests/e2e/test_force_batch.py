"""End to end: `ccsp run 2023-24 --areas ...` on the demo data, on the local process pool and on Dask (the demo
force's seven partnerships: tests/e2e/test_force_demo.py).

The project is copied to a temporary folder with two more area files: ``twin`` (Coventry's district
under another slug and name, so it builds from the same demo data) and ``atlantis`` (a district the
lookup does not have, so its build fails). Reports go to temporary outputs folders, never outputs/.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ccsp

pytestmark = pytest.mark.slow


def _project(root: Path, demo_dir: Path, tmp: Path) -> Path:
    proj = tmp / "proj"
    for name in ("params", "notebooks", "reference", "docs"):
        shutil.copytree(root / name, proj / name)
    (proj / "data").symlink_to(demo_dir.parent)
    coventry = (proj / "params" / "areas" / "coventry.yaml").read_text()
    (proj / "params" / "areas" / "twin.yaml").write_text(
        coventry.replace("slug: coventry", "slug: twin").replace("name: Coventry", "name: Twin"))
    (proj / "params" / "areas" / "atlantis.yaml").write_text(
        coventry.replace("slug: coventry", "slug: atlantis").replace("name: Coventry", "name: Atlantis")
        .replace("la_code: E08000026", "la_code: E08000099"))
    return proj


def _figures(folder: Path) -> dict[str, str]:
    with open(folder / "tables" / "figures.csv", newline="") as fh:
        return {r["id"]: r["value"] for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def batch(root, demo_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("batch")
    proj = _project(root, demo_dir, tmp)
    out = tmp / "local"
    # the demo's dataset cache, as after `make report`: Coventry's dataset is reused, twin's is built (the shared
    # read of the force's files is checked against each area's own read in tests/unit/test_shared_street.py)
    proc = ccsp("run", "2023-24", "--areas", "atlantis,coventry,twin", "--jobs", "2", "--outputs", str(out), cwd=proj,
                timeout=1200)
    return proj, out, proc


def test_a_force_builds_every_report_and_lists_the_failed_one(batch):
    proj, out, proc = batch
    assert proc.returncode == 1, proc.stdout + proc.stderr  # one partnership failed
    lines = proc.stdout.splitlines()
    # progress per area, then the force index's path
    done = [line for line in lines if re.match(r"\[\d/3\] ", line)]
    assert len(done) == 3 and {line.split()[1].rstrip(":") for line in done} == {"atlantis", "coventry", "twin"}
    assert any(re.match(r"\[\d/3\] coventry: done in \d+\.\d s$", line) for line in done)
    assert lines[-1] == str(out / "west-midlands" / "2023-24" / "index.html")
    assert re.search(r"error: atlantis: .*E08000099", proc.stderr)  # one line naming the district
    for slug in ("coventry", "twin"):
        assert (out / slug / "2023-24" / "index.html").is_file()
    assert not (out / "atlantis" / "2023-24").exists()  # no report for it
    # the one real partnership's figures are exactly those of a single run (test_run_year checks them)
    assert _figures(out / "coventry" / "2023-24")["trc"] == "38508"


def test_force_index_has_a_linked_row_per_partnership(batch):
    from bs4 import BeautifulSoup

    _, out, _ = batch
    index = out / "west-midlands" / "2023-24" / "index.html"
    text = index.read_text(encoding="utf-8")
    soup = BeautifulSoup(text, "html.parser")
    assert text.startswith("<!DOCTYPE html>") and "Synthetic data." in text
    assert "<script" not in text and not re.search(r"(src|href)=\"(https?:)?//", text)  # self-contained
    rows = {tr.th.get_text(" ", strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in soup.select("table tbody tr")}
    assert set(rows) == {"Atlantis (failed)", "Coventry", "Twin"}
    # Coventry's row is its key findings' and city profile's figures (38,508; -10.1% on 42,834; ASB 12,260)
    assert rows["Coventry"][:6] == ["38,508", "partner extract", rows["Coventry"][2], "-10.1% on 42,834", "▼ down",
                                    "12,260"]
    assert re.fullmatch(r"\d+\.\d \(\d+\.\d to \d+\.\d\)", rows["Coventry"][2])
    assert rows["Twin"] == rows["Coventry"] and set(rows["Atlantis (failed)"]) == {"–"}
    links = {a.get_text(strip=True): a["href"] for a in soup.select("table tbody a")}
    assert links == {"Coventry": "../../coventry/2023-24/index.html", "Twin": "../../twin/2023-24/index.html"}
    for href in links.values():
        assert (index.parent / href).resolve().is_file()
    failed = soup.find(id="failed").find_next("ul").get_text(" ", strip=True)
    assert "Atlantis" in failed and "E08000099" in failed and "lsoa21_to_ward_lookup.csv" in failed
    with open(index.parent / "force_index.csv", newline="") as fh:
        table = {r["slug"]: r for r in csv.DictReader(fh)}
    assert table["coventry"]["trc"] == "38508" and table["coventry"]["exceptions"].isdigit()
    assert table["atlantis"]["status"] == "failed" and table["atlantis"]["trc"] == ""
    # the exception count is the partnership index's: its significant changes plus its signal lines
    cov = BeautifulSoup((out / "coventry" / "2023-24" / "index.html").read_text(encoding="utf-8"), "html.parser")
    changes = len(cov.find(id="significant-changes").find_next("table").select("tbody tr"))
    signals = len(cov.find(id="control-chart-signals").find_next("ul").find_all("li"))
    assert rows["Coventry"][-1] == str(changes + signals)


def test_dask_local_cluster_gives_the_same_figures(batch, tmp_path):
    pytest.importorskip("distributed")
    proj, out, _ = batch
    dask_out = tmp_path / "dask"
    proc = ccsp("run", "2023-24", "--areas", "coventry,twin", "--executor", "dask", "--jobs", "2",
                "--outputs", str(dask_out), cwd=proj, timeout=1200)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "dask executor" in proc.stdout and "Traceback" not in proc.stderr
    for slug in ("coventry", "twin"):
        assert (dask_out / slug / "2023-24" / "tables" / "figures.csv").read_bytes() == \
            (out / slug / "2023-24" / "tables" / "figures.csv").read_bytes(), slug
    assert (dask_out / "west-midlands" / "2023-24" / "index.html").is_file()


def test_bad_areas_and_executor_options_are_refused_before_any_work(batch, tmp_path):
    proj, _, _ = batch
    proc = ccsp("run", "2023-24", "--areas", "narnia", "--outputs", str(tmp_path / "o"), cwd=proj)
    assert proc.returncode == 2 and "'narnia'" in proc.stderr and "west-midlands" in proc.stderr
    proc = ccsp("run", "2023-24", "--areas", "coventry", "--scheduler", "tcp://127.0.0.1:1",
                "--outputs", str(tmp_path / "o"), cwd=proj)
    assert proc.returncode == 2 and "--scheduler is for --executor dask" in proc.stderr
    proc = ccsp("run", "2023-24", "--executor", "dask", "--outputs", str(tmp_path / "o"), cwd=proj)
    assert proc.returncode == 2 and "--areas" in proc.stderr
    assert not (tmp_path / "o").exists()
