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

from numerics import omp, quadratic_data
from verify.claims.omp import DEPTH, INIT, STEP, THRESHOLD
from verify.claims.quadratic import DATA_STEP, DIMENSION, TARGETS
from verify.training import quadratic, two_branch


def timed(function):
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


def quadratic_pair(experiments: int, steps: int):
    rng = np.random.default_rng(0)
    drawn = []
    for b in range(experiments):
        weights = quadratic_data.orthogonal_weights(rng, init=Fraction(1, 10**4), size=DIMENSION)
        inputs = quadratic_data.gaussian_inputs(rng, samples=100, size=DIMENSION)
        drawn.append(quadratic.Experiment("bias" if b % 2 else "no-bias", weights, DATA_STEP, (0, steps), inputs))
    batched, batched_s = timed(lambda: quadratic.train(drawn, TARGETS))
    alone, loop_s = timed(lambda: [quadratic.train([e], TARGETS) for e in drawn])
    difference = max(float(np.max(np.abs(run.values[0] - batched.values[b]))) for b, run in enumerate(alone))
    return batched_s, loop_s, difference


def omp_pair(experiments: int, steps: int):
    rng = np.random.default_rng(0)
    data = [omp.sparse_regression(rng, samples=80, features=1000, sparsity=5) for _ in range(experiments)]
    drawn = [two_branch.Experiment(x, y, DEPTH, INIT, STEP, steps, THRESHOLD) for x, _, y in data]
    batched, batched_s = timed(lambda: two_branch.train(drawn))
    alone, loop_s = timed(lambda: [two_branch.train([e]) for e in drawn])
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
        print(f"  batched {batched_s:7.3f} s, per-experiment loop {loop_s:7.3f} s, "
              f"speed-up {loop_s / batched_s:5.1f}x, largest difference {difference:.1e}")


if __name__ == "__main__":
    main()
