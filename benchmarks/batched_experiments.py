"""Speed-up of batched training over a per-experiment loop for the quadratic-network and OMP claims.

    python benchmarks/batched_experiments.py [--experiments 32] [--steps 300]

Trains the same experiments once in one tensor program and once one by one (the usual way), checks that
both give the same numbers, and prints the times and their ratio, measured in this run.
"""

from __future__ import annotations

import argparse
import time
from fractions import Fraction

import numpy as np

from verify.claims.omp import DEPTH, INIT, STEP, OmpCase
from verify.claims.quadratic import DATA_STEP, TARGETS
from verify.training import quadratic, two_branch


def timed(function):
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


def quadratic_pair(experiments: int, steps: int):
    losses = ["bias" if b % 2 else "no-bias" for b in range(experiments)]
    arguments = dict(targets=TARGETS, inits=[Fraction(1, 10**4)] * experiments, step_sizes=[DATA_STEP] * experiments,
                     seeds=list(range(experiments)), samples=[100] * experiments, record=[[0, steps]] * experiments)

    def one(b):
        return quadratic.train([losses[b]], **{k: v[b:b + 1] if isinstance(v, list) else v for k, v in arguments.items()})

    batched, batched_s = timed(lambda: quadratic.train(losses, **arguments))
    alone, loop_s = timed(lambda: [one(b) for b in range(experiments)])
    difference = max(float(np.max(np.abs(run.values[0] - batched.values[b]))) for b, run in enumerate(alone))
    return batched_s, loop_s, difference


def omp_pair(experiments: int, steps: int):
    data = [OmpCase(seed, 5).data() for seed in range(experiments)]
    x, y = np.stack([d[0] for d in data]), np.stack([d[2] for d in data])
    options = dict(depth=DEPTH, init=INIT, step=STEP, steps=steps, threshold=Fraction(1, 10), wanted=99)
    batched, batched_s = timed(lambda: two_branch.train(x, y, **options))
    alone, loop_s = timed(lambda: [two_branch.train(x[b:b + 1], y[b:b + 1], **options) for b in range(experiments)])
    difference = max(float(np.max(np.abs(run.sigma[0] - batched.sigma[b]))) for b, run in enumerate(alone))
    return batched_s, loop_s, difference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=32)
    parser.add_argument("--steps", type=int, default=300)
    options = parser.parse_args()
    quadratic_pair(2, 2)  # one-time torch start-up, untimed
    for name, pair in (("quadratic networks (d = 20, n = 100)", quadratic_pair),
                       ("OMP toy model (d = 1000, n = 80)", omp_pair)):
        batched_s, loop_s, difference = pair(options.experiments, options.steps)
        print(f"{name}: {options.experiments} experiments x {options.steps} steps")
        print(f"  batched {batched_s:7.3f} s, per-experiment loop {loop_s:7.3f} s, speed-up {loop_s / batched_s:5.1f}x, "
              f"largest difference {difference:.1e}")


if __name__ == "__main__":
    main()
