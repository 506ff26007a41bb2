"""Tests for sources.fetch against a local HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import zipfile
from collections import Counter
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ccsp_analysis.errors import DataError
from ccsp_analysis.sources.fetch import fetch_file, fetch_police_archive
from ccsp_analysis.sources.police_uk import read_street

STREET = Path(__file__).parents[1] / "fixtures" / "police" / "2023-04-west-midlands-street.csv"


def archive_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(f"2023-04/{STREET.name}", STREET.read_bytes())
    return buffer.getvalue()


class Server:
    """Serves ``files`` (path -> bytes) and counts requests; '/short/...' lies about its length."""

    def __init__(self, files: dict[str, bytes]):
        self.files = files
        self.requests: Counter[str] = Counter()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                outer.requests[self.path] += 1
                body = outer.files.get(self.path)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                claimed = len(body) * 2 if self.path.startswith("/short/") else len(body)
                self.send_header("Content-Length", str(claimed))
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def server():
    files = {
        "/archive/2023-04.zip": archive_bytes(),
        "/ons/lookup.csv": b"LSOA21CD,LSOA21NM\nE01009522,Coventry 014A\n",
        "/archive/2023-05.zip": b"<html>not a zip</html>",
        "/short/big.bin": b"x" * 1000,
    }
    with Server(files) as running:
        yield running


def test_fetch_file_writes_file_and_manifest(server, tmp_path):
    body = server.files["/ons/lookup.csv"]
    seen = []
    path = fetch_file(
        f"{server.url}/ons/lookup.csv",
        tmp_path / "lookup.csv",
        tmp_path / "manifest.json",
        expected_sha256=hashlib.sha256(body).hexdigest(),
        progress=lambda *args: seen.append(args),
    )
    assert path.read_bytes() == body
    entry = json.loads((tmp_path / "manifest.json").read_text())["files"]["lookup.csv"]
    assert entry["url"] == f"{server.url}/ons/lookup.csv"
    assert entry["bytes"] == len(body) and entry["sha256"] == hashlib.sha256(body).hexdigest()
    assert entry["file"] == "lookup.csv"
    assert datetime.fromisoformat(entry["fetched_at"]).utcoffset().total_seconds() == 0
    assert seen[-1] == ("lookup.csv", len(body), len(body))
    assert not list(tmp_path.glob("*.part"))


def test_cache_hit_makes_no_second_request(server, tmp_path):
    months = ["2023-04"]
    first = fetch_police_archive(months, tmp_path, base_url=f"{server.url}/archive")
    second = fetch_police_archive(months, tmp_path, base_url=f"{server.url}/archive/")
    assert first == second == [tmp_path / "2023-04.zip"]
    assert server.requests["/archive/2023-04.zip"] == 1
    fetch_police_archive(months, tmp_path, base_url=f"{server.url}/archive", force=True)
    assert server.requests["/archive/2023-04.zip"] == 2
    # The downloaded archive is readable in place by the police reader (6 fixture rows).
    assert len(read_street(first[0])) == 6


def test_changed_file_on_disk_is_downloaded_again(server, tmp_path):
    path = fetch_police_archive(["2023-04"], tmp_path, base_url=f"{server.url}/archive")[0]
    path.write_bytes(b"tampered")
    fetch_police_archive(["2023-04"], tmp_path, base_url=f"{server.url}/archive")
    assert server.requests["/archive/2023-04.zip"] == 2
    assert path.read_bytes() == server.files["/archive/2023-04.zip"]


def test_http_404_names_the_url(server, tmp_path):
    with pytest.raises(DataError) as info:
        fetch_police_archive(["2019-01"], tmp_path, base_url=f"{server.url}/archive")
    assert "HTTP 404" in str(info.value) and f"{server.url}/archive/2019-01.zip" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_checksum_mismatch_leaves_nothing(server, tmp_path):
    with pytest.raises(DataError, match="checksum mismatch"):
        fetch_file(
            f"{server.url}/ons/lookup.csv",
            tmp_path / "lookup.csv",
            tmp_path / "manifest.json",
            expected_sha256="0" * 64,
        )
    assert list(tmp_path.iterdir()) == []


def test_partial_download_leaves_no_file(server, tmp_path):
    with pytest.raises(DataError, match="download (failed|incomplete)"):
        fetch_file(f"{server.url}/short/big.bin", tmp_path / "big.bin", tmp_path / "manifest.json")
    assert list(tmp_path.iterdir()) == []


def test_non_zip_archive_is_rejected(server, tmp_path):
    with pytest.raises(DataError, match="not a zip archive"):
        fetch_police_archive(["2023-05"], tmp_path, base_url=f"{server.url}/archive")
    assert list(tmp_path.iterdir()) == []


def test_unreachable_server_and_bad_months(tmp_path):
    with Server({}) as idle:
        url = idle.url
    with pytest.raises(DataError, match="download failed") as info:
        fetch_file(f"{url}/x.csv", tmp_path / "x.csv", tmp_path / "manifest.json", timeout=2)
    assert url in str(info.value)
    with pytest.raises(ValueError, match="YYYY-MM"):
        fetch_police_archive(["2023-13"], tmp_path)
