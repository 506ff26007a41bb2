"""Rendering executed notebooks and the index page to self-contained HTML with the project's template."""

from __future__ import annotations

import functools
import html
import logging
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from bs4 import BeautifulSoup, Tag
from jinja2 import Environment, FileSystemLoader, select_autoescape

if TYPE_CHECKING:
    import nbformat

log = logging.getLogger(__name__)
TEMPLATES = Path(str(resources.files("ccsp_analysis.report") / "templates"))
CSS = (Path(str(resources.files("ccsp_analysis.report"))) / "static.css").read_text(encoding="utf-8")
#: Cell tags that keep a cell (or its code or outputs) out of every build, as in Jupyter Book.
REMOVE_TAGS = ("remove-cell", "parameters", "injected-parameters")
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_MATH = re.compile(r"(?<![\\$])\$\$?[^$\s][^$]*\$|\\\(|\\\[|\\begin\{")
#: Where a local MathJax may be found: $CCSP_MATHJAX, Debian's libjs-mathjax, Debian's node-mathjax-full.
MATHJAX_DIRS = ("/usr/share/javascript/mathjax", "/usr/share/nodejs/mathjax-full/es5")


@dataclass(frozen=True)
class Heading:
    """A heading of a rendered page: level (1-6), anchor id and text."""

    level: int
    id: str
    text: str


@dataclass(frozen=True)
class RenderedPage:
    """One rendered section page and the headings its table of contents lists."""

    html: str
    headings: tuple[Heading, ...]


def params_block(rows: list[tuple[str, str]]) -> str:
    """The run-parameters block shown near the top of every page (a definition list)."""
    items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows)
    return f"<details open><summary>Run parameters</summary><dl>{items}</dl></details>"


def strip_execution_metadata(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove papermill and execution timing metadata so rebuilt notebooks are identical.

    Papermill's injected parameters cell gets a fixed id (papermill gives it a random one).
    """
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
    return nb


def uses_math(nb: nbformat.NotebookNode) -> bool:
    """Whether any markdown cell has TeX math ($...$, $$...$$, \\(...\\), \\[...\\]) or an output is LaTeX."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and _MATH.search(cell.source):
            return True
        if cell.cell_type == "code" and any("text/latex" in o.get("data", {}) and "text/html" not in o["data"]
                                            for o in cell.get("outputs", [])):
            return True
    return False


def local_mathjax() -> Path | None:
    """A MathJax folder on this machine ($CCSP_MATHJAX first), or None: MathJax never comes from a CDN."""
    for candidate in (os.environ.get("CCSP_MATHJAX", ""), *MATHJAX_DIRS):
        if candidate and any((Path(candidate) / name).is_file() for name in ("MathJax.js", "tex-chtml.js")):
            return Path(candidate)
    return None


def prepare(nb: nbformat.NotebookNode, audience: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` holding what the audience sees, with stable cell ids.

    Parameter cells and cells tagged ``remove-cell`` are dropped; ``remove-input`` and
    ``remove-output`` tags hide a cell's code or outputs. The public build also drops
    stderr output (warnings are for analysts) and code cells left with nothing to show.
    """
    import nbformat

    nb = nbformat.from_dict(nb)
    kept = []
    for cell in nb.cells:
        tags = set(cell.metadata.get("tags", []))
        if tags & set(REMOVE_TAGS):
            continue
        if cell.cell_type == "code":
            if "remove-output" in tags:
                cell.outputs = []
            if audience == "public":
                cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
                if not cell.outputs:
                    continue
            if "remove-input" in tags or audience == "public":
                cell.source = ""
        kept.append(cell)
    for i, cell in enumerate(kept, start=1):
        cell["id"] = f"c{i:02d}"
    nb.cells = kept
    return nb


@functools.cache
def _pygments_css() -> str:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style="default").get_style_defs(".highlight")


def render_section(nb: nbformat.NotebookNode, *, title: str, nav: list[dict[str, str]], params_html: str,
                   synthetic: bool, footer: str, audience: str = "public",
                   mathjax: str | None = None, missing: str | None = None) -> RenderedPage:
    """HTML of one executed section notebook, with its headings.

    Parameters
    ----------
    nb
        The executed notebook.
    title
        The page's ``<title>`` (and its ``h1`` when the notebook has none).
    nav
        Navigation links: dicts with ``href``, ``text`` and ``rel`` (contents, prev, next).
    params_html
        The run-parameters block (:func:`params_block`).
    synthetic
        Whether to show the synthetic-data banner.
    footer
        Footer text.
    audience
        ``"public"``: no code at all; ``"reviewer"``: each code cell behind a "Show code" toggle.
    mathjax
        Relative URL of a local MathJax script when the page uses math, else None.
    missing
        The months the data miss (a run with ``--allow-partial``): shown in a banner.

    Returns
    -------
    RenderedPage
        The page's HTML and headings (for the page's and the index's contents).
    """
    from nbconvert import HTMLExporter  # imported here: a run that reuses every page never needs it

    exporter = HTMLExporter(template_name="ccsp", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = audience == "public"
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.exclude_anchor_links = True
    css = CSS + ("\n" + _pygments_css() if audience == "reviewer" else "")
    res = {"ccsp": {"title": title, "nav": nav, "params_block": params_html, "synthetic": synthetic,
                    "footer": footer, "css": css, "audience": audience, "mathjax": mathjax,
                    "missing": missing}}
    body, _ = exporter.from_notebook_node(prepare(nb, audience), resources=res)
    return finish_page(body, title)


def _slug(text: str) -> str:
    return re.sub(r"[^\w-]+", "-", text.strip()).strip("-") or "section"


def _unique_ids(soup: BeautifulSoup, main: Tag) -> list[Tag]:
    """Give every heading in ``main`` an id unique in the page; return the headings in order."""
    seen: set[str] = set()
    for tag in soup.find_all(id=True):
        if not (tag.name in HEADINGS and main in tag.parents):
            seen.add(tag["id"])
    headings = main.find_all(HEADINGS)
    for h in headings:
        base = h.get("id") or _slug(h.get_text(" ", strip=True))
        new, n = base, 1
        while new in seen:
            n += 1
            new = f"{base}-{n}"
        h["id"] = new
        seen.add(new)
    return headings


def _toc_html(items: list[Heading]) -> str:
    """Nested ordered list: level-2 headings, each with the level-3 headings under it."""
    groups: list[tuple[Heading, list[Heading]]] = []
    for h in items:
        if h.level == 3 and groups:
            groups[-1][1].append(h)
        else:
            groups.append((h, []))

    def link(h: Heading) -> str:
        return f'<a href="#{html.escape(h.id)}">{html.escape(h.text)}</a>'

    parts = []
    for top, subs in groups:
        sub = "<ol>" + "".join(f"<li>{link(s)}</li>" for s in subs) + "</ol>" if subs else ""
        parts.append(f"<li>{link(top)}{sub}</li>")
    return "<ol>" + "".join(parts) + "</ol>"


def finish_page(page: str, title: str) -> RenderedPage:
    """Stable unique heading ids, one ``h1``, the page's contents and run parameters placed after it."""
    soup = BeautifulSoup(page, "html.parser")
    main = soup.find("main")
    if main is None:
        return RenderedPage(page, ())
    head = main.find(class_="ccsp-pagehead")
    if head is not None:
        head.extract()
    headings = _unique_ids(soup, main)
    first = next((h for h in headings if h.name == "h1"), None)
    if first is None:
        log.warning("page '%s' has no level-1 heading; using its title", title)
        first = soup.new_tag("h1", id="ccsp-title")
        first.string = title.split(" · ")[0]
        main.insert(0, first)
        headings.insert(0, first)
    levels = [int(h.name[1]) for h in headings]
    if levels.count(1) > 1 or any(b > a + 1 for a, b in zip(levels, levels[1:], strict=False)):
        log.warning("page '%s' has headings out of order: %s", title, levels)
    found = tuple(Heading(int(h.name[1]), h["id"], h.get_text(" ", strip=True)) for h in headings)
    if head is not None:
        anchor = first
        while anchor.parent is not main:
            anchor = anchor.parent
        toc = head.find(class_="ccsp-toc")
        entries = [h for h in found if h.level in (2, 3)]
        if toc is not None and entries:
            toc.append(BeautifulSoup(_toc_html(entries), "html.parser"))
        elif toc is not None:
            toc.decompose()
        anchor.insert_after(head)
    return RenderedPage(str(soup), found)


def _env() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]),
                       trim_blocks=True, lstrip_blocks=True)


def render_page(template: str, **context) -> str:
    """Render one of the project's own page templates (e.g. the index)."""
    return _env().get_template(template).render(css=CSS, **context)
