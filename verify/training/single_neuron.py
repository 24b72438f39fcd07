"""Label-noise SGD on single neurons f(x) = w₂ σ(w₁x), σ(z) = tanh(g z), batched over experiments and paths
(docs/claims/stochastic-collapse.md §3).

Each experiment is a dataset (x_i, y_i), i = 1..m, a slope g = σ′(0), the authors' noise parameters (η, ζ), a step
h and an init scale. Every path trains its own (w₁, w₂) with ``torch.optim.SGD`` (lr h, real autograd) on the mean
squared loss (1/2m) Σ_i (f(x_i) − y_i − ε_i)² with fresh label noise ε_i ~ N(0, ζ² η m/h) at every step:

    w ← w − h ∇L(w) + (h/m) Σ_i ε_i ∂f(x_i)/∂w,

the Euler–Maruyama step h of the authors' SDE dw = −∇L dt + Σ_i √η ζ ∂f(x_i)/∂w /√m dW_i (at h = η it is plain
label-noise gradient descent with step η and label noise ζ√m). All experiments and paths share one parameter tensor
of shape (experiments, paths, 2); experiment b's loss is scaled by its step and SGD runs at lr 1.

Recorded per path: ``slope`` = (log|u_end| − log|u_0|)/T for u = w₁ + w₂ (T = steps·h), ``control`` = the label
noise's share of that growth, (1/T) Σ_k (h g/m) Σ_i ε_i x_i (mean exactly 0: the control variate of the slope in
the linear regime), and the ``final`` weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from numerics import arguments

from .noise import gaussian_steps, one_per_experiment
from .placement import Placed, placed

CHUNK = 64  # steps of label noise drawn at once (each step's is count × paths × samples)


@dataclass(frozen=True)
class Experiment:
    """One dataset and noise setting: ``inputs``, ``labels`` (m each), σ′(0) = ``slope``, the SDE's ``eta`` and
    ``zeta``, the SGD ``step`` h, and the standard deviation ``init`` of the initial weights (per coordinate)."""

    inputs: tuple
    labels: tuple
    slope: float
    eta: float
    zeta: float
    step: float
    init: float


@dataclass(frozen=True)
class Runs(Placed):
    """``slope[b, j]``, ``control[b, j]``, ``final[b, j, :]`` for experiment b and path j; ``finite[b]``."""

    slope: np.ndarray
    control: np.ndarray
    final: np.ndarray


def train(experiments, *, paths: int, steps: int, rngs, device="auto", dtype="float64") -> Runs:
    """``paths`` paths of ``steps`` SGD steps for every experiment, in one tensor program; experiment b's initial
    weights, then its label noise, are drawn from ``rngs[b]`` (NumPy generators: ``verify.training.noise``)."""
    experiments = list(experiments)
    _validate(experiments, paths, steps)
    rngs = one_per_experiment(rngs, experiments)
    with placed(device, dtype) as (kind, where):
        return _train(experiments, paths, steps, rngs, kind, where, dtype)


def _train(experiments, paths, steps, rngs, kind, where, dtype) -> Runs:
    count, samples = len(experiments), len(experiments[0].inputs)

    def tensor(values):
        return torch.tensor(np.asarray(values, dtype=float), dtype=kind, device=where)

    inputs = tensor([e.inputs for e in experiments])[:, None, :]
    labels = tensor([e.labels for e in experiments])[:, None, :]
    slope = tensor([e.slope for e in experiments])[:, None, None]
    step = tensor([e.step for e in experiments])[:, None]
    label_noise = tensor([e.zeta * np.sqrt(e.eta * samples / e.step) for e in experiments])[:, None, None]
    init = np.stack([e.init * rng.standard_normal((paths, 2)) for e, rng in zip(experiments, rngs)])
    weights = torch.nn.Parameter(tensor(init))
    optimiser = torch.optim.SGD([weights], lr=1.0)
    start = (weights[..., 0] + weights[..., 1]).detach().abs().log()
    control = torch.zeros(count, paths, dtype=kind, device=where)
    for xi in gaussian_steps(rngs, steps, (paths, samples), kind, where, chunk=CHUNK):
        noise = label_noise * xi
        outputs = weights[..., 1:2] * torch.tanh(slope * weights[..., 0:1] * inputs)
        loss = (step[:, :, None] * (outputs - labels - noise) ** 2).sum() / (2 * samples)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        with torch.no_grad():
            control += step * slope[:, :, 0] * (noise * inputs).sum(dim=2) / samples
    with torch.no_grad():
        horizon = step * steps
        growth = (weights[..., 0] + weights[..., 1]).abs().log() - start
        slopes, controls = growth / horizon, control / horizon
        finite = torch.isfinite(slopes).all(dim=1) & torch.isfinite(weights).reshape(count, -1).all(dim=1)
        return Runs(slopes.cpu().numpy(), controls.cpu().numpy(), weights.detach().cpu().numpy(),
                    finite=finite.cpu().numpy(), device=str(where), dtype=dtype)


def _validate(experiments, paths, steps):
    if not experiments:
        raise ValueError("experiments is empty: give at least one Experiment")
    arguments.integer("paths", paths, 2, 10**7)
    arguments.integer("steps", steps, 1, 10**9)
    samples = len(experiments[0].inputs)
    for e in experiments:
        if len(e.inputs) != samples or len(e.labels) != samples or samples < 1:
            raise arguments.ParameterError("inputs", len(e.inputs), f"{samples} inputs and labels in every experiment")
        for name in ("slope", "eta", "zeta", "step", "init"):
            arguments.positive(name, getattr(e, name))
