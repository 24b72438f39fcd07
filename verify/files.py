"""Output files written atomically: a temporary file in the same directory, then ``os.replace``, so an
interrupted run leaves the old file or the new one, never a partial one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_UMASK = os.umask(0)
os.umask(_UMASK)


def write_atomic(path, data) -> None:
    path = Path(path)
    payload = data.encode() if isinstance(data, str) else data
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.chmod(temporary, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the file the usual permissions
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def writable_directory(path) -> Path:
    """``path`` as an existing (created if needed) directory a file can be written into, or OSError."""
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    _probe(directory)
    return directory


def writable_file(path) -> Path:
    """``path`` when a file can be written there, or OSError saying why not."""
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(21, "is a directory")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise FileNotFoundError(2, f"directory {parent} does not exist")
    _probe(parent)
    return target


def _probe(directory: Path) -> None:
    """Create and remove a file: permission bits alone mislead (root, read-only mounts, /proc)."""
    handle, name = tempfile.mkstemp(dir=directory, prefix=".probe-")
    os.close(handle)
    os.unlink(name)
