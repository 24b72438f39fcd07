"""Output files written atomically: a temporary file in the same directory, then ``os.replace``, so an
interrupted run leaves the old file or the new one, never a partial one.

Only regular files are written. ``os.replace`` would swap whatever node the path names for a regular
file, so a path that exists and is anything else is refused with an ``OSError``: a FIFO, a device
(``/dev/null``), a socket, a directory, and a symbolic link, even one to a regular file (name the file
it points to instead: in a shared directory such as /tmp a planted link could otherwise redirect an
output).
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

_UMASK = os.umask(0)
os.umask(_UMASK)


def write_atomic(path, data) -> None:
    """Write ``data`` (str or bytes) to ``path``, a regular file or a new one; OSError for other nodes."""
    path = _regular_or_absent(Path(path))
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
    """``path`` when a regular file can be written there (it is one, or does not exist), or OSError."""
    target = _regular_or_absent(Path(path))
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"directory {parent} does not exist")
    _probe(parent)
    return target


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _regular_or_absent(path: Path) -> Path:
    """``path`` unless it exists and is not a regular file (symbolic links are not followed)."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return path
    if stat.S_ISREG(mode):
        return path
    kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    code = errno.EISDIR if stat.S_ISDIR(mode) else errno.ELOOP if stat.S_ISLNK(mode) else errno.EEXIST
    hint = " (name the file it points to)" if stat.S_ISLNK(mode) else ""
    raise OSError(code, f"{kind}, not a regular file{hint}: only regular files are written", str(path))


def _probe(directory: Path) -> None:
    """Create and remove a file: permission bits alone mislead (root, read-only mounts, /proc)."""
    handle, name = tempfile.mkstemp(dir=directory, prefix=".probe-")
    os.close(handle)
    os.unlink(name)
