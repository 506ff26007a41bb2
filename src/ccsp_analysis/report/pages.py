"""The report's pages: navigation, run-parameter rows, the index's context, and writing every page."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import ccsp_analysis.report.html as html
from ccsp_analysis import __version__
from ccsp_analysis.hashing import content_key
from ccsp_analysis.params import Params, project_root
from ccsp_analysis.periods import FinancialYear

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
    reused: bool
    page_reused: bool
    execution_key: str | None
    page_key: str | None
    headings: list


@dataclass(frozen=True)
class IndexSection:
    """One entry of the index's contents: the page (None when there is none), title, status, headings."""

    file: str | None
    title: str
    status: str
    headings: tuple[html.Heading, ...] = ()


def run_rows(params: Params, data_to: str, missing: str | None = None) -> list[tuple[str, str]]:
    """The run-parameters block's rows: area, period, comparison, date of data, threshold, file."""
    cmp_ = FinancialYear.parse(params.comparison)
    rows = [("Area", f"{params.area.name} ({params.area.codes_text})"),
            ("Period", period_text(params)),
            ("Compared with", cmp_.text), ("Data to", data_to),
            ("Disclosure threshold", str(params.disclosure_threshold)),
            ("Parameters", params.params_file.name if params.params_file else "")]
    if missing:
        rows.append(("Months missing", missing))
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


def footer_text(dataset_key: str) -> str:
    """The footer of every section page (no dates or times: pages rebuild byte for byte)."""
    return f"ccsp-analysis {__version__} · dataset {dataset_key}"


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


def link_or_copy(source: Path, dest: Path) -> None:
    """Bring a file of the previous report into the new one (a hard link where possible)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, dest)
    except OSError:
        shutil.copy2(source, dest)


def _mathjax_assets(target: Path, staging: Path) -> None:
    """Bring the previous report's local MathJax along when a reused page needs it."""
    source, dest = target / MATHJAX_DIR, staging / MATHJAX_DIR
    if source.is_dir() and not dest.exists():
        shutil.copytree(source, dest, copy_function=link_or_copy)


def write_sections(params: Params, sections: Sequence[Outcome], rows: list[tuple[str, str]], footer: str,
                   target: Path, staging: Path, audience: str, package: str,
                   previous: Mapping[str, Mapping], missing: str | None = None) -> list[str]:
    """Render every section whose notebook ran into ``staging``; keep the last good page of failed ones.

    A page is reused from ``target`` when its key (the section's execution key, navigation, run
    parameters, footer, audience and package) equals the previous run's (``previous``: section
    name -> its entry in the previous run.json); otherwise it is rendered from the executed
    notebook in ``staging/notebooks``. A failed section whose previous page exists in ``target``
    has that page copied and its status set to ``"failed (previous page kept)"``; previous/next
    links skip sections left without a page. Each outcome gets its page's ``headings``; returns
    the names of the pages reused.
    """
    block = html.params_block(rows)
    reused = []
    paged = [o for o in sections if o.status == "ok" or (target / o.file).exists()]  # navigation skips the rest
    for o in sections:
        nb_path = staging / "notebooks" / f"{o.name}.ipynb"
        if o.status == "ok":
            nav = navigation(paged, paged.index(o))
            title = f"{o.title} · {params.area.name} {params.period}"
            o.page_key = content_key(o.execution_key, title, nav, rows, footer, audience, package, params.synthetic, missing)
            prev = previous.get(o.name, {})
            if prev.get("page_key") == o.page_key and (target / o.file).is_file() and prev.get("headings"):
                link_or_copy(target / o.file, staging / o.file)
                if MATHJAX_DIR in (staging / o.file).read_text(encoding="utf-8"):
                    _mathjax_assets(target, staging)
                o.headings, o.page_reused = [list(h) for h in prev["headings"]], True
                reused.append(o.name)
                continue
            import nbformat  # only when a page is rendered

            nb = nbformat.read(nb_path, as_version=4)
            if not o.reused:  # a reused notebook was stripped when it was executed
                nb = html.strip_execution_metadata(nb)
                nbformat.write(nb, nb_path)
            page = html.render_section(nb, title=title, nav=nav, params_html=block, synthetic=params.synthetic,
                                       footer=footer, audience=audience, missing=missing,
                                       mathjax=_mathjax(staging) if html.uses_math(nb) else None)
            (staging / o.file).write_text(page.html, encoding="utf-8")
            o.headings = [[h.level, h.id, h.text] for h in page.headings]
        elif (target / o.file).exists():
            shutil.copy2(target / o.file, staging / o.file)
            o.status = "failed (previous page kept)"
    return reused


def index_context(params: Params, context, sections: Sequence[Outcome], results: Mapping[str, object],
                  rows: list[tuple[str, str]], staging: Path, commit: str, audience: str) -> dict:
    """Everything ``index.html.j2`` shows: title, contents, key findings, exceptions, run summary."""
    fy, cmp_ = FinancialYear.parse(params.period), FinancialYear.parse(params.comparison)
    contents = [IndexSection(o.file if (staging / o.file).exists() else None, o.title, o.status,
                             tuple(html.Heading(*h) for h in (o.headings or ()) if h[0] == 2)) for o in sections]
    findings = getattr(results.get("01_key_findings"), "sentences", [])
    priorities = getattr(results.get("11_priorities"), "tables", {})
    summary = [*rows, ("Edition", "reviewer (code shown on request)" if audience == "reviewer" else "public"),
               ("Sections", str(len(sections))), ("Software", f"ccsp-analysis {__version__}"),
               ("Commit", commit[:12]), ("Dataset", context.dataset_key)]
    return {
        "title": f"{params.area.name} Community Safety Partnership: "
                 + (f"Performance report, quarter {params.quarter} {fy.text}" if params.mode == "performance"
                    else f"Strategic Assessment {fy.text}"),
        "area": params.area.name, "period_text": period_text(params).split(" (", 1)[1].rstrip(")"),
        "comparison_text": cmp_.text, "synthetic": params.synthetic, "reviewer": audience == "reviewer",
        "sections": contents,
        "missing": context.missing,
        "findings": findings, "exceptions": context.exceptions,
        "failures": [f"{o.title} ({o.name}): cell {o.cell}: {o.error}" for o in sections if o.status != "ok"],
        "summary": summary, "inputs": sorted((k, v[:16]) for k, v in context.inputs.items()),
        "first": next((s for s in contents if s.file), None),
        "pages": {o.name: c for o, c in zip(sections, contents, strict=True)},
        "threats": priorities.get("threats"), "emerging": priorities.get("emerging"),
        "priority_notes": [s for s in getattr(results.get("11_priorities"), "sentences", [])
                           if s.startswith(("Harm", "Public concern"))],
        "plan": priorities.get("plan"),
        "plan_source": "; ".join(priorities["plan_source"]["source"]) if "plan_source" in priorities else "",
    }


def write_appendix(params: Params, appendix: Outcome, results: Mapping[str, object], root: Path, target: Path,
                   staging: Path, package: str, previous: Mapping[str, Mapping]) -> None:
    """The appendix notebook (methods, classification, suppression log) in ``staging/notebooks``, reused when unchanged."""
    from ccsp_analysis.report.appendix import appendix_notebook

    methods = root / "docs" / "methods.md"
    logs = [getattr(r, "tables", {}).get("suppression_log") for r in results.values()]
    appendix.execution_key = content_key([None if x is None else x.to_csv(index=False) for x in logs],
                                  methods.read_text(encoding="utf-8") if methods.exists() else None,
                                  params.disclosure_threshold, package)
    out = staging / "notebooks" / f"{appendix.name}.ipynb"
    prev = previous.get(appendix.name, {})
    source = target / "notebooks" / f"{appendix.name}.ipynb"
    if prev.get("execution_key") == appendix.execution_key and source.is_file():
        link_or_copy(source, out)
        appendix.reused = True
    else:
        import nbformat

        nbformat.write(appendix_notebook(root, results, params.disclosure_threshold), out)


def write_report(params: Params, context, sections: Sequence[Outcome], results: Mapping[str, object],
                 target: Path, staging: Path, audience: str, commit: str, package: str,
                 previous: Mapping[str, Mapping]) -> list[str]:
    """Write the appendix, every section page and ``index.html`` into ``staging``; return the pages reused.

    Parameters
    ----------
    params
        The run's parameters.
    context
        The run's :class:`~ccsp_analysis.report.run.RunContext` (dataset key, inputs, last month, exceptions).
    sections
        Section outcomes in page order, the appendix last (statuses and keys are updated).
    results
        Section name -> the section's publishable result (tables and sentences).
    target, staging
        The previous report (for reuse and failed sections' last good pages) and the folder written.
    audience
        ``"public"`` or ``"reviewer"``.
    commit, package
        The git commit of the code and the package's content hash.
    previous
        Section name -> its entry in the previous run.json (empty on a first or forced run).
    """
    rows, footer = run_rows(params, context.data_to, context.missing), footer_text(context.dataset_key)
    write_appendix(params, sections[-1], results, project_root(params), target, staging, package, previous)
    reused = write_sections(params, sections, rows, footer, target, staging, audience, package, previous,
                            context.missing)
    ctx = index_context(params, context, sections, results, rows, staging, commit, audience)
    (staging / "index.html").write_text(html.render_page("index.html.j2", **ctx), encoding="utf-8")
    return reused
