"""Reports people use: LaTeX that compiles, figures that render, the derivation cache."""

import multiprocessing
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from verify import cache
from verify.claims import REGISTRY
from verify.latex import document

LATEX_FAILURES = ("Undefined control sequence", "LaTeX Error", "Missing character", "! ")


def compile_latex(source: str, directory: Path) -> str:
    """pdflatex (a real engine) on ``source``; returns the log, fails on any error."""
    if shutil.which("pdflatex") is None:
        pytest.fail("pdflatex is missing: install Debian's texlive-latex-base (README, .ci/run)")
    (directory / "export.tex").write_text(source)
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "export.tex"], cwd=directory,
                          capture_output=True, text=True, timeout=120)
    log = (directory / "export.log").read_text(errors="replace")
    assert done.returncode == 0, log[-3000:]
    for failure in LATEX_FAILURES:
        assert failure not in log, failure
    assert (directory / "export.pdf").stat().st_size > 10_000
    return log


def test_cli_writes_latex_to_stdout_and_figures_to_a_directory(tmp_path):
    done = subprocess.run([sys.executable, "-m", "verify", "thm2", "--profile", "quick", "-q", "--latex", "-",
                           "--latex-fragment", "--plot", str(tmp_path)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "CI": "true"})
    assert done.returncode == 0, done.stderr
    assert r"\begin{align*}" in done.stdout
    for name in ("thm2-phase-diagram.png", "thm2-phase-diagram.pdf"):
        assert (tmp_path / name).stat().st_size > 20_000
    assert (tmp_path / "thm2-phase-diagram.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob(".*.tmp")), "no partial files left behind"
    assert "\r" not in done.stderr and "it/s" not in done.stderr, "no progress bar under CI=true"


FIGURES = {"thm1": ("figure2",), "sensing": ("figure1a", "figure4"), "classification": ("cosine", "figure1c"),
           "convolution": ("figure1d", "figure7")}  # figures drawn without a run (the others need its result)


@pytest.mark.parametrize("claim", sorted(FIGURES))
def test_figures_render(claim, tmp_path):
    from verify.claim import Run
    from verify.runner import Result

    paths = REGISTRY[claim].figures(tmp_path, Result(REGISTRY[claim], Run(), [], [], None))
    expected = sorted(f"{claim}-{name}.{kind}" for name in FIGURES[claim] for kind in ("pdf", "png"))
    assert sorted(path.name for path in paths) == expected
    assert all(path.stat().st_size > 20_000 for path in paths)
    assert all(path.stat().st_mode & 0o044 for path in paths), "readable by others, like any output file"


def _compute_once(directory):
    os.environ["VERIFY_CACHE_DIR"] = directory
    return cache.cached("test", "key", lambda: {"value": 42})


def test_cache_survives_corruption_and_concurrent_writers(tmp_path, monkeypatch):
    monkeypatch.setenv("VERIFY_CACHE_DIR", str(tmp_path))
    calls = []
    assert cache.cached("test", "key", lambda: calls.append(1) or [1, 2, 3]) == [1, 2, 3]
    assert cache.cached("test", "key", lambda: calls.append(1) or [9]) == [1, 2, 3] and len(calls) == 1
    (entry,) = (tmp_path / "test").glob("*.pickle")
    entry.write_bytes(entry.read_bytes()[:-3] + b"xyz")  # corrupt the payload: detected, recomputed
    assert cache.cached("test", "key", lambda: [4]) == [4]
    entry.write_bytes(b"\x00" * 10)  # truncated
    assert cache.cached("test", "key", lambda: [5]) == [5]
    with cache.disabled():
        assert cache.cached("test", "key", lambda: [6]) == [6]
    assert cache.cached("test", "key", lambda: [7]) == [5]
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        results = pool.map(_compute_once, [str(tmp_path / "shared")] * 8)
    assert results == [{"value": 42}] * 8
    (stored,) = (tmp_path / "shared" / "test").glob("*.pickle")
    assert pickle.loads(stored.read_bytes()[32:]) == {"value": 42}
    assert not list((tmp_path / "shared" / "test").glob(".*"))
