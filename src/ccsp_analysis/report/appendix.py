"""The report's appendix: the methods (docs/methods.md), the offence classification and what was suppressed."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from ccsp_analysis.presentation import tables
from ccsp_analysis.taxonomy import grouping_table

LOG_COLUMNS = ["section", "table", "row", "column", "reason"]


def suppression_log(results: dict) -> pd.DataFrame:
    """Every section's ``suppression_log`` table in one (what was hidden, with the rule; never the values,
    nor which cells were below the threshold)."""
    logs = [r.tables["suppression_log"] for r in results.values() if "suppression_log" in r.tables]
    logs = [log for log in logs if not log.empty]
    if not logs:
        return pd.DataFrame(columns=LOG_COLUMNS)
    return pd.concat(logs, ignore_index=True).reindex(columns=LOG_COLUMNS)


def methods_html(root: Path) -> str:
    """docs/methods.md as HTML, its headings one level down so the appendix keeps a single h1."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    path = root / "docs" / "methods.md"
    if not path.exists():
        return "<p>The methods document (docs/methods.md) is missing from this installation.</p>"
    text = path.read_text(encoding="utf-8")
    text = "\n".join("#" + line if line.startswith("#") else line for line in text.splitlines())
    # headings keep their ids; the pilcrow links nbconvert adds are for notebooks, not the report
    return re.sub(r'<a class="anchor-link" href="#[^"]*">(?:¶|&#182;|&para;)</a>', "", markdown2html_mistune(text))


def appendix_html(root: Path, results: dict, threshold: int) -> str:
    """The appendix body: methods, the offence classification and the suppression log."""
    log = suppression_log(results)
    groupings = tables.show(grouping_table(), "Assessment groupings and how each is defined",
                            {"label": ("Grouping", "text"), "rule": ("Rule", "text"), "note": ("Note", "text")})
    # an empty log is a sentence, not an empty table
    log_table = tables.bullets(["No cell had to be hidden."]) if log.empty else tables.show(
        log, f"Cells hidden in this report (threshold {threshold})", {c: (c.capitalize(), "text") for c in LOG_COLUMNS})
    parts = [
        '<h1 id="appendix">Appendix: methods and disclosure control</h1>',
        methods_html(root),
        '<h2 id="offence-classification">Offence classification</h2>',
        "<p>How crimes are grouped for this assessment (taxonomy.py). Police.uk street-level data carry only"
        " the 14 police.uk categories; groupings that need markers or victims come from the force's"
        " victim-level extract.</p>",
        groupings._repr_html_(),
        '<h2 id="suppression-log">What was suppressed and why</h2>',
        f"<p>Counts about people below {threshold} are hidden, shown as <strong>{html.escape(tables.SUPPRESSED)}</strong>"
        " in every table (the marker the tables' own legend explains), and so are further cells wherever totals"
        " would otherwise let a hidden count be worked out or narrowed down to fewer than"
        f" {threshold} possible values. A count hidden in one place is hidden everywhere in this report:"
        " in every table that shows it, in the charts, in the figures file, in the text and in the"
        " reconciliation with published figures. The list gives every hidden cell and the one rule"
        " behind all of them; it does not say which cells were below the threshold (that would narrow"
        " them down), and the values are never shown or logged.</p>",
        log_table._repr_html_(),
        '<h2 id="caveats">Caveats</h2>',
        "<p>" + html.escape("Recorded crime reflects reporting and recording practice as well as crime; "
                            "police.uk locations are anonymised to snap points and aggregated to small areas; "
                            "synthetic data is labelled as such on every page.") + "</p>",
    ]
    return "\n".join(parts)


APPENDIX = "10_appendix"
APPENDIX_TITLE = "Appendix: methods and disclosure control"


def appendix_notebook(root: Path, results: dict, threshold: int):
    """The appendix as a notebook with one HTML output, so it is paged like every section."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    out = new_output("display_data", data={"text/html": appendix_html(root, results, threshold)})
    cell = new_code_cell(source="", outputs=[out])
    cell["id"] = "appendix-00"
    nb = new_notebook(cells=[cell], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    return nbformat.from_dict(nb)
