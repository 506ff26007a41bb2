"""Every page of the public and reviewer builds in a real Chromium, from file:// with the network blocked."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: What nbconvert writes when an image has no alt text of its own.
NBCONVERT_ALT = "No description has been provided for this image"
A4_TEXT_WIDTH_PX = round((210 - 2 * 15) / 25.4 * 96)  # A4 less the 15 mm side margins of static.css, at 96 px/in

COLLECT = """() => ({
  lang: document.documentElement.getAttribute('lang'),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
  images: [...document.images].map(i => ({alt: i.getAttribute('alt'), loaded: i.complete && i.naturalWidth > 0,
                                          src: (i.getAttribute('src') || '').slice(0, 40)})),
  headings: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => Number(h.tagName[1])),
  tables: [...document.querySelectorAll('table')].map(t => ({
      caption: t.caption ? t.caption.textContent.trim() : '',
      colheads: t.querySelectorAll('thead th[scope=col]').length})),
  toggles: document.querySelectorAll('details.ccsp-code').length,
})"""


@dataclass
class Visit:
    """What one page did when opened offline, and what its DOM holds."""

    build: str
    path: Path
    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dom: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.build}:{self.path.name}"


def open_offline(browser, path: Path, visit: Visit, media: str = "screen", width: int = 1200):
    """A page on ``path`` in a fresh context where every non-file request is aborted and recorded."""
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=True)

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            visit.external.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: visit.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: visit.errors.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: visit.errors.append(f"failed: {r.url}") if r.url.startswith("file:") else None)
    page.emulate_media(media=media)
    page.goto(path.as_uri(), wait_until="load")
    return context, page


@pytest.fixture(scope="session")
def visits(browser, builds, screenshots) -> list[Visit]:
    """Open every page of both builds once; save a screenshot of each for human review."""
    shots = screenshots
    out = []
    for build in ("public", "reviewer"):
        for path in sorted(builds[build].glob("*.html")):
            visit = Visit(build, path)
            context, page = open_offline(browser, path, visit)
            visit.dom = page.evaluate(COLLECT)
            prefix = "" if build == "public" else "reviewer-"
            page.screenshot(path=str(shots / f"{prefix}{path.stem}.png"), full_page=True)
            context.close()
            out.append(visit)
    return out


def test_every_page_visited(visits, builds):
    names = {v.path.name for v in visits if v.build == "public"}
    assert "index.html" in names and len(names) >= 3, names
    reviewer = {v.path.name for v in visits if v.build == "reviewer"}
    assert "index.html" in reviewer and len(reviewer) >= 3 and reviewer <= names


def test_no_request_leaves_the_page(visits):
    assert {v.name: v.external for v in visits if v.external} == {}


def test_no_console_errors(visits):
    assert {v.name: v.errors for v in visits if v.errors} == {}


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.ids.update(v for k, v in attrs if k == "id" and v)


def test_every_internal_link_and_anchor_resolves(visits):
    ids = {v.path: set(v.dom["ids"]) for v in visits}
    broken = []
    for v in visits:
        for href in v.dom["links"]:
            parts = urlsplit(href)
            assert not parts.scheme and not parts.netloc, f"{v.name}: external link {href}"
            target = (v.path.parent / unquote(parts.path)).resolve() if parts.path else v.path
            if not target.exists():
                broken.append(f"{v.name}: {href} (no file)")
                continue
            if parts.fragment:
                if target not in ids:
                    parser = _Ids()
                    parser.feed(target.read_text(encoding="utf-8"))
                    ids[target] = parser.ids
                if unquote(parts.fragment) not in ids[target]:
                    broken.append(f"{v.name}: {href} (no such anchor)")
    assert broken == []


def test_ids_are_unique(visits):
    dupes = {v.name: sorted({i for i in v.dom["ids"] if v.dom["ids"].count(i) > 1}) for v in visits}
    assert {k: d for k, d in dupes.items() if d} == {}


def test_every_image_loads_and_has_alt_text(visits):
    bad = [(v.name, img) for v in visits for img in v.dom["images"]
           if not img["loaded"] or not (img["alt"] or "").strip() or img["alt"] == NBCONVERT_ALT]
    assert bad == []


def test_accessible_structure(visits):
    problems = []
    for v in visits:
        levels = v.dom["headings"]
        if v.dom["lang"] != "en-GB":
            problems.append(f"{v.name}: lang={v.dom['lang']}")
        if levels.count(1) != 1 or levels[0] != 1:
            problems.append(f"{v.name}: needs exactly one h1, first: {levels}")
        skips = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
        if skips:
            problems.append(f"{v.name}: heading levels skip {skips}")
        for t in v.dom["tables"]:
            if not t["caption"] or not t["colheads"]:
                problems.append(f"{v.name}: table without caption or column headers: {t}")
    assert problems == []


def test_public_build_has_no_code_and_reviewer_build_folds_it(visits):
    assert all(v.dom["toggles"] == 0 for v in visits if v.build == "public")
    # every notebook-built page folds its code; the appendix is generated from docs/methods.md and has none
    sections = [v for v in visits if v.build == "reviewer" and v.path.name not in ("index.html", "10_appendix.html")]
    assert sections and all(v.dom["toggles"] > 0 for v in sections)


def test_show_code_toggle_reveals_the_code(browser, builds, screenshots):
    path = sorted(p for p in builds["reviewer"].glob("*.html") if p.name != "index.html")[0]
    visit = Visit("reviewer", path)
    context, page = open_offline(browser, path, visit)
    toggle = page.locator("details.ccsp-code").first
    source = toggle.locator(".ccsp-source")
    assert source.is_hidden()
    assert toggle.locator("summary").inner_text().strip() == "Show code"
    toggle.locator("summary").click()
    source.wait_for(state="visible")
    assert "import" in source.inner_text() or source.inner_text().strip()
    assert toggle.locator("summary").inner_text().strip() == "Hide code"
    page.screenshot(path=str(screenshots / f"reviewer-{path.stem}-code-shown.png"))
    context.close()
    assert visit.errors == [] and visit.external == []


def test_print_layout_and_pdf(browser, builds, visits, screenshots):
    """Print media hides the navigation and fits the A4 text width; each page prints to an A4 PDF.

    Screenshots of the print layout are saved beside the others (``print-<page>.png``).
    """
    for path in sorted(builds["public"].glob("*.html")):
        visit = Visit("print", path)
        context, page = open_offline(browser, path, visit, media="print", width=A4_TEXT_WIDTH_PX)
        if page.locator(".ccsp-top").count():
            assert page.locator(".ccsp-top").is_hidden(), path.name
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path.name}: {overflow} px wider than the A4 text width"
        page.screenshot(path=str(screenshots / f"print-{path.stem}.png"), full_page=True)
        pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
        context.close()
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") > pdf.count(b"/Type /Pages"), path.name
        assert visit.errors == [] and visit.external == [], path.name


def test_ccsp_print_pdfs_with_chromium(chromium, builds, tmp_path, monkeypatch):
    """`ccsp run --pdf` prints through headless Chromium's own --print-to-pdf."""
    from ccsp_analysis.report.pdf import print_pdfs

    monkeypatch.setenv("CCSP_CHROMIUM", str(chromium))
    for name in ("index.html", sorted(p.name for p in builds["public"].glob("0*.html"))[0]):
        shutil.copy(builds["public"] / name, tmp_path / name)
    pdfs = print_pdfs(tmp_path)
    # the two pages, then the whole report (tests/browser/test_assessment_pdf.py reads it)
    assert [p.name for p in pdfs][0] == "index.pdf" and [p.name for p in pdfs][-1] == "assessment.pdf" and len(pdfs) == 3
    assert all(p.read_bytes().startswith(b"%PDF") for p in pdfs)
    assert not list((tmp_path / "pdf").glob(".*partial")) and not list(tmp_path.glob(".*.html"))


NOTE_RIGHT = """() => {
  const t = [...document.querySelectorAll('table')].find(t => t.caption && t.caption.textContent.includes('Published against reproduced'));
  const heads = [...t.querySelectorAll('thead th')];
  const note = heads[heads.length - 1];
  const wrap = t.closest('.ccsp-table-wrap');
  return {note: note.textContent.trim(), right: note.getBoundingClientRect().right, width: window.innerWidth,
          hidden: wrap.scrollWidth - wrap.clientWidth};
}"""


@pytest.mark.parametrize("media,width", [("screen", 1280), ("print", A4_TEXT_WIDTH_PX)])
def test_reconciliation_note_column_is_visible(browser, builds, screenshots, media, width):
    """At 1280 px and in print the reconciliation's last column (its note) is on the page, not scrolled off."""
    path = builds["public"] / "09_reconciliation.html"
    visit = Visit(media, path)
    context, page = open_offline(browser, path, visit, media=media, width=width)
    got = page.evaluate(NOTE_RIGHT)
    page.screenshot(path=str(screenshots / f"{media}-{width}-reconciliation.png"), full_page=True)
    context.close()
    assert got["note"] == "Note"
    assert got["right"] <= got["width"] and got["hidden"] <= 0, got


def test_reconciliation_names_figures_in_words_and_links_their_page(builds):
    page = (builds["public"] / "09_reconciliation.html").read_text(encoding="utf-8")
    assert '<a href="01_key_findings.html">Key findings</a>' in page
    assert "Assault and battery influenced by drugs or alcohol" in page or "Assault and battery" in page
    assert ">assault_battery_drug_alcohol_share<" not in page  # the id is in the CSV, not the page


def test_no_heading_has_a_pilcrow_and_the_index_puts_findings_first(builds):
    import re

    for path in builds["public"].glob("*.html"):
        for heading in re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", path.read_text(encoding="utf-8"), flags=re.S):
            assert "¶" not in heading and "&#182;" not in heading and "&para;" not in heading, (path.name, heading)
    index = (builds["public"] / "index.html").read_text(encoding="utf-8")
    assert index.index('id="key-findings"') < index.index('id="contents"')
