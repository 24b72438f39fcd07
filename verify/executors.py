"""Where a run's work is done: in this process, in local processes (the default on more than one core), or
on a Dask cluster.

The runner hands an executor units of work (a claim's global checks, one chunk of cases) and gathers their
results in the order it submitted them, so a report does not depend on where, or in which order, the units
ran. ``InProcess`` runs each unit when it is gathered, exactly as a plain loop would. ``Processes`` runs them
in a pool of local worker processes (the standard library's, no extra dependency): the CLI gives it one worker
per core and per chunk of cases, so chunks (of one claim, or of every claim under ``all``) train side by side
while this process runs the global checks. ``Dask`` submits every unit at once to a ``dask.distributed``
cluster (a ``LocalCluster`` of worker processes, or an existing scheduler) and gathers them: a worker that
dies costs time, since the scheduler recomputes its units on another worker; a unit that keeps killing
workers ends the run with a ``ChunkError`` naming its cases. Dask is optional (``pip install -e
'.[distributed]'``).
"""

from __future__ import annotations

import gc
import logging
import signal
import sys
import threading
import time
from contextlib import contextmanager

from theory.timelimit import ctrl_c_deferred

from .errors import UsageError, VerifyError

SCHEDULER_TIMEOUT_S = 10  # how long to wait for an existing scheduler before saying it cannot be reached
FREE_PORT = "127.0.0.1:0"  # an address that lets the system pick a free port on this host


class ChunkError(VerifyError):
    """A unit of work failed on every worker it was tried on."""


def timed(function, *arguments):
    """``function(*arguments)`` and the seconds it took (measured where it ran)."""
    started = time.perf_counter()
    value = function(*arguments)
    return value, time.perf_counter() - started


class InProcess:
    """Run each unit in this process, when it is gathered."""

    name = "in-process"

    def submit(self, function, *arguments, describe: str = ""):
        return lambda: timed(function, *arguments)

    def gather(self, unit):
        return unit()

    def cancel(self) -> None:
        pass

    def close(self) -> None:
        pass


class Processes:
    """Units in ``workers`` local processes, by default forked from this one at the first submit: they start in
    milliseconds with the claims already imported (a spawned worker spends 2–3 s importing them) and see what
    this process patched before (tests, corruptions). A process that has initialised CUDA spawns its workers
    instead (CUDA cannot be used again in a forked child); both inherit the one-thread pool policy
    (verify/threads.py) through the environment. ``start_method`` ('fork', 'spawn', 'forkserver') overrides
    the choice."""

    def __init__(self, workers: int, start_method: str | None = None):
        import multiprocessing  # noqa: PLC0415
        from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

        torch = sys.modules.get("torch")
        forkable = "fork" in multiprocessing.get_all_start_methods() and not (torch and torch.cuda.is_initialized())
        method = start_method or ("fork" if forkable else "spawn")
        # Output buffered here would be written again by each forked worker when it exits.
        sys.stdout.flush()
        sys.stderr.flush()
        self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                                         initializer=_ignore_ctrl_c)
        self._futures: list = []
        self.name = f"{workers} local process{'es' if workers > 1 else ''}"

    def submit(self, function, *arguments, describe: str = ""):
        # The first submit forks the workers: until a worker ignores Ctrl-C (``_ignore_ctrl_c``) it has this
        # process's handler, and a terminal's Ctrl-C then printed a KeyboardInterrupt traceback from its start-up.
        with ctrl_c_deferred(), _frozen_for_fork():
            future = self._pool.submit(timed, function, *arguments)
        self._futures.append(future)
        return future

    def gather(self, unit):
        return unit.result()

    def cancel(self) -> None:
        """Stop working on this run: the units not started are cancelled and the workers end at once (they ignore
        Ctrl-C, see ``_ignore_ctrl_c``); else a worker would finish its unit, and the one it fetched next, before the
        pool could close."""
        for future in self._futures:
            future.cancel()
        for process in list(self._pool._processes.values()):  # the pool has no public way to do it (Python < 3.14)
            process.terminate()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class Dask:
    """Units on a Dask cluster: ``workers`` local worker processes, or the scheduler at ``scheduler``."""

    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        try:
            from dask.distributed import Client, LocalCluster  # noqa: PLC0415 - an optional extra
        except ImportError as failure:
            raise UsageError(f"--workers and --scheduler need Dask: pip install -e '.[distributed]' ({failure})") from None
        self._cluster = None
        if scheduler is not None:
            try:
                self._client = Client(scheduler, timeout=SCHEDULER_TIMEOUT_S)
            except (OSError, TimeoutError, ValueError) as failure:
                raise UsageError(f"--scheduler {scheduler}: cannot reach a Dask scheduler there "
                                 f"({type(failure).__name__}: {str(failure)[:200]})") from None
            self.name = f"dask scheduler {scheduler}"
        else:
            # Our own cluster: its shutdown chatter, here and in its workers, is not the user's business.
            logging.getLogger("distributed").setLevel(logging.ERROR)
            # One thread per worker process: the units are CPU-bound Python (verify/threads.py). No dashboard; the
            # scheduler's HTTP server (health, metrics) starts anyway, on port 8787 unless told, with a warning
            # when that port is taken (another cluster, or another run): a free port on this host instead.
            try:
                with ctrl_c_deferred(), _ctrl_c_blocked():
                    self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                 dashboard_address=None, silence_logs=logging.CRITICAL,
                                                 scheduler_kwargs={"dashboard_address": FREE_PORT})
            except KeyboardInterrupt:  # a Ctrl-C held while the cluster started: the cluster is up, and closed now
                if self._cluster is not None:
                    self._cluster.close()
                raise
            self._client = Client(self._cluster)
            self.name = f"dask local cluster ({workers} workers)"
        self._futures: list = []

    @property
    def client(self):
        return self._client

    def submit(self, function, *arguments, describe: str = ""):
        future = self._client.submit(timed, function, *arguments, pure=False)
        self._futures.append((future, describe))
        return future, describe

    def gather(self, unit):
        from distributed import KilledWorker  # noqa: PLC0415

        future, describe = unit
        try:
            return future.result()
        except KilledWorker as failure:
            self.cancel()
            raise ChunkError(f"{describe} killed every worker it ran on ({failure}); the run is incomplete and no "
                             "report is written") from None

    def cancel(self) -> None:
        self._client.cancel([future for future, _ in self._futures])

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def _ignore_ctrl_c() -> None:
    """A local worker's first act: ignore SIGINT. A Ctrl-C in a terminal reaches every process of its group, and an
    idle worker would print a KeyboardInterrupt traceback; this process, which handles it, ends the workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def _frozen_for_fork():
    """The objects this process holds are left out of its forked workers' garbage collections (``gc.freeze``, as
    Python's documentation advises before a fork): each full collection in a worker would otherwise go over every
    object inherited from here (the imported claims, SymPy, mpmath), 0.3 s per worker of a thm1 run, copying the
    pages it touches. Unfrozen here at once, so this process still collects them."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def _ctrl_c_blocked():
    """SIGINT blocked in this thread, and so in the threads it starts and the processes they start (a thread and a
    process inherit the signal mask, across exec too): a Dask cluster's workers never take a terminal's Ctrl-C, which
    reaches the whole process group, and print no KeyboardInterrupt traceback, while this process, which handles it,
    closes them anyway. A Ctrl-C to this process meanwhile is taken by one of its threads that does not block it, or
    waits for the block's end; under ``ctrl_c_deferred`` it is then held and raised once the block has ended.

    Ignoring SIGINT instead (a process keeps an ignored signal ignored) lost a Ctrl-C that came while the cluster
    started: the run went on to its end."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread handles signals
        yield
        return
    from multiprocessing import resource_tracker  # noqa: PLC0415 - only for a local cluster

    # The first process started with multiprocessing starts its resource tracker, and unblocks SIGINT in the thread
    # that does that, whatever its mask was (Python 3.11): started here, before the block, it is not started there.
    resource_tracker.ensure_running()
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # as it was: a SIGINT blocked before stays blocked
