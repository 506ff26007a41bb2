import pytest

from ccsp_analysis import cli


def test_lab_passes_options_to_jupyterlab(monkeypatch):
    calls = []
    monkeypatch.setattr(cli.subprocess, "call", lambda cmd: calls.append(cmd) or 0)
    assert cli.main(["lab", "--port", "8899", "--no-browser"]) == 0
    cmd = calls[0]
    assert cmd[1:4] == ["-m", "jupyter", "lab"] and cmd[-2:] == ["--port", "8899", "--no-browser"][-2:]
    assert "--notebook-dir" in cmd and "notebooks" in cmd


def test_unknown_options_are_refused_elsewhere(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["run", "2023-24", "--bogus"])
    assert exc.value.code == 2 and "--bogus" in capsys.readouterr().err


def test_params_error_exits_2_with_the_key(tmp_path, capsys):
    bad = tmp_path / "x.yaml"
    bad.write_text("period: 2023-24\n")
    assert cli.main(["run", str(bad)]) == 2  # no area, no sources
    err = capsys.readouterr().err
    assert err.startswith("error:") and "area" in err and "sources" in err
