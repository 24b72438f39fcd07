"""Speed-up of batched training over a per-model loop, measured in one run.

    python benchmarks/batched_training.py [--cases 1024] [--steps 200] [--device auto]

Draws ``--cases`` toy-model cases (depths 1–8, 1–3 targets, their own inits and step sizes), trains
them all in one tensor program, then trains each alone in a Python loop (the usual way), checks that
both give the same trajectories, and prints the times and their ratio. Target: ≥ 50× on a 2-core CPU.
"""

from __future__ import annotations

import argparse
import random
import time
from fractions import Fraction

import numpy as np

from verify.training import toy as training


def cases(count: int, seed: int):
    rng = random.Random(seed)
    drawn = []
    for _ in range(count):
        depth = rng.randint(1, 8)
        targets = tuple(sorted((Fraction(rng.randint(4, 16), 4) for _ in range(rng.randint(1, 3))), reverse=True))
        init = Fraction(rng.randint(1, 9), 10 ** rng.randint(2, 4))
        step = Fraction(1, 8 * depth) / max(targets) ** 2
        drawn.append((depth, targets, init, step))
    return drawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1024)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    drawn = cases(options.cases, options.seed)
    record = (0, options.steps // 2, options.steps)
    experiments = [training.Experiment(d, t, i, s, record) for d, t, i, s in drawn]
    training.train(experiments[:2], device=options.device)  # one-time torch start-up, untimed

    start = time.perf_counter()
    batched = training.train(experiments, device=options.device)
    batched_s = time.perf_counter() - start

    start = time.perf_counter()
    alone = [training.train([experiment], device=options.device) for experiment in experiments]
    loop_s = time.perf_counter() - start

    worst = max(float(np.nanmax(np.abs(run.sigma[0] - batched.sigma[b][:, : run.sigma.shape[2]])
                                / np.abs(run.sigma[0]))) for b, run in enumerate(alone))
    print(f"device {batched.device}, {len(drawn)} cases x {options.steps} GD steps, {batched.dtype}")
    print(f"batched (one tensor program): {batched_s:8.3f} s")
    print(f"per-model loop:               {loop_s:8.3f} s")
    print(f"speed-up:                     {loop_s / batched_s:8.1f}x   (target >= 50x)")
    print(f"largest relative difference between the two: {worst:.2e}")


if __name__ == "__main__":
    main()
