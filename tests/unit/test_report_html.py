"""Tests for the report's HTML: the nbconvert template, page post-processing, navigation, tables, CSS.

Notebooks here are built by hand with their outputs already in place, so no kernel runs.
Expected HTML fragments are written out from the template and the issue's requirements.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from ccsp_analysis import disclosure
from ccsp_analysis.presentation import tables
from ccsp_analysis.report import html, pages

NAV = [{"href": "index.html", "text": "Contents", "rel": "contents"},
       {"href": "01_b.html", "text": "Next: B", "rel": "next"}]


class _Page(HTMLParser):
    """Headings (level, id, text), ids, tags and scripts of a page."""

    def __init__(self, text: str):
        super().__init__()
        self.headings: list[list] = []
        self.ids: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self._in: list | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.append(a["id"])
        if re.fullmatch(r"h[1-6]", tag):
            self._in = [int(tag[1]), a.get("id"), ""]
            self.headings.append(self._in)

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag):
            self._in = None

    def handle_data(self, data):
        if self._in is not None:
            self._in[2] += data


def notebook(h1: bool = True) -> nbformat.NotebookNode:
    """A small executed section notebook: title, parameters, a table, a warning, duplicate headings."""
    cells = [
        new_markdown_cell(("# Alpha section\n\n" if h1 else "") + "Intro text."),
        new_code_cell('params_path = "../params/2023-24.yaml"', metadata={"tags": ["parameters"]}),
        new_code_cell('params_path = "/abs/params.yaml"', metadata={"tags": ["injected-parameters"]}),
        new_code_cell("from ccsp_analysis.presentation import tables\nsetup_done = True"),
        new_markdown_cell("## Counts\n\nSome counts.\n\n### Detail"),
        new_code_cell("tables.show(frame)", outputs=[
            new_output("stream", name="stderr", text="FutureWarning: something internal\n"),
            new_output("execute_result", data={"text/html": "<table><caption>Cap</caption><thead><tr>"
                                               "<th scope=\"col\">N</th></tr></thead><tbody><tr><td>1,234</td>"
                                               "</tr></tbody></table>", "text/plain": "Table"},
                       execution_count=3)]),
        new_markdown_cell("## Notes\n\nFirst."),
        new_markdown_cell("## Notes\n\nSecond."),
        new_code_cell("secret_helper()", metadata={"tags": ["remove-cell"]}),
    ]
    nb = new_notebook(cells=cells, metadata={"papermill": {"duration": 1.5}})
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"orig-{i}"
    return nb


def render(audience: str = "public", nb=None, mathjax=None) -> html.RenderedPage:
    return html.render_section(nb or notebook(), title="Alpha section · Coventry 2023-24", nav=NAV,
                               params_html=html.params_block([("Area", "Coventry"), ("Period", "2023/24")]),
                               synthetic=True, footer="ccsp-analysis test", audience=audience, mathjax=mathjax)


def test_public_page_is_self_contained_codeless_and_accessible():
    page = render("public")
    text, parsed = page.html, _Page(page.html)
    assert text.startswith("<!DOCTYPE html>") and '<html lang="en-GB">' in text
    assert "<script" not in text and "http://" not in text and "https://" not in text
    assert not re.search(r"@import|url\(", text)
    assert "Synthetic data." in text and "Run parameters" in text
    # no code, no warnings, no parameter or removed cells
    for hidden in ("setup_done", "params_path", "FutureWarning", "secret_helper", "tables.show", "Show code"):
        assert hidden not in text, hidden
    assert "In&nbsp;[" not in text and "Out[" not in text  # no prompts
    assert [h[0] for h in parsed.headings] == [1, 2, 3, 2, 2]
    assert parsed.headings[0][1:] == ["Alpha-section", "Alpha section"]


def test_duplicate_headings_get_unique_ids_and_the_toc_links_them():
    page = render()
    ids = [h.id for h in page.headings]
    assert ids == ["Alpha-section", "Counts", "Detail", "Notes", "Notes-2"]
    parsed = _Page(page.html)
    assert len(parsed.ids) == len(set(parsed.ids))
    toc = re.search(r'<nav aria-label="On this page" class="ccsp-toc">(.*?)</nav>', page.html, re.S).group(1)
    assert re.findall(r'href="#([^"]+)"', toc) == ["Counts", "Detail", "Notes", "Notes-2"]
    assert '<li><a href="#Counts">Counts</a><ol><li><a href="#Detail">Detail</a></li></ol></li>' in toc


def test_contents_and_parameters_come_after_the_title_and_introduction():
    text = render().html
    assert text.index("<h1") < text.index("Intro text.") < text.index("On this page") < text.index("Run parameters")
    assert text.index("Run parameters") < text.index('id="Counts"')


def test_navigation_and_footer_on_the_page():
    text = render().html
    assert '<a href="index.html">Contents</a>' in text and '<a href="01_b.html" rel="next">Next: B</a>' in text
    assert 'class="ccsp-skip" href="#ccsp-content"' in text and 'id="ccsp-content"' in text
    assert "ccsp-analysis test" in text


def test_reviewer_page_folds_code_behind_show_code():
    text = render("reviewer").html
    assert text.count('<details class="ccsp-code">') == 2  # setup and table cells; parameters removed
    assert "Show code" in text and "Hide code" in text
    assert "setup_done" in text and "FutureWarning" in text  # reviewers see code and warnings
    assert "params_path" not in text and "secret_helper" not in text
    assert ".highlight" in text and "<script" not in text
    assert "jp-InputArea-editor" not in text


def test_rendering_is_deterministic():
    assert render().html == render().html
    assert render("reviewer").html == render("reviewer").html


def test_missing_h1_is_added_from_the_title():
    page = render(nb=notebook(h1=False))
    assert [(h.level, h.text) for h in page.headings][:1] == [(1, "Alpha section")]
    assert _Page(page.html).headings[0][0] == 1


def test_prepare_keeps_only_what_the_audience_sees_with_stable_ids():
    nb = notebook()
    public, reviewer = html.prepare(nb, "public"), html.prepare(nb, "reviewer")
    assert [c.cell_type for c in public.cells] == ["markdown", "markdown", "code", "markdown", "markdown"]
    assert [c.id for c in public.cells] == ["c01", "c02", "c03", "c04", "c05"]
    assert public.cells[2].source == "" and [o.output_type for o in public.cells[2].outputs] == ["execute_result"]
    assert len(reviewer.cells) == 6 and reviewer.cells[1].source.startswith("from ccsp_analysis")
    assert len(nb.cells) == 9  # the input is not modified


def test_strip_execution_metadata_fixes_the_injected_cell_id():
    nb = notebook()
    nb.cells[3].metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00"}
    out = html.strip_execution_metadata(nb)
    assert "papermill" not in out.metadata and "execution" not in out.cells[3].metadata
    assert out.cells[2].id == "injected-parameters"


@pytest.mark.parametrize(("source", "expected"), [
    ("Rate is $r = c / p$ per person.", True), ("$$\\sum_i x_i$$", True), ("As \\(x\\) grows", True),
    ("It cost £5 and 10% more.", False), ("No math here.", False), ("Price $ 5", False),
])
def test_uses_math(source, expected):
    assert html.uses_math(new_notebook(cells=[new_markdown_cell(source)])) is expected


def test_mathjax_only_from_a_local_copy(tmp_path, monkeypatch):
    monkeypatch.setattr(html, "MATHJAX_DIRS", ())
    monkeypatch.delenv("CCSP_MATHJAX", raising=False)
    assert html.local_mathjax() is None
    (tmp_path / "tex-chtml.js").write_text("// stand-in")
    monkeypatch.setenv("CCSP_MATHJAX", str(tmp_path))
    assert html.local_mathjax() == tmp_path
    text = render(mathjax="assets/mathjax/tex-chtml.js").html
    assert '<script src="assets/mathjax/tex-chtml.js"></script>' in text and "https://" not in text


def test_params_block_escapes():
    assert html.params_block([("A<b", "x & y")]) == (
        "<details open><summary>Run parameters</summary><dl><dt>A&lt;b</dt><dd>x &amp; y</dd></dl></details>")


class _S:
    def __init__(self, name, title):
        self.name, self.title, self.file = name, title, f"{name}.html"


def test_navigation_previous_next_contents():
    s = [_S("00_a", "A"), _S("01_b", "B"), _S("02_c", "C")]
    assert [link["rel"] for link in pages.navigation(s, 0)] == ["contents", "next"]
    assert pages.navigation(s, 1) == [{"href": "index.html", "text": "Contents", "rel": "contents"},
                                      {"href": "00_a.html", "text": "Previous: A", "rel": "prev"},
                                      {"href": "02_c.html", "text": "Next: C", "rel": "next"}]
    assert [link["text"] for link in pages.navigation(s, 2)] == ["Contents", "Previous: B"]
    assert [link["rel"] for link in pages.navigation(s[:1], 0)] == ["contents"]


class _Outcome:
    def __init__(self, name, title, status):
        self.name, self.title, self.file, self.status, self.cell, self.error = name, title, f"{name}.html", status, None, None
        self.reused = self.page_reused = False
        self.execution_key, self.page_key, self.headings = f"key-{name}", None, []


def test_write_sections_keeps_last_good_pages_and_links_only_existing_ones(tmp_path):
    from types import SimpleNamespace

    staging, target = tmp_path / "staging", tmp_path / "target"
    (staging / "notebooks").mkdir(parents=True)
    target.mkdir()
    nbformat.write(notebook(), staging / "notebooks" / "00_a.ipynb")
    (target / "02_c.html").write_text("last good page")
    outcomes = [_Outcome("00_a", "A", "ok"), _Outcome("01_b", "B", "failed"), _Outcome("02_c", "C", "failed")]
    params = SimpleNamespace(area=SimpleNamespace(name="Coventry"), period="2023-24", synthetic=False)
    reused = pages.write_sections(params, outcomes, [("Area", "Coventry")], "foot", target, staging, "public",
                                  "package-hash", {})
    assert reused == []
    page = (staging / "00_a.html").read_text()
    assert '<a href="02_c.html" rel="next">Next: C</a>' in page and "01_b.html" not in page
    assert "Synthetic data." not in page
    assert (staging / "02_c.html").read_text() == "last good page" and not (staging / "01_b.html").exists()
    assert [o.status for o in outcomes] == ["ok", "failed", "failed (previous page kept)"]
    assert [h[1] for h in outcomes[0].headings][:2] == ["Alpha-section", "Counts"]
    # the notebook written back has no papermill metadata
    assert "papermill" not in nbformat.read(staging / "notebooks" / "00_a.ipynb", as_version=4).metadata


def test_write_sections_reuses_a_page_whose_key_is_unchanged(tmp_path):
    from types import SimpleNamespace

    staging, target = tmp_path / "staging", tmp_path / "target"
    (staging / "notebooks").mkdir(parents=True)
    target.mkdir()
    nbformat.write(notebook(), staging / "notebooks" / "00_a.ipynb")
    params = SimpleNamespace(area=SimpleNamespace(name="Coventry"), period="2023-24", synthetic=False)
    first = [_Outcome("00_a", "A", "ok")]
    pages.write_sections(params, first, [("Area", "Coventry")], "foot", target, staging, "public", "pkg", {})
    # the first build becomes the previous report; a second build with the same keys reuses its page
    staging.rename(target2 := tmp_path / "previous")
    (staging / "notebooks").mkdir(parents=True)
    nbformat.write(notebook(), staging / "notebooks" / "00_a.ipynb")
    previous = {"00_a": {"page_key": first[0].page_key, "headings": first[0].headings}}
    second = [_Outcome("00_a", "A", "ok")]
    assert pages.write_sections(params, second, [("Area", "Coventry")], "foot", target2, staging, "public", "pkg",
                                previous) == ["00_a"]
    assert second[0].page_reused and (staging / "00_a.html").read_bytes() == (target2 / "00_a.html").read_bytes()
    # a different footer (e.g. another dataset) changes the key: the page is rendered again
    third = [_Outcome("00_a", "A", "ok")]
    (staging / "00_a.html").unlink()
    assert pages.write_sections(params, third, [("Area", "Coventry")], "other foot", target2, staging, "public",
                                "pkg", previous) == []
    assert "other foot" in (staging / "00_a.html").read_text()


# ---- tables: readable numbers, suppressed cells, legends ----

def test_table_numbers_aligned_with_separators_and_caption():
    frame = pd.DataFrame({"ward": ["Foleshill"], "n": [38508], "pct": [9.06], "rate": [None]})
    out = tables.show(frame, "Crimes", {"ward": ("Ward", "text"), "n": ("Crimes", "count"), "pct": ("Share", "pct"),
                                        "rate": ("Rate", "rate")})._repr_html_()
    assert "<caption>Crimes</caption>" in out and '<th scope="row">Foleshill</th>' in out
    assert '<th scope="col" class="num" style="text-align:right">Crimes</th>' in out
    assert '<td class="num" style="text-align:right">38,508</td>' in out and ">9.1%</td>" in out
    assert ">–</td>" in out and "– = not applicable or not available" in out and "[c]" not in out


def test_suppressed_cells_show_c_with_a_legend():
    counts = pd.DataFrame({"female": [12, 3], "male": [20, 9]}, index=pd.Index(["Foleshill", "Henley"], name="ward"))
    result = disclosure.suppress(counts, threshold=5)
    # by hand: 3 < 5 is hidden; its row would give it away, so 9 goes; its column, so 12 goes;
    # then 20 is the lone hidden cell's partner in the first row: all four cells are hidden.
    out = tables.show(result, "Victims by sex", {"ward": ("Ward", "text"), "female": ("Female", "count"),
                                                 "male": ("Male", "count")})._repr_html_()
    assert out.count(">[c]</td>") == 4 and '<th scope="row">Henley</th>' in out
    assert 'class="num ccsp-suppressed"' in out
    assert "[c] = suppressed to protect individuals" in out and "– =" not in out


def test_pd_na_in_numbers_is_suppressed_none_and_nan_are_not_applicable():
    frame = pd.DataFrame({"area": ["A", "B", pd.NA], "n": pd.array([pd.NA, 7, 3], dtype="Int64"),
                          "pct": [None, 50.0, float("nan")]})
    cols = {"area": ("Area", "text"), "n": ("N", "count"), "pct": ("%", "pct")}
    out = tables.show(frame, "Cap", cols)._repr_html_()
    assert out.count(">[c]</td>") == 1 and out.count(">–<") == 3  # pd.NA text is not a suppressed count
    assert "[c] = suppressed" in out and "– = not applicable" in out


def test_suppressed_mask_argument_and_old_signature():
    frame = pd.DataFrame({"area": ["A", "B"], "n": [4, 7]})
    plain = tables.show(frame, "Cap", {"area": ("Area", "text"), "n": ("N", "count")})._repr_html_()
    assert ">4</td>" in plain and "[c]" not in plain and "ccsp-legend" not in plain
    masked = tables.show(frame, "Cap", {"area": ("Area", "text"), "n": ("N", "count")}, "A note",
                         suppressed=pd.DataFrame({"n": [True, False]}))._repr_html_()
    assert ">[c]</td>" in masked and ">7</td>" in masked and '<p class="ccsp-note">A note</p>' in masked
    with pytest.raises(ValueError, match="rows"):
        tables.show(frame, "Cap", {"n": ("N", "count")}, suppressed=pd.DataFrame({"n": [True]}))


def test_long_text_columns_get_room():
    frame = pd.DataFrame({"id": ["x"], "note": ["a note that is certainly longer than forty characters"]})
    out = tables.show(frame, "Cap", {"id": ("Id", "text"), "note": ("Note", "text")})._repr_html_()
    assert '<th scope="col" class="wide">Note</th>' in out and '<td class="wide">' in out


# ---- the stylesheet: nothing fetched, print rules, contrast ----

def _luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance, from the specification."""
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_stylesheet_loads_nothing_and_prints_to_a4():
    assert not re.search(r"@import|url\(|@font-face", html.CSS)
    assert "@media print" in html.CSS and "size: A4" in html.CSS


def test_text_colours_reach_wcag_aa_contrast():
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", html.CSS))
    white = "#ffffff"
    # (text, background) pairs the stylesheet uses for text
    pairs = [("ink", white), ("muted", white), ("accent", white), ("visited", white), ("ink", "banner"),
             ("ink", "panel"), ("accent", "panel"), ("muted", "panel"), ("ink", "focus")]
    for fg, bg in pairs:
        ratio = _contrast(colours[fg], colours.get(bg, bg))
        assert ratio >= 4.5, f"{fg} on {bg}: {ratio:.2f}"
    assert _contrast(colours["alert"], white) >= 3  # the failure box border (non-text)


def test_number_kind_keeps_written_decimals():
    # mixed reconciliation column: whole numbers get separators, decimals stay as written, text as is
    from ccsp_analysis.presentation.tables import _cell

    assert [_cell(v, "number") for v in (38508, -201, 9.0, 51.52, 83.482, "A; B")] == [
        "38,508", "-201", "9.0", "51.52", "83.482", "A; B"]


def test_text_in_a_number_column_can_wrap():
    import pandas as pd

    from ccsp_analysis.presentation import tables

    page = tables.show(pd.DataFrame({"v": [38508, "Environmental ASB; ASB; Motor vehicle / theft"]}), "c",
                       {"v": ("Value", "number")})._repr_html_()
    assert '<th scope="row" class="num-text">Environmental ASB' in page  # wraps: not the nowrap numeric class
