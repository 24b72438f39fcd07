"""Output paths that are not regular files are refused before any work, and left as they were."""

import os
import stat

import pytest

from verify import cli, runner


@pytest.mark.parametrize("kind", ["device", "fifo", "symlink"])
def test_latex_to_a_special_file_exits_2_and_leaves_it_alone(kind, tmp_path, capsys, monkeypatch):
    def no_work(*arguments, **keywords):  # and, should the check regress, /dev/null is not replaced
        raise AssertionError("the run started: the output path was not refused first")

    monkeypatch.setattr(runner, "run", no_work)
    if kind == "device":
        path = "/dev/null"
    elif kind == "fifo":
        path = str(tmp_path / "pipe")
        os.mkfifo(path)
    else:
        path = str(tmp_path / "link.tex")
        os.symlink(tmp_path / "target.tex", path)
    before = os.lstat(path).st_mode
    assert cli.main(["thm1", "--latex", path]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and f"--latex {path}:" in err and "not a regular file" in err
    assert "Traceback" not in err
    assert stat.S_IFMT(os.lstat(path).st_mode) == stat.S_IFMT(before)
    assert not (tmp_path / "target.tex").exists()
