"""Label-noise SGD on the modes of the diagonal teacher–student model, batched over modes and paths
(docs/claims/stochastic-collapse.md §4).

Each experiment is one mode: a target singular value s*, the per-sample step η (the script's lr/N) and the label
noise σ. Every path trains its own factors (u, v), from u = v = 1 as in the authors' script, with
``torch.optim.SGD`` (real autograd) on the per-mode loss ½(uv − s* + σξ)², one fresh ξ ~ N(0, 1) per step shared by
u and v (the script's noise). Beside it, on the same Brownian path, a companion runs at step η/2 with noise σ√2
(two steps per step; the same SDE in the time ηk, so the difference of the two estimates the O(η) distance of SGD
from its SDE limit). Both live in one parameter tensor of shape (2, experiments, paths); every loss is scaled by its
step and SGD runs at lr 1.

Recorded per path, over the window of steps [burn_in, steps): ``mean`` and ``mean_half`` = the time averages of
P = uv at step η and at η/2, ``growth`` = (log|P_end| − log|P_start|)/window (per step, at η) and its control
variate ``control`` = (1/window) Σ_k (−2ησξ_k) (mean exactly 0; the noise's share of the growth when P is near 0);
and log|P| at the ``record`` steps (both runs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from numerics import arguments

from .noise import gaussian_steps, one_per_experiment
from .placement import Placed, placed


@dataclass(frozen=True)
class Experiment:
    """One mode: its ``target`` s*, the step ``eta`` and the label noise ``sigma``."""

    target: float
    eta: float
    sigma: float


@dataclass(frozen=True)
class Runs(Placed):
    """Per experiment b and path j: ``mean[b, j]``, ``mean_half[b, j]``, ``growth[b, j]``, ``control[b, j]``,
    ``logs[b, r, j]`` and ``logs_half[b, r, j]`` (log P after ``record[r]`` steps, at η and η/2); ``finite[b]``."""

    mean: np.ndarray
    mean_half: np.ndarray
    growth: np.ndarray
    control: np.ndarray
    logs: np.ndarray
    logs_half: np.ndarray
    record: tuple


def train(experiments, *, paths: int, steps: int, burn_in: int, record=(), rngs, device="auto",
          dtype="float64") -> Runs:
    """``paths`` paths of ``steps`` SGD steps per mode (and the companion's 2·steps) in one tensor program, experiment
    b's label noise drawn from ``rngs[b]`` (a NumPy generator)."""
    experiments = list(experiments)
    record = tuple(sorted(set(record)))
    _validate(experiments, paths, steps, burn_in, record)
    rngs = one_per_experiment(rngs, experiments)
    with placed(device, dtype) as (kind, where):
        return _train(experiments, paths, steps, burn_in, record, rngs, kind, where, dtype)


def _train(experiments, paths, steps, burn_in, record, rngs, kind, where, dtype) -> Runs:
    count = len(experiments)

    def column(values):
        return torch.tensor(values, dtype=kind, device=where)[:, None]

    target, eta = column([e.target for e in experiments]), column([e.eta for e in experiments])
    sigma = column([e.sigma for e in experiments])
    # substep 1 moves only the companion; substep 2 moves both (the main run with the two increments' sum)
    scales = (torch.stack([torch.zeros_like(eta), eta / 2]), torch.stack([eta, eta / 2]))
    factors = [torch.nn.Parameter(torch.ones(2, count, paths, dtype=kind, device=where)) for _ in range(2)]
    optimiser = torch.optim.SGD(factors, lr=1.0)
    total, control = (torch.zeros(2, count, paths, dtype=kind, device=where) for _ in range(2))
    logs = torch.zeros(2, count, len(record), paths, dtype=kind, device=where)
    slots = {k: r for r, k in enumerate(record)}
    root, increments = 2**0.5, gaussian_steps(rngs, steps, (2, paths), kind, where, axis=1)
    for k in range(steps + 1):
        with torch.no_grad():
            product = factors[0] * factors[1]
            if k in slots:
                logs[:, :, slots[k]] = product.abs().log()
            if k == burn_in:
                start = product[0].abs().log()
        if k == steps:
            break
        first, second = next(increments)
        for scale, noise in zip(scales, (torch.stack([torch.zeros_like(first), root * sigma * first]),
                                         torch.stack([sigma * (first + second) / root, root * sigma * second]))):
            if k >= burn_in:
                with torch.no_grad():
                    total += (factors[0] * factors[1]) * (scale > 0)
            loss = (scale * (factors[0] * factors[1] - target + noise) ** 2).sum() / 2
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        if k >= burn_in:
            control[0] -= 2 * eta * noise[0]
    with torch.no_grad():
        window = steps - burn_in
        growth = ((factors[0][0] * factors[1][0]).abs().log() - start) / window
        statistics = (total[0] / window, total[1] / (2 * window), growth, control[0] / window)
        finite = torch.ones(count, dtype=torch.bool, device=where)
        for statistic in statistics:
            finite &= torch.isfinite(statistic).all(dim=1)
        return Runs(*(s.cpu().numpy() for s in statistics), *(s.cpu().numpy() for s in logs), record,
                    finite=finite.cpu().numpy(), device=str(where), dtype=dtype)


def _validate(experiments, paths, steps, burn_in, record):
    if not experiments:
        raise ValueError("experiments is empty: give at least one Experiment")
    arguments.integer("paths", paths, 2, 10**7)
    arguments.integer("steps", steps, 1, 10**9)
    arguments.integer("burn_in", burn_in, 0, steps - 1)
    for k in record:
        arguments.integer("record", k, 0, steps)
    for e in experiments:
        arguments.positive("target", e.target)
        arguments.positive("eta", e.eta)
        arguments.nonnegative("sigma", e.sigma)
