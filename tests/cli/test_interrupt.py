"""Ctrl-C ends a run cleanly: exit code 130, one short line, no traceback, no partial files, no process left.

The tests wait for positive signs that the run has reached the point to interrupt (a line it printed, a
file it wrote), never for a fixed time, so that they behave the same on a loaded machine.
"""

import os
import signal
import subprocess
import sys
import time

import pytest

from verify import cache, cli

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_sigint_during_a_real_run(tmp_path):
    entries = tmp_path / "cache"
    env = {**os.environ, "CI": "true", "VERIFY_CACHE_DIR": str(entries)}
    process = subprocess.Popen([sys.executable, "-m", "verify", "thm1", "--plot", str(tmp_path / "figures"),
                                "--latex", str(tmp_path / "out.tex")], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # The report's header: the run is past its imports, inside the CLI's handler of Ctrl-C.
        assert process.stdout.readline(), process.communicate()[1]
        # A first derivation cached: SymPy derivations (forked workers included) are under way.
        while not any(entries.rglob("*.pickle")):
            assert process.poll() is None, "the run ended before it cached a derivation"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)  # a lost Ctrl-C lets the run go on for minutes
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, err
    assert err.strip().splitlines() == ["python -m verify: interrupted"]
    assert "Traceback" not in out + err
    assert not (tmp_path / "out.tex").exists()
    leftovers = [p for p in tmp_path.rglob("*") if p.name.startswith(".") and p.is_file()]
    assert not leftovers, leftovers
    for entry in entries.rglob("*.pickle"):  # whatever was cached is complete and intact
        assert cache.authentic(entry), entry


def test_sigint_during_the_fork_of_a_sympy_worker_is_not_lost():
    """A Ctrl-C that lands while a derivation's worker is being forked (here: sent from an at-fork hook,
    where Python would print the KeyboardInterrupt and drop it) still interrupts the run, also when other
    threads exist (BLAS and torch keep pools), which receive the signal while the forking thread holds it."""
    script = ("import os, signal, threading, time\n"
              "from theory.timelimit import within\n"
              "threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n"
              "os.register_at_fork(after_in_parent=lambda: os.kill(os.getpid(), signal.SIGINT))\n"
              "try:\n"
              "    within(30, sum, [1, 2])\n"
              "except KeyboardInterrupt:\n"
              "    print('interrupted')\n"
              "else:\n"
              "    print('lost')\n")
    for _ in range(5):  # before the fix, about one run in two lost it
        done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.stdout.strip() == "interrupted" and "Exception ignored" not in done.stderr, done.stderr


@pytest.mark.parametrize("scale_out", [[], ["--workers", "2"]], ids=["local processes", "dask local cluster"])
def test_a_terminal_ctrl_c_reaches_every_process_and_each_ends_quietly(scale_out):
    """A terminal sends Ctrl-C to the run's whole process group: the workers (of the local pool, or of a local Dask
    cluster) get it too. The run still exits 130 with one line, no worker prints a traceback, none outlives it."""
    process = subprocess.Popen([sys.executable, "-m", "verify", "sensing", *scale_out], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as in a terminal
    try:
        # The report's header: the workers exist and the chunk (about 20 s of training) is on its way to one.
        assert process.stdout.readline(), process.communicate()[1]
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert process.returncode == 130 and "VERDICT" not in out, err
    assert err.strip().splitlines() == ["python -m verify: interrupted"]
    _assert_the_group_ends(process.pid)


def _assert_the_group_ends(group: int) -> None:
    """The process group is empty within 10 s, once the last worker has exited."""
    for _ in range(100):
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail("a process of the run outlived it")


@pytest.mark.parametrize("rest, redelivery_s", [("time.sleep(30); print('lost')", cli.REDELIVERY_S), ("pass", 30)],
                         ids=["a half-minute wait", "the run ends before the Ctrl-C comes round again"])
def test_a_ctrl_c_that_lands_where_python_drops_exceptions_still_ends_the_run(rest, redelivery_s):
    """Python prints and drops an exception raised where it cannot propagate: a garbage-collector callback (Hypothesis
    keeps one installed once cases are drawn), a finalizer, an at-fork hook. A Ctrl-C that landed there was lost and
    the run went on to its end (seen once in 8 runs of the terminal test above). Here the run's work triggers a
    collection whose callback receives the Ctrl-C, then waits half a minute, or ends at once (before the Ctrl-C is
    sent again: then it leaves as the run ends)."""
    script = ("import gc, os, signal, sys, time\n"
              "from verify import cli\n"
              "def callback(phase, info):\n"
              "    if phase == 'start':\n"
              "        gc.callbacks.remove(callback)  # once\n"
              "        os.kill(os.getpid(), signal.SIGINT)\n"
              "        sum(range(1000))  # the handler runs here, inside the callback\n"
              "gc.callbacks.append(callback)\n"
              "def run(argv):\n"
              "    gc.collect()\n"
              f"    {rest}\n"
              "cli._main = run\n"
              f"cli.REDELIVERY_S = {redelivery_s}\n"
              "sys.exit(cli.main([]))\n")
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 130 and done.stdout == "", done.stdout + done.stderr
    assert time.monotonic() - start < 20, "the Ctrl-C waited for the run's half-minute wait to end"
    assert done.stderr.strip().splitlines() == ["python -m verify: interrupted"]


def test_a_ctrl_c_that_reaches_a_worker_while_it_starts_leaves_no_traceback():
    """A terminal's Ctrl-C reaches every process of the group, also a worker just forked, before it ignores Ctrl-C
    itself: that worker printed a KeyboardInterrupt traceback from its start-up (3 runs in 25 of the terminal test
    above). Here each worker raises SIGINT on itself right after the fork; the run's units still complete."""
    script = ("import functools, os, signal\n"
              "from verify import executors\n"
              "os.register_at_fork(after_in_child=functools.partial(signal.raise_signal, signal.SIGINT))\n"
              "pool = executors.Processes(2)\n"
              "units = [pool.submit(sum, [k, 1]) for k in range(4)]\n"
              "print([pool.gather(unit)[0] for unit in units])\n"
              "pool.close()\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "[1, 2, 3, 4]", "")


def test_a_ctrl_c_while_the_dask_cluster_starts_ends_the_run():
    """A terminal's Ctrl-C that comes while the local Dask cluster starts ends the run once the cluster is up, which is
    then closed; no worker takes it. It was lost, and the run went on to its end. Here the Ctrl-C is sent to the whole
    process group from inside the cluster's start."""
    script = ("import os, signal, sys\n"
              "from distributed import LocalCluster\n"
              "from verify import cli\n"
              "start = LocalCluster.__init__\n"
              "def interrupted(self, *arguments, **keywords):\n"
              "    os.killpg(0, signal.SIGINT)  # as a terminal does: to every process of the run\n"
              "    start(self, *arguments, **keywords)\n"
              "LocalCluster.__init__ = interrupted\n"
              "sys.exit(cli.main(['thm1', '--workers', '2']))\n")
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as in a terminal
    try:
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert process.returncode == 130 and "VERDICT" not in out, out + err
    assert err.strip().splitlines() == ["python -m verify: interrupted"]
    _assert_the_group_ends(process.pid)
