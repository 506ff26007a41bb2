"""Content hashes of input files and folders, remembered by size and modification time so re-runs are fast."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


class HashCache:
    """SHA-256 of files, reusing a stored value while a file's size and mtime are unchanged."""

    def __init__(self, store: Path) -> None:
        self.store = store
        try:
            self._known: dict[str, list] = json.loads(store.read_text())
        except (FileNotFoundError, ValueError):
            self._known = {}
        self._dirty = False

    def file(self, path: Path) -> str:
        st = path.stat()
        key = str(path.resolve())
        entry = self._known.get(key)
        if entry and entry[0] == st.st_size and entry[1] == st.st_mtime_ns:
            return entry[2]
        digest = file_sha256(path)
        self._known[key] = [st.st_size, st.st_mtime_ns, digest]
        self._dirty = True
        return digest

    def tree(self, path: Path) -> str:
        """Hash of a file, or of a folder's files (relative names and contents, in sorted order)."""
        if path.is_file():
            return self.file(path)
        h = hashlib.sha256()
        for p in sorted(x for x in path.rglob("*") if x.is_file()):
            h.update(str(p.relative_to(path)).encode())
            h.update(self.file(p).encode())
        return h.hexdigest()

    def save(self) -> None:
        """Write the remembered hashes: to a unique temporary file, then renamed into place (concurrent runs
        never see a half-written store)."""
        if self._dirty:
            import tempfile

            self.store.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.store.name}.", suffix=".tmp", dir=self.store.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(json.dumps(self._known))
                os.replace(tmp, self.store)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self._dirty = False


def package_hash() -> str:
    """SHA-256 of the installed package's code, templates and styles (what shapes every result and page)."""
    pkg = Path(__file__).parent
    h = hashlib.sha256()
    for path in sorted(p for p in pkg.rglob("*") if p.is_file() and p.suffix in (".py", ".j2", ".css", ".tpl", ".json")):
        h.update(str(path.relative_to(pkg)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def content_key(*parts: object) -> str:
    """SHA-256 of ``parts`` in order: bytes as they are, anything else as sorted JSON (the keys that
    decide whether a run's results, notebooks and pages can be reused)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else json.dumps(part, sort_keys=True, default=str).encode())
        h.update(b"\0")
    return h.hexdigest()
