"""Tests for report/execute.py: notebooks executed in a pool of pre-started, reused kernels."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from ccsp_analysis.report.execute import KernelPool

pytestmark = pytest.mark.slow


def _notebook(path, *sources: str):
    cells = [new_markdown_cell("# Test")]
    params = new_code_cell('label = "default"')
    params.metadata["tags"] = ["parameters"]
    cells.append(params)
    cells += [new_code_cell(s) for s in sources]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}})
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """Four notebooks through one kernel: each sees a fresh namespace; one fails; one kills its kernel."""
    d = tmp_path_factory.mktemp("nbs")
    first = _notebook(d / "a.ipynb", "leak = 42", "print(label)")
    second = _notebook(d / "b.ipynb", "print('leak' in globals())", "print(label)")
    failing = _notebook(d / "c.ipynb", "x = 1", "raise ValueError('deliberate')")
    dying = _notebook(d / "d.ipynb", "import os; os._exit(1)")
    after = _notebook(d / "e.ipynb", "print('alive')")
    out = d / "out"
    with KernelPool(1, d) as pool:
        futures = {n: pool.submit(src, out / src.name, {"label": n}) for n, src in
                   [("a", first), ("b", second), ("c", failing), ("d", dying), ("e", after)]}
        results = {n: f.result(timeout=300) for n, f in futures.items()}
    return out, results


def _outputs(path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return ["".join(o.get("text", "")) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def test_parameters_are_injected_papermill_style(ran):
    out, results = ran
    assert results["a"].error is None and _outputs(out / "a.ipynb") == ["a\n"]
    nb = nbformat.read(out / "a.ipynb", as_version=4)
    assert "injected-parameters" in nb.cells[2].metadata["tags"]


def test_each_notebook_starts_with_a_fresh_namespace_and_count(ran):
    out, results = ran
    assert results["b"].error is None
    assert _outputs(out / "b.ipynb") == ["False\n", "b\n"]  # a's variable did not leak into b
    counts = [c.execution_count for c in nbformat.read(out / "b.ipynb", as_version=4).cells if c.cell_type == "code"]
    assert counts == [1, 2, 3, 4]  # parameters, injected parameters, two cells: numbered as in a new kernel


def test_a_failing_cell_is_named_by_its_source_position(ran):
    _, results = ran
    # cells of c.ipynb: 1 markdown, 2 parameters, 3 "x = 1", 4 the raise (the injected cell is not counted)
    assert results["c"].error == "ValueError: deliberate" and results["c"].cell == 4


def test_a_dead_kernel_fails_its_notebook_and_the_next_one_runs(ran):
    out, results = ran
    assert results["d"].error is not None
    assert results["e"].error is None and _outputs(out / "e.ipynb") == ["alive\n"]
