"""Toy-model training speed as a fraction of the machine's copy bandwidth, measured in one run.

    python benchmarks/training_bandwidth.py [--cases 1024 16384 262144] [--steps 2000 400 200] [--device auto]

A GD step reads and writes every parameter at least once, so it can go no faster than a copy of the
parameters. The script first measures the copy bandwidth (elements copied per second: a large float64
array read once and written once, best of several copies) on the training device, on one CPU thread as
the trainer runs; then it trains the toy cases of ``batched_training.py`` (depths 1–8, 1–3 targets:
Σ depth × targets parameters, about 9 per case) with ``verify.training.toy.train`` and prints parameters
updated per second (parameters / time per step, net of set-up, the best of three runs: on a shared machine
one run's time per step varied between 10 and 22 ms at 262k cases) and that as a fraction of the copy
bandwidth. Goal: ≥ 30 % at 16k cases and above on CPU. With ``--device auto`` on a machine with a GPU both
run on the GPU, so the fraction is of its memory (HBM) bandwidth. The load average is printed: the
machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import time

import torch

from batched_training import cases
from verify.training import placement
from verify.training import toy as training

COPY_ELEMENTS = 1 << 25  # 256 MiB of float64: far beyond any cache


def _synchronise(where: torch.device) -> None:
    if where.type == "cuda":
        torch.cuda.synchronize()


def copy_bandwidth(where: torch.device, repeats: int = 5) -> float:
    """Float64 elements copied per second (each read once and written once), best of ``repeats``."""
    source = torch.rand(COPY_ELEMENTS, dtype=torch.float64, device=where)
    target = torch.empty_like(source)
    best = float("inf")
    with placement.one_thread_on_cpu(where):
        for _ in range(repeats):
            _synchronise(where)
            start = time.perf_counter()
            target.copy_(source)
            _synchronise(where)
            best = min(best, time.perf_counter() - start)
    return COPY_ELEMENTS / best


def training_rate(count: int, steps: int, device: str, repeats: int = 3) -> tuple[float, int, float]:
    """(parameters updated per second, parameters, seconds per step) for ``count`` cases.

    Parameters are the networks' own, Σ depth × targets; the time per step is the difference between a
    run of ``steps`` steps and one of a single step, so the one-time set-up (validation, schedule) cancels,
    the best of ``repeats`` such pairs."""
    drawn = cases(count, seed=0)
    parameters = sum(d * len(t) for d, t, *_ in drawn)
    runs = {last: [training.Experiment(d, t, i, s, (0, last)) for d, t, i, s in drawn] for last in (1, steps)}
    best = float("inf")
    for _ in range(repeats):
        seconds = []
        for last in (1, steps):
            start = time.perf_counter()
            training.train(runs[last], device=device)
            seconds.append(time.perf_counter() - start)
        best = min(best, (seconds[1] - seconds[0]) / (steps - 1))
    return parameters / best, parameters, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[1024, 16384, 262144])
    parser.add_argument("--steps", type=int, nargs="+", default=[2000, 400, 200])
    parser.add_argument("--device", default="auto")
    options = parser.parse_args()
    where = placement.select_device(options.device)
    training.train([training.Experiment(*cases(1, 0)[0], (0, 2))], device=options.device)  # start-up, untimed
    bandwidth = copy_bandwidth(where)
    print(f"device {where}, load average {os.getloadavg()[0]:.2f}")
    print(f"copy bandwidth: {bandwidth:.3e} float64 elements/s ({bandwidth * 16 / 1e9:.1f} GB/s read + written)")
    print(f"{'cases':>8} {'parameters':>10} {'steps':>6} {'ms/step':>8} {'updated/s':>10} {'of copy':>8}")
    for count, steps in zip(options.cases, options.steps):
        rate, parameters, per_step = training_rate(count, steps, options.device)
        print(f"{count:>8} {parameters:>10} {steps:>6} {per_step * 1e3:>8.2f} {rate:>10.3e} {rate / bandwidth:>8.1%}",
              flush=True)
    print("goal: >= 30% of the copy bandwidth at 16k cases and above on CPU")


if __name__ == "__main__":
    main()
