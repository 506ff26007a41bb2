import hashlib
import os

from ccsp_analysis.hashing import HashCache, file_sha256


def test_file_hash_matches_hashlib(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes(b"x,y\n1,2\n")
    assert file_sha256(p) == hashlib.sha256(b"x,y\n1,2\n").hexdigest()


def test_cache_reuses_until_file_changes(tmp_path, monkeypatch):
    p = tmp_path / "a.csv"
    p.write_text("one")
    cache = HashCache(tmp_path / "h.json")
    first = cache.file(p)
    calls = []
    monkeypatch.setattr("ccsp_analysis.hashing.file_sha256", lambda path: calls.append(path) or "x")
    assert cache.file(p) == first and calls == []  # unchanged size and mtime: no re-hash
    p.write_text("two!")
    os.utime(p, ns=(1, 1))
    assert cache.file(p) == "x" and len(calls) == 1


def test_tree_hash_depends_on_names_and_contents(tmp_path):
    d = tmp_path / "d"
    (d / "s").mkdir(parents=True)
    (d / "s" / "f.csv").write_text("a")
    cache = HashCache(tmp_path / "h.json")
    h1 = cache.tree(d)
    (d / "s" / "f.csv").rename(d / "s" / "g.csv")
    assert HashCache(tmp_path / "h2.json").tree(d) != h1
