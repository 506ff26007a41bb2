"""Printing the report to A4 PDF with the system's headless Chromium (``ccsp run --pdf``).

Each page is printed to ``pdf/<page>.pdf``, and the whole report to one ``pdf/assessment.pdf``: a
title page, a contents page with each section's page number, then the summary (the index) and every
section page in the index's order, each starting on a new page. The running header (partnership,
report and year, "Synthetic data" when synthetic) and "Page n of N" are CSS page-margin boxes
(``@page { @top-left {...} }``), which Chromium prints itself, so no DevTools connection is needed.
The contents' page numbers come from printing twice: the first print's PDF says on which page each
section starts (the contents' links are the PDF's named destinations, read with pypdf), the second
prints them. The PDF is rewritten without dates, so the same report prints to the same bytes.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup, Tag
from markupsafe import Markup

from ccsp_analysis import __version__
from ccsp_analysis.errors import RunError

log = logging.getLogger(__name__)

#: Flags for a headless Chromium that makes no request of its own (no sync, updates or first-run pages).
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run")
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 120


def find_chromium() -> Path:
    """The Chromium executable: ``$CCSP_CHROMIUM``, else the first of :data:`CANDIDATES` on the PATH.

    Raises
    ------
    RunError
        When none is found, saying how to install one.
    """
    env = os.environ.get("CCSP_CHROMIUM")
    if env:
        if not Path(env).is_file():
            raise RunError(f"CCSP_CHROMIUM is {env}, which is not a file")
        return Path(env)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise RunError("printing to PDF needs Chromium: install it (Debian: apt-get install chromium) "
                   "or set CCSP_CHROMIUM to its path")


def print_page(chromium: Path, page: Path, pdf: Path, extra: tuple[str, ...] = ()) -> Path:
    """Print one HTML file to ``pdf`` (A4 and margins come from the page's print stylesheet).

    A fresh profile is used and removed; the PDF is written under a temporary name and
    moved into place, so a failed print never leaves a partial file. ``extra``: more Chromium flags.
    """
    partial = pdf.with_name(f".{pdf.name}.partial")
    with tempfile.TemporaryDirectory(prefix="ccsp-chromium-") as profile:
        cmd = [str(chromium), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer", *extra,
               f"--print-to-pdf={partial}", page.resolve().as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise RunError(f"Chromium took over {TIMEOUT} s to print {page}") from exc
    if proc.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
        partial.unlink(missing_ok=True)
        raise RunError(f"Chromium could not print {page} (exit {proc.returncode}): {proc.stderr.strip()[-500:]}")
    os.replace(partial, pdf)
    return pdf


#: The combined document's file name in ``pdf/``.
ASSESSMENT = "assessment.pdf"
#: Prints of the combined document at most: the first finds the pages, the second prints them (a third if they moved).
PASSES = 3
#: Flags of the combined document's print: the PDF gets bookmarks from the headings.
ASSESSMENT_FLAGS = ("--generate-pdf-document-outline",)


@dataclass(frozen=True)
class Part:
    """One part of the combined document: its anchor, title and HTML (the page's ``main``, ids made unique)."""

    id: str
    title: str
    html: str


@dataclass
class Assessment:
    """The whole report as one document: what the title page, the contents and the parts show."""

    title: str
    meta: str
    banners: list[str]
    summary: list[tuple[str, str]]
    parts: list[Part]
    missing: list[str]
    header_left: str
    header_right: str
    reviewer: bool

    def html(self, page_numbers: Mapping[str, int] | None = None) -> str:
        """The printable HTML; the contents show ``page_numbers`` (part id -> page, from 1) where given."""
        from ccsp_analysis.report.html import render_page

        return render_page("assessment.html.j2", title=self.title, meta=self.meta, banners=self.banners,
                           summary=self.summary, parts=self.parts, missing=self.missing,
                           header_left=Markup(css_string(self.header_left)),
                           header_right=Markup(css_string(self.header_right)), reviewer=self.reviewer,
                           page_numbers=dict(page_numbers or {}))


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string, safe inside a ``<style>`` element (quotes, backslashes and ``<`` escaped)."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3C ")
    return f'"{out}"'


def _part_id(file: str) -> str:
    return "part-" + Path(file).stem


def _rewrite(main: Tag, stem: str, files: set[str]) -> None:
    """Make ``main``'s ids unique in the combined document (``<stem>--<id>``) and point its links inside it.

    A link to another page of the report becomes a link to that part (and anchor); a link to a file
    the document does not hold (run.json, tables/, a failed section) loses its ``href`` and keeps its text.
    """
    for tag in main.find_all(id=True):
        tag["id"] = f"{stem}--{tag['id']}"
    for a in main.find_all(href=True):
        href = a["href"]
        if href.startswith(("http://", "https://", "mailto:")):
            continue
        file, _, anchor = href.partition("#")
        if not file:
            a["href"] = f"#{stem}--{anchor}" if anchor else f"#{_part_id(stem)}"
        elif file in files:
            a["href"] = f"#{Path(file).stem}--{anchor}" if anchor else f"#{_part_id(file)}"
        else:
            del a["href"]


def _contents(index: BeautifulSoup) -> list[tuple[str | None, str]]:
    """The index's contents: (page file or None, title) per section, in order."""
    ol = index.find("ol", class_="ccsp-contents")
    if ol is None:
        return []
    out = []
    for li in ol.find_all("li", recursive=False):
        a = li.find("a", recursive=False)
        if a is not None:
            out.append((a["href"].partition("#")[0], a.get_text(" ", strip=True)))
        else:
            out.append((None, next(li.stripped_strings, "").strip()))
    return out


def assessment(output_dir: Path) -> Assessment:
    """The combined document of a report folder, read from its ``index.html`` and section pages.

    The sections are the index's contents, in order; a section without a page (it failed, or its
    file is missing) is listed in the contents as having none. The summary part is the index
    without its own contents and run summary (both are on the title and contents pages).
    """
    output_dir = Path(output_dir)
    index_path = output_dir / "index.html"
    if not index_path.is_file():
        raise RunError(f"no index.html in {output_dir}: build the report first (ccsp run)")
    index = BeautifulSoup(index_path.read_text(encoding="utf-8"), "html.parser")
    main = index.find("main")
    h1 = main.find("h1") if main else None
    title = h1.get_text(" ", strip=True) if h1 else output_dir.name
    meta_tag = main.find(class_="ccsp-meta") if main else None
    meta = meta_tag.get_text(" ", strip=True) if meta_tag else ""
    banners = [b.decode_contents() for b in index.find_all(class_="ccsp-banner")]
    synthetic = any("Synthetic data" in b.get_text() for b in index.find_all(class_="ccsp-banner"))
    reviewer = index.find(class_="ccsp-reviewer-banner") is not None
    summary = []
    dl = index.find("dl", class_="ccsp-summary")
    if dl is not None:
        summary = [(dt.get_text(" ", strip=True), dd.get_text(" ", strip=True))
                   for dt, dd in zip(dl.find_all("dt"), dl.find_all("dd"), strict=False)]
    sections = _contents(index) or [(p.name, p.stem) for p in sorted(output_dir.glob("[0-9]*.html"))]
    have = [(f, t) for f, t in sections if f and (output_dir / f).is_file()]
    files = {"index.html", *(f for f, _ in have)}
    parts = []
    if main is not None:
        for tag in (h1, meta_tag):
            if tag is not None:
                tag.decompose()
        for hid in ("contents", "run-summary"):  # each runs to the next h2 (the run summary to the end)
            head = main.find("h2", id=hid)
            while head is not None:
                after = head.find_next_sibling()
                head.decompose()
                head = after if after is not None and after.name != "h2" else None
        _rewrite(main, "index", files)
        heading = "Summary"
        parts.append(Part(_part_id("index"), heading, f'<h1 id="index--summary">{heading}</h1>' + main.decode_contents()))
    for file, section_title in have:
        page = BeautifulSoup((output_dir / file).read_text(encoding="utf-8"), "html.parser")
        body = page.find("main")
        if body is None:
            continue
        for tag in body.find_all(class_="ccsp-pagehead"):
            tag.decompose()
        _rewrite(body, Path(file).stem, files)
        parts.append(Part(_part_id(file), section_title, body.decode_contents()))
    report, _, year = title.partition(": ")
    left = " · ".join(x for x in (report, year) if x)
    right = " · ".join(x for x in ("Reviewer edition: not for publication" if reviewer else "",
                                   "Synthetic data" if synthetic else "") if x)
    return Assessment(title, meta, banners, summary, parts, [t for f, t in sections if (f, t) not in have],
                      left, right, reviewer)


def start_pages(pdf: Path, ids: Sequence[str]) -> dict[str, int]:
    """The page (from 1) on which each of ``ids`` starts in a printed combined document.

    Chromium makes each link target of the document a named destination of the PDF, and the
    contents page links every part, so each part's first page is its destination's page.
    """
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    dests = reader.named_destinations
    return {i: reader.get_destination_page_number(dests[f"/{i}"]) + 1 for i in ids if f"/{i}" in dests}


def _finish(partial: Path, pdf: Path, doc: Assessment) -> None:
    """Rewrite Chromium's PDF with the report's title and no dates (the same report prints to the same bytes)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(partial))  # pages, bookmarks, links and their destinations
    writer.metadata = None
    writer.add_metadata({"/Title": doc.title, "/Subject": doc.meta, "/Creator": f"ccsp-analysis {__version__}",
                         "/Producer": "ccsp-analysis (headless Chromium, pypdf)"})
    out = pdf.with_name(f".{pdf.name}.rewrite")
    with open(out, "wb") as fh:
        writer.write(fh)
    os.replace(out, pdf)


def print_assessment(chromium: Path, output_dir: Path, pdf: Path | None = None) -> Path:
    """Print a report folder as one document to ``pdf`` (default ``<output_dir>/pdf/assessment.pdf``).

    The document is printed until the contents' page numbers are the pages the parts start on
    (twice, unless the numbers move the pages: at most :data:`PASSES` times). The HTML is written
    into the report folder while it prints (so relative assets resolve) and removed after.
    """
    output_dir = Path(output_dir)
    pdf = Path(pdf) if pdf is not None else output_dir / "pdf" / ASSESSMENT
    pdf.parent.mkdir(parents=True, exist_ok=True)
    doc = assessment(output_dir)
    ids = [p.id for p in doc.parts]
    source = output_dir / f".{pdf.stem}.print.html"
    draft = pdf.with_name(f".{pdf.stem}.draft.pdf")
    numbers: dict[str, int] = {}
    try:
        for _ in range(PASSES):
            source.write_text(doc.html(numbers), encoding="utf-8")
            print_page(chromium, source, draft, ASSESSMENT_FLAGS)
            found = start_pages(draft, ids)
            if found == numbers:
                break
            numbers = found
        else:
            log.warning("the contents' page numbers of %s still moved after %d prints", pdf.name, PASSES)
        _finish(draft, pdf, doc)
    finally:
        source.unlink(missing_ok=True)
        draft.unlink(missing_ok=True)
    return pdf


def print_pdfs(output_dir: Path, progress: Callable[[str], None] | None = None, jobs: int = 2) -> list[Path]:
    """Print ``index.html`` and every section page of a report to ``<output_dir>/pdf/<page>.pdf``, and the
    whole report to ``<output_dir>/pdf/assessment.pdf`` (:func:`print_assessment`).

    Parameters
    ----------
    output_dir
        A report folder written by :func:`ccsp_analysis.report.run_year`.
    progress
        Called with a message per PDF printed.
    jobs
        Prints at once.

    Returns
    -------
    list of Path
        The PDFs, index first, then the sections in file-name order, then ``assessment.pdf``.
    """
    output_dir = Path(output_dir)
    pages = sorted(output_dir.glob("*.html"), key=lambda p: (p.name != "index.html", p.name))
    if not pages:
        raise RunError(f"no HTML pages to print in {output_dir}")
    chromium = find_chromium()
    folder = output_dir / "pdf"
    folder.mkdir(exist_ok=True)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        whole = pool.submit(print_assessment, chromium, output_dir, folder / ASSESSMENT)  # the longest: first
        futures = [pool.submit(print_page, chromium, p, folder / f"{p.stem}.pdf") for p in pages]
        done = []
        for future in [*futures, whole]:
            done.append(future.result())
            if progress:
                progress(f"printed {done[-1]}")
    return done
