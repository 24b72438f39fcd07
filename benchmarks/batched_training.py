"""Speed-up of batched training over a per-model loop, measured in one run.

    python benchmarks/batched_training.py [--cases 1024] [--steps 200] [--device auto]

Draws ``--cases`` toy-model cases (depths 1–8, 1–3 targets, their own inits and step sizes), trains
them all in one tensor program, then trains each alone in a Python loop (the usual way), checks that
both give the same trajectories, and prints the times and their ratio. Target: ≥ 50× on a 2-core CPU.
"""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np

from verify.training import toy as training

from batch_vs_loop import parse_options, report, timed


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
    options = parse_options(__doc__, cases=1024, steps=200)
    drawn = cases(options.cases, options.seed)
    record = (0, options.steps // 2, options.steps)
    experiments = [training.Experiment(d, t, i, s, record) for d, t, i, s in drawn]
    training.train(experiments[:2], device=options.device)  # one-time torch start-up, untimed

    batched, batched_s = timed(lambda: training.train(experiments, device=options.device))
    alone, loop_s = timed(lambda: [training.train([one], device=options.device) for one in experiments])

    worst = max(float(np.nanmax(np.abs(run.sigma[0] - batched.sigma[b][:, : run.sigma.shape[2]])
                                / np.abs(run.sigma[0]))) for b, run in enumerate(alone))
    print(f"device {batched.device}, {len(drawn)} cases x {options.steps} GD steps, {batched.dtype}")
    report(batched_s, loop_s, worst, loop="per-model loop", target="   (target >= 50x)")


if __name__ == "__main__":
    main()
