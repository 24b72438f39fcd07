"""Outputs are written only as regular files: FIFOs, devices, directories and symbolic links are refused."""

import os
import socket
import stat

import pytest

from verify import files


@pytest.fixture(autouse=True)
def replace_only_inside(tmp_path, monkeypatch):
    """A safety net: should the code under test regress, it still cannot replace /dev/null (as root it
    could) or anything else outside the test's directory."""
    replace = os.replace

    def guarded(source, destination, **keywords):
        assert os.path.abspath(destination).startswith(str(tmp_path)), f"replaced {destination}"
        replace(source, destination, **keywords)

    monkeypatch.setattr(os, "replace", guarded)


def refused(path):
    for function in (files.writable_file, lambda target: files.write_atomic(target, "text")):
        with pytest.raises(OSError) as raised:
            function(path)
        assert "not a regular file" in raised.value.strerror
    return raised.value


def test_a_fifo_is_refused_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert "a FIFO" in refused(fifo).strerror
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["pipe"]  # no temporary left behind


def test_a_device_is_refused_and_stays_a_device():
    assert "a character device" in refused("/dev/null").strerror
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_a_directory_is_refused(tmp_path):
    assert isinstance(refused(tmp_path), IsADirectoryError)


def test_a_socket_is_refused(tmp_path):
    path = tmp_path / "socket"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        assert "a socket" in refused(path).strerror


@pytest.mark.parametrize("target_exists", [True, False])
def test_a_symbolic_link_is_refused_and_its_target_untouched(tmp_path, target_exists):
    target, link = tmp_path / "target.tex", tmp_path / "link.tex"
    if target_exists:
        target.write_text("original")
    link.symlink_to(target)
    assert "name the file it points to" in refused(link).strerror
    assert link.is_symlink()
    assert (target.read_text() == "original") if target_exists else not target.exists()


def test_regular_files_are_written_and_replaced(tmp_path):
    path = tmp_path / "out.tex"
    assert files.writable_file(path) == path
    files.write_atomic(path, "first")
    files.write_atomic(files.writable_file(path), b"second")
    assert path.read_bytes() == b"second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.tex"]
