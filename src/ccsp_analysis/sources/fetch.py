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
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from ccsp_analysis.errors import DataError

log = logging.getLogger(__name__)

POLICE_ARCHIVE_URL = "https://data.police.uk/data/archive"
#: Environment variable the CLI reads to override the police archive base URL.
POLICE_BASE_URL_ENV = "CCSP_POLICE_BASE_URL"
_CHUNK = 1 << 20
_TIMEOUT = 60.0
_SCHEMES = ("http", "https", "file")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

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


def _write_error(path: Path, exc: OSError) -> DataError:
    """A DataError for a local file that cannot be written (read-only folder, full disk)."""
    return DataError(
        f"cannot write {path.name}: {exc.strerror or exc}",
        path=path.parent,
        fix="choose another --dest folder or free some space, then run the fetch again",
    )


def _write_manifest(manifest_path: Path, manifest: dict) -> None:
    tmp = manifest_path.with_name(manifest_path.name + ".part")
    try:
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, manifest_path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise _write_error(manifest_path, exc) from exc


def check_url(url: str) -> str:
    """``url`` when it is a complete http(s) or file URL; DataError naming what is wrong otherwise."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError on a port that is not a number
    except ValueError as exc:
        parts, problem = None, str(exc)
    else:
        problem = None
        if parts.scheme.lower() not in _SCHEMES:
            problem = f"scheme {parts.scheme!r} is not one of {', '.join(_SCHEMES)}"
            if not parts.scheme:
                problem = "it has no scheme (http:// or https://)"
        elif parts.scheme.lower() != "file" and not parts.hostname:
            problem = "it names no host"
        elif any(c.isspace() for c in url):
            problem = "it contains spaces (write them as %20)"
    if problem:
        raise DataError(
            f"is not a valid download URL: {problem}",
            path=url,
            fix="give the full address, e.g. https://data.police.uk/data/archive/2024-03.zip",
        )
    return url


def _download(
    url: str, part: Path, name: str, progress: Progress | None, timeout: float
) -> tuple[int, str]:
    """Stream ``url`` into ``part``; return (bytes, sha256). Raises DataError on any failure.

    Errors writing ``part`` (read-only folder, full disk) are told apart from network errors.
    """
    digest, done, total = hashlib.sha256(), 0, None
    try:
        out = open(part, "wb")  # noqa: SIM115 -- closed below; opened first so a bad folder fails fast
    except OSError as exc:
        raise _write_error(part, exc) from exc
    try:
        with out, urllib.request.urlopen(url, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            while block := response.read(_CHUNK):
                try:
                    out.write(block)
                except OSError as exc:
                    raise _write_error(part, exc) from exc
                digest.update(block)
                done += len(block)
                if progress is not None:
                    progress(name, done, total)
    except DataError:
        raise
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
    except ValueError as exc:  # urllib's "unknown url type" and other malformed URLs
        raise DataError(
            f"is not a valid download URL ({exc})",
            path=url,
            fix="give the full address, e.g. https://data.police.uk/data/archive/2024-03.zip",
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
        Content check on the downloaded ``.part`` file: returns a problem or None. By default
        the file's extension decides (:func:`content_problem`): a ``.zip`` must be a zip
        archive, a ``.gz`` gzip data, a ``.csv`` text that is not an HTML page, a ``.json``
        JSON; nothing is saved when the check fails.

    Returns
    -------
    Path
        ``dest_path``.

    Raises
    ------
    DataError
        On a malformed URL, HTTP errors, time-outs, short downloads, checksum mismatch, a failed
        content check, or a destination that cannot be written, naming the URL (or folder) and
        what to do.
    """
    check_url(url)
    dest_path, manifest_path = Path(dest_path), Path(manifest_path)
    manifest = _load_manifest(manifest_path)
    key = _manifest_key(dest_path, manifest_path)
    entry = manifest["files"].get(key)
    if not force and entry and dest_path.is_file():
        wanted = expected_sha256 or entry.get("sha256")
        if entry.get("sha256") == wanted and sha256_file(dest_path) == wanted:
            log.info("%s: cached copy verified, not downloading", dest_path.name)
            return dest_path
    try:
        dest_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(
            f"cannot create the folder ({exc.strerror or exc})",
            path=dest_path.parent,
            fix="choose another --dest folder",
        ) from exc
    if dest_path.is_dir():
        raise DataError(
            "is a folder, so the download cannot be saved under that name",
            path=dest_path,
            fix="choose another --dest folder",
        )
    part = dest_path.with_name(dest_path.name + ".part")
    check = check or partial(content_problem, name=dest_path.name)
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
        try:
            os.replace(part, dest_path)
        except OSError as exc:
            raise _write_error(dest_path, exc) from exc
    finally:
        with contextlib.suppress(OSError):  # gone already, or a read-only folder
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


def _head(path: Path, n: int = 4096) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(n)


def _markup(head: bytes) -> bool:
    """Whether the bytes start like an HTML or XML page (an error or login page, not data)."""
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


def _zip_problem(path: Path) -> str | None:
    if zipfile.is_zipfile(path):
        return None
    page = " (the server sent an HTML page)" if _markup(_head(path)) else ""
    return f"the download is not a zip archive{page}"


def content_problem(path: Path, name: str) -> str | None:
    """What is wrong with a downloaded file given the name it is saved under, or None.

    ``.zip`` (and ``.xlsx``) must be zip archives, ``.gz`` gzip data, ``.csv``/``.txt`` text
    that is neither an HTML/XML page nor binary, ``.json``/``.geojson`` JSON text; an empty
    download of any of these is refused. Other extensions are not checked.
    """
    lower = name.lower()
    kinds = (".zip", ".xlsx", ".gz", ".csv", ".txt", ".json", ".geojson")
    if not lower.endswith(kinds):
        return None
    head = _head(path)
    if not head:
        return "the download is empty"
    if lower.endswith((".zip", ".xlsx")):
        return _zip_problem(path)
    if lower.endswith(".gz"):
        return None if head[:2] == b"\x1f\x8b" else "the download is not gzip-compressed data"
    kind = "CSV file" if lower.endswith((".csv", ".txt")) else "JSON file"
    if _markup(head):
        return f"the server sent an HTML page, not a {kind}"
    if b"\x00" in head:
        return f"the download is binary data, not a {kind}"
    if kind == "JSON file" and head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] not in (b"{", b"["):
        return "the download is not JSON"
    return None


def check_months(months: Sequence[str]) -> list[str]:
    """The archive months as given, or ValueError naming those that are not ``YYYY-MM``."""
    bad = [m for m in months if not _MONTH.fullmatch(str(m))]
    if bad:
        raise ValueError(
            f"months must be YYYY-MM with a month 01-12, got {', '.join(map(repr, bad))}"
        )
    return list(months)


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
    check_months(months)
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
