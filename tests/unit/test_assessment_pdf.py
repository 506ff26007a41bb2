"""The combined document ``ccsp run --pdf`` prints (pdf/assessment.pdf), built from a small hand-written report
folder: parts in the index's order, ids made unique, links kept inside the document, the running header.
Printing itself is in tests/browser/test_assessment_pdf.py."""

from __future__ import annotations

import pytest

from ccsp_analysis.errors import RunError
from ccsp_analysis.report.pdf import assessment, css_string, find_chromium

INDEX = """<!DOCTYPE html><html><body>
<div class="ccsp-banner" role="note"><strong>Synthetic data.</strong> Every figure is synthetic.</div>
<header class="ccsp-top"><nav><a href="#contents">Contents</a></nav></header>
<main class="ccsp-main"><h1>Testtown Community Safety Partnership: Strategic Assessment 2023/24</h1>
<p class="ccsp-meta">Testtown · April 2023 to March 2024</p>
<h2 id="threats">Threats</h2><p>See <a href="02_b.html#Rates">rates</a>.</p>
<h2 id="contents">Contents</h2>
<ol class="ccsp-contents">
<li><a href="02_b.html">Bee section</a><ol><li><a href="02_b.html#Rates">Rates</a></li></ol></li>
<li><a href="01_a.html">Ay section</a></li>
<li>Failed section <strong>(failed)</strong></li>
</ol>
<h2 id="run-summary">Run summary</h2><dl class="ccsp-summary"><dt>Area</dt><dd>Testtown (E0)</dd></dl>
<p>Details: <a href="run.json">run.json</a></p>
</main></body></html>"""
PAGE = """<!DOCTYPE html><html><body><div class="ccsp-banner">Synthetic data.</div>
<main class="ccsp-main"><h1 id="{t}">{t}</h1><div class="ccsp-pagehead"><nav class="ccsp-toc">toc</nav></div>
<h2 id="Rates">Rates</h2><p><a href="#Rates">here</a> <a href="index.html">contents</a> <a href="{other}">other</a>
<a href="tables/x.csv">csv</a> <a href="https://example.org/">web</a></p></main>
<footer class="ccsp-footer">footer</footer></body></html>"""


@pytest.fixture()
def report(tmp_path):
    (tmp_path / "index.html").write_text(INDEX, encoding="utf-8")
    (tmp_path / "01_a.html").write_text(PAGE.format(t="Ay", other="02_b.html#Rates"), encoding="utf-8")
    (tmp_path / "02_b.html").write_text(PAGE.format(t="Bee", other="01_a.html"), encoding="utf-8")
    return tmp_path


def test_parts_follow_the_index_and_a_failed_section_is_listed_without_a_page(report):
    doc = assessment(report)
    assert doc.title == "Testtown Community Safety Partnership: Strategic Assessment 2023/24"
    assert [(p.id, p.title) for p in doc.parts] == [("part-index", "Summary"), ("part-02_b", "Bee section"),
                                                    ("part-01_a", "Ay section")]
    assert doc.missing == ["Failed section"]
    assert doc.summary == [("Area", "Testtown (E0)")]


def test_running_header_names_the_partnership_the_year_and_synthetic_data(report):
    doc = assessment(report)
    assert doc.header_left == "Testtown Community Safety Partnership · Strategic Assessment 2023/24"
    assert doc.header_right == "Synthetic data"
    assert 'content: "Testtown Community Safety Partnership · Strategic Assessment 2023/24";' in doc.html()


def test_ids_are_prefixed_and_links_stay_inside_the_document(report):
    parts = {p.id: p.html for p in assessment(report).parts}
    a, summary = parts["part-01_a"], parts["part-index"]
    assert 'id="01_a--Rates"' in a and 'href="#01_a--Rates"' in a       # its own anchor
    assert 'href="#02_b--Rates"' in a and 'href="#part-index"' in a    # another page's anchor; the index
    assert "<a>csv</a>" in a and 'href="https://example.org/"' in a    # a file outside the document: text only
    assert "ccsp-pagehead" not in a and "footer" not in a
    assert 'href="#02_b--Rates"' in summary                            # the index's links too
    assert "Run summary" not in summary and "ccsp-contents" not in summary and "run.json" not in summary


def test_contents_shows_page_numbers_when_known(report):
    doc = assessment(report)
    html = doc.html({"part-index": 3, "part-02_b": 5, "part-01_a": 9})
    assert '<span class="ccsp-doc-page">5</span>' in html and '<span class="ccsp-doc-page">9</span>' in html
    assert "Failed section: no page" in html


def test_css_string_escapes_quotes_backslashes_and_the_end_of_the_style_element():
    assert css_string('A "b" \\ </style>') == '"A \\"b\\" \\\\ \\3C /style>"'


def test_no_report_or_no_chromium_is_a_clear_error(tmp_path, monkeypatch):
    with pytest.raises(RunError, match="no index.html"):
        assessment(tmp_path)
    monkeypatch.setenv("CCSP_CHROMIUM", str(tmp_path / "nothing"))
    with pytest.raises(RunError, match="CCSP_CHROMIUM"):
        find_chromium()
    monkeypatch.delenv("CCSP_CHROMIUM")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RunError, match="apt-get install chromium"):
        find_chromium()


def test_reviewer_edition_says_so_in_the_running_header(report):
    index = (report / "index.html").read_text(encoding="utf-8")
    (report / "index.html").write_text(index.replace(
        "<header", '<div class="ccsp-banner ccsp-reviewer-banner">Reviewer edition: not for publication.</div><header', 1),
        encoding="utf-8")
    doc = assessment(report)
    assert doc.reviewer and doc.header_right == "Reviewer edition: not for publication · Synthetic data"
