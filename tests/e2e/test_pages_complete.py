"""Every default run's pages are complete: each reproduced figure is on a page, and no table is empty.

For each default run (2023-24, 2022-23 and the 2015-16 performance report; issue 12 items 5 and 6):

- every figure the reconciliation marks "reproduced" appears, written as the pages write numbers, in the
  visible text of the section page the reconciliation links it to (never the reconciliation itself);
- no page has a ``<table>`` whose body has no rows, and no ``tables/*.csv`` is a header alone.

The expected strings are written here from the rules of the report's number formats (thousands
separators; one decimal and a % sign for percentages; a rate at the decimals its document printed),
with Python's ``decimal`` module, not with the formatting code under test. 2023-24 is the session's
CLI build (``demo_report``); the other two are built here once, with the real runner.
"""

from __future__ import annotations

import csv
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

YEARS = ("2023-24", "2022-23", "2015-16")
PERCENT_KINDS = ("share", "pct", "pct_change")


@pytest.fixture(scope="module")
def report(default_report):
    """The report folder of a default year, built once per session (tests/conftest.py)."""
    return default_report


# --- what a reader sees ------------------------------------------------------------------------

def visible_text(page: Path) -> str:
    """The text a reader sees on ``page``: no scripts, styles, templates or hidden elements; cells apart."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["script", "style", "template", "noscript"]):
        tag.decompose()
    for tag in soup.select("[hidden], [aria-hidden=true]"):
        tag.decompose()
    return re.sub(r"\s+", " ", soup.get_text(" "))


def written(value: float, decimals: int) -> str:
    """``value`` rounded half away from zero to ``decimals`` places with thousands separators, no sign."""
    q = abs(Decimal(repr(float(value)))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{q:,.{decimals}f}"


def decimals_of(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def expected_strings(kind: str, reproduced: str, published: str) -> list[str]:
    """Ways the page may write a reproduced figure (any one will do); its sign is left to the words."""
    if kind == "list":
        return ["; ".join(p.strip() for p in reproduced.split(";"))]
    value = float(reproduced)
    if kind in ("count", "money"):
        return [written(value, 0)]
    if kind == "rate":  # at the precision the document printed (83.482)
        return [written(value, max(1, decimals_of(published)))]
    # a percentage: one decimal, or the document's own precision where it printed more (51.52)
    ways = [written(value, 1) + "%"]
    if decimals_of(published) > 1:
        ways.append(written(value, decimals_of(published)) + "%")
    return ways


def found(text: str, kind: str, shown: str) -> bool:
    """``shown`` in ``text`` as a number on its own (13.5% is not found in 113.5%, 8 not in 8,209)."""
    if kind == "list":
        return all(item.strip() in text for item in shown.split(";"))
    return re.search(r"(?<![\d.,])" + re.escape(shown) + r"(?![\d]|[.,]\d)", text) is not None


def published_kinds(published: dict) -> dict[str, str]:
    """Figure id -> kind, from the published figures file (the independent reference)."""
    kinds: dict[str, str] = {}

    def walk(node):
        if isinstance(node, dict):
            if "id" in node and "value" in node:
                kinds.setdefault(node["id"], node.get("kind", "count"))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(published)
    return kinds


def reconciliation_rows(folder: Path) -> list[dict]:
    """The reconciliation as the reviewer reads it (label, page link, values, status); [] when there is none."""
    path = folder / "tables" / "09_reconciliation-reconciliation_view.csv"
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# --- 5. every reproduced figure is on a page ---------------------------------------------------

def test_the_writing_rules_here():
    """The test's own formats, by hand: separators, half up, one decimal for percentages, a rate as printed."""
    assert expected_strings("count", "38508", "38508") == ["38,508"]
    assert expected_strings("money", "492478.0", "492478") == ["492,478"]
    assert expected_strings("share", "20.55", "20.6") == ["20.6%"]
    assert expected_strings("pct_change", "-10.1", "-10.1") == ["10.1%"]
    assert expected_strings("pct", "51.52", "51.52") == ["51.5%", "51.52%"]
    assert expected_strings("rate", "83.482", "83.482") == ["83.482"]
    assert found("fell by 13.5% (1,004 against", "pct_change", "13.5%")
    assert not found("rose 113.5% in", "pct_change", "13.5%")
    assert not found("8,209 crimes", "count", "8")
    assert found("There were 8 homicides.", "count", "8")
    assert found("CDVASS referrals: 1,083.", "count", "1,083")


@pytest.mark.parametrize("year", YEARS)
def test_every_reproduced_figure_is_on_its_page(report, published, year):
    folder = report(year)
    kinds = published_kinds(published)
    texts: dict[str, str] = {}
    missing, unlinked = [], []
    rows = [r for r in reconciliation_rows(folder) if r["status"] == "reproduced"]
    for r in rows:
        href = r["href"]
        if not href or href.startswith("09_reconciliation") or not (folder / href).is_file():
            unlinked.append((r["id"], href))
            continue
        if href not in texts:
            texts[href] = visible_text(folder / href)
        kind = kinds.get(r["id"], "count")
        ways = expected_strings(kind, r["reproduced"], r["published"])
        if not any(found(texts[href], kind, w) for w in ways):
            missing.append((r["id"], href, ways))
    assert unlinked == [], f"reproduced figures without a section page: {unlinked}"
    assert missing == [], "reproduced figures not on their page:\n" + "\n".join(map(str, missing))
    if year != "2022-23":  # no document publishes 2022/23 figures (see the reconciliation test below)
        assert len(rows) >= 15, f"only {len(rows)} reproduced figures: the reconciliation did not run as it should"


# --- 6. no empty tables ------------------------------------------------------------------------

@pytest.mark.parametrize("year", YEARS)
def test_no_page_has_an_empty_table(report, year):
    from bs4 import BeautifulSoup

    folder = report(year)
    empty = []
    pages = sorted(folder.glob("*.html"))
    assert len(pages) >= 4, pages
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for t in soup.find_all("table"):
            body = t.find_all("tbody")
            rows = [tr for b in body for tr in b.find_all("tr")] if body else [
                tr for tr in t.find_all("tr") if tr.find("td")]
            if not rows:
                empty.append((page.name, t.caption.get_text(" ", strip=True) if t.caption else ""))
    assert empty == []


@pytest.mark.parametrize("year", YEARS)
def test_no_csv_is_a_header_alone(report, year):
    folder = report(year)
    header_only = []
    for path in sorted((folder / "tables").glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            if sum(1 for _ in csv.reader(fh)) < 2:
                header_only.append(path.name)
    assert header_only == []


def test_2022_23_says_which_documents_publish_its_figures(report, published):
    """No document in the published figures file is for 2022/23: the reconciliation says so and names them."""
    folder = report("2022-23")
    assert reconciliation_rows(folder) == [] and not (folder / "tables" / "reconciliation.csv").exists()
    text = visible_text(folder / "09_reconciliation.html")
    assert "No document in the published figures file publishes figures for 2022/23" in text
    sources = [b["source"] for b in published.values() if isinstance(b, dict) and "source" in b]
    assert len(sources) == 2
    for source in sources:  # each document, by the name the file gives it
        name = source.split("(", 1)[1].split(")", 1)[0] if "(" in source else source
        assert name in text, name


def test_2022_23_survey_is_its_own_wave_or_says_there_was_none(report):
    """The 2022-23 survey page shows a 2022/23 wave or says no wave covers 2022/23 (never another year's as this)."""
    folder = report("2022-23")
    text = visible_text(folder / "07_survey.html")
    said_none = "no resident survey wave for 2022/23" in text.lower()
    own_wave = (folder / "tables" / "07_survey-measures.csv").exists() and "2022/23" in text
    assert said_none or own_wave
    if said_none:
        assert not (folder / "tables" / "07_survey-measures.csv").exists()
