"""Ctrl-C ends a run cleanly: exit code 130, one short line, no traceback, no partial files."""

import os
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_sigint_during_a_real_run(tmp_path):
    cache = tmp_path / "cache"
    env = {**os.environ, "CI": "true", "VERIFY_CACHE_DIR": str(cache)}
    process = subprocess.Popen([sys.executable, "-m", "verify", "thm1", "--plot", str(tmp_path / "figures"),
                                "--latex", str(tmp_path / "out.tex")], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120  # wait until the run is past its imports and caching derivations
    while not list(cache.rglob("*.pickle")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
    time.sleep(1)  # more derivations (forked SymPy workers included) under way
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err.strip().splitlines() == ["python -m verify: interrupted"]
    assert "Traceback" not in out + err
    assert not (tmp_path / "out.tex").exists()
    leftovers = [p for p in tmp_path.rglob("*") if p.name.startswith(".") and p.is_file()]
    assert not leftovers, leftovers
    for entry in cache.rglob("*.pickle"):  # whatever was cached is complete and intact
        import hashlib

        data = entry.read_bytes()
        assert hashlib.sha256(data[32:]).digest() == data[:32]


def test_sigint_during_the_fork_of_a_sympy_worker_is_not_lost():
    """A Ctrl-C that lands while a derivation's worker is being forked (here: sent from an at-fork hook,
    where Python would print the KeyboardInterrupt and drop it) still interrupts the run."""
    script = ("import os, signal\n"
              "from theory.timelimit import within\n"
              "os.register_at_fork(after_in_parent=lambda: os.kill(os.getpid(), signal.SIGINT))\n"
              "try:\n"
              "    within(30, sum, [1, 2])\n"
              "except KeyboardInterrupt:\n"
              "    print('interrupted')\n"
              "else:\n"
              "    print('lost')\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "interrupted" and "Exception ignored" not in done.stderr, done.stderr
