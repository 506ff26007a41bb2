"""Counts about people (victims, offenders, referrals, respondents) under disclosure control, run-wide.

A section registers every count about people it publishes in its result's register
(:class:`ccsp_analysis.disclosure.Register`), keyed by what the count counts (:func:`crimes_key`,
:func:`ccsp_analysis.disclosure.key`), with the equations between counts (a table's rows and columns
adding up to their totals), the cells, figures and sentences derived from them. The helpers here
store its tables and settle the section's own disclosure control as it goes (so a section computed
alone publishes nothing small). After every section has run, :func:`protect_run` merges the
registers: a count hidden anywhere is hidden in every table, figure and sentence that shows it, and
the equations of all tables together are checked against an attacker's bounds. The suppression log
lists the hidden cells with one reason (never which were below the threshold).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ccsp_analysis import disclosure, narrative
from ccsp_analysis.disclosure import REASON, Key, Phrase, Register, key
from ccsp_analysis.errors import DisclosureError
from ccsp_analysis.result import SectionResult

#: Columns of the ``suppression_log`` table every section with counts about people returns.
LOG_COLUMNS = ["section", "table", "row", "column", "reason"]
#: Victim sexes in the order tables and pyramids show them.
SEXES = ("F", "M")
#: How tables and charts name them.
SEX_WORDS = {"F": "Female", "M": "Male"}
#: Columns of a change table derived from its two counts (hidden with them).
DERIVED = ["abs_change", "pct_change", "p_value", "ratio_low", "ratio_high", "direction"]
#: Columns of a :func:`ccsp_analysis.measures.by_key` table derived from its counts.
BY_KEY_DERIVED = ["pct_change", "p_value", "direction", "q_value", "significant_bh"]


def withheld_sentence(label: str) -> str:
    """What a sentence says instead of a count disclosure control hides (the same whatever the reason)."""
    return f"{label}: withheld to protect small numbers."


def crimes_key(grouping: str, fy: str, **dims) -> Key:
    """The key of a count of crimes of ``grouping`` in ``fy`` (e.g. the rows of every change table)."""
    return key(count="crimes", grouping=grouping, fy=fy, **dims)


def new_result() -> SectionResult:
    """An empty section result carrying an (empty) suppression log."""
    out = SectionResult()
    out.tables["suppression_log"] = pd.DataFrame(columns=LOG_COLUMNS)
    return out


def register(out: SectionResult, section: str) -> Register:
    """The section's register of counts about people (named after the section)."""
    if not out.people.section:
        out.people.section = section
    return out.people


def settle(out: SectionResult, threshold: int) -> set:
    """Apply disclosure control to everything the section has registered so far; return the hidden keys."""
    hidden = out.people.settle(threshold)
    render(out, hidden)
    return hidden


def finish(out: SectionResult, said: dict[str, list[str]], threshold: int | None = None) -> SectionResult:
    """Store the sentences of each sub-section (in ``sentences`` and as a ``sentences`` table) and settle disclosure control."""
    rows = [(topic, s) for topic, items in said.items() for s in items]
    out.sentences += [s for _, s in rows]
    out.tables["sentences"] = pd.DataFrame(rows, columns=["topic", "sentence"])
    if threshold is not None:
        settle(out, threshold)
    return out


def topic_sentences(result: SectionResult, topic: str) -> list[str]:
    """The sentences of one sub-section (``topic``) of a priority section's result."""
    table = result.tables["sentences"]
    return list(table.loc[table["topic"] == topic, "sentence"])


# --- rendering what is hidden -----------------------------------------------------------------

def _hide(frame: pd.DataFrame, row: int, columns: Iterable[str]) -> None:
    """Set cells of ``frame`` (by row position) to ``pd.NA``, making their columns nullable first."""
    nullable = {"i": "Int64", "u": "Int64", "f": "Float64", "b": "boolean"}
    for column in columns:
        if column not in frame.columns:
            continue
        dtype = frame[column].dtype
        if isinstance(dtype, np.dtype) and dtype.kind in nullable:
            frame[column] = frame[column].astype(nullable[dtype.kind])
        frame.iloc[row, frame.columns.get_loc(column)] = pd.NA


def _replace_text(out: SectionResult, old: Sequence[str], new: str) -> None:
    """Replace every copy of a sentence (any of its renderings ``old``) by ``new``."""
    olds = set(old)
    out.sentences[:] = [new if s in olds else s for s in out.sentences]
    for frame in out.tables.values():
        if "sentence" in frame.columns:
            hit = frame["sentence"].isin(olds)
            if hit.any():
                frame.loc[hit, "sentence"] = new


def render(out: SectionResult, hidden: set) -> None:
    """Show ``out`` with every registered count in ``hidden`` hidden: table cells and what derives
    from them become ``pd.NA``, figures are withheld, sentences say the numbers are withheld; the
    ``suppression_log`` lists each hidden cell of a table with :data:`disclosure.REASON`.
    Idempotent, and ``hidden`` only ever grows, so rendering again after more is hidden is safe."""
    reg = out.people
    for cell in reg.cells:
        if cell.table is not None and cell.key in hidden and cell.table in out.tables:
            _hide(out.tables[cell.table], cell.row, [cell.column])
    for d in reg.derived:
        if d.table in out.tables and any(k in hidden for k in d.keys):
            _hide(out.tables[d.table], d.row, d.columns)
    withheld = {fid for fid, keys in reg.figures if any(k in hidden for k in keys)}
    for f in out.figures:
        if f["id"] in withheld:
            f["withheld"] = True
    for phrase in reg.phrases:
        text = phrase.render(hidden)
        if text != phrase.texts[-1]:
            _replace_text(out, phrase.texts, text)
            phrase.texts.append(text)
    seen, rows = set(), []
    for cell in reg.cells:
        where = (cell.table, cell.row, cell.column)
        if cell.table is not None and cell.key in hidden and where not in seen:
            seen.add(where)
            rows.append((reg.section, cell.table, cell.label, cell.column, REASON))
    if rows or "suppression_log" in out.tables:
        out.tables["suppression_log"] = pd.DataFrame(rows, columns=LOG_COLUMNS)


# --- registering tables -----------------------------------------------------------------------

def _local_key(section: str, name: str) -> Callable[..., Key]:
    return lambda *where: key(section=section, table=name, cell="/".join(map(str, where)))


def people_table(out: SectionResult, section: str, name: str, counts: pd.DataFrame, threshold: int,
                 keys: Callable[[object, object], Key] | None = None, total_row: object = "Total",
                 total_col: object = "Total") -> pd.DataFrame:
    """Register a table about people (rows x columns of counts), store it as ``name`` (index as a column) and settle.

    The row ``total_row`` and the column ``total_col`` (when the table has them) are its totals:
    each row and column adds up to its total (a published equation); without them the sums count
    for secondary suppression only.
    ``keys(row, column)`` says what each cell counts (default: the cell itself, shared with no
    other table). Returns the stored table after disclosure control.
    """
    reg = register(out, section)
    kf = keys or _local_key(section, name)
    rows, cols = list(counts.index), list(counts.columns)
    total_row = total_row if total_row in rows else None
    total_col = total_col if total_col in cols else None
    out.tables[name] = counts.reset_index()
    for i, r in enumerate(rows):
        for c in cols:
            reg.count(kf(r, c), int(counts.loc[r, c]), name, i, c, str(r))
    for ln in disclosure.grid_lines(rows, cols, kf, total_row, total_col):
        reg.line(ln.parts, ln.total)
    settle(out, threshold)
    return out.tables[name]


def people_changes(out: SectionResult, section: str, name: str, changes: pd.DataFrame, threshold: int,
                   total: str | None = None, keys: Callable[[str, str], Key] | None = None,
                   figure_ids: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Store a change table about people: a row with a hidden count shows neither count nor change.

    ``keys(measure, "current" | "previous")`` says what each count counts. The two counts of a row
    go together (the change would give one away); with ``total`` (the measure of a row that sums the
    others) each column adds up to it. The sentence of a hidden row says the numbers are withheld,
    and the figures ``figure_ids`` (measure -> id) of a hidden row are withheld.
    """
    reg = register(out, section)
    kf = keys or _local_key(section, name)
    shown = changes.astype({"current": "Int64", "previous": "Int64"}).astype({c: object for c in DERIVED if c in changes})
    out.tables[name] = shown.reset_index(drop=True)
    for i, row in enumerate(changes.itertuples()):
        pair = (kf(row.measure, "current"), kf(row.measure, "previous"))
        reg.count(pair[0], row.current, name, i, "current", row.label)
        reg.count(pair[1], row.previous, name, i, "previous", row.label)
        reg.line(pair)
        reg.derive(name, i, DERIVED, pair)
        reg.phrases.append(Phrase(((row.sentence, pair, withheld_sentence(row.label)),), [row.sentence]))
        if figure_ids and row.measure in figure_ids:
            reg.figure(figure_ids[row.measure], pair)
    if total is not None:
        measures = list(changes["measure"])
        for year in ("current", "previous"):
            reg.line([kf(m, year) for m in measures if m != total], kf(total, year))
    settle(out, threshold)
    return out.tables[name]


def people_rows(out: SectionResult, section: str, name: str, table: pd.DataFrame, counts: Mapping[str, Callable],
                label: str) -> pd.DataFrame:
    """Register the count columns of a long table (one row per category) and store it as ``name``.

    ``counts``: count column -> function of the row (a namedtuple) giving its key; ``label``: the
    column naming each row in the log. Equations and derived cells are the caller's to register.
    """
    reg = register(out, section)
    stored = table.reset_index(drop=True)
    out.tables[name] = stored
    for i, row in enumerate(stored.itertuples(index=False)):
        for column, kf in counts.items():
            reg.count(kf(row), int(getattr(row, column)), name, i, column, str(getattr(row, label)))
    return stored


# --- hate crime by strand -------------------------------------------------------------------

def strand_key(strand, fy: str) -> Key:
    """The key of the hate crimes of one strand (a crime with no strand recorded: "not recorded") in ``fy``."""
    return crimes_key("hate_crime", fy, strand="not recorded" if pd.isna(strand) else strand)


def register_hate_strands(out: SectionResult, section: str, name: str, table: pd.DataFrame, years: dict[str, str],
                          totals: dict[str, tuple[Key, int]]) -> None:
    """Register a table of hate crimes by strand: count columns ``years`` (column -> financial year).

    ``totals`` (column -> the key and count of what the column adds up to, which is published: hate
    crime on this page, crimes with a strand in the performance report's hate table); a share
    derives from its count and that total, a change from the strand's two years.
    """
    reg = register(out, section)
    columns = {column: (lambda r, fy=fy: strand_key(r.hate_strand, fy)) for column, fy in years.items()}
    people_rows(out, section, name, table, columns, "strand" if "strand" in table.columns else "hate_strand")
    for column in years:
        whole, value = totals[column]
        if whole not in reg.values():
            reg.count(whole, value)
        reg.line([columns[column](r) for r in table.itertuples()], whole)
    first = next(iter(years))
    for i, r in enumerate(table.itertuples()):
        own = tuple(columns[c](r) for c in years)
        if len(own) > 1:
            reg.line(own)  # the change would give one year away from the other
            reg.derive(name, i, [c for c in BY_KEY_DERIVED if c in table.columns], own)
        if "share" in table.columns:
            reg.derive(name, i, ["share"], [own[0], totals[first][0]])


# --- the whole run ----------------------------------------------------------------------------

def _follow(out: SectionResult, section: str, name: str, ids: Mapping[str, str], known: Mapping[Key, int],
            fy: str, prev: str) -> None:
    """Register the rows of another section's change table whose counts a people section registered."""
    table = out.tables.get(name)
    if table is None or table.empty or not {"measure", "current", "previous"} <= set(table.columns):
        return
    reg = register(out, section)
    for i, row in enumerate(table.itertuples(index=False)):
        pair = (crimes_key(row.measure, fy), crimes_key(row.measure, prev))
        counts = (row.current, row.previous)
        if not all(k in known and not pd.isna(v) and known[k] == v for k, v in zip(pair, counts, strict=True)):
            continue  # not a count about people, or not the same count (e.g. a year to date)
        reg.count(pair[0], int(row.current), name, i, "current", str(row.label))
        reg.count(pair[1], int(row.previous), name, i, "previous", str(row.label))
        reg.line(pair)
        reg.derive(name, i, DERIVED, pair)
        if isinstance(getattr(row, "sentence", None), str):
            reg.phrases.append(Phrase(((row.sentence, pair, withheld_sentence(row.label)),), [row.sentence]))
        if row.measure in ids:
            reg.figure(ids[row.measure], pair)


def protect_run(results: Mapping[str, SectionResult], params,
                followers: Mapping[tuple[str, str], Mapping[str, str]] | None = None) -> set:
    """Disclosure control across the whole run, after every section has computed.

    The sections' registers are merged into one (a key registered twice must count the same);
    ``followers``, change tables of other sections that repeat those counts ((section, table) ->
    figure ids of their rows, measure -> id; rows keyed by :func:`crimes_key`), join it; what
    each section hid stays hidden, and :func:`ccsp_analysis.disclosure.protect` runs over every
    count and equation of the run. Every section is then shown with the run's hidden cells, a
    figure withheld by one section is withheld by all, and the registers are emptied so no stored
    result carries the counts. Returns the hidden keys.
    """
    threshold = params.disclosure_threshold
    values: dict[Key, int] = {}
    where: dict[Key, str] = {}

    def merge(name: str, reg: Register) -> None:
        for k, v in reg.values().items():
            if values.setdefault(k, v) != v:
                raise DisclosureError(f"{disclosure.key_text(k)} counts {values[k]} in {where[k]} but {v} in {name}")
            where.setdefault(k, name)

    for name, result in results.items():
        merge(name, result.people)
    for (section, table), ids in (followers or {}).items():
        if section in results:
            _follow(results[section], section, table, ids, values, params.period, params.comparison)
    lines, seed = [], set()
    for result in results.values():
        lines += [ln for ln in result.people.lines if ln not in lines]
        seed |= result.people.hidden
    hidden = disclosure.protect(values, lines, threshold, seed)
    for result in results.values():
        if not result.people.empty:
            render(result, hidden)
    withheld = {f["id"] for r in results.values() for f in r.figures if f.get("withheld")}
    for result in results.values():
        for f in result.figures:
            if f["id"] in withheld:
                f["withheld"] = True
        result.people = Register(section=result.people.section, threshold=threshold)
    return hidden


# --- tables by age and sex --------------------------------------------------------------------

def with_victim(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows with a recorded victim (victim sex given)."""
    return frame[frame["victim_sex"].notna()]


def victim_count(victims: pd.DataFrame, sex: str | None = None, ages: tuple[int, int] | None = None) -> int:
    """Number of ``victims`` of sex ``sex`` (any when None) aged ``ages`` (inclusive; any when None)."""
    keep = pd.Series(True, index=victims.index)
    if sex is not None:
        keep &= victims["victim_sex"].eq(sex).fillna(False)
    if ages is not None:
        keep &= victims["victim_age"].between(*ages).fillna(False)
    return int(keep.sum())


def share_sentence(reg: Register, label: str, part: int, whole: int, base_label: str, keys: Sequence[Key]) -> str:
    """A share sentence about people (registered: withheld when any of ``keys`` is hidden)."""
    return reg.phrase((narrative.share_sentence(label, part, whole, base_label), tuple(keys), withheld_sentence(label)))


def band_labels(edges: Sequence[int]) -> list[str]:
    """Labels of the age bands cut at ``edges``: (10, 16) gives "0-9", "10-15", "16+"."""
    starts = [0, *edges]
    return [f"{a}-{b - 1}" for a, b in zip(starts, edges, strict=False)] + [f"{starts[-1]}+"]


def age_label(ages: tuple[int, int]) -> str:
    """The band label of ages ``(a, b)`` inclusive, as :func:`band_labels` writes it."""
    return f"{ages[0]}-{ages[1]}"


def age_sex_counts(frame: pd.DataFrame, edges: Sequence[int]) -> pd.DataFrame:
    """Counts by age band (cut at ``edges``) and victim sex, with a Total row and column.

    Rows without a victim are left out; a row "Unknown" appears only when some ages are missing.
    """
    victims = with_victim(frame)
    labels = band_labels(edges)
    bands = pd.cut(victims["victim_age"].astype("float"), [0, *edges, np.inf], right=False, labels=labels)
    bands = bands.cat.add_categories("Unknown").fillna("Unknown")
    sexes = list(SEXES) + sorted(set(victims["victim_sex"]) - set(SEXES))
    rows = labels + (["Unknown"] if (bands == "Unknown").any() else [])
    table = pd.crosstab(bands, victims["victim_sex"]).reindex(index=rows, columns=sexes, fill_value=0)
    table = table.astype(int)
    table["Total"] = table.sum(axis=1)
    table.loc["Total"] = table.sum(axis=0)
    table.index.name, table.columns.name = "age_band", None
    return table


def age_sex_keys(count: str, fy: str, **dims) -> Callable[[object, object], Key]:
    """Keys of an age-by-sex table: ``count`` in ``fy`` of ``dims`` (e.g. the grouping), by age band and sex.

    The Total row and column drop the age and the sex, so the grand total is the count of them all.
    """
    def of(row, column) -> Key:
        return key(count=count, fy=fy, **dims, age=None if row == "Total" else row,
                   sex=None if column == "Total" else column)
    return of


def pyramid_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Long form (age_band, sex, count) of a shown age-by-sex table for :func:`charts.age_sex_pyramid`.

    Totals, unknown ages and hidden cells are left out.
    """
    body = table[(table["age_band"] != "Total") & (table["age_band"] != "Unknown")]
    long = body.melt(id_vars="age_band", value_vars=list(SEXES), var_name="sex", value_name="count")
    long = long.dropna(subset=["count"])
    long["count"] = long["count"].astype(int)
    long["sex"] = long["sex"].map(SEX_WORDS)
    return long.reset_index(drop=True)


#: How notebooks show an age-by-sex table (for :func:`ccsp_analysis.presentation.tables.show`).
AGE_SEX_COLUMNS = {"age_band": ("Age", "text"), "F": ("Female", "count"), "M": ("Male", "count"), "Total": ("Total", "count")}
#: How notebooks show the suppression log.
LOG_DISPLAY = {"table": ("Table", "text"), "row": ("Row", "text"), "column": ("Column", "text"), "reason": ("Why hidden", "text")}
