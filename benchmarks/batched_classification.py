"""Speed-up of batched exponential-loss training over a per-experiment loop, for both classifiers, in one run.

    python benchmarks/batched_classification.py [--datasets 16] [--steps 200] [--device auto]

For each model (the two-branch diagonal network, depths 1–5, and the circular-convolutional network, depths 1–3)
it builds ``--datasets`` Gaussian datasets of the claims' size (d = 100, n = 200, labelled as in the claims) and one
network per dataset and depth, trains them all in one tensor program, then each alone in a Python loop (the
usual way), checks that both give the same predictors, and prints the times and their ratio.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from numerics import classification_data
from verify.claim import worst
from verify.claims import classification, convolution
from verify.training import classifier_checks, classifiers

from batch_vs_loop import parse_options, report, timed

MODELS = (("diagonal", classification.DIAGONAL), ("convolutional", convolution.CONVOLUTIONAL))


def experiments(setup, datasets: int, steps: int, seed: int):
    """One network per dataset and depth at the claims' step sizes; no early stop (every one runs ``steps``)."""
    target = setup.target(100)
    data, runs = [], []
    largest = float(setup.early_targets(100).max())
    for r in range(datasets):
        x, y = classification_data.gaussian_dataset(np.random.default_rng([seed, r]), samples=200, direction=target)
        data.append(classifiers.Data(x, y))
        curvature = float(np.linalg.eigvalsh(x.T @ x / 200)[-1])
        for depth in setup.depths:
            step = float(classifier_checks.step_size(setup, depth, largest, curvature))
            runs.append(classifiers.Experiment(depth, 0.01, step, r, steps, setup.level(100)))
    return runs, data


def main() -> None:
    options = parse_options(__doc__, datasets=16, steps=200)
    for model, setup in MODELS:
        runs, data = experiments(setup, options.datasets, options.steps, options.seed)
        classifiers.train(model, runs[:2], data, device=options.device)  # one-time torch start-up, untimed

        batched, batched_s = timed(lambda: classifiers.train(model, runs, data, device=options.device))
        alone, loop_s = timed(lambda: [classifiers.train(model, [replace(run, data=0)], [data[run.data]],
                                                         device=options.device) for run in runs])

        largest = worst(float(np.max(np.abs(one.predictors[0] - batched.predictors[b]))
                              / np.max(np.abs(batched.predictors[b]))) for b, one in enumerate(alone))
        print(f"{model}: device {batched.device}, {len(runs)} networks ({options.datasets} datasets × depths "
              f"{setup.depths[0]}–{setup.depths[-1]}) × {options.steps} GD steps, {batched.dtype}")
        report(batched_s, loop_s, largest, loop="per-experiment loop", indent="  ")


if __name__ == "__main__":
    main()
