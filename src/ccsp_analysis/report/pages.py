"""The report's pages: navigation, run-parameter rows, the index's context, and writing every page."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import nbformat
import pandas as pd

from ccsp_analysis import __version__
from ccsp_analysis.dataset import Dataset
from ccsp_analysis.exception_report import exception_report
from ccsp_analysis.params import Params
from ccsp_analysis.periods import FinancialYear
from ccsp_analysis.report import html

log = logging.getLogger(__name__)
MATHJAX_DIR = "assets/mathjax"


class Outcome(Protocol):
    """What the pages need of a section's outcome (``run.SectionOutcome``)."""

    name: str
    title: str
    file: str
    status: str
    cell: int | None
    error: str | None


@dataclass(frozen=True)
class IndexSection:
    """One entry of the index's contents: the page (None when there is none), title, status, headings."""

    file: str | None
    title: str
    status: str
    headings: tuple[html.Heading, ...] = ()


def run_rows(params: Params, data: Dataset) -> list[tuple[str, str]]:
    """The run-parameters block's rows: area, period, comparison, date of data, threshold, file."""
    cmp_ = FinancialYear.parse(params.comparison)
    # the last month of data the report covers (not later data the files may also hold)
    in_period = data.crimes["month"][data.crimes["month"] <= params.fy.months(params.quarter)[-1]]
    last = in_period.max()
    rows = [("Area", f"{params.area.name} ({params.area.la_code})"),
            ("Period", period_text(params)),
            ("Compared with", cmp_.text), ("Data to", last.strftime("%B %Y") if pd.notna(last) else "no data"),
            ("Disclosure threshold", str(params.disclosure_threshold)),
            ("Parameters", params.params_file.name if params.params_file else "")]
    if params.synthetic:
        rows.append(("Data", "synthetic demonstration data"))
    return rows


def period_text(params: Params) -> str:
    """The period covered, e.g. '2015/16 (April 2015 to September 2015, year to date at quarter 2)'."""
    months = params.fy.months(params.quarter)
    span = f"{months[0]:%B %Y} to {months[-1]:%B %Y}"
    if params.quarter is not None:
        span += f", year to date at quarter {params.quarter}"
    return f"{params.fy.text} ({span})"


def footer_text(data: Dataset) -> str:
    """The footer of every section page (no dates or times: pages rebuild byte for byte)."""
    return f"ccsp-analysis {__version__} · dataset {data.key}"


def navigation(sections: Sequence[Outcome], i: int) -> list[dict[str, str]]:
    """Contents, previous and next links of the ``i``-th section page."""
    links = [{"href": "index.html", "text": "Contents", "rel": "contents"}]
    if i > 0:
        s = sections[i - 1]
        links.append({"href": s.file, "text": f"Previous: {s.title}", "rel": "prev"})
    if i < len(sections) - 1:
        s = sections[i + 1]
        links.append({"href": s.file, "text": f"Next: {s.title}", "rel": "next"})
    return links


def _mathjax(staging: Path) -> str | None:
    """Copy a local MathJax into the report once; its script's relative URL, or None when there is none."""
    source = html.local_mathjax()
    if source is None:
        log.warning("a page uses math but no local MathJax was found (apt-get install libjs-mathjax or set "
                    "CCSP_MATHJAX): the math is shown as TeX source")
        return None
    target = staging / MATHJAX_DIR
    if not target.exists():
        shutil.copytree(source, target)
    if (target / "MathJax.js").is_file():
        return f"{MATHJAX_DIR}/MathJax.js?config=TeX-AMS_CHTML"
    return f"{MATHJAX_DIR}/tex-chtml.js"


def write_sections(params: Params, sections: Sequence[Outcome], rows: list[tuple[str, str]], footer: str,
                   target: Path, staging: Path, audience: str) -> dict[str, tuple[html.Heading, ...]]:
    """Render every section whose notebook ran into ``staging``; keep the last good page of failed ones.

    A failed section whose previous page exists in ``target`` has that page copied and its
    status set to ``"failed (previous page kept)"``; previous/next links skip sections left
    without a page. Returns each rendered page's headings.
    """
    block = html.params_block(rows)
    headings = {}
    paged = [o for o in sections if o.status == "ok" or (target / o.file).exists()]  # navigation skips the rest
    for o in sections:
        nb_path = staging / "notebooks" / f"{o.name}.ipynb"
        if o.status == "ok":
            nb = html.strip_execution_metadata(nbformat.read(nb_path, as_version=4))
            nbformat.write(nb, nb_path)
            page = html.render_section(nb, title=f"{o.title} · {params.area.name} {params.period}",
                                       nav=navigation(paged, paged.index(o)), params_html=block, synthetic=params.synthetic,
                                       footer=footer, audience=audience,
                                       mathjax=_mathjax(staging) if html.uses_math(nb) else None)
            (staging / o.file).write_text(page.html, encoding="utf-8")
            headings[o.name] = page.headings
        elif (target / o.file).exists():
            shutil.copy2(target / o.file, staging / o.file)
            o.status = "failed (previous page kept)"
    return headings


def index_context(params: Params, data: Dataset, sections: Sequence[Outcome], results: Mapping[str, object],
                  rows: list[tuple[str, str]], headings: Mapping[str, tuple[html.Heading, ...]],
                  staging: Path, commit: str, audience: str) -> dict:
    """Everything ``index.html.j2`` shows: title, contents, key findings, exceptions, run summary."""
    fy, cmp_ = FinancialYear.parse(params.period), FinancialYear.parse(params.comparison)
    contents = [IndexSection(o.file if (staging / o.file).exists() else None, o.title, o.status,
                             tuple(h for h in headings.get(o.name, ()) if h.level == 2)) for o in sections]
    findings = getattr(results.get("01_key_findings"), "sentences", [])
    summary = [*rows, ("Edition", "reviewer (code shown on request)" if audience == "reviewer" else "public"),
               ("Sections", str(len(sections))), ("Software", f"ccsp-analysis {__version__}"),
               ("Commit", commit[:12]), ("Dataset", data.key)]
    return {
        "title": f"{params.area.name} Community Safety Partnership: "
                 + (f"Performance report, quarter {params.quarter} {fy.text}" if params.mode == "performance"
                    else f"Strategic Assessment {fy.text}"),
        "area": params.area.name, "period_text": period_text(params).split(" (", 1)[1].rstrip(")"),
        "comparison_text": cmp_.text, "synthetic": params.synthetic, "sections": contents,
        "findings": findings, "exceptions": exception_report(data, params, results),
        "failures": [f"{o.title} ({o.name}): cell {o.cell}: {o.error}" for o in sections if o.status != "ok"],
        "summary": summary, "inputs": sorted((k, v[:16]) for k, v in data.inputs.items()),
        "first": next((s for s in contents if s.file), None),
        "pages": {o.name: c for o, c in zip(sections, contents, strict=True)},
    }


def write_report(params: Params, data: Dataset, sections: Sequence[Outcome], results: Mapping[str, object],
                 rows: list[tuple[str, str]], footer: str, target: Path, staging: Path, audience: str,
                 commit: str) -> None:
    """Write every section page and ``index.html`` into ``staging``.

    Parameters
    ----------
    params, data
        The run's parameters and dataset.
    sections
        Section outcomes in page order (a failed section's status may be updated).
    results
        Section name -> the section's result (tables and sentences).
    rows, footer
        The run-parameters rows and the footer text of every page.
    target, staging
        The previous report (for failed sections' last good pages) and the folder written.
    audience
        ``"public"`` or ``"reviewer"``.
    commit
        The git commit of the code.
    """
    headings = write_sections(params, sections, rows, footer, target, staging, audience)
    context = index_context(params, data, sections, results, rows, headings, staging, commit, audience)
    (staging / "index.html").write_text(html.render_page("index.html.j2", **context), encoding="utf-8")
