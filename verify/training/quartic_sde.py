"""Batched Euler–Maruyama paths of the quartic toy dθ = (μθ − θ³) dt + ζθ dW (docs/claims/stochastic-collapse.md §2).

Every path of every experiment advances in one tensor of shape (experiments, paths). Each path is simulated twice
on the same Brownian path: at the experiment's step h and, coupled, at 2h (its increments are sums of two fine
ones), so that the weak O(h) bias of the fine run can be estimated by the difference (Euler–Maruyama has weak
order one). Paths start at θ_0 = √μ, the loss minimum.

Over the measuring window (from step ``burn_in`` to ``steps``, the same for every experiment) every path records:

* ``slope``: (log|θ_end| − log|θ_start|)/window, its long-run exponent (collapse: the exponent λ; stationary: 0);
* ``brownian``: (W_end − W_start)/window, the control variate of the slope (mean exactly 0, and the slope's noise
  ζ ΔW/window to first order);
* ``mean_square``: the time average of θ²; ``below[l]``: the fraction of the window with θ² ≤ level l;

each for the fine run and for the coarse one (``*_coarse``). ``final`` holds θ at the end of the fine run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from numerics import arguments

from .noise import gaussian_steps, one_per_experiment
from .placement import Placed, placed


@dataclass(frozen=True)
class Experiment:
    """One (μ, ζ) simulated at Euler–Maruyama step ``step``, with θ² ``levels`` for the distribution."""

    mu: float
    zeta: float
    step: float
    levels: tuple = ()


@dataclass(frozen=True)
class Paths(Placed):
    """Per experiment b and path j (first two indices): the window statistics described in the module docstring.
    ``below[b, l, j]``; ``finite[b]``: every statistic of b is finite."""

    slope: np.ndarray
    slope_coarse: np.ndarray
    brownian: np.ndarray
    mean_square: np.ndarray
    mean_square_coarse: np.ndarray
    below: np.ndarray
    below_coarse: np.ndarray
    final: np.ndarray


def simulate(experiments, *, paths: int, steps: int, burn_in: int, rngs, device="auto", dtype="float64") -> Paths:
    """``paths`` paths per experiment, ``steps`` steps each (even: the coarse run takes them in pairs), measured
    after ``burn_in`` (even) steps; one tensor program. Experiment b's Gaussian increments are drawn from ``rngs[b]``
    (NumPy generators: ``verify.training.noise``)."""
    experiments = list(experiments)
    _validate(experiments, paths, steps, burn_in)
    rngs = one_per_experiment(rngs, experiments)
    with placed(device, dtype) as (kind, where):
        return _simulate(experiments, paths, steps, burn_in, rngs, kind, where, dtype)


def _simulate(experiments, paths, steps, burn_in, rngs, kind, where, dtype) -> Paths:
    count, levels = len(experiments), max(len(e.levels) for e in experiments)

    def column(values):
        return torch.tensor(values, dtype=kind, device=where)[:, None]

    mu, dt = column([e.mu for e in experiments]), column([e.step for e in experiments])
    noise = column([e.zeta * math.sqrt(e.step) for e in experiments])
    level = torch.tensor([list(e.levels) + [0.0] * (levels - len(e.levels)) for e in experiments], dtype=kind,
                         device=where)[:, :, None]
    fine = torch.sqrt(mu).expand(count, paths).clone()
    coarse, pair = fine.clone(), torch.zeros_like(fine)
    brownian, square, square_coarse = (torch.zeros_like(fine) for _ in range(3))
    below, below_coarse = (torch.zeros(count, levels, paths, dtype=kind, device=where) for _ in range(2))
    for k, xi in enumerate(gaussian_steps(rngs, steps, (paths,), kind, where)):
        if k == burn_in:
            start, start_coarse = fine.abs().log(), coarse.abs().log()
        current = fine * fine
        if k >= burn_in:
            square += current
            below += current[:, None, :] <= level
            brownian += xi
        fine *= torch.addcmul((mu - current) * dt + 1, noise, xi)
        pair += xi
        if k % 2 == 1:  # the coarse step 2h at times k − 1 → k + 1, driven by the sum of the two fine increments
            current = coarse * coarse
            if k > burn_in:
                square_coarse += 2 * current
                below_coarse += 2 * (current[:, None, :] <= level)
            coarse *= torch.addcmul((mu - current) * (2 * dt) + 1, noise, pair)
            pair.zero_()
    window = steps - burn_in
    statistics = [(fine.abs().log() - start) / (window * dt), (coarse.abs().log() - start_coarse) / (window * dt),
                  brownian * noise / (window * dt), square / window, square_coarse / window, below / window,
                  below_coarse / window]
    finite = torch.ones(count, dtype=torch.bool, device=where)
    for statistic in statistics:
        finite &= torch.isfinite(statistic.reshape(count, -1)).all(dim=1)
    out = [s.cpu().numpy() for s in statistics]
    return Paths(*out, fine.cpu().numpy(), finite=finite.cpu().numpy(), device=str(where), dtype=dtype)


def _validate(experiments, paths, steps, burn_in):
    if not experiments:
        raise ValueError("experiments is empty: give at least one Experiment")
    arguments.integer("paths", paths, 2, 10**7)
    for name, value in (("steps", steps), ("burn_in", burn_in)):
        if arguments.integer(name, value, 0, 10**9) % 2:
            raise arguments.ParameterError(name, value, "an even integer (the coarse run takes steps in pairs)")
    if burn_in >= steps:
        raise arguments.ParameterError("burn_in", burn_in, f"below steps = {steps}")
    for e in experiments:
        arguments.positive("mu", e.mu)
        arguments.positive("zeta", e.zeta)
        arguments.positive("step", e.step)
        for level in e.levels:
            arguments.positive("level", level)
