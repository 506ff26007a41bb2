"""Rendering executed notebooks and the index page to self-contained HTML with the project's template."""

from __future__ import annotations

import html
from importlib import resources
from pathlib import Path

import nbformat
from jinja2 import Environment, FileSystemLoader, select_autoescape
from nbconvert import HTMLExporter

TEMPLATES = Path(str(resources.files("ccsp_analysis.report") / "templates"))
CSS = (Path(str(resources.files("ccsp_analysis.report"))) / "static.css").read_text(encoding="utf-8")


def params_block(rows: list[tuple[str, str]]) -> str:
    """The run-parameters block shown at the top of every page."""
    items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows)
    return f"<details open><summary>Run parameters</summary><dl>{items}</dl></details>"


def strip_execution_metadata(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove papermill and execution timing metadata so rebuilt notebooks are identical."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    return nb


def render_section(nb: nbformat.NotebookNode, *, title: str, nav: str, params_html: str, synthetic: bool,
                   footer: str, audience: str = "public") -> str:
    """HTML of one executed section notebook (code cells hidden in the public build)."""
    exporter = HTMLExporter(template_name="ccsp", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = audience == "public"
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    nb = nbformat.from_dict(nb)
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])
                and "parameters" not in c.metadata.get("tags", [])]
    res = {"ccsp": {"title": title, "nav": nav, "params_block": params_html, "synthetic": synthetic,
                    "footer": footer, "css": CSS}}
    body, _ = exporter.from_notebook_node(nb, resources=res)
    return body


def _env() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))


def render_page(template: str, **context) -> str:
    """Render one of the project's own page templates (e.g. the index)."""
    return _env().get_template(template).render(css=CSS, **context)
