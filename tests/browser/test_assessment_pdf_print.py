"""`ccsp run 2023-24 --pdf` writes one pdf/assessment.pdf: title page, contents with page numbers, running header,
"Page n of N" on every page; read back with pypdf (an independent PDF parser, not the code that printed it).

The report is a copy of the session's demo report in a temporary folder (the run reuses every section, so only
printing takes time); nothing is written into the project's outputs/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]
YEAR = "2023-24"
#: What the running header says on the demo year (the index's title split at its colon; the demo data is synthetic).
HEADER = ("Coventry Community Safety Partnership", "Strategic Assessment 2023/24", "Synthetic data")


def _text(page) -> str:
    """A page's text with ligatures (ﬁ, ﬀ) undone, as a reader would search it."""
    return unicodedata.normalize("NFKC", page.extract_text() or "")


@pytest.fixture(scope="module")
def printed(root, demo_report, chromium, tmp_path_factory) -> dict:
    """The demo report copied to a temporary folder and run again with --pdf through the CLI."""
    assert demo_report["returncode"] == 0, demo_report["stdout"] + demo_report["stderr"]
    out = tmp_path_factory.mktemp("pdfrun")
    folder = out / "coventry" / YEAR
    shutil.copytree(demo_report["dir"], folder)
    env = {**os.environ, "CCSP_CHROMIUM": str(chromium)}
    proc = subprocess.run([sys.executable, "-m", "ccsp_analysis.cli", "run", YEAR, "--outputs", str(out), "--pdf"],
                          cwd=root, capture_output=True, text=True, timeout=900, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    from pypdf import PdfReader

    pdf = folder / "pdf" / "assessment.pdf"
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    titles = [s["title"] for s in run["sections"] if (folder / s["file"]).is_file()]  # every section with a page
    reader = PdfReader(pdf)
    return {"folder": folder, "pdf": pdf, "stdout": proc.stdout, "titles": titles, "reader": reader,
            "texts": [_text(p) for p in reader.pages]}


def test_run_pdf_writes_assessment_pdf_beside_the_page_pdfs(printed):
    folder = printed["folder"]
    assert printed["pdf"].read_bytes().startswith(b"%PDF")
    assert f"printed {printed['pdf']}" in printed["stdout"]
    pages = {p.stem for p in folder.glob("*.html")}
    assert {p.stem for p in (folder / "pdf").glob("*.pdf")} == pages | {"assessment"}
    assert not list(folder.glob(".*.html")) and not list((folder / "pdf").glob(".*"))  # no print leftovers


def test_assessment_has_more_pages_than_sections(printed):
    # a title page, a contents page, the summary and one part per section, each starting on a new page
    assert len(printed["texts"]) > len(printed["titles"]) + 3


def test_every_page_has_the_running_header_and_page_n_of_n(printed):
    texts = printed["texts"]
    n = len(texts)
    for i, text in enumerate(texts, start=1):
        assert f"Page {i} of {n}" in text, (i, text[:200])
        for part in HEADER:
            assert part in text, (i, part, text[:200])
    assert "Page 1 of" in texts[0] and "Strategic Assessment 2023/24" in texts[0]


def test_contents_lists_every_section_with_the_page_it_starts_on(printed):
    texts = printed["texts"]
    contents = texts[1]
    assert "Contents" in contents
    found = []
    for title in ["Summary", *printed["titles"]]:
        m = re.search(re.escape(title) + r"[\s.]*?(\d+)\s*$", contents, flags=re.M)
        assert m, (title, contents)
        found.append((title, int(m.group(1))))
    numbers = [p for _, p in found]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers) and numbers[0] == 3, found
    for title, page in found:  # the part's own heading is on the page the contents gives
        body = texts[page - 1].split(f"Page {page} of {len(texts)}", 1)[1]
        assert title in body.replace("\n", " "), (title, page, body[:200])


def test_contents_entries_link_to_their_pages_and_headings_become_bookmarks(printed):
    reader = printed["reader"]
    dests = {name: reader.get_destination_page_number(d) + 1 for name, d in reader.named_destinations.items()}
    stems = [p.stem for p in sorted(printed["folder"].glob("[0-9]*.html"))]
    assert {f"/part-{s}" for s in stems} <= set(dests), sorted(dests)
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert "Data audit" in titles and "Summary" in titles


def test_printing_again_gives_the_same_bytes(printed, chromium):
    from ccsp_analysis.report.pdf import print_assessment

    again = print_assessment(chromium, printed["folder"], printed["folder"].parent / "again.pdf")
    assert again.read_bytes() == printed["pdf"].read_bytes()


def test_combined_document_loads_nothing_from_outside(printed, browser, screenshots):
    """The printable HTML (written where the print writes it) loads only file:// URLs, in print media; screenshot saved."""
    from ccsp_analysis.report.pdf import assessment

    folder = printed["folder"]
    path = folder / ".assessment-view.html"
    path.write_text(assessment(folder).html(), encoding="utf-8")
    external, errors = [], []
    context = browser.new_context(viewport={"width": 794, "height": 1123})

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.emulate_media(media="print")
    page.goto(path.as_uri(), wait_until="load")
    page.screenshot(path=str(screenshots / "print-assessment.png"), full_page=False)
    ids = page.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)")
    links = page.evaluate("() => [...document.querySelectorAll('a[href^=\"#\"]')].map(a => a.getAttribute('href').slice(1))")
    context.close()
    path.unlink()
    assert external == [] and errors == []
    assert len(ids) == len(set(ids)), "ids repeat across the combined pages"
    assert [x for x in links if x not in set(ids)] == []  # every link inside the document has its target
