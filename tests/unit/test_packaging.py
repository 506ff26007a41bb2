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
