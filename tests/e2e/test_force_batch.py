"""End to end: a whole force in one batch, `ccsp run 2023-24 --areas ...`, on the local pool and on Dask.

The demo (``ccsp data demo``) writes the whole West Midlands force: Coventry with its partner extracts,
the six others (params/areas/*.yaml) on police.uk and ONS files only. The project is copied to a
temporary folder with one more area file, ``atlantis`` (a district the lookup does not have, so its
build fails), and ONE batch builds the seven partnerships and atlantis (local pool, ``--jobs 2``) into a
temporary outputs folder that every test reads; the dataset cache is the demo's, as after `make report`,
so only what changed is computed. The Dask test rebuilds one partnership on a LocalCluster and compares.
Reports go to temporary folders, never outputs/.
"""

from __future__ import annotations

import contextlib
import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ccsp

pytestmark = pytest.mark.slow

FORCE = "west-midlands"
AREAS = ("birmingham", "coventry", "dudley", "sandwell", "solihull", "walsall", "wolverhampton")
PUBLIC_ONLY = tuple(a for a in AREAS if a != "coventry")
NAMES = {"Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall", "Wolverhampton"}


def _figures(folder) -> dict[str, str]:
    with open(folder / "tables" / "figures.csv", newline="") as fh:
        return {r["id"]: r["value"] for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def force_batch(root, demo_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("force")
    proj = tmp / "proj"
    for name in ("params", "notebooks", "reference", "docs"):
        shutil.copytree(root / name, proj / name)
    (proj / "data").symlink_to(demo_dir.parent)
    coventry = (proj / "params" / "areas" / "coventry.yaml").read_text()
    (proj / "params" / "areas" / "atlantis.yaml").write_text(
        coventry.replace("slug: coventry", "slug: atlantis").replace("name: Coventry", "name: Atlantis")
        .replace("la_code: E08000026", "la_code: E08000099"))
    out = tmp / "out"
    areas = ",".join(sorted((*AREAS, "atlantis")))
    proc = ccsp("run", "2023-24", "--areas", areas, "--jobs", "2", "--outputs", str(out), cwd=proj, timeout=1800)
    return proj, out, proc


def test_the_area_files_are_the_forces_seven_partnerships(root):
    from ccsp_analysis.report.batch import resolve_areas

    assert tuple(resolve_areas(root / "params" / "2023-24.yaml", FORCE)) == AREAS


def test_every_report_builds_and_the_failed_partnership_is_listed(force_batch):
    _, out, proc = force_batch
    assert proc.returncode == 1, proc.stdout + proc.stderr  # one partnership failed
    lines = proc.stdout.splitlines()
    # progress per area, then the force index's path
    done = [line for line in lines if re.match(r"\[\d/8\] ", line)]
    assert sorted(line.split()[1].rstrip(":") for line in done) == sorted((*AREAS, "atlantis"))
    assert all(re.search(r": done in \d+\.\d s$", line) for line in done if "atlantis" not in line), done
    assert lines[-1] == str(out / FORCE / "2023-24" / "index.html")
    assert re.search(r"error: atlantis: .*E08000099", proc.stderr)  # one line naming the district
    assert not (out / "atlantis" / "2023-24").exists()  # no report for it
    for slug in AREAS:
        run = json.loads((out / slug / "2023-24" / "run.json").read_text())
        failed = {s["name"]: s["error"] for s in run["sections"] if s["status"] != "ok"}
        assert failed == {}, (slug, failed)
    # the one partnership with extracts has exactly the figures of a single run (test_run_year checks them)
    assert _figures(out / "coventry" / "2023-24")["trc"] == "38508"


def test_force_index_links_a_row_per_partnership(force_batch):
    from bs4 import BeautifulSoup

    _, out, _ = force_batch
    index = out / FORCE / "2023-24" / "index.html"
    text = index.read_text(encoding="utf-8")
    soup = BeautifulSoup(text, "html.parser")
    assert text.startswith("<!DOCTYPE html>") and "Synthetic data." in text
    assert "<script" not in text and not re.search(r"(src|href)=\"(https?:)?//", text)  # self-contained
    cells = {tr.th.get_text(" ", strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
             for tr in soup.select("table tbody tr")}
    assert set(cells) == NAMES | {"Atlantis (failed)"}
    assert set(cells["Atlantis (failed)"]) == {"–"}
    links = {a.get_text(strip=True): a["href"] for a in soup.select("table tbody a")}
    assert set(links) == NAMES
    for name, href in links.items():
        assert href == f"../../{name.lower()}/2023-24/index.html"
        assert (index.parent / href).resolve().is_file(), href
    assert all("–" not in cells[n] for n in NAMES), cells  # every figure given for every partnership
    # Coventry's row is its key findings' and city profile's figures (38,508; -10.1% on 42,834; ASB 12,260)
    assert cells["Coventry"][:6] == ["38,508", "partner extract", cells["Coventry"][2], "-10.1% on 42,834",
                                     "▼ down", "12,260"]
    assert re.fullmatch(r"\d+\.\d \(\d+\.\d to \d+\.\d\)", cells["Coventry"][2])
    assert {cells[n][1] for n in NAMES - {"Coventry"}} == {"police.uk"}
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
    assert cells["Coventry"][-1] == str(changes + signals)


def test_public_only_reports_have_no_failed_section_and_no_empty_table(force_batch):
    from bs4 import BeautifulSoup

    _, out, _ = force_batch
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


def test_dask_local_cluster_gives_the_same_figures(force_batch, tmp_path):
    pytest.importorskip("distributed")
    proj, out, _ = force_batch
    dask_out = tmp_path / "dask"
    proc = ccsp("run", "2023-24", "--areas", "solihull", "--executor", "dask", "--jobs", "2",
                "--outputs", str(dask_out), cwd=proj, timeout=1200)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "dask executor" in proc.stdout and "Traceback" not in proc.stderr
    got = dask_out / "solihull" / "2023-24" / "tables" / "figures.csv"
    assert got.read_bytes() == (out / "solihull" / "2023-24" / "tables" / "figures.csv").read_bytes()
    assert (dask_out / FORCE / "2023-24" / "index.html").is_file()


def test_bad_areas_and_executor_options_are_refused_before_any_work(force_batch, tmp_path):
    proj, _, _ = force_batch
    proc = ccsp("run", "2023-24", "--areas", "narnia", "--outputs", str(tmp_path / "o"), cwd=proj)
    assert proc.returncode == 2 and "'narnia'" in proc.stderr and "west-midlands" in proc.stderr
    proc = ccsp("run", "2023-24", "--areas", "coventry", "--scheduler", "tcp://127.0.0.1:1",
                "--outputs", str(tmp_path / "o"), cwd=proj)
    assert proc.returncode == 2 and "--scheduler is for --executor dask" in proc.stderr
    proc = ccsp("run", "2023-24", "--executor", "dask", "--outputs", str(tmp_path / "o"), cwd=proj)
    assert proc.returncode == 2 and "--areas" in proc.stderr
    assert not (tmp_path / "o").exists()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_existing_dask_cluster_builds_the_same_report(force_batch, tmp_path):
    """`--scheduler`: a scheduler and two worker processes started apart from the run (`dask scheduler`,
    `dask worker`), as on a cluster of one's own; the report equals the local pool's."""
    import os
    import signal
    import subprocess
    import sys
    import time

    pytest.importorskip("distributed")
    proj, out, _ = force_batch
    dask = Path(sys.executable).parent / "dask"
    address = f"tcp://127.0.0.1:{_free_port()}"
    logs = tmp_path / "cluster.log"
    procs = []
    try:
        with open(logs, "w") as log:
            procs.append(subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                           "--no-dashboard"], stdout=log, stderr=log, start_new_session=True))
            procs.append(subprocess.Popen([dask, "worker", address, "--nworkers", "2", "--nthreads", "1",
                                           "--memory-limit", "0", "--no-dashboard"], stdout=log, stderr=log,
                                          start_new_session=True))
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=60)
        dask_out = tmp_path / "out"
        proc = ccsp("run", "2023-24", "--areas", "walsall", "--executor", "dask", "--scheduler", address,
                    "--outputs", str(dask_out), cwd=proj, timeout=1200)
        assert proc.returncode == 0, proc.stdout + proc.stderr + logs.read_text()
        assert f"scheduler {address}" in proc.stdout
        got = dask_out / "walsall" / "2023-24" / "tables" / "figures.csv"
        assert got.read_bytes() == (out / "walsall" / "2023-24" / "tables" / "figures.csv").read_bytes()
    finally:
        for p in reversed(procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


def test_an_unreachable_scheduler_is_one_clear_error(force_batch, tmp_path, monkeypatch):
    proj, _, _ = force_batch
    monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "3s")  # dask's setting; 30 s by default
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    proc = ccsp("run", "2023-24", "--areas", "walsall", "--executor", "dask", "--scheduler", address,
                "--outputs", str(tmp_path / "o"), cwd=proj, timeout=300)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert f"cannot reach the Dask scheduler at {address}" in proc.stderr
