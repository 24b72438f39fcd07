"""Batched gradient descent on symmetric matrix factorisation: L(U) = ¼‖UUᵀ − M‖²_F, U ∈ R^{d×r}, in torch.

The ¼ loss makes each aligned eigen-mode follow Theorem 1's depth-2 flow at time t = ηk (theory/greedy_low_rank.py).
Each experiment has its own target M, start U_0 (given explicitly), step size (the loss-scaling trick of
``verify.training.toy``: loss × η_b, SGD with lr = 1) and number of steps. All train in one tensor program:
U of shape (experiments, max d, max r), padded with zeros; a zero row or column of U (with zero rows and columns of
M) has zero gradient, so padding never moves.

Recorded, in the eigenbasis ``basis`` (columns q_1, …, q_d) of each experiment: the coordinates s_k = ‖q_kᵀU‖² at
step 0, every ``every`` steps, and, for each of the first m modes with a level, at the first step where
s_k ≥ level_k (its crossing step), with s_k one step earlier (to place the crossing between steps).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from numerics import arguments

from .placement import Placed, one_thread_on_cpu, select_device, torch_dtype

MAX_STEPS = 10**6


@dataclass(frozen=True)
class Experiment:
    """GD with ``step`` for ``steps`` steps on ¼‖UUᵀ − M‖² from ``start`` (d × r rows); ``target`` M and ``basis``
    (d × d, eigenvectors in its columns) as rows; ``levels`` for the first len(levels) coordinates."""

    target: tuple
    basis: tuple
    start: tuple
    step: float
    steps: int
    levels: tuple
    every: int


@dataclass(frozen=True)
class Runs(Placed):
    """Per experiment b: ``crossings[b, i]`` the first step with s_i ≥ levels[i] (−1: never); ``at_crossing[b, i]``
    all d coordinates at that step and ``before[b, i]`` s_i one step earlier (NaN: never, or crossed at step 0);
    ``trajectory[b, j]`` the coordinates after j·every steps (NaN beyond b's steps); ``finite[b]``: no NaN or inf.
    Coordinates are padded with NaN beyond b's d."""

    crossings: np.ndarray
    at_crossing: np.ndarray
    before: np.ndarray
    trajectory: np.ndarray


def train(experiments, *, device="auto", dtype="float64") -> Runs:
    kind, where = torch_dtype(dtype), select_device(device)
    size, width, modes = _validate(experiments)
    count = len(experiments)
    target, basis = torch.zeros(count, size, size, dtype=kind), torch.zeros(count, size, size, dtype=kind)
    start = torch.zeros(count, size, width, dtype=kind)
    levels = torch.full((count, modes), float("inf"), dtype=kind)
    for b, e in enumerate(experiments):
        d, r = len(e.start), len(e.start[0])
        target[b, :d, :d] = torch.tensor(_floats(e.target), dtype=kind)
        basis[b, :d, :d] = torch.tensor(_floats(e.basis), dtype=kind)
        start[b, :d, :r] = torch.tensor(_floats(e.start), dtype=kind)
        levels[b, : len(e.levels)] = torch.tensor([float(v) for v in e.levels], dtype=kind)
    steps = torch.tensor([e.steps for e in experiments])
    every = torch.tensor([e.every for e in experiments])
    slots = max(e.steps // e.every + 1 for e in experiments)
    with one_thread_on_cpu(where):
        target, basis, levels = target.to(where), basis.to(where), levels.to(where)
        steps, every = steps.to(where), every.to(where)
        u = torch.nn.Parameter(start.to(where))
        eta = torch.tensor([float(e.step) for e in experiments], dtype=kind, device=where)
        optimizer = torch.optim.SGD([u], lr=1.0)
        crossings = torch.full((count, modes), -1, device=where)
        at_crossing = torch.full((count, modes, size), float("nan"), dtype=kind, device=where)
        before = torch.full((count, modes), float("nan"), dtype=kind, device=where)
        previous = torch.full((count, size), float("nan"), dtype=kind, device=where)
        trajectory = torch.full((count, slots, size), float("nan"), dtype=kind, device=where)
        for k in range(int(steps.max()) + 1):
            coordinates = (basis.transpose(1, 2) @ u.detach()).pow(2).sum(dim=2)
            new = (crossings < 0) & (coordinates[:, :modes] >= levels) & (k <= steps)[:, None]
            crossings = torch.where(new, k, crossings)
            at_crossing = torch.where(new[:, :, None], coordinates[:, None, :], at_crossing)
            before = torch.where(new, previous[:, :modes], before)
            previous = coordinates
            due = torch.nonzero((k % every == 0) & (k <= steps))[:, 0]
            if due.numel():
                trajectory[due, k // every[due]] = coordinates[due]
            if k == int(steps.max()):
                break
            residual = u @ u.transpose(1, 2) - target
            loss = 0.25 * residual.pow(2).sum(dim=(1, 2))
            optimizer.zero_grad(set_to_none=True)
            (loss * eta * (k < steps)).sum().backward()
            optimizer.step()
        arrays = [v.cpu().numpy() for v in (crossings, at_crossing, trajectory, before)]
    for b, e in enumerate(experiments):  # coordinates beyond b's size are padding
        arrays[1][b, :, len(e.start):] = np.nan
        arrays[2][b, :, len(e.start):] = np.nan
    finite = np.array([np.isfinite(arrays[2][b, : e.steps // e.every + 1, : len(e.start)]).all()
                       for b, e in enumerate(experiments)])
    return Runs(arrays[0], arrays[1].astype(np.float64), arrays[3].astype(np.float64), arrays[2].astype(np.float64),
                finite=finite, device=str(where), dtype=dtype)


def _floats(rows) -> list:
    return [[float(v) for v in row] for row in rows]


def _validate(experiments) -> tuple:
    if not experiments:
        raise ValueError("experiments=[] is invalid: train at least one factorisation")
    for b, e in enumerate(experiments):
        d = len(e.start)
        r = len(e.start[0]) if d else 0
        if d < 1 or r < 1 or any(len(row) != r for row in e.start):
            raise ValueError(f"experiments[{b}].start must be a d × r matrix (d, r ≥ 1)")
        for name, matrix in (("target", e.target), ("basis", e.basis)):
            if len(matrix) != d or any(len(row) != d for row in matrix):
                raise ValueError(f"experiments[{b}].{name} must be {d} × {d}, matching start")
        if len(e.levels) > d:
            raise ValueError(f"experiments[{b}].levels has {len(e.levels)} values, more than d = {d}")
        arguments.positive("step", e.step)
        arguments.integer("steps", e.steps, 1, MAX_STEPS)
        arguments.integer("every", e.every, 1, e.steps)
    return (max(len(e.start) for e in experiments), max(len(e.start[0]) for e in experiments),
            max(max(len(e.levels) for e in experiments), 1))
