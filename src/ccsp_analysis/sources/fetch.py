"""Download public data (data.police.uk archives, ONS files) with a checksum manifest and a cache."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import logging
import os
import re
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from ccsp_analysis.errors import DataError

log = logging.getLogger(__name__)

POLICE_ARCHIVE_URL = "https://data.police.uk/data/archive"
#: Environment variable the CLI reads to override the police archive base URL.
POLICE_BASE_URL_ENV = "CCSP_POLICE_BASE_URL"
_CHUNK = 1 << 20
_TIMEOUT = 60.0

#: progress(name, bytes_done, bytes_total or None)
Progress = Callable[[str, int, int | None], None]


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest_key(dest_path: Path, manifest_path: Path) -> str:
    try:
        return dest_path.resolve().relative_to(manifest_path.resolve().parent).as_posix()
    except ValueError:
        return str(dest_path.resolve())


def _load_manifest(manifest_path: Path) -> dict:
    if not manifest_path.is_file():
        return {"files": {}}
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(
            f"download manifest is not valid JSON ({exc})",
            path=manifest_path,
            fix="delete it; files are then downloaded again",
        ) from exc
    manifest.setdefault("files", {})
    return manifest


def _write_manifest(manifest_path: Path, manifest: dict) -> None:
    tmp = manifest_path.with_name(manifest_path.name + ".part")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, manifest_path)


def _download(
    url: str, part: Path, name: str, progress: Progress | None, timeout: float
) -> tuple[int, str]:
    """Stream ``url`` into ``part``; return (bytes, sha256). Raises DataError on any failure."""
    digest, done = hashlib.sha256(), 0
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(part, "wb") as out:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            while block := response.read(_CHUNK):
                out.write(block)
                digest.update(block)
                done += len(block)
                if progress is not None:
                    progress(name, done, total)
    except urllib.error.HTTPError as exc:
        raise DataError(
            f"download failed: HTTP {exc.code} {exc.reason}",
            path=url,
            fix="check the URL (or the month: data.police.uk keeps about three years of archives)",
        ) from exc
    except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        raise DataError(
            f"download failed: {reason}",
            path=url,
            fix="check the network connection and the base URL, then run the fetch again",
        ) from exc
    if total is not None and done != total:
        raise DataError(
            f"download incomplete: got {done} of {total} bytes",
            path=url,
            fix="run the fetch again",
        )
    return done, digest.hexdigest()


def fetch_file(
    url: str,
    dest_path: str | Path,
    manifest_path: str | Path,
    expected_sha256: str | None = None,
    force: bool = False,
    *,
    progress: Progress | None = None,
    timeout: float = _TIMEOUT,
    check: Callable[[Path], str | None] | None = None,
) -> Path:
    """Download ``url`` to ``dest_path`` unless a verified copy is already there.

    Parameters
    ----------
    url
        The file's URL (http, https or file).
    dest_path
        Where to store it; written via ``<name>.part`` then renamed, so a failed download never
        leaves a half-written file.
    manifest_path
        JSON manifest recording url, file, bytes, sha256 and fetched_at (UTC ISO) per file.
    expected_sha256
        Known checksum; a mismatch is an error and nothing is kept.
    force
        Download even when a verified copy exists.
    progress
        Called as ``progress(name, bytes_done, bytes_total_or_None)`` after each chunk.
    timeout
        Seconds to wait for the server.
    check
        Optional content check on the downloaded ``.part`` file: returns a problem or None.

    Returns
    -------
    Path
        ``dest_path``.

    Raises
    ------
    DataError
        On HTTP errors, time-outs, short downloads, checksum mismatch or a failed content check,
        naming the URL and what to do.
    """
    dest_path, manifest_path = Path(dest_path), Path(manifest_path)
    manifest = _load_manifest(manifest_path)
    key = _manifest_key(dest_path, manifest_path)
    entry = manifest["files"].get(key)
    if not force and entry and dest_path.is_file():
        wanted = expected_sha256 or entry.get("sha256")
        if entry.get("sha256") == wanted and sha256_file(dest_path) == wanted:
            log.info("%s: cached copy verified, not downloading", dest_path.name)
            return dest_path
    dest_path.parent.mkdir(parents=True, exist_ok=True)
    part = dest_path.with_name(dest_path.name + ".part")
    try:
        size, digest = _download(url, part, dest_path.name, progress, timeout)
        if expected_sha256 is not None and digest != expected_sha256.lower():
            raise DataError(
                f"checksum mismatch: expected sha256 {expected_sha256}, got {digest}",
                path=url,
                fix="the file has changed or was corrupted; check the source and the expected checksum",
            )
        problem = check(part) if check is not None else None
        if problem:
            raise DataError(
                problem, path=url, fix="check the URL; the server did not send the expected file"
            )
        os.replace(part, dest_path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
    manifest["files"][key] = {
        "url": url,
        "file": key,
        "bytes": size,
        "sha256": digest,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _write_manifest(manifest_path, manifest)
    log.info("downloaded %s (%d bytes)", url, size)
    return dest_path


def _zip_problem(path: Path) -> str | None:
    return None if zipfile.is_zipfile(path) else "the download is not a zip archive"


def fetch_police_archive(
    months: Sequence[str],
    dest: str | Path,
    base_url: str = POLICE_ARCHIVE_URL,
    force: bool = False,
    progress: Progress | None = None,
) -> list[Path]:
    """Download data.police.uk monthly archives ``{base_url}/{YYYY-MM}.zip`` into ``dest``.

    Each archive holds about three years of monthly files for every force, so usually the latest
    month is all you need. ``dest/manifest.json`` records what was fetched; verified copies are
    not downloaded again unless ``force``.

    Parameters
    ----------
    months
        ``YYYY-MM`` archive months.
    dest
        Folder for the zips and the manifest.
    base_url
        Archive base URL (the CLI reads ``CCSP_POLICE_BASE_URL``).
    force
        Download again even when cached.
    progress
        ``progress(name, bytes_done, bytes_total_or_None)``.

    Returns
    -------
    list of Path
        The archive files, in the order of ``months``.
    """
    bad = [m for m in months if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(m))]
    if bad:
        raise ValueError(f"months must be YYYY-MM, got {bad}")
    dest = Path(dest)
    return [
        fetch_file(
            f"{base_url.rstrip('/')}/{month}.zip",
            dest / f"{month}.zip",
            dest / "manifest.json",
            force=force,
            progress=progress,
            check=_zip_problem,
        )
        for month in months
    ]
