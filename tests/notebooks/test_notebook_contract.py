"""Every notebook is presentation only: one literal parameters cell, no definitions, no writes, outputs stripped."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from ccsp_analysis.params import ALL_SECTIONS

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
FORBIDDEN = [r"\bsys\.path\b", r"\bopen\(", r"\.to_(csv|parquet|excel|json|pickle)\(", r"\.savefig\(",
             r"\.write_(text|bytes)\(", r"\bos\.(remove|unlink|makedirs|mkdir)\b", r"\bshutil\."]


def test_one_notebook_per_section():
    assert [p.stem for p in NOTEBOOKS] == list(ALL_SECTIONS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_contract(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    tree = ast.parse(tagged[0].source)
    assert all(isinstance(s, ast.Assign) and isinstance(s.value, ast.Constant) for s in tree.body), \
        "the parameters cell holds literal assignments only"
    assert {t.id for s in tree.body for t in s.targets} == {"params_path"}
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), "starts with a title"
    for c in code:
        assert c.outputs == [] and c.execution_count is None, "outputs stripped"
        for node in ast.walk(ast.parse(c.source)):
            assert not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda), "no definitions in notebooks"
        for pattern in FORBIDDEN:
            assert not re.search(pattern, c.source), f"forbidden in a notebook: {pattern}"
    assert nb.metadata.kernelspec.name == "python3"
