"""Batched gradient descent on the two-branch toy model σ = w_+^N − w_-^N (theory/two_branch.py).

Each experiment has its own inputs X_b (n_b × d_b), labels y_b, depth, init, step size and limits; all train in
one tensor program (inputs padded with zero rows and columns: a zero column never moves, a zero row adds nothing)
with the authors' loss, Keras 'mse' = mean_i (⟨σ, x_i⟩ − y_i)² (so that their learning rate means the same here),
plain ``torch.optim.SGD`` (rate 1 on the loss scaled by each experiment's η), init w_± = init^{1/N} (σ(0) = 0).
What is recorded is the first step at which each |σ_i| reaches the experiment's ``threshold`` (−1: never), the
order in which gradient descent "selects" features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from numerics import arguments

from .placement import Placed, placed

CHECK_EVERY = 500  # how often (in steps) an experiment's early stop is checked


@dataclass(frozen=True, eq=False)
class Experiment:
    """One network on ``inputs`` X (n × d) and ``labels`` y (n): its ``depth`` N, ``init`` σ_0, GD ``step``, at most
    ``steps`` steps, and the ``threshold`` whose first crossing by each |σ_i| is recorded. It stops earlier, at a
    multiple of 500 steps, once ``wanted`` features have crossed (None: never)."""

    inputs: np.ndarray
    labels: np.ndarray
    depth: int
    init: object
    step: object
    steps: int
    threshold: object
    wanted: int | None = None


@dataclass(frozen=True)
class Selections(Placed):
    """Per experiment b: ``first[b, i]``, the first step with |σ_i| ≥ threshold (−1: never); ``sigma[b]``, σ where b
    stopped, after ``steps[b]`` steps; ``finite[b]``. Columns beyond b's d are padding (−1 and 0)."""

    first: np.ndarray
    sigma: np.ndarray
    steps: np.ndarray


def train(experiments, *, device="auto", dtype="float64") -> Selections:
    """Train every experiment in one tensor program, each until its step limit or its early stop."""
    experiments = list(experiments)
    shapes = _validate(experiments)
    with placed(device, dtype) as (kind, where):
        return _train(experiments, shapes, kind, where, dtype)


def _train(experiments, shapes, kind, where, dtype) -> Selections:
    count, rows, width = len(experiments), max(n for n, _ in shapes), max(d for _, d in shapes)
    x = torch.zeros(count, rows, width, dtype=kind)
    y = torch.zeros(count, rows, dtype=kind)
    for b, (e, (n, d)) in enumerate(zip(experiments, shapes)):
        x[b, :n, :d] = torch.as_tensor(np.asarray(e.inputs, dtype=np.float64), dtype=kind)
        y[b, :n] = torch.as_tensor(np.asarray(e.labels, dtype=np.float64), dtype=kind)
    columns, y = x.transpose(1, 2).contiguous().to(where), y.to(where)  # Xᵀ: σᵀXᵀ is 3× faster than Xσ on CPU
    # w^N with a per-experiment integer N held as a float: pow is exact in sign for integral exponents
    depth = torch.tensor([[float(e.depth)] for e in experiments], dtype=kind, device=where)
    start = torch.tensor([float(e.init) ** (1.0 / e.depth) for e in experiments], dtype=kind, device=where)
    plus = torch.nn.Parameter(start[:, None].repeat(1, width))
    minus = torch.nn.Parameter(start[:, None].repeat(1, width))
    # each experiment's loss is scaled by η_b/n_b (the optimiser's rate is 1); a stopped one leaves the loss
    rate = torch.tensor([float(e.step) / n for e, (n, _) in zip(experiments, shapes)], dtype=kind, device=where)
    level = torch.tensor([float(e.threshold) for e in experiments], dtype=kind, device=where)[:, None]
    limits = np.array([e.steps for e in experiments])
    wanted = torch.tensor([e.wanted if e.wanted is not None else width + 1 for e in experiments], device=where)
    optimizer = torch.optim.SGD([plus, minus], lr=1.0)
    first = torch.full((count, width), -1, dtype=torch.long, device=where)
    running = np.ones(count, dtype=bool)
    taken = np.zeros(count, dtype=int)
    active, active_columns, active_labels, active_rate = slice(None), columns, y, rate
    for k in range(int(limits.max()) + 1):
        sigma = plus**depth - minus**depth
        with torch.no_grad():
            first = torch.where((first < 0) & (sigma.abs() >= level), k, first)
        still = running & (limits > k)
        if k % CHECK_EVERY == 0:
            still &= ((first >= 0).sum(dim=1) < wanted).cpu().numpy()
        if not still.any():
            break
        if (still != running).any():  # an experiment stopped: it leaves the batch and takes no further step
            running = still
            active = torch.as_tensor(np.flatnonzero(running), device=where)
            active_columns, active_labels, active_rate = columns[active], y[active], rate[active]
        taken[running] = k + 1
        residual = torch.bmm(sigma[active, None, :], active_columns)[:, 0, :] - active_labels
        loss = (residual**2).sum(dim=1) * active_rate
        optimizer.zero_grad(set_to_none=True)
        loss.sum().backward()
        optimizer.step()
    final = sigma.detach().cpu().numpy()
    return Selections(first.cpu().numpy(), final, taken, finite=np.isfinite(final).all(axis=1), device=str(where),
                      dtype=dtype)


def _validate(experiments) -> list:
    """Every experiment's fields in range, the message naming the experiment and the field; returns (n, d) each."""
    if not experiments:
        raise ValueError("experiments=[] is invalid: train at least one experiment")
    shapes = []
    for b, e in enumerate(experiments):
        x, y = np.shape(e.inputs), np.shape(e.labels)
        if len(x) != 2 or min(x) < 1 or y != x[:1]:
            raise ValueError(f"experiments[{b}]: inputs must be (n, d) and labels (n,) with n, d >= 1: got {x}, {y}")
        if not all(np.isfinite(np.asarray(values, dtype=float)).all() for values in (e.inputs, e.labels)):
            raise ValueError(f"experiments[{b}]: inputs and labels must be finite (no NaN or inf)")
        arguments.depth(e.depth)
        arguments.positive("init", e.init)
        arguments.positive("step", e.step)
        arguments.integer("steps", e.steps, 1, 10**8)
        arguments.positive("threshold", e.threshold)
        if e.wanted is not None:
            arguments.integer("wanted", e.wanted, 1, x[1])
        shapes.append(x)
    return shapes
