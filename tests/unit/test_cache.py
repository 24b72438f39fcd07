"""The derivation cache unpickles only entries authenticated under its private key."""

import hashlib
import multiprocessing
import os
import pickle

import pytest

from verify import cache

MARKER = "unpickled-marker"


class Malicious:
    """Unpickling this creates a file: what an attacker's entry would do instead."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return open, (self.path, "w")


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setenv("VERIFY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "cache"


def entry(namespace="test", key="key"):
    return cache.directory() / namespace / f"{cache._digest(namespace, key)}.pickle"


def computed(value, calls):
    def compute():
        calls.append(value)
        return value
    return compute


def test_an_entry_with_a_valid_checksum_but_no_valid_tag_is_never_unpickled(root, tmp_path):
    calls = []
    assert cache.cached("test", "key", computed([1], calls)) == [1]  # creates the key and a real entry
    payload = pickle.dumps(Malicious(str(tmp_path / MARKER)))
    entry().write_bytes(hashlib.sha256(payload).digest() + payload)  # the old format's checksum: not a MAC
    assert cache.cached("test", "key", computed([2], calls)) == [2]
    assert not (tmp_path / MARKER).exists() and calls == [[1], [2]]
    assert cache.authentic(entry()) and cache.cached("test", "key", computed([3], calls)) == [2]  # rewritten


def test_a_tag_under_another_key_or_for_another_entry_is_refused(root, tmp_path):
    calls = []
    cache.cached("test", "key", computed("real", calls))
    payload = pickle.dumps(Malicious(str(tmp_path / MARKER)))
    forged = cache._tag(b"\0" * cache.KEY_BYTES, entry().stem, payload)
    entry().write_bytes(forged + payload)
    assert cache.cached("test", "key", computed("again", calls)) == "again"
    cache.cached("test", "other", computed("other", calls))
    entry().write_bytes(entry("test", "other").read_bytes())  # a valid entry, moved to another key's name
    assert cache.cached("test", "key", computed("third", calls)) == "third"
    assert not (tmp_path / MARKER).exists() and calls == ["real", "again", "other", "third"]


@pytest.mark.parametrize("corruption", [lambda data: data[:-3] + b"xyz", lambda data: data[:10], lambda data: b""])
def test_a_corrupt_entry_is_recomputed_and_rewritten(root, corruption):
    calls = []
    cache.cached("test", "key", computed({"value": 1}, calls))
    entry().write_bytes(corruption(entry().read_bytes()))
    assert cache.cached("test", "key", computed({"value": 2}, calls)) == {"value": 2}
    assert cache.cached("test", "key", computed({"value": 3}, calls)) == {"value": 2}
    assert len(calls) == 2


def test_the_key_is_private(root):
    cache.cached("test", "key", lambda: 1)
    key = root / cache.KEY_NAME
    assert key.stat().st_mode & 0o777 == 0o600 and key.stat().st_size == cache.KEY_BYTES
    assert not [path.name for path in root.iterdir() if path.name.startswith(".")]  # no temporary left


@pytest.mark.parametrize("weakness", ["group-readable", "world-writable", "another owner", "symlink", "short"])
def test_an_untrustworthy_key_disables_the_cache(root, weakness, monkeypatch, tmp_path):
    calls = []
    cache.cached("test", "key", computed(1, calls))
    key = root / cache.KEY_NAME
    if weakness == "group-readable":
        key.chmod(0o640)
    elif weakness == "world-writable":
        key.chmod(0o602)
    elif weakness == "another owner":
        owner = os.getuid()
        monkeypatch.setattr(os, "getuid", lambda: owner + 1)
    elif weakness == "symlink":
        elsewhere = tmp_path / "elsewhere"
        key.rename(elsewhere)
        key.symlink_to(elsewhere)
    else:
        key.write_bytes(key.read_bytes()[:8])
    before = entry().read_bytes()
    assert cache.cached("test", "key", computed(2, calls)) == 2 and calls == [1, 2]  # not read
    assert entry().read_bytes() == before  # nor written


def test_an_entry_that_is_not_a_regular_file_is_neither_read_nor_waited_on(root):
    cache.cached("test", "key", lambda: 1)
    entry().unlink()
    os.mkfifo(entry())  # reading a FIFO would block until someone writes to it
    assert cache.cached("test", "key", lambda: 2) == 2


def _secret_after(barrier, directory):
    barrier.wait()
    return cache._secret(directory).hex()


def test_processes_creating_the_key_at_once_agree(root):
    context = multiprocessing.get_context("fork")
    barrier = context.Manager().Barrier(4)
    with context.Pool(4) as pool:
        keys = pool.starmap(_secret_after, [(barrier, root)] * 4)
    assert len(set(keys)) == 1 and bytes.fromhex(keys[0]) == (root / cache.KEY_NAME).read_bytes()


def test_a_key_created_by_another_process_first_wins(root, monkeypatch):
    """The race, made deterministic: another process links its key between our write and our link."""
    theirs = b"t" * cache.KEY_BYTES
    link = os.link

    def late_link(source, destination):
        fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, theirs)
        os.close(fd)
        link(source, destination)

    monkeypatch.setattr(os, "link", late_link)
    assert cache._secret(root) == theirs
    assert (root / cache.KEY_NAME).read_bytes() == theirs and len(list(root.iterdir())) == 1
