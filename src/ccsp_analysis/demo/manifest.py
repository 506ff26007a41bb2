"""The demo data's marks (the DEMO.json manifest, X01 small-area codes) and finding them on a run's inputs.

Standard library only (no pandas): parameters are checked against these marks before anything
heavy is imported.

``ccsp data demo`` writes ``DEMO.json`` at the top of its output folder::

    {"synthetic": true, "generator": "ccsp data demo", "demo_version": 4, "seed": ...,
     "sources": {"police_uk": "police_uk", "partner_crimes": "partner/crimes.csv", ...},
     "files": [{"path": "partner/crimes.csv", "bytes": 12345, "sha256": "..."}, ...]}

An input is synthetic when a folder holding it (or a parent of that folder) has a manifest that
lists it (a file input listed itself; a folder input holding listed files), or when it is an LSOA
lookup whose codes use the prefix ``X01``, which ONS never issues (the demo's synthetic small areas).
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

#: The manifest's file name, at the top of a demo data folder.
MANIFEST_NAME = "DEMO.json"
#: The prefix of the demo's synthetic small-area codes (ONS issues E01 and W01, never X01).
SYNTHETIC_LSOA_PREFIX = "X01"
#: Sources whose small-area codes are checked for the synthetic prefix (the lookup defines the area).
LOOKUP_SOURCES = ("lsoa_ward_lookup",)
#: How much of a lookup is scanned for synthetic codes (a whole national lookup is about 3 MB).
_SCAN_BYTES = 8 << 20
_X01_CODE = re.compile(rb"(?<![A-Za-z0-9])X01\d{6}(?!\d)")
#: How :func:`synthetic_sources` begins the reason of an input a demo manifest lists (the generator's
#: output, calibrated to the published figures), followed by the manifest's path.
LISTED = "listed in the demo manifest"


def file_entries(folder: Path, paths: Iterable[Path]) -> list[dict]:
    """Manifest entries ``{path, bytes, sha256}`` for ``paths`` (relative to ``folder``, '/'-separated, sorted)."""
    from concurrent.futures import ThreadPoolExecutor

    from ccsp_analysis.hashing import file_sha256

    paths = list(paths)
    with ThreadPoolExecutor(max_workers=2) as pool:  # hashlib hashes large chunks without the GIL
        sums = list(pool.map(file_sha256, paths))
    entries = [{"path": p.relative_to(folder).as_posix(), "bytes": p.stat().st_size, "sha256": h}
               for p, h in zip(paths, sums, strict=True)]
    return sorted(entries, key=lambda e: e["path"])


def write_manifest(folder: Path, meta: Mapping) -> Path:
    """Write ``DEMO.json`` in ``folder``: ``"synthetic": true``, ``meta``, and every file under ``folder``
    (except the manifest itself) with its size and SHA-256. Deterministic (no dates), so the same
    data give the same manifest."""
    folder = Path(folder)
    files = [p for p in folder.rglob("*") if p.is_file() and p.relative_to(folder).as_posix() != MANIFEST_NAME]
    doc = {"synthetic": True, **{k: v for k, v in meta.items() if k not in ("synthetic", "files")},
           "files": file_entries(folder, files)}
    path = folder / MANIFEST_NAME
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return path


def read_manifest(path: Path) -> dict | None:
    """The manifest at ``path`` when it is a demo manifest (a JSON object with ``"synthetic": true``), else None."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and doc.get("synthetic") is True else None


class _Manifests:
    """Manifests found while checking one set of inputs (each folder looked at once)."""

    def __init__(self) -> None:
        self._by_folder: dict[str, tuple[dict, frozenset[str] | None] | None] = {}

    def at(self, folder: str) -> tuple[dict, frozenset[str] | None] | None:
        if folder not in self._by_folder:
            doc = read_manifest(Path(folder) / MANIFEST_NAME) if os.path.isfile(os.path.join(folder, MANIFEST_NAME)) else None
            listed = None
            if doc is not None and isinstance(doc.get("files"), list):
                listed = frozenset(e["path"] for e in doc["files"] if isinstance(e, dict) and isinstance(e.get("path"), str))
            self._by_folder[folder] = None if doc is None else (doc, listed)
        return self._by_folder[folder]

    def listing(self, path: str) -> str | None:
        """The manifest listing ``path`` (absolute), searching its folder and every parent folder."""
        folder = path if os.path.isdir(path) else os.path.dirname(path)
        while True:
            found = self.at(folder)
            if found is not None:
                rel = os.path.relpath(path, folder).replace(os.sep, "/")
                _doc, listed = found
                # an older manifest without a file list marks its whole folder as synthetic
                if listed is None or rel in listed or rel == "." or any(f.startswith(rel + "/") for f in listed):
                    return os.path.join(folder, MANIFEST_NAME)
            parent = os.path.dirname(folder)
            if parent == folder:
                return None
            folder = parent


def has_synthetic_codes(path: Path) -> bool:
    """True when the file (CSV, or ``.gz``) holds small-area codes with the prefix X01 (read as bytes, no parsing)."""
    try:
        opener = gzip.open if str(path).endswith(".gz") else open
        with opener(path, "rb") as fh:
            head = fh.read(_SCAN_BYTES)
    except (OSError, EOFError):
        return False
    return _X01_CODE.search(head) is not None


def synthetic_sources(sources: Mapping[str, str | Path | None]) -> dict[str, str]:
    """Which of ``sources`` (source name -> path, as in ``params.sources``) are synthetic, and why.

    Returns ``{source name: reason}`` in the order given; inputs that do not exist are not synthetic.
    Cost: a few ``stat`` calls per input, reading each manifest found once and scanning the lookup's bytes.
    """
    manifests = _Manifests()
    out: dict[str, str] = {}
    for name, value in sources.items():
        if value is None:
            continue
        lexical = os.path.abspath(value)
        if not os.path.exists(lexical):
            continue
        found = manifests.listing(lexical)
        if found is None:
            real = os.path.realpath(lexical)  # a symbolic link to a demo file elsewhere
            found = manifests.listing(real) if real != lexical else None
        if found is not None:
            out[name] = f"{LISTED} {found}"
        elif name in LOOKUP_SOURCES and os.path.isfile(lexical) and has_synthetic_codes(Path(lexical)):
            out[name] = (f"its small-area codes start with {SYNTHETIC_LSOA_PREFIX}, a prefix ONS never issues "
                         "(the demo's synthetic small areas)")
    return out
