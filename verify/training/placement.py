"""Where and in what precision training runs: the device, the dtype, and the CPU thread count."""

from __future__ import annotations

import os
import threading
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

DTYPES = {"float64": torch.float64, "float32": torch.float32}


@dataclass(frozen=True, kw_only=True)
class Placed:
    """What every batch of trained experiments carries besides its measurements: ``finite[b]`` (experiment b
    produced no NaN or inf), the device it ran on and its dtype's name."""

    finite: np.ndarray
    device: str
    dtype: str

    @property
    def where(self) -> str:
        """How the experiments ran, as the reports print it: e.g. 'float64 on cpu'."""
        return f"{self.dtype} on {self.device}"


def select_device(device: str = "auto") -> torch.device:
    """``auto`` picks CUDA when available; ``cuda`` without a GPU is an error naming the choices."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' is invalid: no CUDA device is available (use 'auto' or 'cpu')")
    if device not in ("cpu", "cuda"):
        raise ValueError(f"device={device!r} is invalid: must be one of auto, cpu, cuda")
    return torch.device(device)


def torch_dtype(dtype: str) -> torch.dtype:
    """The torch dtype named ``dtype`` (float64 or float32); any other name is an error naming both."""
    if dtype not in DTYPES:
        raise ValueError(f"dtype={dtype!r} is invalid: must be one of {', '.join(DTYPES)}")
    return DTYPES[dtype]


@contextmanager
def one_thread_on_cpu(where: torch.device):
    """Train on one intra-op thread when ``where`` is the CPU, restoring the count afterwards. The batched ops
    are small: a second thread costs more than it saves (toy model 2.3× slower), and it stalls when the other
    core is busy (a classification default run: 30 s on one thread, 270 s with two on a contended CPU)."""
    threads = torch.get_num_threads()
    if where.type == "cpu":
        torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@contextmanager
def placed(device: str, dtype: str):
    """``(torch dtype, device)`` of one training program, which runs inside the block on one CPU thread (see
    ``one_thread_on_cpu``); a bad ``device`` or ``dtype`` is an error naming the choices."""
    kind, where = torch_dtype(dtype), select_device(device)
    with one_thread_on_cpu(where):
        yield kind, where


def lanes(where: torch.device) -> int:
    """How many training programs run at once on ``where`` (``concurrently``): the process's cores on the CPU, one on
    a GPU."""
    if where.type != "cpu":
        return 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def balanced(costs: dict, parts: int) -> list:
    """The keys of ``costs`` in at most ``parts`` non-empty lists of nearly equal total cost (each key to the lightest
    list so far, costliest first), costliest list first."""
    if not (type(parts) is int and parts >= 1):
        raise ValueError(f"parts={parts!r} is invalid: must be an integer >= 1")
    lists = [[] for _ in range(min(parts, len(costs)))]
    totals = [0.0] * len(lists)
    for key in sorted(costs, key=lambda key: -costs[key]):
        lightest = totals.index(min(totals))
        lists[lightest].append(key)
        totals[lightest] += costs[key]
    return [lists[i] for i in sorted(range(len(lists)), key=lambda i: -totals[i])]


class Stopped(Exception):
    """Raised by a program of ``concurrently`` that was asked to stop: its caller was interrupted, or another program
    failed."""


def concurrently(programs, where: torch.device) -> list:
    """The results of independent training programs, in order. Each program is called with a ``threading.Event``,
    ``stopping``, that it polls once per step, raising ``Stopped`` once it is set.

    On the CPU the programs run at once, one Python thread per core of the process (``lanes``), each on one intra-op
    thread (see ``one_thread_on_cpu``): torch's kernels release the GIL, so programs that share no tensor use every
    core without a spinning thread pool, and each computes exactly what it computes alone. A free thread takes the
    next program: give them in descending cost. On a GPU they run one after another.

    A Ctrl-C reaches only the waiting thread, and a program's thread cannot be interrupted. So when the wait ends by an
    exception (Ctrl-C, or a program's error), ``stopping`` is set: the running programs end at their next step, those
    not started are cancelled, and the exception leaves after a step, not after every program has run to its end.
    """
    stopping = threading.Event()
    threads = min(lanes(where), len(programs))
    if threads <= 1:
        return [program(stopping) for program in programs]
    # a thread starts with its creator's count: the pool's threads are made inside the block
    with one_thread_on_cpu(where), ThreadPoolExecutor(threads) as pool:
        try:
            futures = [pool.submit(program, stopping) for program in programs]
            wait(futures, return_when=FIRST_EXCEPTION)  # every program done, or one failed
            failed = [future.exception() for future in futures if future.done() and future.exception()]
            if failed:
                raise failed[0]
            return [future.result() for future in futures]
        except BaseException:
            stopping.set()
            pool.shutdown(cancel_futures=True)  # and waits for the running programs, which now stop
            raise
