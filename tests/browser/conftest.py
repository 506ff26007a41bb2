"""Browser tier: the report built through the CLI (public and reviewer), read by the system Chromium.

The public build is the session's shared demo report (tests/conftest.py); the screenshots the tests
take go to a ``screenshots/`` folder in the session's temporary directory (printed at the end), never
into the project's ``outputs/``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
YEAR = "2023-24"


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The system Chromium, or skip naming the fix (``make test`` installs it where it can)."""
    found = CHROMIUM if CHROMIUM.is_file() else Path(shutil.which("chromium") or "/nonexistent")
    if not found.is_file():
        pytest.skip("Chromium is not installed: apt-get install chromium (make test does this as root)")
    return found


def _start_build(root: Path, outputs: Path, audience: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ccsp_analysis.cli", "run", YEAR, "--outputs", str(outputs),
                             "--audience", audience], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _finish(proc: subprocess.Popen, outputs: Path, folder: str = YEAR) -> Path:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, out + err
    return outputs / "coventry" / folder


def _reviewer_project(root: Path, tmp: Path, sections: tuple[str, ...]) -> Path:
    """A scratch project sharing the project's files, whose year file lists only ``sections``."""
    proj = tmp / "proj"
    shutil.copytree(root / "params", proj / "params")
    year = proj / "params" / f"{YEAR}.yaml"
    year.write_text(year.read_text() + f"\nsections: [{', '.join(sections)}]\n")
    for entry in root.iterdir():
        if entry.name not in ("params", "outputs", ".git", ".venv"):
            (proj / entry.name).symlink_to(entry)
    return proj


@pytest.fixture(scope="session")
def builds(root, demo_report, tmp_path_factory) -> dict[str, Path]:
    """The public build (the session's demo report) and a reviewer build of the first two sections.

    The reviewer build has the first two sections only (the toggle is the same on every page),
    which keeps the tier's time down as sections are added.
    """
    from ccsp_analysis.params import load_params

    assert demo_report["returncode"] == 0, demo_report["stdout"] + demo_report["stderr"]
    params = load_params(root / "params" / f"{YEAR}.yaml")
    tmp = tmp_path_factory.mktemp("builds")
    proj = _reviewer_project(root, tmp, params.sections[:2])
    # the reviewer edition goes to its own folder beside the public one, never into it
    reviewer = _finish(_start_build(proj, tmp / "reviewer", "reviewer"), tmp / "reviewer", f"{YEAR}-reviewer")
    assert not (tmp / "reviewer" / "coventry" / YEAR).exists()
    return {"public": demo_report["dir"], "reviewer": reviewer}


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where the tier saves its screenshots (a temporary folder; its path is printed with -rA)."""
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="session")
def second_build(root, demo_report, tmp_path_factory) -> Path:
    """The public report built a second time from the same inputs (``--force``: nothing reused), into a temporary folder."""
    out = tmp_path_factory.mktemp("again")
    proc = subprocess.Popen([sys.executable, "-m", "ccsp_analysis.cli", "run", YEAR, "--outputs", str(out), "--force"],
                            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return _finish(proc, out)


@pytest.fixture(scope="session")
def browser(chromium):
    """One headless Chromium for the session (Playwright driving the system browser; nothing downloaded)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # a declared test dependency: with Chromium present the tier must run, not skip
        pytest.fail("the browser tests need playwright: pip install -e '.[test]' (no browser download needed)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_FLAGS, headless=True)
        yield b
        b.close()
