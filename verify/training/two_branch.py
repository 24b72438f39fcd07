"""Batched gradient descent on the two-branch toy model σ = w_+^N − w_-^N (theory/two_branch.py).

Each experiment has its own inputs X_b (n × d) and labels y_b; all train in one tensor program with the
authors' loss, Keras 'mse' = mean_i (⟨σ, x_i⟩ − y_i)² (so that their learning rate means the same here),
plain ``torch.optim.SGD``, init w_± = init^{1/N} (σ(0) = 0). What is recorded is the first step at which
each |σ_i| reaches ``threshold`` (−1: never), the order in which gradient descent "selects" features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from numerics import arguments

from .placement import select_device, torch_dtype


@dataclass(frozen=True)
class Selections:
    """``first[b, i]``: first step with |σ_i| ≥ threshold in experiment b (−1: never); ``sigma``: final σ."""

    first: np.ndarray
    sigma: np.ndarray
    steps: int
    finite: np.ndarray
    device: str


def train(inputs, labels, *, depth, init, step, steps, threshold, wanted, device="auto", dtype="float64") -> Selections:
    """Run up to ``steps`` steps, stopping early once every experiment has ``wanted`` features selected."""
    n_depth = arguments.depth(depth)
    start = float(arguments.positive("init", init)) ** (1.0 / n_depth)
    eta = float(arguments.positive("step", step))
    limit = arguments.integer("steps", steps, 1, 10**8)
    level = float(arguments.positive("threshold", threshold))
    kind = torch_dtype(dtype)
    x = torch.as_tensor(np.asarray(inputs), dtype=kind)
    y = torch.as_tensor(np.asarray(labels), dtype=kind)
    if x.ndim != 3 or y.shape != x.shape[:2]:
        raise ValueError(f"inputs must be (experiments, n, d) and labels (experiments, n): got {tuple(x.shape)}, "
                         f"{tuple(y.shape)}")
    where = select_device(device)
    x, y = x.to(where), y.to(where)
    experiments, _, d = x.shape
    plus = torch.nn.Parameter(torch.full((experiments, d), start, dtype=x.dtype, device=where))
    minus = torch.nn.Parameter(torch.full((experiments, d), start, dtype=x.dtype, device=where))
    optimizer = torch.optim.SGD([plus, minus], lr=eta)
    first = torch.full((experiments, d), -1, dtype=torch.long, device=where)
    taken = 0
    for taken in range(limit + 1):
        sigma = plus**n_depth - minus**n_depth
        with torch.no_grad():
            first = torch.where((first < 0) & (sigma.abs() >= level), taken, first)
        if taken == limit or (taken % 500 == 0 and bool(((first >= 0).sum(dim=1) >= wanted).all())):
            break
        residual = torch.bmm(x, sigma[:, :, None])[:, :, 0] - y
        loss = (residual**2).mean(dim=1).sum()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    final = sigma.detach().cpu().numpy()
    return Selections(first.cpu().numpy(), final, taken, np.isfinite(final).all(axis=1), str(where))
