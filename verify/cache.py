"""On-disk cache of expensive SymPy derivations.

Entries are keyed by what they depend on: the caller's key, the SymPy version and a hash of the
``theory`` package's source (so a code change never serves a stale derivation). Writes are atomic
(temporary file + ``os.replace``), so concurrent runs and interrupted runs leave either the old entry or
the new one, never a partial file; each entry carries a SHA-256 of its payload, and an entry that fails
that check or does not unpickle is recomputed and rewritten.

Location: ``$VERIFY_CACHE_DIR``, else ``$XDG_CACHE_HOME/implicit-bias-verify``, else
``~/.cache/implicit-bias-verify``. ``disabled()`` (the CLI's ``--no-cache``) bypasses it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import sympy

import theory

from .files import write_atomic

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
    """``compute()``, served from the cache when an intact entry for (namespace, key) exists."""
    if not _STATE["enabled"]:
        return compute()
    path = directory() / namespace / f"{_digest(namespace, key)}.pickle"
    try:
        stored = path.read_bytes()
        checksum, payload = stored[:32], stored[32:]
        if hashlib.sha256(payload).digest() == checksum:
            return pickle.loads(payload)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        pass  # missing or corrupt: recompute below
    value = compute()
    _write(path, pickle.dumps(value))
    return value


def _write(path: Path, payload: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, hashlib.sha256(payload).digest() + payload)
    except OSError:
        pass  # an unwritable cache only costs time


def _digest(namespace: str, key: str) -> str:
    return hashlib.sha256("\0".join((namespace, key, sympy.__version__, _theory_source())).encode()).hexdigest()


@lru_cache(maxsize=1)
def _theory_source() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(theory.__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()
