"""What the batched-training benchmarks share: their command line, the timing, and the comparison they print."""

from __future__ import annotations

import argparse
import time


def parse_options(doc: str, **counts) -> argparse.Namespace:
    """The command line: ``--<name> N`` for each of ``counts`` (name → default), ``--device`` and ``--seed``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    for name, default in counts.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def timed(work) -> tuple:
    """(``work()``, the seconds it took)."""
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def report(batched_s: float, loop_s: float, difference: float, *, loop: str, target: str = "", indent: str = ""):
    """Print the two times, the speed-up and the largest relative difference between the two results."""
    print(f"{indent}batched (one tensor program): {batched_s:8.3f} s")
    print(f"{indent}{loop + ':':30}{loop_s:8.3f} s")
    print(f"{indent}speed-up:                     {loop_s / batched_s:8.1f}x{target}")
    print(f"{indent}largest relative difference between the two: {difference:.2e}")
