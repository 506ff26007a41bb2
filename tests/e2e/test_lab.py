"""`ccsp lab` stopped with SIGTERM stops JupyterLab too and frees its port."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_sigterm_to_ccsp_lab_stops_jupyterlab(root, tmp_path):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "ccsp_analysis.cli", "lab", "--dir", str(root / "notebooks"),
                             "--port", str(port), "--no-browser", "--ServerApp.token=test"],
                            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**__import__("os").environ, "JUPYTER_RUNTIME_DIR": str(tmp_path)})
    try:
        deadline = time.monotonic() + 90
        while not _listening(port):
            assert proc.poll() is None, "ccsp lab exited before JupyterLab listened"
            assert time.monotonic() < deadline, "JupyterLab never listened"
            time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 15
        while _listening(port) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert not _listening(port), "JupyterLab still holds the port after ccsp lab was stopped"
    finally:
        if proc.poll() is None:
            proc.kill()
