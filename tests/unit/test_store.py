"""Tests for sections/store.py: results stored once per run and the notebooks' one call."""

from __future__ import annotations

import pandas as pd
import pytest

from ccsp_analysis.errors import RunError
from ccsp_analysis.params import load_params
from ccsp_analysis.result import SectionResult
from ccsp_analysis.sections import store


def _result() -> SectionResult:
    out = SectionResult()
    out.tables["t"] = pd.DataFrame({"ward": ["A", "B"], "crimes": [12, 3]})
    out.plots["series"] = pd.DataFrame({"count": [1, 2, 3]})
    out.add_figure("crimes", 15, "Crimes", "count")
    out.add_figure("victims_under_5", 3, "Victims", "count", withheld=True)
    out.sentences.append("Crime rose.")
    return out


def test_publishable_blanks_withheld_figures_only():
    shown = store.publishable(_result())
    by_id = {f["id"]: f for f in shown.figures}
    assert by_id["crimes"]["value"] == 15
    assert by_id["victims_under_5"]["value"] is None and by_id["victims_under_5"]["exact"] is None
    assert by_id["victims_under_5"]["withheld"]


def test_saved_result_never_holds_a_withheld_value(tmp_path):
    store.save_result(tmp_path, "01_key_findings", _result())
    loaded = store.load_result(tmp_path, "01_key_findings")
    assert [f["value"] for f in loaded.figures] == [15, None]
    pd.testing.assert_frame_equal(loaded.tables["t"], _result().tables["t"])
    assert loaded.sentences == ["Crime rose."] and list(loaded.plots) == ["series"]


def test_result_hash_follows_content_not_identity():
    a, b = _result(), _result()
    assert store.result_hash(a) == store.result_hash(b)
    b.tables["t"].loc[1, "crimes"] = 4
    assert store.result_hash(a) != store.result_hash(b)
    c = _result()
    c.sentences[0] = "Crime fell."
    assert store.result_hash(a) != store.result_hash(c)
    d = _result()
    d.plots["series"].loc[0, "count"] = 9
    assert store.result_hash(a) != store.result_hash(d)


def test_unreadable_stored_result_is_a_clear_error(tmp_path):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "01_key_findings.pkl").write_bytes(b"not a pickle")
    with pytest.raises(RunError, match="run `ccsp run` again"):
        store.load_result(tmp_path, "01_key_findings")


def test_params_round_trip(root, tmp_path):
    params = load_params(root / "params" / "2023-24.yaml")
    path = store.write_params(tmp_path, params)
    assert store.read_params(path) == params


def test_section_result_computes_alone_and_loads_what_a_run_stored(root, demo_dir, tmp_path):
    """Opened alone (a YAML path, relative to the project) the notebook computes its section; given
    a run's params.json it loads the stored result -- the same numbers either way."""
    params, alone = store.section_result("params/2023-24.yaml", "01_key_findings")
    assert params.period == "2023-24"
    store.write_params(tmp_path, params)
    store.save_result(tmp_path, "01_key_findings", alone)
    again_params, loaded = store.section_result(tmp_path / "params.json", "01_key_findings")
    assert again_params == params
    assert store.result_hash(loaded) == store.result_hash(alone)
    # published 2023-24 total recorded crime (../shared/reference/published_figures.yaml): 38,508
    assert {f["id"]: f["value"] for f in loaded.figures}["trc"] == 38508


def test_section_result_refuses_an_unknown_section(root):
    with pytest.raises(RunError, match="unknown section"):
        store.section_result(root / "params" / "2023-24.yaml", "99_nothing")


def test_a_misspelt_parameter_is_named_with_the_real_ones():
    # what papermill leaves in a notebook run with `-p param_path ...`: the default params_path and
    # the misspelt name; imported modules and functions are not parameters
    import math

    namespace = {"params_path": "../params/2023-24.yaml", "param_path": "params/2022-23.yaml", "In": [""],
                 "Out": {}, "_": None, "math": math, "section_result": store.section_result}
    assert store.unknown_parameters(namespace) == ["param_path"]
    assert store.unknown_parameters({"params_path": "x", "In": [], "Out": {}}) == []


def test_papermill_with_a_misspelt_parameter_fails_naming_it(root, demo_dir, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "out.ipynb"
    proc = subprocess.run([sys.executable, "-m", "papermill", str(root / "notebooks" / "01_key_findings.ipynb"),
                           str(out), "-p", "param_path", "params/2022-23.yaml", "-k", "python3", "--cwd", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert "parameter(s) it does not take: param_path" in proc.stdout + proc.stderr
    assert "its parameters are: params_path" in proc.stdout + proc.stderr


def test_a_section_opened_alone_hides_what_the_run_hides(project_copy):
    """Disclosure control is run-wide: a count a priority page hides is hidden on key findings too. A notebook
    opened alone must show what the run shows, not what its section alone would hide."""
    from ccsp_analysis import dataset
    from ccsp_analysis.sections.registry import compute_sections

    project = project_copy
    strict = project / "params" / "strict.yaml"
    strict.write_text("period: 2023-24\ndisclosure_threshold: 60\n", encoding="utf-8")
    params, alone = store.section_result(str(strict), "01_key_findings")
    data = dataset.load(params)
    run, _ = compute_sections(data, params, [n for n in params.sections if n != "09_reconciliation"])
    own, _ = compute_sections(data, params, ["01_key_findings"])
    name = "01_key_findings"
    hidden_in_run = {f["id"] for f in run[name].figures if f.get("withheld")}
    hidden_alone = {f["id"] for f in own[name].figures if f.get("withheld")}
    assert hidden_in_run - hidden_alone, "threshold 60 should hide on key findings what only a priority page hides"
    assert {f["id"] for f in alone.figures if f.get("withheld")} == hidden_in_run
    assert store.result_hash(alone) == store.result_hash(store.publishable(run[name]))
