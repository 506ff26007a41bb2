import pandas as pd
import pytest

from ccsp_analysis.sections.reconciliation import (
    compare,
    decimals_of,
    figures_for_period,
    reconcile,
)

PUBLISHED = {  # a hand-made document in the published_figures.yaml layout
    "assessment": {
        "source": "doc",
        "period": {"start": "2023-04", "end": "2024-03"},
        "key": [
            {"id": "trc", "kind": "count", "value": 38508},
            {"id": "trc_change", "kind": "pct_change", "value": -10.1},
            {"id": "ward_share", "kind": "share", "value": 31.0, "status": "inconsistent", "note": "8209 / 38508 = 21.3%"},
            {"id": "avoid_day", "kind": "pct", "value": 51.52},
            {"id": "priorities", "kind": "list", "value": ["A", "B"]},
            {"id": "missing", "kind": "count", "value": 8},
        ],
        "again": [{"id": "trc", "kind": "count", "value": 38508}],
    },
    "performance": {"period": {"start": "2015-04", "end": "2016-03"},
                    "table": {"rows": [{"csp": "x", "value": 1.0}], "figures": []},
                    "msg": [{"id": "rate", "kind": "rate", "value": 83.482}]},
}


def test_period_selection_and_dedup():
    ids = [f["id"] for f in figures_for_period(PUBLISHED, "2023-24")]
    assert ids == ["trc", "trc_change", "ward_share", "avoid_day", "priorities", "missing"]  # 'trc' kept once
    assert [f["id"] for f in figures_for_period(PUBLISHED, "2015-16")] == ["rate"]
    assert figures_for_period(PUBLISHED, "2019-20") == []


def test_decimals_as_written():
    assert (decimals_of(31.0), decimals_of(51.52), decimals_of(83.482), decimals_of(38508)) == (1, 2, 3, 0)


def test_reconcile_statuses():
    figs = pd.DataFrame({"id": ["trc", "trc_change", "ward_share", "avoid_day", "priorities"],
                         "value": [38508, -10.1, 21.3, 51.515, "A; B"]})
    t = reconcile(figs, PUBLISHED, "2023-24").set_index("id")
    assert t.loc["trc", "status"] == "reproduced" and t.loc["trc", "difference"] == 0
    assert t.loc["trc_change", "status"] == "reproduced"
    # inconsistent: flagged with the document's arithmetic, never forced; difference shown (21.3 - 31.0)
    assert t.loc["ward_share", "status"] == "inconsistent" and "21.3%" in t.loc["ward_share", "note"]
    assert t.loc["ward_share", "difference"] == pytest.approx(-9.7)
    # 51.515 rounds half-up to 51.52 at the published two decimals
    assert t.loc["avoid_day", "status"] == "reproduced"
    assert t.loc["priorities", "status"] == "reproduced"
    assert t.loc["missing", "status"] == "not reproduced"
    assert list(t.reset_index().columns) == ["id", "published", "reproduced", "difference", "status", "note"]


def test_count_must_match_exactly():
    row = compare({"id": "trc", "kind": "count", "value": 38508}, 38507)
    assert row["status"] == "differs" and row["difference"] == -1
    row = compare({"id": "p", "kind": "pct_change", "value": -10.1}, -10.04)  # rounds to -10.0
    assert row["status"] == "differs"


def test_withheld_figures_say_withheld_and_nothing_more():
    # A withheld figure rests on a count about people the report hides. "reproduced" beside a published
    # count of 1 would disclose the hidden count (and "differs" would narrow it): the row says "withheld",
    # shows the published value only, and its note does not say whether the run's value matches.
    figs = pd.DataFrame({"id": ["trc", "missing"], "value": [38508, 7], "withheld": [True, False]})
    t = reconcile(figs, PUBLISHED, "2023-24").set_index("id")
    assert t.loc["trc", "status"] == "withheld" and t.loc["trc", "reproduced"] is None
    assert t.loc["trc", "difference"] is None and t.loc["trc", "published"] == 38508
    assert "disclosure control" in t.loc["trc", "note"]
    wrong = reconcile(pd.DataFrame({"id": ["trc"], "value": [1], "withheld": [True]}), PUBLISHED, "2023-24")
    assert wrong.set_index("id").loc["trc"].to_dict() == t.loc["trc"].to_dict()  # a wrong value reads the same
    # an inconsistent published figure that is withheld says only "withheld" too
    ward = reconcile(pd.DataFrame({"id": ["ward_share"], "value": [21.3], "withheld": [True]}), PUBLISHED, "2023-24")
    assert ward.set_index("id").loc["ward_share", "status"] == "withheld"
    assert not t["status"].str.contains("not shown").any()


def test_summary_counts_withheld_figures_apart(tmp_path):
    from ccsp_analysis.dataset import Dataset
    from ccsp_analysis.sections.reconciliation import reconciliation

    figs = pd.DataFrame({"id": ["trc", "trc_change"], "value": [38508, -10.1], "withheld": [True, False]})
    text = reconciliation(Dataset({}, key="t"), _params(tmp_path), figures=figs).sentences[0]
    assert text.startswith("Of 6 figures published for 2023/24, 1 are reproduced, 1 are withheld for disclosure control")
    assert "checked" not in text


def test_precision_and_no_double_rounding():
    # published 29.0 (printed "29%"): 28.7 rounds to 29 at the printed precision
    assert compare({"id": "s", "kind": "share", "value": 29.0}, 28.7)["status"] == "reproduced"
    assert compare({"id": "s", "kind": "share", "value": 29.0}, 28.4)["status"] == "differs"
    # exact 28.45 against a published 28: rounding first to 28.5 and again to 29 would be wrong
    figs = pd.DataFrame({"id": ["trc_change"], "value": [-10.1], "exact": [-10.0995], "withheld": [False]})
    assert reconcile(figs, PUBLISHED, "2023-24").set_index("id").loc["trc_change", "status"] == "reproduced"
    assert compare({"id": "x", "kind": "share", "value": 28.0}, 28.45)["status"] == "reproduced"


def test_reproduced_column_shows_the_reported_figure():
    figs = pd.DataFrame({"id": ["trc_change"], "value": [-10.1], "exact": [-10.0995], "withheld": [False]})
    assert reconcile(figs, PUBLISHED, "2023-24").set_index("id").loc["trc_change", "reproduced"] == -10.1


# --- the summary says what a match means on synthetic inputs ---------------------------------------

def _params(tmp_path, lookup_code: str = "E01000001", year_extra: str = ""):
    """A tiny project (no manifest) whose lookup uses ``lookup_code`` and whose published figures are PUBLISHED."""
    import yaml

    from ccsp_analysis.params import load_params

    (tmp_path / "params" / "areas").mkdir(parents=True)
    (tmp_path / "params" / "areas" / "town.yaml").write_text(
        "name: Town\nslug: town\nla_code: E08000026\nlsoa_name_prefix: 'Town '\nforce: test-police\n")
    d = tmp_path / "data"
    d.mkdir()
    (d / "street.csv").write_text("x\n")
    (d / "pop.csv").write_text("x\n")
    (d / "lookup.csv").write_text(f"LSOA21CD,LSOA21NM,WD22CD,WD22NM,LAD22CD,LAD22NM\n{lookup_code},Town 001A,E05000001,Alpha,E08000026,Town\n")
    (d / "published.yaml").write_text(yaml.safe_dump(PUBLISHED))
    (tmp_path / "params" / "2023-24.yaml").write_text(
        "area: town\nperiod: 2023-24\nsources:\n  police_uk: data/street.csv\n  lsoa_ward_lookup: data/lookup.csv\n"
        f"  population: data/pop.csv\n  published_figures: data/published.yaml\n{year_extra}")
    return load_params(tmp_path / "params" / "2023-24.yaml")


def _summary(params) -> str:
    from ccsp_analysis.dataset import Dataset
    from ccsp_analysis.sections.reconciliation import reconciliation

    figs = pd.DataFrame({"id": ["trc"], "value": [38508]})
    return reconciliation(Dataset({}, key="t"), params, figures=figs).sentences[0]


def test_summary_on_real_looking_data_makes_no_caveat(tmp_path):
    text = _summary(_params(tmp_path))
    assert text.startswith("Of 6 figures published for 2023/24, 1 are reproduced") and text.endswith("not produced by this run.")
    assert "synthetic" not in text


def test_summary_on_the_demo_data_says_a_match_checks_the_arithmetic(chdir_root, demo_dir):
    from ccsp_analysis.params import load_params

    text = _summary(load_params("2023-24"))
    assert ("but the inputs are the synthetic demo data, which are calibrated to the published figures, "
            "so a match here checks the arithmetic of the pipeline, not the world.") in text


@pytest.mark.parametrize(("lookup_code", "extra"), [("X01000001", ""), ("E01000001", "synthetic: true\n")])
def test_summary_on_other_synthetic_data(tmp_path, lookup_code, extra):
    # X01 small areas without a demo manifest, or data labelled synthetic: not known to be calibrated
    text = _summary(_params(tmp_path, lookup_code, extra))
    assert text.endswith("but the inputs are synthetic, so a match here checks the arithmetic, not the world.")


# --- a period no document publishes ------------------------------------------------------------------

def test_documents_are_named_with_the_year_they_cover():
    from ccsp_analysis.sections.reconciliation import documents

    published = {**PUBLISHED, "performance": {**PUBLISHED["performance"], "source": "004_x.txt (Q4 report)"},
                 "notes": "not a document"}
    # "doc" has no brackets: its whole source; a January start belongs to the financial year before
    published["winter"] = {"period": {"start": "2021-01", "end": "2021-03"}, "figures": []}
    assert documents(published) == [("doc", "2023/24"), ("Q4 report", "2015/16"), ("winter", "2020/21")]


def test_a_period_no_document_publishes_is_one_sentence_and_no_table(tmp_path):
    from ccsp_analysis.dataset import Dataset
    from ccsp_analysis.sections.reconciliation import reconciliation

    params = _params(tmp_path).model_copy(update={"period": "2022-23", "comparison": "2021-22"})
    figs = pd.DataFrame({"id": ["trc"], "value": [38508]})
    out = reconciliation(Dataset({}, key="t"), params, figures=figs)
    assert out.tables == {} and out.exports == {}
    assert out.sentences == ["No document in the published figures file publishes figures for 2022/23, so there is "
                             "nothing to reconcile: it holds figures from doc (for 2023/24) and performance (for 2015/16) "
                             "(data/published.yaml)."]
