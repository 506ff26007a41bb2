import re

import pandas as pd

from ccsp_analysis.report.appendix import appendix_html, suppression_log
from ccsp_analysis.result import SectionResult


def _result(rows):
    r = SectionResult()
    r.tables["suppression_log"] = pd.DataFrame(rows, columns=["section", "table", "row", "column", "reason"])
    return r


def test_suppression_log_merges_sections_without_values():
    results = {"03": _result([("03", "victims", "F", "10-14", "hidden to protect small numbers")]),
               "04": _result([]), "05": SectionResult()}
    log = suppression_log(results)
    assert len(log) == 1 and list(log.columns) == ["section", "table", "row", "column", "reason"]
    assert suppression_log({}).empty


def test_appendix_has_one_h1_and_the_methods(root):
    results = {"03": _result([("03", "victims", "F", "10-14", "hidden to protect small numbers")])}
    page = appendix_html(root, results, 5)
    assert len(re.findall(r"<h1\b", page)) == 1  # methods.md's own h1 is moved down a level
    assert "Comparing two periods" in page and "Garwood" in page  # from docs/methods.md
    assert "hidden to protect small numbers" in page and "threshold 5" in page
    assert "Violence against women and girls" in page  # the grouping table


def test_figures_csv_blanks_withheld_values():
    from ccsp_analysis.result import merge_figures, published_figures

    r = SectionResult()
    r.add_figure("homicides", 8, "Homicides", "count")
    r.add_figure("homicides_youth_violence", 1, "Youth homicides", "count", withheld=True)
    out = published_figures(merge_figures({"03": r})).set_index("id")["value"]
    assert out["homicides"] == 8 and out["homicides_youth_violence"] is None


def test_methods_headings_carry_no_pilcrow_links(root):
    """nbconvert's markdown filter adds '¶' anchor links (written as &#182;); the appendix, and so the
    index's contents, must not show them."""
    from ccsp_analysis.report.appendix import methods_html

    html_text = methods_html(root)
    assert 'id="Methods"' in html_text
    assert "¶" not in html_text and "&#182;" not in html_text and "anchor-link" not in html_text


def test_the_log_is_explained_by_one_rule_for_every_cell(root):
    """The appendix says a hidden count is hidden everywhere and that the list does not say which cells were
    below the threshold (telling would narrow them down: two hidden cells adding up to 8, both "below 5",
    are each exactly 4)."""
    from ccsp_analysis.report.appendix import appendix_html

    results = {"05": _result([("05", "nrm_profile", "Criminal", "F under 25", "hidden to protect small numbers"),
                              ("05", "nrm_profile", "Criminal", "M under 25", "hidden to protect small numbers")])}
    page = appendix_html(root, results, 5)
    section = page[page.index('id="suppression-log"'):page.index('id="caveats"')]
    assert "hidden everywhere in this report" in section and "does not say which cells were below the threshold" in section
    assert "primary" not in section and "secondary" not in section


def test_the_appendix_names_the_marker_the_tables_use(root):
    from ccsp_analysis.presentation.tables import LEGEND, SUPPRESSED
    from ccsp_analysis.report.appendix import appendix_html

    page = appendix_html(root, {}, 5)
    section = page[page.index('id="suppression-log"'):page.index('id="caveats"')]
    assert SUPPRESSED == "[c]" and "<strong>[c]</strong>" in section and SUPPRESSED in LEGEND
