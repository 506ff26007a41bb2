"""Reconciliation: every figure the area's documents publish for the run's period beside the reproduced value."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from ccsp_analysis import narrative
from ccsp_analysis.dataset import Dataset
from ccsp_analysis.demo.manifest import LISTED, synthetic_sources
from ccsp_analysis.errors import DataError
from ccsp_analysis.formatting import round_half_up
from ccsp_analysis.params import SECTION_TITLES, Params, is_synthetic, project_root
from ccsp_analysis.periods import FinancialYear
from ccsp_analysis.result import SectionResult

COLUMNS = ["id", "published", "reproduced", "difference", "status", "note"]
EXACT_KINDS = ("count", "money")


def read_published(path: str | Path) -> dict:
    """The published-figures YAML (see reference/coventry_published_figures.yaml for the layout)."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"cannot read published figures ({exc})", path=path, fix="check sources.published_figures") from None
    if not isinstance(data, dict):
        raise DataError("expected blocks of figures at the top level", path=path, fix="see reference/coventry_published_figures.yaml")
    return data


def figures_for_period(published: dict, period: str) -> list[dict]:
    """Every figure of the blocks whose period starts in financial year ``period`` (nested lists flattened)."""
    fy = FinancialYear.parse(period)
    out: list[dict] = []
    for block in published.values():
        if not isinstance(block, dict) or "period" not in block:
            continue
        start = str(block["period"]["start"])
        if int(start[:4]) - (int(start[5:7]) < 4) != fy.start_year:
            continue
        for value in block.values():
            if isinstance(value, list):
                out += [f for f in value if isinstance(f, dict) and "id" in f]
            elif isinstance(value, dict):
                out += [f for sub in value.values() if isinstance(sub, list) for f in sub if isinstance(f, dict) and "id" in f]
    seen, unique = set(), []
    for f in out:  # the same figure can be published in two places (e.g. county lines); keep the first
        if f["id"] not in seen:
            seen.add(f["id"])
            unique.append(f)
    return unique


def _shown(path: str | Path, params: Params) -> str:
    """A path relative to the project when it is inside it (pages are the same on every machine), else its name."""
    try:
        return Path(path).resolve().relative_to(project_root(params).resolve()).as_posix()
    except ValueError:
        return Path(path).name


def documents(published: dict) -> list[tuple[str, str]]:
    """Each document of the published-figures file: its name and the financial year its figures cover.

    The name is what the block's ``source`` gives in brackets (``"000_x.txt (CCSP Plan 2025-2028)"`` ->
    ``"CCSP Plan 2025-2028"``), else the whole ``source``, else the block's key; in file order.
    """
    out = []
    for name, block in published.items():
        if not isinstance(block, dict) or "period" not in block:
            continue
        source = str(block.get("source") or name)
        if "(" in source and ")" in source.split("(", 1)[1]:
            source = source.split("(", 1)[1].split(")", 1)[0]
        start = str(block["period"]["start"])
        fy = FinancialYear(int(start[:4]) - (int(start[5:7]) < 4))
        out.append((source, fy.text))
    return out


def decimals_of(value: float) -> int:
    """Decimal places a published value was written with (31.0 -> 1, 51.52 -> 2, 83.482 -> 3)."""
    return narrative.decimals_written(value)


def compare(fig: dict, reproduced) -> dict:
    """One reconciliation row: the published and reproduced values, their difference and status."""
    pub, kind = fig["value"], fig.get("kind", "count")
    status_doc = fig.get("status", "as_published")
    note = fig.get("note", "")
    row = {"id": fig["id"], "published": pub, "reproduced": reproduced, "difference": None, "status": "", "note": note}
    if reproduced is None:
        row["status"] = "not reproduced"
        row["note"] = "no section of this run produces it" + (f"; {note}" if note else "")
        return row
    if kind == "list":
        pub_text = "; ".join(map(str, pub))
        row["published"] = pub_text
        match = str(reproduced) == pub_text
    elif kind in EXACT_KINDS:
        row["difference"] = float(reproduced) - float(pub)
        match = float(reproduced) == float(pub)
    else:
        # compared at the precision the document printed; a whole number (YAML 29.0) may have been printed "29%"
        places = decimals_of(pub)
        shown = round_half_up(float(reproduced), places)
        row["difference"] = round(shown - float(pub), 6)
        match = shown == float(pub) or (float(pub).is_integer() and round_half_up(float(reproduced), 0) == float(pub))
    if status_doc == "inconsistent":
        row["status"] = "inconsistent"
        row["note"] = f"the document's own numbers disagree: {note}" if note else "the document's own numbers disagree"
    else:
        row["status"] = "reproduced" if match else "differs"
    return row


#: Status of a published figure this run withholds for disclosure control.
WITHHELD = "withheld"
#: Its note: nothing about whether the run's value matches the published one.
WITHHELD_NOTE = ("withheld for disclosure control: the figure rests on a count about people this report hides "
                 "(see the appendix), so its value, and whether it matches, are not shown")


def reconcile(figures: pd.DataFrame, published: dict, period: str) -> pd.DataFrame:
    """Published figures of ``period`` against the run's ``figures`` (columns id, value[, withheld]).

    A withheld figure (disclosure control) shows status "withheld" with the published value only:
    no reproduced value, no difference, and nothing that says whether it matches (a status of
    "reproduced" beside a published count below the threshold would disclose the hidden count).
    """
    # the unrounded value where the section recorded one, so nothing is rounded twice
    exact = figures["exact"] if "exact" in figures else figures["value"]
    produced = {fid: (e if e is not None and not (isinstance(e, float) and e != e) else v)
                for fid, v, e in zip(figures["id"], figures["value"], exact, strict=True)}
    reported = dict(zip(figures["id"], figures["value"], strict=True))  # as the run reports it
    withheld = set(figures.loc[figures["withheld"].astype(bool), "id"]) if "withheld" in figures else set()
    rows = []
    for f in figures_for_period(published, period):
        if f["id"] in withheld:
            pub = "; ".join(map(str, f["value"])) if f.get("kind") == "list" else f["value"]
            rows.append({"id": f["id"], "published": pub, "reproduced": None, "difference": None,
                         "status": WITHHELD, "note": WITHHELD_NOTE})
            continue
        row = compare(f, produced.get(f["id"]))
        if row["reproduced"] is not None:
            row["reproduced"] = reported[f["id"]]
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS, dtype=object)  # counts stay whole numbers


def reconciliation(data: Dataset, params: Params, figures: pd.DataFrame | None = None) -> SectionResult:
    """The reconciliation table (``tables/reconciliation.csv``) and a summary sentence.

    ``figures``: the run's figures (``result.merge_figures`` of every other section), which the
    runner computed once; without them nothing is reconciled (the section says so).
    """
    out = SectionResult()
    if params.sources.published_figures is None:
        out.sentences.append(narrative.needs_sentence("reconciliation"))
        return out
    if figures is None:
        out.tables["reconciliation"] = pd.DataFrame(columns=COLUMNS)
        out.sentences.append("The run's figures were not given, so there is nothing to reconcile.")
        return out
    figs = figures
    published = read_published(params.sources.published_figures)
    table = reconcile(figs, published, params.period)
    if table.empty:  # no document publishes figures for this period: one sentence naming those the file has
        out.sentences.append(narrative.no_published_sentence(
            FinancialYear.parse(params.period).text, documents(published), _shown(params.sources.published_figures, params)))
        return out
    out.tables["reconciliation"] = table
    out.exports["reconciliation"] = "reconciliation.csv"
    out.tables["reconciliation_view"] = labelled(table, figs, published, params.period)
    counts = table["status"].value_counts()
    out.sentences.append(
        f"Of {len(table)} figures published for {FinancialYear.parse(params.period).text}, "
        f"{counts.get('reproduced', 0)} are reproduced, {counts.get(WITHHELD, 0)} are withheld for disclosure control "
        f"(not shown, nor whether they match), {counts.get('inconsistent', 0)} are inconsistent in the "
        f"document itself, {counts.get('differs', 0)} differ and {counts.get('not reproduced', 0)} are not produced by this run"
        + synthetic_caveat(params) + "."
    )
    return out


VIEW_COLUMNS = ["label", "page", "href", "id", "published", "reproduced", "status", "note"]


def labelled(table: pd.DataFrame, figures: pd.DataFrame, published: dict, period: str) -> pd.DataFrame:
    """The reconciliation as a reader sees it: each figure named in words and the page it appears on.

    The words are the label the section gave its figure (``SectionResult.add_figure``), else the label
    the published-figures file gives, else the id; the page is the section that produced it (``page``
    its title, ``href`` its file), empty for a figure no section produces.
    """
    words = dict(zip(figures["id"], figures["label"], strict=True)) if "label" in figures else {}
    where = dict(zip(figures["id"], figures["section"], strict=True)) if "section" in figures else {}
    doc = {f["id"]: f.get("label") for f in figures_for_period(published, period)}
    rows = []
    for r in table.itertuples(index=False):
        label = words.get(r.id) or doc.get(r.id) or r.id.replace("_", " ")
        section = where.get(r.id)
        rows.append({"label": label, "page": SECTION_TITLES.get(section) if section else None,
                     "href": f"{section}.html" if section else None, "id": r.id, "published": r.published,
                     "reproduced": r.reproduced, "status": r.status, "note": r.note})
    return pd.DataFrame(rows, columns=VIEW_COLUMNS, dtype=object)


#: What a match means on the demo data, which are generated to reproduce the published figures.
DEMO_CAVEAT = ("; but the inputs are the synthetic demo data, which are calibrated to the published figures, "
               "so a match here checks the arithmetic of the pipeline, not the world")
#: What a match means on other data labelled synthetic.
SYNTHETIC_CAVEAT = "; but the inputs are synthetic, so a match here checks the arithmetic, not the world"


def synthetic_caveat(params: Params) -> str:
    """The clause the summary ends with on synthetic inputs ("" on real data).

    Inputs a demo manifest lists (``ccsp data demo``: calibrated to the published figures) get
    :data:`DEMO_CAVEAT`; other synthetic inputs (X01 small areas, or ``synthetic: true``) get
    :data:`SYNTHETIC_CAVEAT`. The detection reads no table (:func:`ccsp_analysis.params.is_synthetic`).
    """
    found = synthetic_sources(params.sources.model_dump())
    if any(why.startswith(LISTED) for why in found.values()):
        return DEMO_CAVEAT
    return SYNTHETIC_CAVEAT if found or is_synthetic(params) else ""
