import pytest

from ccsp_analysis import cli


class _Child:
    def __init__(self, cmd, calls):
        calls.append(cmd)

    def wait(self, timeout=None):
        return 0

    def poll(self):
        return 0


def test_lab_passes_options_to_jupyterlab(monkeypatch):
    calls = []
    monkeypatch.setattr(cli.subprocess, "Popen", lambda cmd: _Child(cmd, calls))
    assert cli.main(["lab", "--port", "8899", "--no-browser"]) == 0
    cmd = calls[0]
    assert cmd[1:4] == ["-m", "jupyter", "lab"] and cmd[-2:] == ["--port", "8899", "--no-browser"][-2:]
    assert "--notebook-dir" in cmd and "notebooks" in cmd


def test_unknown_options_are_refused_elsewhere(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["run", "2023-24", "--bogus"])
    assert exc.value.code == 2 and "--bogus" in capsys.readouterr().err


def test_params_error_exits_2_with_the_key(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # outside any project: no defaults.yaml to merge
    bad = tmp_path / "x.yaml"
    bad.write_text("period: 2023-24\n")
    assert cli.main(["run", str(bad)]) == 2  # no area, no sources
    err = capsys.readouterr().err
    assert err.startswith("error:") and "area" in err and "sources" in err
    assert "no defaults.yaml was merged" in err and "--defaults" in err


def test_lab_help_says_options_go_to_jupyterlab(capsys):
    with pytest.raises(SystemExit):
        cli.main(["lab", "--help"])
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps the text
    assert "Any other option is passed to JupyterLab" in out and "frees its port" in out
