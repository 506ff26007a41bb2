"""pyproject.toml and environment.yml list the same dependencies with the same lower bounds."""

import re
import tomllib

import yaml


def _norm(spec: str) -> tuple[str, str]:
    m = re.match(r"^([A-Za-z0-9_.-]+)\s*(.*)$", spec.strip())
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def test_environment_yml_mirrors_pyproject(root):
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    # the dependencies, and the optional extra `dask` (conda users get the batch executor too)
    deps = dict(_norm(d) for d in project["dependencies"] + project["optional-dependencies"]["dask"])
    env = yaml.safe_load((root / "environment.yml").read_text())
    conda = dict(_norm(d) for d in env["dependencies"] if isinstance(d, str) and not d.startswith(("python", "pip")))
    assert conda == deps


def test_constraints_pin_every_dependency(root):
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    pinned = {_norm(line.split("==")[0])[0] for line in (root / "requirements" / "constraints.txt").read_text().splitlines() if "==" in line}
    extras = project["optional-dependencies"]
    wanted = [_norm(d)[0] for d in project["dependencies"] + extras["dask"] + extras["test"] if not d.startswith("ccsp-analysis")]
    assert [w for w in wanted if w not in pinned] == []


def test_make_report_and_make_test_say_what_they_are_doing(root):
    """`make report` announces each stage (installing, demo data, the build) in order; `make test` announces lint
    and the suite (ccsp run prints its own section progress, pytest-xdist its own)."""
    import shutil
    import subprocess

    import pytest

    if shutil.which("make") is None:
        pytest.skip("make is not installed here")
    report = subprocess.run(["make", "-n", "-B", "report"], cwd=root, capture_output=True, text=True, check=True).stdout
    stages = [line for line in report.splitlines() if "==>" in line]
    assert [s.split("==> ")[1].split(" ")[0:2] for s in stages] == [["setting", "up"], ["generating", "the"],
                                                                     ["building", "the"]]
    test = subprocess.run(["make", "-n", "-B", "test"], cwd=root, capture_output=True, text=True, check=True).stdout
    assert "==> lint" in test and "==> the test suite" in test and "pytest -n 2" in test
