"""The house reads in one direction: every module imports only from its own layer or the layers below.

Layers, bottom to top (ARCHITECTURE.md, the compute-once issue):

0. leaves: errors, formatting (number formats, half-up rounding), periods, schemas, taxonomy, hashing
1. inputs: params, plans, sources/, dataset, demo/, area_setup (writes area files from an ONS lookup)
2. numbers: stats/ (no sentences), disclosure
3. measures and words: measures, narrative (every sentence), people, result, exception_report, coverage, monitoring,
   force_index, national (every partnership's headline measures in one pass), so_what (each page's findings)
4. sections/ (no section imports another; the registry and the store may import them)
5. presentation/ (tables, charts, maps, style)
6. report/ (renders, computes nothing)
7. cli

Imports are read from the source with ``ast`` (function-level imports included), so the test
does not depend on what happens to be imported at run time.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "ccsp_analysis"
LAYERS = {
    0: ["ccsp_analysis", "errors", "formatting", "periods", "schemas", "taxonomy", "hashing"],
    1: ["params", "plans", "sources", "dataset", "demo", "area_setup"],
    2: ["stats", "disclosure"],
    3: ["measures", "narrative", "people", "result", "exception_report", "coverage", "monitoring", "force_index", "national",
        "so_what"],
    4: ["sections"],
    5: ["presentation"],
    6: ["report"],
    7: ["cli"],
}
#: Modules of ``sections/`` that are not sections: they may import the sections.
SECTION_MACHINERY = {"ccsp_analysis.sections", "ccsp_analysis.sections.registry", "ccsp_analysis.sections.store"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
#: C extension modules (built from their .c source by setup.py): they import nothing of the project.
EXTENSIONS = {module_name(p) for p in sorted(PACKAGE.rglob("*.c"))}


def layer(module: str) -> int:
    if module == "ccsp_analysis":
        return 0
    top = module.split(".")[1]
    for number, names in LAYERS.items():
        if top in names:
            return number
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in {__file__}")


def imports(module: str) -> set[str]:
    """The project modules ``module`` imports (a name imported from a package resolves to its submodule)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "ccsp_analysis"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "ccsp_analysis":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in MODULES or sub in EXTENSIONS else node.module)
    return {m for m in found if m in MODULES and m != module}


GRAPH = {m: imports(m) for m in MODULES}


def test_every_module_has_a_layer():
    assert {m: layer(m) for m in MODULES}  # raises naming a module with no layer


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_only_point_down(module):
    upward = sorted(m for m in GRAPH[module] if layer(m) > layer(module))
    assert upward == [], f"{module} (layer {layer(module)}) imports from layers above it: {upward}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("ccsp_analysis.sections.")
                                          and m not in SECTION_MACHINERY))
def test_no_section_imports_another(module):
    siblings = sorted(m for m in GRAPH[module] if m.startswith("ccsp_analysis.sections"))
    assert siblings == [], f"{module} imports other sections: {siblings} (shared tables belong in measures)"


def test_no_import_cycles():
    """Depth-first search for a back edge; the cycle found is named."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(GRAPH[m]):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state and (cycle := visit(n)):
                return cycle
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(GRAPH):
        if m not in state:
            cycle = visit(m)
            assert cycle is None, " -> ".join(cycle)


def test_the_checker_catches_what_it_should():
    """The rules above are not vacuous: the graph has edges, and a known upward edge would be caught."""
    assert "ccsp_analysis.stats.counts" in GRAPH["ccsp_analysis.stats"]
    assert layer("ccsp_analysis.narrative") > layer("ccsp_analysis.stats.spc")  # stats may not import narrative
    assert sum(len(v) for v in GRAPH.values()) > 100
