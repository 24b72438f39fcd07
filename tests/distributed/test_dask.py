"""Scale-out on a real Dask cluster: the same report as in process, nothing lost when a worker dies, a chunk
that keeps failing named in a clear error, clear errors without Dask or without a scheduler."""

import json
import os
import signal
import socket
import sys
import threading
import time
import warnings
from dataclasses import dataclass

import cloudpickle
import dask
import pytest
from distributed import Client, LocalCluster
from hypothesis import strategies as st

from verify import executors, runner
from verify.cases import Case
from verify.claim import PROFILES, Claim, Measured, Run, check
from verify.cli import main

# thm1's numeric round trip on more cases than one chunk holds: several units of work, seconds each.
ARGUMENTS = ["thm1", "--profile", "quick", "--check", "inverse-roundtrip", "--dps", "20", "--json", "--seed", "4"]


def _comparable(text: str) -> dict:
    document = json.loads(text)
    document.pop("timings")
    return document, document["environment"].pop("executor")


@pytest.fixture(scope="module")
def cluster():
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                          scheduler_kwargs={"dashboard_address": executors.FREE_PORT}) as local:
            yield local


def _run(capsys, *extra) -> tuple:
    code = main([*ARGUMENTS, *extra])
    return code, _comparable(capsys.readouterr().out)


def test_local_processes_local_workers_and_an_existing_cluster_give_the_same_report(capsys, cluster, monkeypatch):
    """Two chunks of cases: without options on two cores they run on two local processes (test_processes.py
    shows those give the in-process report), with --workers on a local Dask cluster, with --scheduler on one."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1})
    cases = str(Claim.chunk_cases + 5)
    serial = _run(capsys, "--cases", cases)
    local = _run(capsys, "--cases", cases, "--workers", "2")
    remote = _run(capsys, "--cases", cases, "--scheduler", cluster.scheduler_address)
    assert serial[0] == local[0] == remote[0] == 0
    assert serial[1][0] == local[1][0] == remote[1][0]
    assert (serial[1][1], local[1][1], remote[1][1]) == (
        "2 local processes", "dask local cluster (2 workers)", f"dask scheduler {cluster.scheduler_address}")


def test_a_worker_killed_mid_run_costs_time_not_results(capsys, cluster):
    cases = str(3 * Claim.chunk_cases)
    expected = _run(capsys, "--cases", cases)
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(code=main([*ARGUMENTS, "--cases", cases, "--scheduler",
                                                                       cluster.scheduler_address])))
    with Client(cluster.scheduler_address) as observer:
        thread.start()
        deadline = time.monotonic() + 120
        while not any(observer.processing().values()) and time.monotonic() < deadline:
            time.sleep(0.05)
        busy = next(address for address, tasks in observer.processing().items() if tasks)
        os.kill(observer.run(os.getpid)[busy], signal.SIGKILL)
        thread.join(timeout=600)
    assert outcome["code"] == 0
    assert _comparable(capsys.readouterr().out)[0] == expected[1][0]


@dataclass(frozen=True)
class Doomed(Case):
    index: int


class KillsItsWorker(Claim):
    """A claim whose evaluation takes its worker process down every time."""

    id = "kills-its-worker"
    title = statement = "kills its worker"
    provenance = (("derived", "a test"),)

    def strategy(self, run):
        return st.builds(Doomed, st.integers(0, 10**6))

    @check("numeric", compares="nothing: the worker dies first", tolerance="none")
    def dies(self, case, run):
        from distributed import get_worker  # noqa: PLC0415

        get_worker()  # a ValueError outside a worker: never kill the test process itself
        os._exit(1)


cloudpickle.register_pickle_by_value(sys.modules[__name__])


def test_a_chunk_that_keeps_failing_ends_the_run_naming_its_cases(cluster):
    executor = executors.Dask(scheduler=cluster.scheduler_address)
    try:
        with pytest.raises(executors.ChunkError, match=r"chunk of cases 1\.\.2 \(index=\d+; index=\d+\)"):
            runner.run(KillsItsWorker(), Run(profile=PROFILES["quick"], cases=2), executor=executor)
    finally:
        executor.close()


def test_clear_errors_without_dask_or_without_a_scheduler(capsys, monkeypatch):
    monkeypatch.setattr(executors, "SCHEDULER_TIMEOUT_S", 1)
    assert main([*ARGUMENTS, "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert "cannot reach a Dask scheduler" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    assert main([*ARGUMENTS, "--workers", "2"]) == 2
    error = capsys.readouterr().err
    assert "pip install -e '.[distributed]'" in error and error.count("\n") == 1


def test_a_local_cluster_starts_without_a_word_while_another_holds_the_dashboard_port():
    """A Dask scheduler's HTTP server asks for port 8787 unless told otherwise, and warns on stderr when another
    cluster (or another run's) holds it: a run's own cluster takes a free port instead."""
    holder = socket.socket()
    try:
        holder.bind(("", 8787))
        holder.listen()
    except OSError:
        pass  # someone else holds it: the case at hand all the same
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            executor = executors.Dask(workers=1)
            executor.close()
    finally:
        holder.close()
    assert [str(w.message) for w in caught if issubclass(w.category, UserWarning)] == []


@pytest.mark.parametrize("before", [set(), {signal.SIGINT}], ids=["unblocked before", "blocked before"])
def test_the_cluster_start_leaves_the_signal_mask_as_it_found_it(before):
    """SIGINT is blocked while a local cluster starts (its workers inherit the mask), then the mask is what it was:
    a caller that had blocked SIGINT keeps it blocked."""
    previous = signal.pthread_sigmask(signal.SIG_SETMASK, before)
    try:
        with executors._ctrl_c_blocked():
            assert signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, set())
        assert signal.pthread_sigmask(signal.SIG_BLOCK, set()) == before
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
