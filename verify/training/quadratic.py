"""Batched gradient descent on quadratic networks f(x) = xᵀWᵀWx (+ b), W ∈ R^{d×d}, in torch.

Every experiment b has its own W (init √init_b·Q_b, Q_b a random orthogonal matrix, so M(0) = init_b·I),
its own step size (through the loss-scaling trick of verify/training/toy.py), and one of four losses:

* ``variance``: the population loss with the bias at its optimum, ‖M − M*‖²_F (theory/quadratic.py);
* ``population``: the population loss without a bias, ‖Δ‖²_F + ½(tr Δ)²;
* ``bias`` / ``no-bias``: ½·mean_i (x_iᵀMx_i + b − y_i)² on its own Gaussian dataset (y = x_iᵀM*x_i), with b
  trained from its optimal value at init, or absent. Datasets of different sizes are padded and masked.

All experiments run in one tensor program; the eigenvalues of M are recorded at the requested steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from numerics import arguments

from .placement import select_device, torch_dtype

LOSSES = ("variance", "population", "bias", "no-bias")


@dataclass(frozen=True)
class Eigenvalues:
    """``values[b, r]``: eigenvalues of M (decreasing) for experiment b after ``steps[b][r]`` steps."""

    steps: tuple
    values: np.ndarray
    finite: np.ndarray
    device: str


def train(losses, targets, inits, step_sizes, seeds, samples, record, *, device="auto", dtype="float64") -> Eigenvalues:
    """``targets`` is the diagonal of M* (shared); ``samples[b]`` the dataset size (ignored for population losses)."""
    cases = len(losses)
    for name, values in (("inits", inits), ("step_sizes", step_sizes), ("seeds", seeds), ("samples", samples),
                         ("record", record)):
        if len(values) != cases:
            raise ValueError(f"{name} has {len(values)} entries, but there are {cases} experiments")
    for loss in losses:
        if loss not in LOSSES:
            raise ValueError(f"loss={loss!r} is invalid: must be one of {', '.join(LOSSES)}")
    where, kind = select_device(device), torch_dtype(dtype)
    star = torch.diag(torch.tensor([float(arguments.exact("targets", t)) for t in targets], dtype=kind, device=where))
    d = star.shape[0]
    rows = max([arguments.integer("samples", n, 0, 10**6) for n in samples] + [1])
    generator = torch.Generator().manual_seed(0)
    weights, inputs = [], torch.zeros(cases, rows, d, dtype=kind)
    mask = torch.zeros(cases, rows, dtype=kind)
    for b in range(cases):
        generator.manual_seed(int(arguments.integer("seeds", seeds[b], 0, 2**63 - 1)))
        orthogonal, _ = torch.linalg.qr(torch.randn(d, d, generator=generator, dtype=kind))
        weights.append(float(arguments.positive("inits", inits[b])) ** 0.5 * orthogonal)
        if losses[b] in ("bias", "no-bias"):
            inputs[b, : samples[b]] = torch.randn(samples[b], d, generator=generator, dtype=kind)
            mask[b, : samples[b]] = 1.0 / samples[b]
    weights = torch.nn.Parameter(torch.stack(weights).to(where))
    inputs, mask = inputs.to(where), mask.to(where)
    labels = ((inputs @ star) * inputs).sum(dim=-1)
    flags = {name: torch.tensor([loss == name for loss in losses], dtype=kind, device=where) for name in LOSSES}
    start_quadratic = ((inputs @ (weights.detach().transpose(1, 2) @ weights.detach())) * inputs).sum(dim=-1)
    bias = torch.nn.Parameter(((labels - start_quadratic) * mask).sum(dim=1) * flags["bias"])
    eta = torch.tensor([float(arguments.positive("step_sizes", h)) for h in step_sizes], dtype=kind, device=where)
    optimizer = torch.optim.SGD([weights, bias], lr=1.0)
    due = {}
    for b, steps in enumerate(record):
        for r, k in enumerate(steps):
            due.setdefault(int(k), []).append((b, r))
    values = np.full((cases, max(len(r) for r in record), d), np.nan)
    for k in range(max(max(r) for r in record) + 1):
        moment = weights.transpose(1, 2) @ weights
        if k in due:
            spectrum = torch.linalg.eigvalsh(moment.detach()).flip(-1).cpu().numpy()
            for b, r in due[k]:
                values[b, r] = spectrum[b]
        delta = moment - star
        squared = (delta**2).sum(dim=(1, 2))
        trace = delta.diagonal(dim1=1, dim2=2).sum(dim=1)
        fitted = ((inputs @ moment) * inputs).sum(dim=-1) + bias[:, None] * flags["bias"][:, None]
        empirical = 0.5 * ((fitted - labels) ** 2 * mask).sum(dim=1)
        loss = (flags["variance"] * squared + flags["population"] * (squared + trace**2 / 2)
                + (flags["bias"] + flags["no-bias"]) * empirical)
        optimizer.zero_grad(set_to_none=True)
        (loss * eta).sum().backward()
        optimizer.step()
    finite = np.array([np.isfinite(values[b, : len(record[b])]).all() for b in range(cases)])
    return Eigenvalues(tuple(tuple(r) for r in record), values, finite, str(where))
