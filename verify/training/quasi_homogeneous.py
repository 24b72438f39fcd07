"""Loss-normalised gradient descent on the exponential loss for the homogeneous model f = w x + b and the
quasi-homogeneous toy f = v w x + b on one-dimensional data, batched over experiments
(docs/claims/quasi-homogeneous.md).

Each experiment is one model on one data set. ``torch.optim.SGD`` (real autograd, lr = the experiment's step via
loss scaling) descends log L, L = (1/n) Σ exp(−y_i f(x_i)) (log-sum-exp, no overflow): its gradient is ∇L/L, the
loss-normalised step, a reparametrisation of time of the gradient flow (it only speeds up the late phase, where
∇L → 0). Parameters (v, w, b) start at (init, init, 0); the homogeneous model keeps v = 1 (its gradient masked).

Recorded: the decision threshold −b/(vw) when the smallest margin min_i y_i f(x_i) first exceeds each of the
``levels`` (an experiment stops at the last level, or after ``steps``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from numerics import arguments

from .placement import Placed, placed

MODELS = ("homogeneous", "quasi")


@dataclass(frozen=True)
class Experiment:
    """A ``model`` (homogeneous or quasi) on ``inputs`` (scalars) with ``labels`` ±1, step ``step``, init ``init``."""

    model: str
    inputs: tuple
    labels: tuple
    step: float
    init: float


@dataclass(frozen=True)
class Runs(Placed):
    """``thresholds[b, l]``: −b/(vw) when the smallest margin of experiment b first exceeded ``levels[l]`` (NaN:
    never); ``reached[b, l]``: the step; ``finite[b]``."""

    thresholds: np.ndarray
    reached: np.ndarray
    levels: tuple


def train(experiments, *, levels, steps: int, device="auto", dtype="float64") -> Runs:
    experiments, levels = list(experiments), tuple(sorted(levels))
    _validate(experiments, levels, steps)
    with placed(device, dtype) as (kind, where):
        return _train(experiments, levels, steps, kind, where, dtype)


def _train(experiments, levels, steps, kind, where, dtype) -> Runs:
    count, size = len(experiments), max(len(e.inputs) for e in experiments)
    inputs, labels, used = np.zeros((count, size)), np.zeros((count, size)), np.zeros((count, size), dtype=bool)
    for index, e in enumerate(experiments):
        inputs[index, : len(e.inputs)], labels[index, : len(e.labels)] = e.inputs, e.labels
        used[index, : len(e.inputs)] = True
    inputs, labels = (torch.tensor(a, dtype=kind, device=where) for a in (inputs, labels))
    used = torch.tensor(used, device=where)
    counts = used.sum(dim=1).to(kind)
    quasi = torch.tensor([e.model == "quasi" for e in experiments], device=where)
    start = np.array([[e.init if e.model == "quasi" else 1.0, e.init, 0.0] for e in experiments])
    parameters = torch.nn.Parameter(torch.tensor(start, dtype=kind, device=where))
    step = torch.tensor([e.step for e in experiments], dtype=kind, device=where)
    optimiser = torch.optim.SGD([parameters], lr=1.0)
    marks = torch.tensor(levels, dtype=kind, device=where)
    thresholds = torch.full((count, len(levels)), float("nan"), dtype=kind, device=where)
    reached = torch.full((count, len(levels)), -1, dtype=torch.long, device=where)
    active = torch.ones(count, dtype=torch.bool, device=where)
    finite = torch.ones(count, dtype=torch.bool, device=where)
    for k in range(steps + 1):
        v, w, b = parameters[:, 0], parameters[:, 1], parameters[:, 2]
        margins = labels * ((v * w)[:, None] * inputs + b[:, None])
        with torch.no_grad():
            smallest = torch.where(used, margins, torch.full_like(margins, float("inf"))).min(dim=1).values
            new = (smallest[:, None] >= marks[None, :]) & (reached < 0) & active[:, None]
            reached = torch.where(new, torch.full_like(reached, k), reached)
            thresholds = torch.where(new, (-b / (v * w))[:, None], thresholds)
            finite &= torch.isfinite(margins).all(dim=1)
            active &= (reached[:, -1] < 0) & finite
        if k == steps or not bool(active.any()):
            break
        log_loss = torch.logsumexp(torch.where(used, -margins, torch.full_like(margins, -float("inf"))), dim=1) \
            - torch.log(counts)
        optimiser.zero_grad()
        (step * active * log_loss).sum().backward()
        with torch.no_grad():
            parameters.grad[:, 0] *= quasi  # the homogeneous model has no v
        optimiser.step()
    return Runs(thresholds.cpu().numpy(), reached.cpu().numpy(), levels, finite=finite.cpu().numpy(),
                device=str(where), dtype=dtype)


def _validate(experiments, levels, steps):
    if not experiments:
        raise ValueError("experiments is empty: give at least one Experiment")
    arguments.integer("steps", steps, 1, 10**9)
    if not levels:
        raise arguments.ParameterError("levels", levels, "at least one margin level")
    for level in levels:
        arguments.positive("level", level)
    for e in experiments:
        if e.model not in MODELS:
            raise arguments.ParameterError("model", e.model, f"one of {', '.join(MODELS)}")
        if len(e.inputs) != len(e.labels) or not e.inputs or not set(e.labels) <= {-1, 1, -1.0, 1.0}:
            raise arguments.ParameterError("labels", e.labels, "one label ±1 per input")
        arguments.positive("step", e.step)
        arguments.positive("init", e.init)
