"""Shared fixtures: the project root, the shared real data (skipped when absent), the demo data."""

from __future__ import annotations

import os
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


@pytest.fixture()
def chdir_root(monkeypatch):
    monkeypatch.chdir(ROOT)
    return ROOT


def pytest_configure(config):
    os.environ.setdefault("MPLBACKEND", "Agg")
