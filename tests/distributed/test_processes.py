"""``verify all`` on local processes (one per core): the same outcomes as in this process, in the same order."""

import json
import os
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from verify import executors, runner
from verify.claim import PROFILES, Claim, Run
from verify.claims import REGISTRY
from verify.report import as_json


def _outcomes(result) -> list:
    return json.loads(as_json(result))["outcomes"]


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_local_processes_give_the_in_process_report(start_method):
    """thm1's numeric round trip on two chunks of cases, once in this process and once on two workers, forked
    (the default) or spawned (the default once CUDA is initialised)."""
    claim = REGISTRY["thm1"]
    settings = Run(profile=PROFILES["quick"], dps=20, cases=Claim.chunk_cases + 5,
                   checks=frozenset({"inverse-roundtrip"}))
    serial = runner.run(claim, settings)
    pool = executors.Processes(2, start_method)
    try:
        parallel = runner.run(claim, settings, executor=pool)
        workers = {process.pid for process in pool._pool._processes.values()}
    finally:
        pool.close()
    assert serial.verdict == parallel.verdict == runner.HOLDS
    assert len(serial.outcomes) > Claim.chunk_cases  # two chunks (the draw keeps distinct cases only)
    assert _outcomes(serial) == _outcomes(parallel)
    assert (serial.executor, parallel.executor) == ("in-process", "2 local processes")
    assert workers and os.getpid() not in workers


def test_workers_are_forked_unless_cuda_is_initialised(monkeypatch):
    """A forked child cannot use CUDA once its parent initialised it: then the workers are spawned."""
    import torch

    assert not torch.cuda.is_initialized()  # CPU runs, and tests, never initialise it
    assert _start_method(executors.Processes(1)) == "fork"
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: True)
    assert _start_method(executors.Processes(1)) == "spawn"
    assert _start_method(executors.Processes(1, "forkserver")) == "forkserver"


def test_forked_workers_leave_the_inherited_objects_out_of_their_garbage_collections():
    """What a worker inherits is frozen there (gc.freeze), and only there: this process still collects its own."""
    import gc

    pool = executors.Processes(1)
    try:
        inherited, _ = pool.gather(pool.submit(gc.get_freeze_count))
    finally:
        pool.close()
    assert inherited > 1000  # the imported modules' objects, at least
    assert gc.get_freeze_count() == 0


def _start_method(pool) -> str:
    try:
        return pool._pool._mp_context.get_start_method()
    finally:
        pool.close()


def test_cancelling_ends_the_workers_and_their_units_at_once():
    """On a Ctrl-C the CLI cancels the run: the workers end in the middle of their units (half-minute sleeps that
    would otherwise finish before the pool could close), and the units never complete."""
    pool = executors.Processes(2)
    try:
        units = [pool.submit(time.sleep, 30) for _ in range(4)]  # two running, two waiting
        for _ in range(3000):  # the pool forks its workers at the first submit; a unit starts at once
            if len(pool._pool._processes) == 2 and any(unit.running() for unit in units):
                break
            time.sleep(0.01)
        else:
            pytest.fail("the workers did not start within 30 s")
        workers = list(pool._pool._processes.values())
        pool.cancel()
    finally:
        pool.close()
    assert workers and not any(process.is_alive() for process in workers)
    for unit in units:
        assert unit.cancelled() or isinstance(unit.exception(), BrokenProcessPool)


def test_the_cli_runs_chunks_on_processes_when_it_has_more_than_one_core(monkeypatch):
    """A claim's chunks of cases get a worker per core (at most one per chunk), this process keeping the global
    checks; one core never starts a pool."""
    from types import SimpleNamespace

    from verify import cli

    options = SimpleNamespace(workers=None, scheduler=None)
    one, two, fine = [REGISTRY["thm1"]], [REGISTRY["thm1"], REGISTRY["thm2"]], [REGISTRY["omp"]]
    assert REGISTRY["omp"].chunk_cases == 6 < Claim.chunk_cases == REGISTRY["thm1"].chunk_cases
    chosen = []
    for cores, claims, cases in ((2, one, Claim.chunk_cases), (2, one, Claim.chunk_cases + 1), (4, one, 17),
                                 (2, two, 1), (1, one, 100), (4, one, 12), (4, fine, 12)):
        monkeypatch.setattr(cli.os, "sched_getaffinity", lambda _, cores=cores: set(range(cores)))
        executor = cli._executor(options, claims, Run(cases=cases))
        chosen.append(executor.name)
        executor.close()
    assert chosen == ["1 local process", "2 local processes", "2 local processes", "2 local processes", "in-process",
                      "1 local process", "2 local processes"]  # omp's 12 cases are two chunks of 6


def test_the_device_is_named_by_the_workers_that_trained(tmp_path):
    """Models train on the workers, which resolve 'auto'; the process that gathers the chunks reports that device
    without loading torch itself (it took about 1 s of thm2's 4.8 s, after every chunk was done)."""
    script = tmp_path / "gather.py"
    script.write_text(
        "import sys\n"
        "from verify import executors, runner\n"
        "from verify.claim import PROFILES, Run\n"
        "from verify.claims import REGISTRY\n"
        "pool = executors.Processes(1)\n"
        "try:\n"
        "    result = runner.run(REGISTRY['thm2'], Run(profile=PROFILES['quick'], checks=frozenset({'gd-threshold'})),\n"
        "                        executor=pool)\n"
        "finally:\n"
        "    pool.close()\n"
        "print(result.device, result.settings.device, 'torch' in sys.modules)\n"
        "from verify.training.placement import select_device\n"
        "print(select_device('auto'))\n")  # where a worker on this machine trains: cpu here, cuda with a GPU
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, check=True)
    reported, requested, loaded, expected = done.stdout.split()
    assert (reported, requested, loaded) == (expected, "auto", "False"), done.stderr
