"""Speed-up of batched deep-matrix-sensing training over a per-experiment loop, measured in one run.

    python benchmarks/batched_sensing.py [--experiments 16] [--datasets 2] [--steps 200] [--device auto]

Builds ``--experiments`` experiments the way ``python -m verify sensing`` does (depths 1–4, n = 1000 or
1500 Gaussian measurements of a 50 × 50 rank-4 target, the first n rows of one of ``--datasets`` shared
1500-row datasets, Gaussian initialisation, step sizes from the curvature) and trains them

1. in a Python loop, one experiment at a time (the usual way);
2. in one tensor program with a private copy of the measurements per experiment (the plain
   (experiments, n, d²) layout);
3. in one tensor program with the datasets shared (what the claim does);

checks that all three give the same final matrices, and prints the times and the ratios. A step is bound by
reading the measurements (30 MB per 1500-row dataset in float64), so batching pays through sharing.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np

from numerics import sensing_data
from verify.claims.sensing import SIZE, SIZES, gaussian_step, target_matrix
from verify.training import sensing as training


def experiments(count: int, datasets: int, steps: int) -> list:
    """``count`` experiments of ``steps`` steps: depths 1-4, n in SIZES, dataset b mod ``datasets``, initial scales
    1e-2..1e-4."""
    rng = np.random.default_rng(100)
    drawn = []
    for b in range(count):
        depth, samples, init = 1 + b % 4, SIZES[(b // 4) % len(SIZES)], 10.0 ** -(2 + b % 3)
        layers = sensing_data.gaussian_factors(rng, depth=depth, init=init, size=SIZE)
        drawn.append(training.Experiment(layers, target_matrix(), b % datasets, gaussian_step(depth, samples),
                                         (0, steps), samples))
    return drawn


def run(drawn, data, device: str, shared: bool):
    """Train ``drawn`` in one call; with ``shared`` False every experiment gets its own copy of its rows."""
    if not shared:
        data = [data[e.dataset][: e.samples] for e in drawn]
        drawn = [replace(e, dataset=b) for b, e in enumerate(drawn)]
    return training.train(drawn, data, device=device)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=16)
    parser.add_argument("--datasets", type=int, default=2)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--device", default="auto")
    options = parser.parse_args()
    drawn = experiments(options.experiments, options.datasets, options.steps)
    rng = np.random.default_rng(0)
    data = [sensing_data.gaussian_measurements(rng, max(SIZES), SIZE) for _ in range(options.datasets)]
    run([replace(e, record=(0, 2)) for e in drawn[:2]], data, options.device, shared=True)  # torch start-up, untimed

    start = time.perf_counter()
    alone = [run([replace(e, dataset=0)], [data[e.dataset]], options.device, shared=True) for e in drawn]
    loop_s = time.perf_counter() - start
    start = time.perf_counter()
    private = run(drawn, data, options.device, shared=False)
    private_s = time.perf_counter() - start

    start = time.perf_counter()
    shared = run(drawn, data, options.device, shared=True)
    shared_s = time.perf_counter() - start

    worst = max(float(np.max(np.abs(batch.final[b] - single.final[0])) / np.max(np.abs(single.final[0])))
                for batch in (private, shared) for b, single in enumerate(alone))
    print(f"device {shared.device}, {len(drawn)} experiments (depths 1-4, n in {SIZES}) on {options.datasets} "
          f"datasets x {options.steps} GD steps, {shared.dtype}")
    print(f"per-experiment loop:                      {loop_s:8.2f} s")
    print(f"batched, private measurements per run:    {private_s:8.2f} s   ({loop_s / private_s:5.1f}x)")
    print(f"batched, shared datasets (the claim's):   {shared_s:8.2f} s   ({loop_s / shared_s:5.1f}x)")
    print(f"largest relative difference from the loop: {worst:.2e}")


if __name__ == "__main__":
    main()
