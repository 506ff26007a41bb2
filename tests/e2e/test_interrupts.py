"""Interrupted and concurrent runs: nothing left running, nothing half-written, the last good report kept."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.conftest import ccsp

pytestmark = pytest.mark.slow


def _project(root: Path, tmp: Path, demo_dir: Path) -> Path:
    proj = tmp / "proj"
    proj.mkdir()
    for name in ("params", "notebooks", "reference", "docs"):
        (proj / name).symlink_to(root / name)
    (proj / "data").symlink_to(demo_dir.parent)
    return proj


def _start(proj: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ccsp_analysis.cli", "run", "2023-24", "--outputs", str(out), "--force"],
                            cwd=proj, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _kernels_in(folder: Path) -> list[psutil.Process]:
    found = []
    for p in psutil.process_iter(["cmdline"]):
        try:
            if "ipykernel_launcher" in " ".join(p.info["cmdline"] or []) and str(folder) in p.cwd():
                found.append(p)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def _wait_for_kernels(report_parent: Path, proc: subprocess.Popen, timeout: float = 60) -> Path:
    """The run's staging folder, once its kernels are running."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert proc.poll() is None, proc.communicate()
        for staging in report_parent.glob(".2023-24.staging-*"):
            if _kernels_in(staging):
                return staging
        time.sleep(0.1)
    raise AssertionError("the run never started its kernels")


def _gone(check, timeout: float = 15) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not check():
            return True
        time.sleep(0.2)
    return False


def _previous_report(out: Path) -> Path:
    target = out / "coventry" / "2023-24"
    target.mkdir(parents=True)
    (target / "index.html").write_text("last good report")
    return target


def test_ctrl_c_ends_quietly_and_keeps_the_last_good_report(root, demo_dir, tmp_path):
    proj, out = _project(root, tmp_path, demo_dir), tmp_path / "out"
    target = _previous_report(out)
    proc = _start(proj, out)
    staging = _wait_for_kernels(target.parent, proc)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in stderr and "Traceback" not in stderr, stderr
    assert (target / "index.html").read_text() == "last good report"
    assert not staging.exists()
    assert _gone(lambda: _kernels_in(staging)), "kernels still running after Ctrl-C"


def test_a_killed_run_leaves_no_kernel_and_the_next_run_clears_its_debris(root, demo_dir, tmp_path):
    proj, out = _project(root, tmp_path, demo_dir), tmp_path / "out"
    target = _previous_report(out)
    proc = _start(proj, out)
    staging = _wait_for_kernels(target.parent, proc)
    proc.kill()  # SIGKILL: the runner cannot clean up
    proc.communicate(timeout=30)
    assert _gone(lambda: _kernels_in(staging)), "the kernels outlived their runner"
    assert staging.exists() and (target / "index.html").read_text() == "last good report"
    again = ccsp("run", "2023-24", "--outputs", str(out), cwd=proj)
    assert again.returncode == 0, again.stderr
    assert not list(target.parent.glob(".2023-24.staging-*")) and not list(target.parent.glob(".2023-24.old-*"))
    assert "last good report" not in (target / "index.html").read_text()


def test_a_second_run_of_the_same_report_is_refused_while_one_runs(root, demo_dir, tmp_path):
    proj, out = _project(root, tmp_path, demo_dir), tmp_path / "out"
    (out / "coventry").mkdir(parents=True)
    with open(out / "coventry" / ".2023-24.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write(f"process {os.getpid()}")
        held.flush()
        proc = ccsp("run", "2023-24", "--outputs", str(out), cwd=proj)
    assert proc.returncode == 2 and "another run of this report is in progress" in proc.stderr
    assert f"process {os.getpid()}" in proc.stderr and "Traceback" not in proc.stderr


def test_a_late_second_sigint_after_ctrl_c_still_exits_130(tmp_path):
    """The runner exited -2 (killed by SIGINT) once in a loaded CI run after printing "interrupted": a SIGINT sent on
    again by pyarrow (its reads catch Ctrl-C and re-send it to the main thread) arrived while Python shut down.
    Here a command is interrupted, then SIGINT arrives after `main` has returned. Fails on the old code: the late
    signal raises a second KeyboardInterrupt (traceback, exit -2); once interrupted, the CLI ignores further SIGINT."""
    code = ("import os, signal, sys\n"
            "from ccsp_analysis import cli\n"
            "def interrupted(args):\n"
            "    raise KeyboardInterrupt  # as Ctrl-C during a run\n"
            "cli.cmd_run = interrupted  # the parser binds `ccsp run` to cli.cmd_run when it is built\n"
            "rc = cli.main(['run', '2023-24'])\n"
            "os.kill(os.getpid(), signal.SIGINT)  # the late second signal\n"
            "sys.exit(rc)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 130 and proc.stderr.strip() == "interrupted", (proc.returncode, proc.stderr)
