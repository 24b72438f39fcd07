"""On-disk cache of expensive SymPy derivations.

Entries are keyed by what they depend on: the caller's key, the SymPy version and a hash of the
``theory`` package's source (so a code change never serves a stale derivation). Writes are atomic
(temporary file + ``os.replace``), so concurrent runs and interrupted runs leave either the old entry or
the new one, never a partial file.

Entries are pickles, and unpickling can run code, so an entry is unpickled only after its
authentication tag checks: HMAC-SHA256, under a secret key of the cache directory, of the entry's name
and payload. Whoever can write the cache directory but cannot read the key cannot forge an entry (nor
move a valid one to another key's name); an entry that fails the check, is not a regular file
(a link, a FIFO) or does not unpickle is recomputed and rewritten. The key (``key``, 32 random bytes
from ``secrets``) is created on first use with mode 0600, atomically (written to a temporary file, then
hard-linked into place, which fails if another process got there first; every process then reads the
one that won). A key that is not a regular file of 32 bytes, is readable or writable by group or
others, or belongs to another user disables the cache for the run: everything is computed afresh and
nothing is read or written.

Location: ``$VERIFY_CACHE_DIR``, else ``$XDG_CACHE_HOME/implicit-bias-verify``, else
``~/.cache/implicit-bias-verify``. ``disabled()`` (the CLI's ``--no-cache``) bypasses it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import stat
import tempfile
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import sympy

import theory

from .files import write_atomic

KEY_NAME = "key"
KEY_BYTES = 32
TAG_BYTES = hashlib.sha256().digest_size

_STATE = {"enabled": os.environ.get("VERIFY_NO_CACHE", "") in ("", "0")}


def directory() -> Path:
    if os.environ.get("VERIFY_CACHE_DIR"):
        return Path(os.environ["VERIFY_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "implicit-bias-verify"


@contextmanager
def disabled():
    """Compute everything afresh inside this block (reads and writes are skipped)."""
    saved = _STATE["enabled"]
    _STATE["enabled"] = False
    try:
        yield
    finally:
        _STATE["enabled"] = saved


def cached(namespace: str, key: str, compute):
    """``compute()``, served from the cache when an authentic entry for (namespace, key) exists."""
    if not _STATE["enabled"]:
        return compute()
    root = directory()
    secret = _secret(root)
    if secret is None:
        return compute()
    name = _digest(namespace, key)
    path = root / namespace / f"{name}.pickle"
    try:
        with _open_regular(path) as stream:
            stored = stream.read()
        tag, payload = stored[:TAG_BYTES], stored[TAG_BYTES:]
        if hmac.compare_digest(tag, _tag(secret, name, payload)):
            return pickle.loads(payload)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError, ImportError):
        pass  # missing or corrupt: recompute below
    value = compute()
    payload = pickle.dumps(value)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomic(path, _tag(secret, name, payload) + payload)
    except OSError:
        pass  # an unwritable cache only costs time
    return value


def authentic(path) -> bool:
    """Whether the entry at ``path`` (inside a cache directory) carries a valid tag under its key."""
    path = Path(path)
    secret = _secret(path.parent.parent)
    with _open_regular(path) as stream:
        stored = stream.read()
    tag, payload = stored[:TAG_BYTES], stored[TAG_BYTES:]
    return secret is not None and hmac.compare_digest(tag, _tag(secret, path.stem, payload))


def _tag(secret: bytes, name: str, payload: bytes) -> bytes:
    return hmac.new(secret, name.encode() + b"\0" + payload, hashlib.sha256).digest()


def _secret(root: Path):
    """The cache directory's key, created if there is none; None when it is unusable or untrustworthy."""
    try:
        return _read_key(root / KEY_NAME)
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=root, prefix=".key-")  # mode 0600
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(secrets.token_bytes(KEY_BYTES))
            os.link(temporary, root / KEY_NAME)  # atomic, and fails if another process linked its key first
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
        return _read_key(root / KEY_NAME)  # the key that won, ours or another process's
    except OSError:
        return None  # no usable key (a read-only or link-less filesystem): run without the cache


def _read_key(path: Path) -> bytes:
    """The key at ``path``; OSError unless it is a regular file of the right size, ours, and private."""
    with _open_regular(path) as stream:
        status = os.fstat(stream.fileno())
        if status.st_size != KEY_BYTES:
            raise OSError(f"{path} is not {KEY_BYTES} bytes long")
        if status.st_uid != os.getuid() or status.st_mode & 0o077:
            raise PermissionError(f"{path} belongs to another user or is open to group or others")
        return stream.read(KEY_BYTES)


def _open_regular(path: Path):
    """``path`` opened for reading if it is a regular file; never follows a link or blocks on a FIFO."""
    stream = os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK), "rb")
    if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
        stream.close()
        raise OSError(f"{path} is not a regular file")
    return stream


def _digest(namespace: str, key: str) -> str:
    return hashlib.sha256("\0".join((namespace, key, sympy.__version__, _theory_source())).encode()).hexdigest()


@lru_cache(maxsize=1)
def _theory_source() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(theory.__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()
