"""`ccsp data fetch|check|demo` through the CLI; downloads only from a local server on 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import json
import threading
import zipfile

import pytest

from ccsp_analysis.cli import main
from ccsp_analysis.schemas import POLICE_STREET_HEADER

pytestmark = pytest.mark.slow


@pytest.fixture()
def server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    with zipfile.ZipFile(root / "2024-01.zip", "w") as z:
        z.writestr("2024-01/2024-01-test-police-street.csv", ",".join(POLICE_STREET_HEADER) + "\n")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_fetch_police_month(server, tmp_path, capsys):
    dest = tmp_path / "raw"
    assert main(["data", "fetch", "police", "--months", "2024-01", "--dest", str(dest), "--base-url", server]) == 0
    assert (dest / "2024-01.zip").is_file()
    manifest = json.loads((dest / "manifest.json").read_text())
    assert "2024-01.zip" in json.dumps(manifest) and len(json.dumps(manifest)) > 64
    assert main(["data", "fetch", "police", "--months", "2030-01", "--dest", str(dest), "--base-url", server]) == 2
    assert "2030-01" in capsys.readouterr().err  # a missing month names itself


def test_check_passes_on_demo(chdir_root, demo_dir, capsys):
    assert main(["data", "check", "2023-24"]) == 0
    assert "every crime is in a ward of the area" in capsys.readouterr().out


def test_demo_on_real_geography(shared_data, tmp_path):
    out = tmp_path / "demo"
    assert main(["data", "demo", "--out", str(out), "--geography", str(shared_data)]) == 0
    lookup = (out / "ons" / "lsoa21_to_ward_lookup.csv").read_text().splitlines()
    assert all(line.startswith("E01") for line in lookup[1:])  # real codes for the whole force
    coventry = {line.split(",")[0] for line in lookup[1:] if line.split(",")[4] == "E08000026"}
    assert len(coventry) == 203  # Coventry's 203 LSOAs (2021)
    pop = sum(int(line.split(",")[0]) for line in (out / "ons" / "census2021_ts001_lsoa.csv").read_text().splitlines()[1:]
              if line.split(",")[-1] in coventry)
    assert pop == 345_312  # Census 2021 TS001 over Coventry's LSOAs (PROVENANCE.md)


def test_check_json_is_machine_readable_and_exits_by_its_checks(chdir_root, demo_dir, capsys):
    import json

    assert main(["data", "check", "2023-24", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["passed"] is True and {s["source"] for s in record["sources"]} >= {"police_uk", "partner_crimes"}
    police = next(s for s in record["sources"] if s["source"] == "police_uk")
    assert police["rows_read"] == police["rows_kept"] + sum(police["rows_dropped"].values())
    assert all(c["missing"] == [] for c in record["coverage"]) and len(record["police_uk_repeats"]) > 0


def test_check_names_the_failing_source_months_and_file(project_copy, demo_dir, tmp_path):
    """A fly-tipping extract without May 2023: the check fails with a cross, the months and the file, and the count."""
    from tests.conftest import ccsp

    project = project_copy
    lines = (demo_dir / "partner" / "fly_tipping.csv").read_text(encoding="utf-8").splitlines()
    kept = [lines[0]] + [ln for ln in lines[1:] if ln.split(",")[1][:7] != "2023-05"]
    assert len(kept) < len(lines)  # the demo has fly-tipping in May 2023, so the cut removes rows
    (project / "ft.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    (project / "params" / "gap.yaml").write_text("period: 2023-24\nsources:\n  fly_tipping: ft.csv\n", encoding="utf-8")
    done = ccsp("data", "check", str(project / "params" / "gap.yaml"), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    out = done.stdout.splitlines()
    cross = [ln for ln in out if ln.startswith("  ✗ ")]
    assert len(cross) == 1 and cross[0].startswith("  ✗ fly-tipping has rows in every month compared")
    detail = out[out.index(cross[0]) + 1]
    assert "no rows in May 2023 (1 month)" in detail and "file: ft.csv" in detail
    n = sum(1 for ln in out if ln.startswith(("  ✓ ", "  ✗ ")))
    assert out[-1] == f"{n - 1} of {n} checks passed."
    assert "\033[" not in done.stdout  # not a terminal: no colour
