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
    time.sleep(8)  # imports done, derivations (forked SymPy workers included) under way
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
