"""Shared fixtures: the project root, the shared real data (skipped when absent), the demo data."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
PUBLISHED = ROOT.parent / "shared" / "reference" / "published_figures.yaml"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real ONS data not present at {SHARED_DATA} (only available beside the project checkout)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def published() -> dict:
    """The published figures (../shared/reference/published_figures.yaml) -- the independent reference."""
    import yaml

    # the shared transcription when present, else the copy the project ships (tests/unit/test_reference.py
    # keeps the two equal), so the reproduction tests always run
    path = PUBLISHED if PUBLISHED.is_file() else ROOT / "reference" / "coventry_published_figures.yaml"
    return yaml.safe_load(path.read_text())


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    """The project's demo data (data/demo), generated on first use when `make` has not made it."""
    path = ROOT / "data" / "demo"
    if not (path / "DEMO.json").exists():
        from ccsp_analysis.demo import generate

        generate(path)
    return path


def ccsp(*args: str, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    """The real CLI (``python -m ccsp_analysis.cli``) in a subprocess."""
    return subprocess.run([sys.executable, "-m", "ccsp_analysis.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def shared_tmp(tmp_path_factory, worker_id: str) -> Path:
    """A temporary folder every pytest-xdist worker of this session sees (the session's own without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if worker_id != "master" else base


@pytest.fixture(scope="session")
def demo_report(root, demo_dir, tmp_path_factory, worker_id) -> dict:
    """The 2023-24 public report, built once per test session through the CLI into a temporary folder.

    The e2e and browser tiers read the same build; with pytest-xdist the first worker to ask builds
    it while the others wait on a lock. Returns the report folder and the CLI's exit code and output.
    """
    base = shared_tmp(tmp_path_factory, worker_id)
    done = base / "demo-report.json"
    with open(base / "demo-report.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            outputs = base / "demo-report"
            proc = ccsp("run", "2023-24", "--outputs", str(outputs), cwd=root)
            done.write_text(json.dumps({"dir": str(outputs / "coventry" / "2023-24"), "returncode": proc.returncode,
                                        "stdout": proc.stdout, "stderr": proc.stderr}))
    build = json.loads(done.read_text())
    build["dir"] = Path(build["dir"])
    return build


@pytest.fixture(scope="session")
def year_report(root, demo_dir, tmp_path_factory, worker_id):
    """``year_report("2022-23")``: that year's public report folder, built once per test session through the CLI
    (shared by every worker and test file that asks, like :func:`demo_report`); a failed build fails the test."""
    base = shared_tmp(tmp_path_factory, worker_id)

    def build(year: str) -> Path:
        done = base / f"year-{year}.json"
        with open(base / f"year-{year}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not done.exists():
                outputs = base / f"year-{year}"
                proc = ccsp("run", year, "--outputs", str(outputs), cwd=root)
                done.write_text(json.dumps({"dir": str(outputs / "coventry" / year), "returncode": proc.returncode,
                                            "stderr": proc.stderr}))
        built = json.loads(done.read_text())
        assert built["returncode"] == 0, built["stderr"]
        return Path(built["dir"])
    return build


@pytest.fixture()
def project_copy(root, demo_dir, tmp_path) -> Path:
    """A project of its own in ``tmp_path``: a copy of ``params/`` (to add or change parameter files in) over the
    project's demo data, dataset cache and reference figures (linked, not copied)."""
    project = tmp_path / "project"
    shutil.copytree(root / "params", project / "params")
    (project / "data").mkdir()
    for name in ("demo", "cache"):
        (project / "data" / name).symlink_to(root / "data" / name, target_is_directory=True)
    (project / "reference").symlink_to(root / "reference", target_is_directory=True)
    return project


@pytest.fixture(scope="module")
def default_report(demo_report, year_report):
    """``default_report(year)``: the report folder of a default year -- 2023-24 is the session's CLI build
    (:func:`demo_report`), the others the session's builds of those years (:func:`year_report`)."""
    def build(year: str) -> Path:
        if year == "2023-24":
            assert demo_report["returncode"] == 0, demo_report["stderr"]
            return demo_report["dir"]
        return year_report(year)
    return build


@pytest.fixture()
def chdir_root(monkeypatch):
    monkeypatch.chdir(ROOT)
    return ROOT


def pytest_configure(config):
    os.environ.setdefault("MPLBACKEND", "Agg")


#: The test files that take longest (pytest --durations on 2 cores), first in the queue: pytest-xdist hands out
#: whole files (--dist loadfile) in collection order, so starting with these lets the two workers finish together
#: instead of one running a long file alone at the end. Every other file keeps its order.
SLOW_FILES = (
    "tests/e2e/test_force_batch.py",
    "tests/e2e/test_run_changes.py",
    "tests/browser/test_assessment_pdf_print.py",
    "tests/browser/test_pages.py",
    "tests/e2e/test_cli_data.py",
    "tests/e2e/test_disclosure_attack.py",
    "tests/e2e/test_interrupts.py",
    "tests/unit/test_store.py",
    "tests/unit/test_bad_inputs.py",
    "tests/unit/test_shared_street.py",
)


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(SLOW_FILES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))
